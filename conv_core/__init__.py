"""conv_core: ConvLab's numerical engine (NumPy/SciPy/Pillow only, no UI).

Argument names, order and semantics follow ``torch.nn.functional`` wherever an
equivalent exists, so what a learner sees in ConvLab carries over to real code.
Images and grids are in 0-255 units, as in the lecture.
"""

from .errors import ERROR_MESSAGES, ArgumentError, ConvLabError, ImageLoadError
from .padding import PADDING_MODES, pad2d, padding_mode_names
from .shapes import (
    ConvOutputSize,
    ReceptiveField,
    conv_output_size,
    conv_output_size_detail,
    conv_param_count,
    dense_param_count,
    pool_output_size,
    receptive_field,
    resolve_padding,
    resolve_padding_1d,
)

__all__ = [
    "ERROR_MESSAGES",
    "PADDING_MODES",
    "ArgumentError",
    "ConvLabError",
    "ConvOutputSize",
    "ImageLoadError",
    "ReceptiveField",
    "conv_output_size",
    "conv_output_size_detail",
    "conv_param_count",
    "dense_param_count",
    "pad2d",
    "padding_mode_names",
    "pool_output_size",
    "receptive_field",
    "resolve_padding",
    "resolve_padding_1d",
]
