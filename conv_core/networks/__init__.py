"""Whole networks as data: layer records, a shape/parameter/MAC calculator, presets, demos.

* :mod:`.layers`: the records (:class:`Input`, :class:`Conv2d`, :class:`Dense`, ...);
* :mod:`.calculator`: :func:`network_summary`, every layer's shape, parameters,
  receptive field and multiply-accumulates;
* :mod:`.records`: the editor's plain-dict rows and back, with row-numbered problems;
* :mod:`.presets`: LeNet-5, AlexNet, VGG, an Inception module, ResNets, the lecture's model;
* :mod:`.demos`: the numbers behind the residual, factorised-convolution and
  dense-as-convolution demonstrations.

NumPy only (the demos); the rest is integer arithmetic.
"""

from .calculator import LayerInfo, NetworkSummary, Shape, named_layers, network_summary
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
    "KIND_ALIASES",
    "KIND_COLUMNS",
    "LAYER_TYPES",
    "RECORD_COLUMNS",
    "Activation",
    "AdaptiveAvgPool2d",
    "Add",
    "AvgPool2d",
    "BatchNorm",
    "Concat",
    "Conv2d",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2d",
    "Input",
    "Layer",
    "LayerInfo",
    "MaxPool2d",
    "NetworkSummary",
    "PaddingArg",
    "RecordProblem",
    "Shape",
    "named_layers",
    "network_summary",
    "network_to_records",
    "records_to_network",
]
