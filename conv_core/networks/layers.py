"""Layer records for whole networks: what each layer is, never what it computes.

A network is a sequence of these records. Every record has an ``id`` and ``inputs``
(the ids of earlier layers it reads; empty means "the layer above"). The first layer is
an :class:`Input`, which fixes the (H, W, C) shape everything else follows from.

The argument names are PyTorch's (``out_channels``, ``kernel_size``, ``stride``,
``padding``, ``dilation``, ``groups``, ``bias``) with Keras's where PyTorch has none
(``units``, ``rate``, ``activation``). Shapes are channels-last, ``(H, W, C)``, as
Keras's ``model.summary()`` prints them.

Each record checks its own arguments when it is made (an :class:`~conv_core.ArgumentError`
naming the argument); whether it fits its input is the calculator's job
(:func:`conv_core.networks.network_summary`), which names the layer.

Examples
--------
>>> conv = Conv2d(64, 3, padding="same", id="conv1")
>>> conv.kind, conv.kernel_size, conv.padding
('conv2d', (3, 3), 'same')
>>> Add(inputs="conv2, skip").inputs
('conv2', 'skip')
>>> Activation("relu").kind, Activation("relu").label
('relu', 'ReLU')
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._checks import Pair, _is_int, _plain, check_choice, check_int, check_pair
from ..errors import ArgumentError, register_messages

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "LAYER_TYPES",
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
    "MaxPool2d",
    "PaddingArg",
]

register_messages(
    {
        "network_bad_id": (
            "a layer id must be a name without commas or spaces, but got id={value!r}"
        ),
        "network_bad_inputs": (
            "inputs must be layer ids (a list, or one text with commas between them), "
            "but got inputs={value!r}"
        ),
        "network_bad_padding": (
            "{arg} must be an integer, a (rows, cols) pair of integers, 'same' or 'valid', "
            "but got {arg}={value!r}"
        ),
        "network_pool_padding": (
            "a pooling layer's padding must be at most kernel_size // 2 on each side "
            "(PyTorch's rule), but got padding={value!r} with kernel_size={kernel_size!r}"
        ),
        "network_bad_shape": (
            "shape must be (height, width, channels), three positive integers, "
            "but got shape={value!r}"
        ),
        "network_dropout_rate": "rate must be a number with 0 <= rate < 1, but got rate={value!r}",
        "network_not_bool": "{arg} must be True or False, but got {arg}={value!r}",
    }
)

#: A padding as the layers take it: ``p``, ``(ph, pw)``, ``'same'`` (TensorFlow's rule) or
#: ``'valid'`` (none).
PaddingArg = int | tuple[int, int] | str

#: The activation functions an :class:`Activation` layer (or a layer's ``activation``) names,
#: with the label a table shows. None of them has parameters.
ACTIVATION_FUNCTIONS: dict[str, str] = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "swish": "Swish",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "softmax": "Softmax",
}

_ID = re.compile(r"[^,\s]+")


def _check_id(value: Any) -> str:
    if not isinstance(value, str) or (value and not _ID.fullmatch(value)):
        raise ArgumentError("network_bad_id", value=value)
    return value


def _check_inputs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if parts == [""]:
            return ()
    elif isinstance(value, (tuple, list)):
        parts = list(value)
    else:
        raise ArgumentError("network_bad_inputs", value=value)
    if not all(isinstance(p, str) and _ID.fullmatch(p) for p in parts):
        raise ArgumentError("network_bad_inputs", value=_plain(value))
    return tuple(parts)


def _check_bool(value: Any, arg_name: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentError("network_not_bool", arg=arg_name, value=value)
    return value


def _check_padding(value: Any, arg_name: str = "padding") -> PaddingArg:
    if isinstance(value, str):
        if value in ("same", "valid"):
            return value
        raise ArgumentError("network_bad_padding", arg=arg_name, value=value)
    if _is_int(value) or (isinstance(value, (tuple, list)) and len(value) == 2):
        try:
            return check_pair(value, arg_name, minimum=0)
        except ArgumentError:
            pass
    raise ArgumentError("network_bad_padding", arg=arg_name, value=_plain(value))


def _check_activation(value: Any) -> str | None:
    if value is None:
        return None
    return check_choice(value, "activation", ACTIVATION_FUNCTIONS)


def _set(obj: Any, **values: Any) -> None:
    for name, value in values.items():
        object.__setattr__(obj, name, value)


@dataclass(frozen=True, kw_only=True)
class Layer:
    """What every layer record has: an ``id`` and the ids of its ``inputs``.

    Attributes
    ----------
    id : str
        A name without commas or spaces, unique in its network. Empty: the calculator
        names it as Keras does (``'conv2d'``, ``'conv2d_1'``, ...).
    inputs : tuple of str
        The ids of the earlier layers it reads; empty (the default) means the layer
        listed just above. A text with commas (``"a, b"``) is split.
    """

    #: The record's kind, as the records format writes it (``'conv2d'``, ``'add'``, ...).
    KIND: ClassVar[str] = ""
    #: How many inputs the layer takes: ``(fewest, most)``, ``None`` for no upper limit.
    N_INPUTS: ClassVar[tuple[int, int | None]] = (1, 1)

    id: str = ""
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, id=_check_id(self.id), inputs=_check_inputs(self.inputs))

    @property
    def kind(self) -> str:
        """The kind, lower case, as the records format writes it."""
        return self.KIND

    @property
    def label(self) -> str:
        """The kind as messages and tables name it (the class name: ``'Conv2d'``)."""
        return type(self).__name__


@dataclass(frozen=True)
class Input(Layer):
    """The network's input: ``shape = (H, W, C)``, like ``keras.Input(shape=...)``.

    >>> Input((28, 28, 1)).shape
    (28, 28, 1)
    """

    KIND: ClassVar[str] = "input"
    N_INPUTS: ClassVar[tuple[int, int | None]] = (0, 0)

    shape: tuple[int, int, int]
    id: str = field(default="input", kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        shape = self.shape
        if (
            not (
                isinstance(shape, (tuple, list))
                and len(shape) == 3
                and all(_is_int(v) for v in shape)
            )
            or min(shape) < 1
        ):
            raise ArgumentError("network_bad_shape", value=_plain(shape))
        _set(self, shape=tuple(int(v) for v in shape))
        if self.inputs:
            raise ArgumentError("network_bad_inputs", value=self.inputs)


@dataclass(frozen=True)
class Conv2d(Layer):
    """A 2D convolution, ``torch.nn.Conv2d`` (``in_channels`` comes from the input).

    Parameters
    ----------
    out_channels : int
        Number of filters (Keras ``filters``).
    kernel_size : int or (kh, kw)
        Rectangular kernels allowed: ``(1, 3)``.
    stride, dilation : int or (rows, cols), optional
        Default 1 (Keras ``strides``, ``dilation_rate``).
    padding : int, (ph, pw), 'same' or 'valid', optional
        Default 0. ``'same'`` is TensorFlow's rule: ``ceil(n / stride)`` outputs, the odd
        padding cell at the bottom/right.
    groups : int, optional
        Must divide the input channels and ``out_channels``; ``groups`` = input channels
        is a depthwise convolution.
    bias : bool, optional
        One bias per filter (default True; Keras ``use_bias``).
    activation : str or None, optional
        An activation applied after it, as in ``keras.layers.Conv2D(..., activation=...)``;
        it has no parameters.

    Examples
    --------
    >>> Conv2d(128, (1, 3), padding="same", groups=128, bias=False).kernel_size
    (1, 3)
    """

    KIND: ClassVar[str] = "conv2d"

    out_channels: int
    kernel_size: Pair
    stride: Pair = 1
    padding: PaddingArg = 0
    dilation: Pair = 1
    groups: int = 1
    bias: bool = True
    activation: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _set(
            self,
            out_channels=check_int(self.out_channels, "out_channels", minimum=1),
            kernel_size=check_pair(self.kernel_size, "kernel_size"),
            stride=check_pair(self.stride, "stride"),
            padding=_check_padding(self.padding),
            dilation=check_pair(self.dilation, "dilation"),
            groups=check_int(self.groups, "groups", minimum=1),
            bias=_check_bool(self.bias, "bias"),
            activation=_check_activation(self.activation),
        )


@dataclass(frozen=True)
class _Pool2d(Layer):
    kernel_size: Pair
    stride: Pair | None = None
    padding: PaddingArg = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        k = check_pair(self.kernel_size, "kernel_size")
        pad = _check_padding(self.padding)
        if isinstance(pad, tuple) and (pad[0] > k[0] // 2 or pad[1] > k[1] // 2):
            raise ArgumentError("network_pool_padding", value=_plain(self.padding), kernel_size=k)
        stride = k if self.stride is None else check_pair(self.stride, "stride")
        _set(self, kernel_size=k, stride=stride, padding=pad)


@dataclass(frozen=True)
class MaxPool2d(_Pool2d):
    """Max pooling, ``torch.nn.MaxPool2d``: ``kernel_size``, ``stride`` (default the kernel),
    ``padding`` (int, pair, 'same' or 'valid'; an int at most ``kernel_size // 2``).

    >>> MaxPool2d(2).stride
    (2, 2)
    """

    KIND: ClassVar[str] = "maxpool2d"


@dataclass(frozen=True)
class AvgPool2d(_Pool2d):
    """Average pooling, ``torch.nn.AvgPool2d``; arguments as :class:`MaxPool2d`.

    >>> AvgPool2d(3, stride=1, padding=1).padding
    (1, 1)
    """

    KIND: ClassVar[str] = "avgpool2d"


@dataclass(frozen=True)
class AdaptiveAvgPool2d(Layer):
    """Average pooling to a fixed ``output_size``, ``torch.nn.AdaptiveAvgPool2d``.

    torchvision's AlexNet pools to 6x6 with it before its dense layers.

    >>> AdaptiveAvgPool2d(6).output_size
    (6, 6)
    """

    KIND: ClassVar[str] = "adaptiveavgpool2d"

    output_size: Pair

    def __post_init__(self) -> None:
        super().__post_init__()
        _set(self, output_size=check_pair(self.output_size, "output_size"))


@dataclass(frozen=True)
class GlobalAvgPool2d(Layer):
    """The mean of each channel: (H, W, C) -> (C,), Keras's ``GlobalAveragePooling2D``.

    >>> GlobalAvgPool2d().kind
    'globalavgpool2d'
    """

    KIND: ClassVar[str] = "globalavgpool2d"


@dataclass(frozen=True)
class Flatten(Layer):
    """(H, W, C) -> (H·W·C,).

    >>> Flatten(id="flat").id
    'flat'
    """

    KIND: ClassVar[str] = "flatten"


@dataclass(frozen=True)
class Dense(Layer):
    """A fully connected layer, Keras's ``Dense(units, use_bias, activation)``.

    Its input must be a vector (after :class:`Flatten` or :class:`GlobalAvgPool2d`). Keras
    would apply a Dense layer on an (H, W, C) map to every pixel separately (a 1x1
    convolution); the calculator refuses that, naming the layer, since in a course it is
    almost always a forgotten Flatten.

    >>> Dense(10, activation="softmax").units
    10
    """

    KIND: ClassVar[str] = "dense"

    units: int
    bias: bool = True
    activation: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _set(
            self,
            units=check_int(self.units, "units", minimum=1),
            bias=_check_bool(self.bias, "bias"),
            activation=_check_activation(self.activation),
        )


@dataclass(frozen=True)
class Dropout(Layer):
    """Dropout with drop probability ``rate`` (Keras's name; PyTorch's ``p``): no parameters.

    >>> Dropout(0.5).rate
    0.5
    """

    KIND: ClassVar[str] = "dropout"

    rate: float

    def __post_init__(self) -> None:
        super().__post_init__()
        rate = self.rate
        ok = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
        if not ok or not (math.isfinite(float(rate)) and 0 <= float(rate) < 1):
            raise ArgumentError("network_dropout_rate", value=rate)
        _set(self, rate=float(rate))


@dataclass(frozen=True)
class BatchNorm(Layer):
    """Batch normalisation over the channels (the last axis).

    Per channel it learns a scale ``gamma`` and a shift ``beta`` (2C trainable) and keeps a
    moving mean and variance (2C non-trainable), the way Keras's ``model.summary()`` counts
    them; PyTorch's ``BatchNorm2d`` has the same four vectors (``weight``, ``bias``,
    ``running_mean``, ``running_var``) and a batch counter that is not counted here.

    >>> BatchNorm(id="bn1").kind
    'batchnorm'
    """

    KIND: ClassVar[str] = "batchnorm"


@dataclass(frozen=True)
class Activation(Layer):
    """An activation function as a layer of its own (no parameters).

    >>> Activation("softmax").label
    'Softmax'
    """

    function: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _set(self, function=check_choice(self.function, "function", ACTIVATION_FUNCTIONS))

    @property
    def kind(self) -> str:
        """The function's name: ``'relu'``, ``'softmax'``, ..."""
        return self.function

    @property
    def label(self) -> str:
        return ACTIVATION_FUNCTIONS[self.function]


@dataclass(frozen=True)
class Add(Layer):
    """The sum of exactly two inputs of equal shape: a residual connection's ``x + F(x)``.

    >>> Add(inputs=("bn2", "input")).inputs
    ('bn2', 'input')
    """

    KIND: ClassVar[str] = "add"
    N_INPUTS: ClassVar[tuple[int, int | None]] = (2, 2)


@dataclass(frozen=True)
class Concat(Layer):
    """Two or more inputs side by side along the channels (equal H x W): an Inception module's
    output, Keras's ``Concatenate()``.

    >>> Concat(inputs="a, b, c").inputs
    ('a', 'b', 'c')
    """

    KIND: ClassVar[str] = "concat"
    N_INPUTS: ClassVar[tuple[int, int | None]] = (2, None)


#: Every record type by its kind (the activations share :class:`Activation`).
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.KIND: cls
    for cls in (
        Input,
        Conv2d,
        MaxPool2d,
        AvgPool2d,
        AdaptiveAvgPool2d,
        GlobalAvgPool2d,
        Flatten,
        Dense,
        Dropout,
        BatchNorm,
        Add,
        Concat,
    )
} | dict.fromkeys(ACTIVATION_FUNCTIONS, Activation)
