"""conv_core: ConvLab's numerical engine (NumPy/SciPy/Pillow only, no UI).

Argument names, order and semantics follow ``torch.nn.functional`` wherever an
equivalent exists, so what a learner sees in ConvLab carries over to real code.
Images and grids are in 0-255 units, as in the lecture.
"""

from .activations import leaky_relu, relu, sigmoid, tanh
from .conv import (
    CONV_PADDING_MODES,
    conv2d,
    conv2d_hwc,
    conv2d_output_shape,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
)
from .errors import ERROR_MESSAGES, ArgumentError, ConvLabError, ImageLoadError
from .kernels import (
    KERNELS,
    Kernel,
    NormalisedKernel,
    box_blur,
    gaussian_blur,
    get_kernel,
    kernel_names,
    motion_blur,
    normalise_kernel,
    parse_kernel,
    parse_kernel_cell,
    random_kernel,
    unsharp_mask,
)
from .padding import PADDING_MODES, pad2d, padding_mode_names
from .pooling import POOL_METHODS, global_avg_pool, pool2d
from .presets import PRESET_KINDS, PRESETS, Preset, preset_names
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
    "CONV_PADDING_MODES",
    "ERROR_MESSAGES",
    "KERNELS",
    "PADDING_MODES",
    "POOL_METHODS",
    "PRESETS",
    "PRESET_KINDS",
    "ArgumentError",
    "ConvLabError",
    "ConvOutputSize",
    "ImageLoadError",
    "Kernel",
    "NormalisedKernel",
    "Preset",
    "ReceptiveField",
    "TransposeAsConvolution",
    "box_blur",
    "conv2d",
    "conv2d_hwc",
    "conv2d_output_shape",
    "conv_output_size",
    "conv_output_size_detail",
    "conv_param_count",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "convolve1d",
    "convolve2d",
    "correlate1d",
    "correlate2d",
    "dense_param_count",
    "gaussian_blur",
    "get_kernel",
    "global_avg_pool",
    "kernel_names",
    "leaky_relu",
    "motion_blur",
    "normalise_kernel",
    "pad2d",
    "padding_mode_names",
    "parse_kernel",
    "parse_kernel_cell",
    "pool2d",
    "pool_output_size",
    "preset_names",
    "random_kernel",
    "receptive_field",
    "relu",
    "resolve_padding",
    "resolve_padding_1d",
    "sigmoid",
    "tanh",
    "transpose_as_convolution",
    "unsharp_mask",
    "zero_insert",
]
