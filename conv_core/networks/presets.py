"""Famous networks as layer records, each with the parameter count it is known by.

Built from small helpers a page can also use: :func:`vgg_block`, :func:`residual_unit`
(a basic block as torchvision builds it), :func:`bottleneck_unit` and
:func:`inception_module`. Each :class:`NetworkPreset` carries ``expected_trainable``
(and ``expected_non_trainable``), which the tests recompute with
:func:`~conv_core.networks.network_summary`:

============================  ==========================  ===========
preset                        input                       trainable
============================  ==========================  ===========
``lenet5``                    32x32x1                          61,706
``alexnet``                   227x227x3                    62,378,344
``alexnet_grouped``           227x227x3                    60,965,224
``alexnet_torchvision``       224x224x3                    61,100,840
``vgg16``                     224x224x3                   138,357,544
``vgg19``                     224x224x3                   143,667,240
``inception_3a``              28x28x192                       163,696
``resnet34``                  224x224x3                    21,797,672
``resnet34_keras``            224x224x3                    21,289,802
``resnet152``                 224x224x3                    60,192,808
``lecture_mnist``             28x28x1                       1,413,834
============================  ==========================  ===========

The ResNets' BatchNorm moving means and variances are counted apart, as non-trainable
(17,024 values in ResNet-34). :data:`DEPTH_TIMELINE` is the lecture's "deeper every year"
picture: AlexNet 8, VGG 19, GoogLeNet 22 and ResNet 152 layers, each with the preset it
loads.

References
----------
Y. LeCun et al., "Gradient-based learning applied to document recognition", 1998.
A. Krizhevsky, I. Sutskever, G. Hinton, "ImageNet classification with deep convolutional
neural networks", 2012.
K. Simonyan, A. Zisserman, "Very deep convolutional networks for large-scale image
recognition", 2014.
C. Szegedy et al., "Going deeper with convolutions", 2014.
K. He et al., "Deep residual learning for image recognition", 2015.
torchvision.models: ``alexnet``, ``resnet34``, ``resnet152``.

Examples
--------
>>> from conv_core.networks import network_summary
>>> s = network_summary(NETWORK_PRESETS["lecture_mnist"].layers)
>>> s["flatten"].output_shape, s.total
((2304,), 1413834)
>>> [(m.name, m.depth, m.preset) for m in DEPTH_TIMELINE]  # doctest: +NORMALIZE_WHITESPACE
[('AlexNet', 8, 'alexnet'), ('VGG', 19, 'vgg19'), ('GoogLeNet', 22, 'inception_3a'),
 ('ResNet', 152, 'resnet152')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .._checks import check_choice, check_int
from ..errors import ArgumentError
from .layers import (
    Activation,
    AdaptiveAvgPool2d,
    Add,
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
)

__all__ = [
    "ALEXNET_VARIANTS",
    "DEPTH_TIMELINE",
    "NETWORK_PRESETS",
    "DepthMilestone",
    "NetworkPreset",
    "alexnet",
    "bottleneck_unit",
    "inception_3a",
    "inception_module",
    "lecture_mnist",
    "lenet5",
    "network_preset_names",
    "residual_unit",
    "resnet",
    "resnet34",
    "resnet152",
    "vgg",
    "vgg_block",
]

#: AlexNet as :func:`alexnet` builds it: one tower with the paper's filter counts, the
#: paper's two-GPU grouping, or torchvision's single-GPU variant.
ALEXNET_VARIANTS = ("one_tower", "grouped", "torchvision")


# ----------------------------------------------------------------------------- helpers


def vgg_block(prefix: str, filters: int, convs: int) -> list[Layer]:
    """``convs`` 3x3 convolutions (padding 1, ReLU) then a 2x2 max pool, with Keras's ids.

    >>> [layer.id for layer in vgg_block("block1", 64, 2)]
    ['block1_conv1', 'block1_conv2', 'block1_pool']
    """
    layers: list[Layer] = [
        Conv2d(filters, 3, padding=1, activation="relu", id=f"{prefix}_conv{i}")
        for i in range(1, check_int(convs, "convs", minimum=1) + 1)
    ]
    return [*layers, MaxPool2d(2, id=f"{prefix}_pool")]


def _add_shortcut(
    prefix: str,
    input_id: str,
    main: list[Layer],
    in_channels: int,
    out_channels: int,
    stride: int,
) -> list[Layer]:
    """A residual unit's main path ``main`` plus its shortcut, the Add and the final ReLU.

    torchvision's rule, shared by the basic and the bottleneck unit: the shortcut is the
    identity, or, where the shape changes (a stride or another channel count), a 1x1
    strided bias-free projection and its BatchNorm.
    """
    layers = list(main)
    skip = input_id
    if stride != 1 or in_channels != out_channels:
        layers += [
            Conv2d(out_channels, 1, stride, bias=False, id=f"{prefix}_downsample",
                   inputs=(input_id,)),
            BatchNorm(id=f"{prefix}_downsample_bn"),
        ]  # fmt: skip
        skip = f"{prefix}_downsample_bn"
    return [
        *layers,
        Add(id=f"{prefix}_add", inputs=(main[-1].id, skip)),
        Activation("relu", id=f"{prefix}_out"),
    ]


def residual_unit(
    prefix: str, input_id: str, in_channels: int, filters: int, stride: int = 1
) -> list[Layer]:
    """A basic residual unit as torchvision's ``BasicBlock`` builds it.

    ``conv 3x3 (stride) -> BN -> ReLU -> conv 3x3 -> BN``, plus the input, then ReLU. The
    convolutions have no bias (BatchNorm's beta does that job). Where the shape changes
    (``stride != 1`` or ``in_channels != filters``) the skip path is a 1x1 convolution
    with the same stride and a BatchNorm (the "projection shortcut"); elsewhere it is the
    identity.

    Parameters
    ----------
    prefix : str
        Start of every id (``'layer2.0'`` gives ``'layer2.0_conv1'`` ...).
    input_id : str
        The id of the layer the unit reads.
    in_channels, filters : int
        Channels in and out.
    stride : int, optional
        1, or 2 to halve the height and width.

    Returns
    -------
    list of Layer
        The last one (``f"{prefix}_out"``, the ReLU) is the unit's output.

    Examples
    --------
    >>> [layer.id for layer in residual_unit("u", "x", 64, 128, stride=2)]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['u_conv1', 'u_bn1', 'u_relu1', 'u_conv2', 'u_bn2', 'u_downsample',
     'u_downsample_bn', 'u_add', 'u_out']
    """
    layers: list[Layer] = [
        Conv2d(filters, 3, stride, 1, bias=False, id=f"{prefix}_conv1", inputs=(input_id,)),
        BatchNorm(id=f"{prefix}_bn1"),
        Activation("relu", id=f"{prefix}_relu1"),
        Conv2d(filters, 3, 1, 1, bias=False, id=f"{prefix}_conv2"),
        BatchNorm(id=f"{prefix}_bn2"),
    ]
    return _add_shortcut(prefix, input_id, layers, in_channels, filters, stride)


def bottleneck_unit(
    prefix: str,
    input_id: str,
    in_channels: int,
    width: int,
    stride: int = 1,
    expansion: int = 4,
) -> list[Layer]:
    """A bottleneck residual unit as torchvision's ``Bottleneck`` builds it (ResNet-50/101/152).

    ``1x1 to width -> BN -> ReLU -> 3x3 (stride) -> BN -> ReLU -> 1x1 to expansion*width ->
    BN``, plus the input, then ReLU; bias-free convolutions, the stride on the 3x3 (as
    torchvision, "ResNet v1.5"), and a 1x1 strided projection + BatchNorm on the skip path
    where the shape changes.

    Returns
    -------
    list of Layer
        The last one (``f"{prefix}_out"``) is the unit's output.

    Examples
    --------
    >>> from conv_core.networks import Input, network_summary
    >>> s = network_summary([Input((56, 56, 64)), *bottleneck_unit("u", "input", 64, 64)])
    >>> s["u_out"].output_shape, s.trainable
    ((56, 56, 256), 75008)
    """
    out = expansion * width
    layers: list[Layer] = [
        Conv2d(width, 1, bias=False, id=f"{prefix}_conv1", inputs=(input_id,)),
        BatchNorm(id=f"{prefix}_bn1"),
        Activation("relu", id=f"{prefix}_relu1"),
        Conv2d(width, 3, stride, 1, bias=False, id=f"{prefix}_conv2"),
        BatchNorm(id=f"{prefix}_bn2"),
        Activation("relu", id=f"{prefix}_relu2"),
        Conv2d(out, 1, bias=False, id=f"{prefix}_conv3"),
        BatchNorm(id=f"{prefix}_bn3"),
    ]
    return _add_shortcut(prefix, input_id, layers, in_channels, out, stride)


def inception_module(
    prefix: str,
    input_id: str,
    b1: int,
    b3_reduce: int,
    b3: int,
    b5_reduce: int,
    b5: int,
    pool_proj: int,
) -> list[Layer]:
    """GoogLeNet's Inception module: four branches side by side, joined along the channels.

    Branches (every convolution with a bias and ReLU, 'same' padding): a 1x1 to ``b1``;
    a 1x1 to ``b3_reduce`` then a 3x3 to ``b3``; a 1x1 to ``b5_reduce`` then a 5x5 to
    ``b5``; a 3x3 max pool with stride 1 ('same') then a 1x1 to ``pool_proj``. The
    :class:`Concat` (``f"{prefix}_output"``) has ``b1 + b3 + b5 + pool_proj`` channels.

    Examples
    --------
    >>> [layer.id for layer in inception_module("m", "x", 1, 1, 1, 1, 1, 1)][-1]
    'm_output'
    """
    relu = "relu"
    return [
        Conv2d(b1, 1, activation=relu, id=f"{prefix}_1x1", inputs=(input_id,)),
        Conv2d(b3_reduce, 1, activation=relu, id=f"{prefix}_3x3_reduce", inputs=(input_id,)),
        Conv2d(b3, 3, padding="same", activation=relu, id=f"{prefix}_3x3"),
        Conv2d(b5_reduce, 1, activation=relu, id=f"{prefix}_5x5_reduce", inputs=(input_id,)),
        Conv2d(b5, 5, padding="same", activation=relu, id=f"{prefix}_5x5"),
        MaxPool2d(3, 1, "same", id=f"{prefix}_pool", inputs=(input_id,)),
        Conv2d(pool_proj, 1, activation=relu, id=f"{prefix}_pool_proj"),
        Concat(
            id=f"{prefix}_output",
            inputs=(f"{prefix}_1x1", f"{prefix}_3x3", f"{prefix}_5x5", f"{prefix}_pool_proj"),
        ),
    ]


def _classifier(units: Sequence[int], classes: int, activation: str | None) -> list[Layer]:
    """Flatten, then Dense + ReLU + Dropout(0.5) per hidden layer, then the output layer."""
    layers: list[Layer] = [Flatten(id="flatten")]
    for i, n in enumerate(units, start=1):
        layers += [
            Dense(n, activation="relu", id=f"fc{i}"),
            Dropout(0.5, id=f"dropout{i}"),
        ]
    return [*layers, Dense(classes, activation=activation, id="predictions")]


# ----------------------------------------------------------------------------- networks


def lenet5() -> tuple[Layer, ...]:
    """LeNet-5 in its modern form: ReLU, max pooling, a fully connected C3.

    32x32x1 -> conv 6 of 5x5 -> pool -> conv 16 of 5x5 -> pool -> 400 -> dense 120 -> 84
    -> 10: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters.

    >>> [layer.id for layer in lenet5()][:4]
    ['input', 'conv1', 'pool1', 'conv2']
    """
    return (
        Input((32, 32, 1)),
        Conv2d(6, 5, activation="relu", id="conv1"),
        MaxPool2d(2, id="pool1"),
        Conv2d(16, 5, activation="relu", id="conv2"),
        MaxPool2d(2, id="pool2"),
        Flatten(id="flatten"),
        Dense(120, activation="relu", id="fc1"),
        Dense(84, activation="relu", id="fc2"),
        Dense(10, activation="softmax", id="predictions"),
    )


def alexnet(
    variant: Literal["one_tower", "grouped", "torchvision"] = "one_tower",
) -> tuple[Layer, ...]:
    """AlexNet: five convolutions, three max pools, three dense layers.

    Parameters
    ----------
    variant : {'one_tower', 'grouped', 'torchvision'}, optional
        * ``'one_tower'`` (default): the paper's filter counts 96-256-384-384-256 on
          227x227x3 (conv1 11x11 stride 4; conv2 5x5 padding 2; conv3-5 3x3 padding 1;
          3x3 stride-2 max pools after conv1, conv2, conv5), dense 4096-4096-1000 with a
          1000-way softmax: 62,378,344 parameters.
        * ``'grouped'``: the paper's two-GPU original, where conv2, conv4 and conv5 only
          see the half of the channels on their own GPU (``groups=2``): 60,965,224.
        * ``'torchvision'``: torchvision's single-GPU variant, 64-192-384-256-256 on
          224x224x3 (conv1 padding 2), an adaptive average pool to 6x6 and no softmax:
          61,100,840.

    Local response normalisation is left out (it has no parameters).

    Examples
    --------
    >>> [layer.out_channels for layer in alexnet("torchvision") if layer.kind == "conv2d"]
    [64, 192, 384, 256, 256]
    """
    check_choice(variant, "variant", ALEXNET_VARIANTS)
    if variant == "torchvision":
        filters, side, pad1, groups = (64, 192, 384, 256, 256), 224, 2, 1
    else:
        filters, side, pad1 = (96, 256, 384, 384, 256), 227, 0
        groups = 2 if variant == "grouped" else 1
    relu = "relu"
    layers: list[Layer] = [
        Input((side, side, 3)),
        Conv2d(filters[0], 11, 4, pad1, activation=relu, id="conv1"),
        MaxPool2d(3, 2, id="pool1"),
        Conv2d(filters[1], 5, 1, 2, groups=groups, activation=relu, id="conv2"),
        MaxPool2d(3, 2, id="pool2"),
        Conv2d(filters[2], 3, 1, 1, activation=relu, id="conv3"),
        Conv2d(filters[3], 3, 1, 1, groups=groups, activation=relu, id="conv4"),
        Conv2d(filters[4], 3, 1, 1, groups=groups, activation=relu, id="conv5"),
        MaxPool2d(3, 2, id="pool5"),
    ]
    if variant == "torchvision":
        layers.append(AdaptiveAvgPool2d(6, id="avgpool"))
    head = _classifier((4096, 4096), 1000, None if variant == "torchvision" else "softmax")
    return (*layers, *head)


_VGG_CONVS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def vgg(depth: int = 16) -> tuple[Layer, ...]:
    """VGG-11/13/16/19 on 224x224x3: five :func:`vgg_block` of 64-128-256-512-512 filters,
    then dense 4096-4096-1000 (softmax), with dropout 0.5 after the first two.

    VGG-16 has 138,357,544 parameters, VGG-19 143,667,240.

    >>> sum(layer.kind == "conv2d" for layer in vgg(19))
    16
    """
    depth = check_int(depth, "depth")
    if depth not in _VGG_CONVS:
        raise ArgumentError(
            "bad_choice", arg="depth", value=depth, choices=", ".join(map(str, _VGG_CONVS))
        )
    widths = (64, 128, 256, 512, 512)
    blocks = [
        vgg_block(f"block{i}", filters, n)
        for i, (filters, n) in enumerate(zip(widths, _VGG_CONVS[depth], strict=True), start=1)
    ]
    convs = [layer for block in blocks for layer in block]
    return (Input((224, 224, 3)), *convs, *_classifier((4096, 4096), 1000, "softmax"))


def inception_3a() -> tuple[Layer, ...]:
    """GoogLeNet's Inception module 3a on its 28x28x192 input.

    1x1 64; 1x1 96 -> 3x3 128; 1x1 16 -> 5x5 32; 3x3 max pool (stride 1, 'same') -> 1x1 32;
    joined: 28x28x256. With biases: 12,352 + 18,528 + 110,720 + 3,088 + 12,832 + 6,176 =
    163,696 parameters.

    >>> inception_3a()[-1].inputs  # doctest: +NORMALIZE_WHITESPACE
    ('inception_3a_1x1', 'inception_3a_3x3', 'inception_3a_5x5', 'inception_3a_pool_proj')
    """
    return (
        Input((28, 28, 192)),
        *inception_module("inception_3a", "input", 64, 96, 128, 16, 32, 32),
    )


def resnet(
    units: Sequence[int],
    bottleneck: bool = False,
    num_classes: int = 1000,
    head_activation: str | None = None,
) -> tuple[Layer, ...]:
    """A ResNet as torchvision builds it, on 224x224x3.

    Stem: 7x7 convolution to 64 (stride 2, padding 3, no bias), BatchNorm, ReLU, 3x3 max
    pool (stride 2, padding 1). Four stages of ``units[i]`` residual units with 64, 128,
    256, 512 channels (times 4 for bottleneck units), the first unit of stages 2-4 with
    stride 2. Then a global average pool and one dense layer to ``num_classes``.

    Parameters
    ----------
    units : sequence of 4 ints
        Units per stage: (3, 4, 6, 3) for ResNet-34 (basic), (3, 8, 36, 3) for ResNet-152
        (bottleneck).
    bottleneck : bool, optional
        :func:`bottleneck_unit` instead of :func:`residual_unit`.
    num_classes : int, optional
        The output layer's size (default 1000).
    head_activation : str or None, optional
        An activation on the output layer (torchvision has none; Keras models a softmax).

    Examples
    --------
    >>> layers = resnet((2, 2, 2, 2))  # ResNet-18
    >>> layers[-2].kind, layers[-1].units
    ('globalavgpool2d', 1000)
    """
    layers: list[Layer] = [
        Input((224, 224, 3)),
        Conv2d(64, 7, 2, 3, bias=False, id="conv1"),
        BatchNorm(id="bn1"),
        Activation("relu", id="relu"),
        MaxPool2d(3, 2, 1, id="maxpool"),
    ]
    channels, last = 64, "maxpool"
    for stage, (n, width) in enumerate(zip(units, (64, 128, 256, 512), strict=True), start=1):
        for i in range(check_int(n, "units", minimum=1)):
            stride = 2 if (stage > 1 and i == 0) else 1
            prefix = f"layer{stage}.{i}"
            if bottleneck:
                block = bottleneck_unit(prefix, last, channels, width, stride)
                channels = 4 * width
            else:
                block = residual_unit(prefix, last, channels, width, stride)
                channels = width
            layers += block
            last = block[-1].id
    return (
        *layers,
        GlobalAvgPool2d(id="avgpool"),
        Dense(num_classes, activation=head_activation, id="fc"),
    )


def resnet34(num_classes: int = 1000, head_activation: str | None = None) -> tuple[Layer, ...]:
    """ResNet-34 (basic units 3-4-6-3): 21,797,672 trainable parameters with 1000 classes,
    21,289,802 with 10, and 17,024 BatchNorm moving means and variances.

    >>> len([layer for layer in resnet34() if layer.kind == "add"])
    16
    """
    return resnet((3, 4, 6, 3), False, num_classes, head_activation)


def resnet152(num_classes: int = 1000) -> tuple[Layer, ...]:
    """ResNet-152 (bottleneck units 3-8-36-3): 60,192,808 trainable parameters.

    >>> len([layer for layer in resnet152() if layer.kind == "add"])
    50
    """
    return resnet((3, 8, 36, 3), True, num_classes)


def lecture_mnist() -> tuple[Layer, ...]:
    """The lecture's Keras model for 28x28 grey images (MNIST / Fashion-MNIST), as written.

    ::

        Conv2D(64, 7, padding="same", activation="relu")     28x28x64     3,200
        MaxPooling2D(2)                                      14x14x64
        Conv2D(128, 3, padding="same", activation="relu")    14x14x128   73,856
        Conv2D(128, 3, padding="same", activation="relu")    14x14x128  147,584
        MaxPooling2D(2)                                      7x7x128
        Conv2D(256, 3, padding="same", activation="relu")    7x7x256    295,168
        Conv2D(256, 3, padding="same", activation="relu")    7x7x256    590,080
        MaxPooling2D(2)                                      3x3x256
        Flatten()                                            2,304
        Dense(128, activation="relu"), Dropout(0.5)          128        295,040
        Dense(64, activation="relu"), Dropout(0.5)           64           8,256
        Dense(10, activation="softmax")                      10             650

    1,413,834 parameters. The third pool takes 7x7 to 3x3: Keras's pooling is 'valid'
    by default, floor((7 - 2)/2) + 1 = 3, so the last row and column are dropped and
    Flatten has 3·3·256 = 2,304 values. Ids are Keras's automatic names
    (``'conv2d'``, ``'conv2d_1'``, ...; ``'maxpool2d'`` for ``max_pooling2d``).

    >>> [layer.kind for layer in lecture_mnist()][-3:]
    ['dense', 'dropout', 'dense']
    """
    relu, same = "relu", "same"
    return (
        Input((28, 28, 1)),
        Conv2d(64, 7, padding=same, activation=relu),
        MaxPool2d(2),
        Conv2d(128, 3, padding=same, activation=relu),
        Conv2d(128, 3, padding=same, activation=relu),
        MaxPool2d(2),
        Conv2d(256, 3, padding=same, activation=relu),
        Conv2d(256, 3, padding=same, activation=relu),
        MaxPool2d(2),
        Flatten(),
        Dense(128, activation=relu),
        Dropout(0.5),
        Dense(64, activation=relu),
        Dropout(0.5),
        Dense(10, activation="softmax"),
    )


# ----------------------------------------------------------------------------- the registry


@dataclass(frozen=True, eq=False)
class NetworkPreset:
    """A network a page can load, with the parameter counts it is known by.

    Attributes
    ----------
    name : str
        Stable id (``'vgg16'``).
    title, description : str
        English display name and one line about it.
    layers : tuple of Layer
    expected_trainable, expected_non_trainable : int
        The published counts (torchvision's, Keras's or the paper's), which
        ``network_summary(preset.layers)`` reproduces.
    title_key, description_key : str
        Translation keys: ``'architectures.presets.<name>.title'`` / ``.description``.
    """

    name: str
    title: str
    description: str
    layers: tuple[Layer, ...]
    expected_trainable: int
    expected_non_trainable: int = 0
    title_key: str = field(init=False)
    description_key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_key", f"architectures.presets.{self.name}.title")
        object.__setattr__(
            self, "description_key", f"architectures.presets.{self.name}.description"
        )

    def __repr__(self) -> str:
        return f"NetworkPreset({self.name!r}, {len(self.layers)} layers)"


NETWORK_PRESETS: dict[str, NetworkPreset] = {
    p.name: p
    for p in (
        NetworkPreset(
            "lenet5",
            "LeNet-5",
            "LeCun et al. 1998 in its modern form: two 5x5 convolutions, max pooling, "
            "dense 120-84-10.",
            lenet5(),
            61_706,
        ),
        NetworkPreset(
            "alexnet",
            "AlexNet",
            "Krizhevsky et al. 2012: filters 96-256-384-384-256 as one tower, dense "
            "4096-4096-1000.",
            alexnet("one_tower"),
            62_378_344,
        ),
        NetworkPreset(
            "alexnet_grouped",
            "AlexNet (two GPUs)",
            "The original split over two GPUs: conv2, conv4 and conv5 with groups=2.",
            alexnet("grouped"),
            60_965_224,
        ),
        NetworkPreset(
            "alexnet_torchvision",
            "AlexNet (torchvision)",
            "torchvision's variant: filters 64-192-384-256-256, adaptive pool to 6x6.",
            alexnet("torchvision"),
            61_100_840,
        ),
        NetworkPreset(
            "vgg16",
            "VGG-16",
            "Simonyan & Zisserman 2014, configuration D: 13 3x3 convolutions, 3 dense layers.",
            vgg(16),
            138_357_544,
        ),
        NetworkPreset(
            "vgg19",
            "VGG-19",
            "Configuration E: 16 3x3 convolutions, 3 dense layers.",
            vgg(19),
            143_667_240,
        ),
        NetworkPreset(
            "inception_3a",
            "Inception module 3a",
            "GoogLeNet's first Inception module: 1x1, 3x3, 5x5 and pooling branches "
            "joined to 28x28x256.",
            inception_3a(),
            163_696,
        ),
        NetworkPreset(
            "resnet34",
            "ResNet-34",
            "He et al. 2015 as torchvision builds it: basic units 3-4-6-3, 1000 classes.",
            resnet34(),
            21_797_672,
            17_024,
        ),
        NetworkPreset(
            "resnet34_keras",
            "ResNet-34 (10 classes)",
            "The notes' Keras ResNet-34: the same units with a 10-way softmax.",
            resnet34(10, "softmax"),
            21_289_802,
            17_024,
        ),
        NetworkPreset(
            "resnet152",
            "ResNet-152",
            "Bottleneck units 3-8-36-3, as torchvision builds it.",
            resnet152(),
            60_192_808,
            151_424,
        ),
        NetworkPreset(
            "lecture_mnist",
            "The lecture's MNIST model",
            "The lecture's Keras model: 7x7 then 3x3 convolutions, dense 128-64-10 with dropout.",
            lecture_mnist(),
            1_413_834,
        ),
    )
}


def network_preset_names() -> list[str]:
    """The preset ids, in the order of :data:`NETWORK_PRESETS`.

    >>> network_preset_names()[:3]
    ['lenet5', 'alexnet', 'alexnet_grouped']
    """
    return list(NETWORK_PRESETS)


@dataclass(frozen=True)
class DepthMilestone:
    """One point of the depth timeline: an ImageNet winner, its year, its depth in layers
    with weights, and the preset a page loads for it."""

    name: str
    year: int
    depth: int
    preset: str


#: AlexNet (8 layers), VGG (19), GoogLeNet (22), ResNet (152); GoogLeNet loads the
#: Inception module, the others their full network.
DEPTH_TIMELINE: tuple[DepthMilestone, ...] = (
    DepthMilestone("AlexNet", 2012, 8, "alexnet"),
    DepthMilestone("VGG", 2014, 19, "vgg19"),
    DepthMilestone("GoogLeNet", 2014, 22, "inception_3a"),
    DepthMilestone("ResNet", 2015, 152, "resnet152"),
)
