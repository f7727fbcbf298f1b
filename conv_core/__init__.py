"""conv_core: ConvLab's numerical engine (NumPy/SciPy/Pillow only, no UI).

Argument names, order and semantics follow ``torch.nn.functional`` wherever an
equivalent exists, so what a learner sees in ConvLab carries over to real code.
Images and grids are in 0-255 units, as in the lecture.
"""

from .activations import leaky_relu, relu, sigmoid, tanh
from .errors import ERROR_MESSAGES, ArgumentError, ConvLabError, ImageLoadError
from .padding import PADDING_MODES, pad2d, padding_mode_names
from .pooling import POOL_METHODS, global_avg_pool, pool2d
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
from .transposed import (
    TransposeAsConvolution,
    conv_transpose2d,
    conv_transpose_output_size,
    transpose_as_convolution,
    zero_insert,
)

__all__ = [
    "ERROR_MESSAGES",
    "PADDING_MODES",
    "POOL_METHODS",
    "ArgumentError",
    "ConvLabError",
    "ConvOutputSize",
    "ImageLoadError",
    "ReceptiveField",
    "TransposeAsConvolution",
    "conv_output_size",
    "conv_output_size_detail",
    "conv_param_count",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "dense_param_count",
    "global_avg_pool",
    "leaky_relu",
    "pad2d",
    "padding_mode_names",
    "pool2d",
    "pool_output_size",
    "receptive_field",
    "relu",
    "resolve_padding",
    "resolve_padding_1d",
    "sigmoid",
    "tanh",
    "transpose_as_convolution",
    "zero_insert",
]
