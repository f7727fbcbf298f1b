"""Whole networks as data: layer records, a shape/parameter/MAC calculator, presets, demos.

* :mod:`.layers`: the records (:class:`Input`, :class:`Conv2d`, :class:`Dense`, ...);
* :mod:`.calculator`: :func:`network_summary`, every layer's shape, parameters,
  receptive field and multiply-accumulates;
* :mod:`.records`: the editor's plain-dict rows and back, with row-numbered problems;
* :mod:`.presets`: LeNet-5, AlexNet, VGG, an Inception module, ResNets, the lecture's model;
* :mod:`.demos`: the numbers behind the residual, factorised-convolution and
  dense-as-convolution demonstrations.

The demos compute with NumPy and conv_core's layers; the rest is integer arithmetic.

Examples
--------
>>> s = network_summary(NETWORK_PRESETS["vgg16"].layers)
>>> s.trainable, s["block5_pool"].output_shape, s.depth
(138357544, (7, 7, 512), 16)
"""

from .calculator import LayerInfo, NetworkSummary, Shape, named_layers, network_summary
from .demos import (
    SOBEL_COLUMN,
    SOBEL_ROW,
    DenseAsConvolution,
    FactorisedConvolution,
    FlattenedShift,
    ResidualGradients,
    ResidualUnitExample,
    SeparableFilter,
    dense_as_convolution,
    dense_to_conv_weight,
    factorised_convolution,
    flattened_shift,
    residual_gradients,
    residual_unit_example,
    separable_filter,
    shift_image,
    sliding_dense,
)
from .layers import (
    ACTIVATION_FUNCTIONS,
    LAYER_TYPES,
    Activation,
    AdaptiveAvgPool2d,
    Add,
    AvgPool2d,
    BatchNorm,
    Concat,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool2d,
    Input,
    Layer,
    MaxPool2d,
    PaddingArg,
)
from .presets import (
    ALEXNET_VARIANTS,
    DEPTH_TIMELINE,
    NETWORK_PRESETS,
    DepthMilestone,
    NetworkPreset,
    alexnet,
    bottleneck_unit,
    inception_3a,
    inception_module,
    lecture_mnist,
    lenet5,
    network_preset_names,
    residual_unit,
    resnet,
    resnet34,
    resnet152,
    vgg,
    vgg_block,
)
from .records import (
    KIND_ALIASES,
    KIND_COLUMNS,
    RECORD_COLUMNS,
    RecordProblem,
    network_to_records,
    records_to_network,
)

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "ALEXNET_VARIANTS",
    "DEPTH_TIMELINE",
    "KIND_ALIASES",
    "KIND_COLUMNS",
    "LAYER_TYPES",
    "NETWORK_PRESETS",
    "RECORD_COLUMNS",
    "SOBEL_COLUMN",
    "SOBEL_ROW",
    "Activation",
    "AdaptiveAvgPool2d",
    "Add",
    "AvgPool2d",
    "BatchNorm",
    "Concat",
    "Conv2d",
    "Dense",
    "DenseAsConvolution",
    "DepthMilestone",
    "Dropout",
    "FactorisedConvolution",
    "Flatten",
    "FlattenedShift",
    "GlobalAvgPool2d",
    "Input",
    "Layer",
    "LayerInfo",
    "MaxPool2d",
    "NetworkPreset",
    "NetworkSummary",
    "PaddingArg",
    "RecordProblem",
    "ResidualGradients",
    "ResidualUnitExample",
    "SeparableFilter",
    "Shape",
    "alexnet",
    "bottleneck_unit",
    "dense_as_convolution",
    "dense_to_conv_weight",
    "factorised_convolution",
    "flattened_shift",
    "inception_3a",
    "inception_module",
    "lecture_mnist",
    "lenet5",
    "named_layers",
    "network_preset_names",
    "network_summary",
    "network_to_records",
    "records_to_network",
    "residual_gradients",
    "residual_unit",
    "residual_unit_example",
    "resnet",
    "resnet34",
    "resnet152",
    "separable_filter",
    "shift_image",
    "sliding_dense",
    "vgg",
    "vgg_block",
]
