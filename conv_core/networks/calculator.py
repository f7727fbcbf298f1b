"""Shapes, parameters, receptive fields and multiply-accumulates of a whole network.

Pure arithmetic on layer records (:mod:`conv_core.networks.layers`); nothing is allocated,
so VGG-16's 138 million parameters cost nothing to count. Sizes come from
:mod:`conv_core.shapes` (``resolve_padding``, ``conv_output_size``, ``pool_output_size``).

For every layer :func:`network_summary` gives

* the output shape: ``(H, W, C)`` for a feature map, ``(N,)`` for a vector (after
  Flatten, GlobalAvgPool2d or Dense);
* trainable parameters, weights and biases apart, and non-trainable ones (BatchNorm's
  moving mean and variance);
* the receptive field per axis (rows, cols): ``size``, ``jump`` and ``start``, the same
  rule as :func:`conv_core.shapes.receptive_field`;
* multiply-accumulates (MACs) for one input image.

Rules
-----
Convolution (``groups`` g, kernel kh x kw)::

    weights = kh*kw*(C_in/g)*C_out        biases = C_out (if bias)
    MACs    = H_out*W_out*C_out*kh*kw*(C_in/g)

Dense: ``weights = in*out``, ``MACs = in*out``. BatchNorm on C channels: ``2C`` trainable
(gamma as weights, beta as biases) and ``2C`` non-trainable (moving mean, variance), as
Keras reports them. Pooling, activations, BatchNorm, Add, Concat, Flatten and Dropout
count 0 MACs (their additions and comparisons are not multiply-accumulates).

Receptive field, per axis, with ``k' = dilation*(kernel_size - 1) + 1`` and the layer's
``before`` padding (the Input starts at ``size = 1, jump = 1, start = 0``)::

    size  <- size + (k' - 1)*jump
    start <- start - before*jump
    jump  <- jump*stride

An Add or Concat takes the largest size, the smallest jump and the smallest start of its
inputs. Dense and GlobalAvgPool2d see the whole input: ``size`` is the network's input
(H, W), ``start`` is 0 and the jump carries on. Flatten, Dropout, BatchNorm and
activations change nothing. AdaptiveAvgPool2d from n to m cells, when m does not divide
n, has windows of different sizes and steps; it counts as its largest window and its
smallest step (PyTorch's windows run from ``floor(i*n/m)`` to ``ceil((i+1)*n/m)``).

Depth is the number of Conv2d and Dense layers on the longest path from the input:
8 for AlexNet, 19 for VGG-19, 34 and 152 for the ResNets (their 1x1 projections are on
the shorter skip path).

Examples
--------
>>> from conv_core.networks import Input, Conv2d, MaxPool2d, Flatten, Dense
>>> s = network_summary([Input((32, 32, 1)), Conv2d(6, 5, activation="relu"),
...                      MaxPool2d(2), Flatten(), Dense(10)])
>>> [info.output_shape for info in s]
[(32, 32, 1), (28, 28, 6), (14, 14, 6), (1176,), (10,)]
>>> s["conv2d"].weights, s["conv2d"].biases, s["conv2d"].macs
(150, 6, 117600)
>>> s.trainable, s.macs
(11926, 129360)
>>> s["maxpool2d"].receptive_field.size
(6, 6)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ArgumentError, ConvLabError, register_messages
from ..shapes import Padding2D, ReceptiveField, conv_output_size, pool_output_size, resolve_padding
from .layers import (
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
)

__all__ = ["LayerInfo", "NetworkSummary", "Shape", "named_layers", "network_summary"]

register_messages(
    {
        "network_empty": "a network needs at least an Input layer, but got no layers",
        "network_not_a_layer": (
            "layer {index} must be a layer record (Input, Conv2d, Dense, ...), but got {value!r}"
        ),
        "network_input_position": (
            "the first layer, and only the first, must be an Input (it fixes the network's "
            "input shape), but layer {index} is {layer!r} ({kind})"
        ),
        "network_duplicate_id": (
            "layer ids must be unique, but layers {first} and {second} are both called {layer!r}"
        ),
        "network_unknown_input": (
            "layer {layer!r} ({kind}) reads {name!r}, which is not the id of an earlier layer"
        ),
        "network_one_input": (
            "layer {layer!r} ({kind}) takes one input, but got {count}: {inputs}"
        ),
        "network_add_inputs": (
            "layer {layer!r} (Add) adds exactly two inputs, but got {count}: {inputs}"
        ),
        "network_concat_inputs": (
            "layer {layer!r} (Concat) joins two or more inputs, but got {count}: {inputs}"
        ),
        "network_add_shapes": (
            "layer {layer!r} (Add) adds tensors of the same shape, but {a!r} gives {shape_a} "
            "and {b!r} gives {shape_b}"
        ),
        "network_concat_shapes": (
            "layer {layer!r} (Concat) joins feature maps of the same height x width (or "
            "vectors), but {a!r} gives {shape_a} and {b!r} gives {shape_b}"
        ),
        "network_needs_map": (
            "layer {layer!r} ({kind}) needs an (H, W, C) feature map, but its input {name!r} "
            "is a vector of shape {shape}"
        ),
        "network_dense_needs_vector": (
            "layer {layer!r} (Dense) gets the feature map {shape} from {name!r}: put a Flatten "
            "(or a GlobalAvgPool2d) before it. Keras would apply a Dense layer to every pixel "
            "separately, which is rarely what was meant, so ConvLab refuses it"
        ),
        "network_kernel_too_large": (
            "layer {layer!r} ({kind}): the kernel spans {span} {axis}s (dilation*(kernel_size "
            "- 1) + 1 = {dilation}*({kernel_size} - 1) + 1), but its padded input {shape} has "
            "only {padded} ({n} + {before} + {after} padding); use a smaller kernel or more "
            "padding"
        ),
        "network_groups": (
            "layer {layer!r} (Conv2d): groups={groups} must divide both its input channels "
            "({in_channels}) and out_channels={out_channels}"
        ),
        "network_adaptive_too_large": (
            "layer {layer!r} (AdaptiveAvgPool2d): output_size={output_size} is larger than its "
            "input's (height, width) = {hw}; it can only pool down"
        ),
    }
)

#: A tensor's shape for one input image: ``(H, W, C)`` or ``(N,)``.
Shape = tuple[int, ...]

_AXES = ("row", "column")


@dataclass(frozen=True)
class LayerInfo:
    """One layer of a :class:`NetworkSummary`.

    Attributes
    ----------
    index : int
        Position in the network (the Input is 0).
    layer : Layer
        The record, with its id and inputs filled in (:func:`named_layers`).
    input_shapes : tuple of Shape
        The shapes it reads, in the order of ``layer.inputs`` (empty for the Input).
    output_shape : Shape
        ``(H, W, C)`` or ``(N,)``.
    weights, biases : int
        Trainable parameters: kernel/matrix entries (BatchNorm's gamma) and biases
        (BatchNorm's beta).
    non_trainable : int
        BatchNorm's moving mean and variance (``2C``); 0 elsewhere.
    macs : int
        Multiply-accumulates for one image.
    receptive_field : ReceptiveField
        ``size``, ``jump``, ``start`` per axis (rows, cols) in input cells; ``output_hw``
        is the output's (H, W) for a feature map and None for a vector.
    padding : ((top, bottom), (left, right)) or None
        The resolved padding of a convolution or pooling layer.
    depth : int
        Conv2d and Dense layers on the longest path from the input to here, this one included.
    """

    index: int
    layer: Layer
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    weights: int
    biases: int
    non_trainable: int
    macs: int
    receptive_field: ReceptiveField
    padding: Padding2D | None
    depth: int

    @property
    def id(self) -> str:
        return self.layer.id

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def label(self) -> str:
        return self.layer.label

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.layer.inputs

    @property
    def trainable(self) -> int:
        """``weights + biases``."""
        return self.weights + self.biases

    @property
    def params(self) -> int:
        """Every parameter: ``trainable + non_trainable``."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class NetworkSummary:
    """Every layer's :class:`LayerInfo`, and the network's totals.

    Index it by position or by layer id; iterate over the layers.
    """

    layers: tuple[LayerInfo, ...]

    def __iter__(self) -> Iterator[LayerInfo]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, key: int | str) -> LayerInfo:
        if isinstance(key, str):
            for info in self.layers:
                if info.id == key:
                    return info
            raise KeyError(key)
        return self.layers[key]

    @property
    def input_shape(self) -> Shape:
        return self.layers[0].output_shape

    @property
    def output_shape(self) -> Shape:
        """The last layer's output shape."""
        return self.layers[-1].output_shape

    @property
    def weights(self) -> int:
        return sum(i.weights for i in self.layers)

    @property
    def biases(self) -> int:
        return sum(i.biases for i in self.layers)

    @property
    def trainable(self) -> int:
        return sum(i.trainable for i in self.layers)

    @property
    def non_trainable(self) -> int:
        return sum(i.non_trainable for i in self.layers)

    @property
    def total(self) -> int:
        """``trainable + non_trainable``: Keras's "Total params"."""
        return self.trainable + self.non_trainable

    @property
    def macs(self) -> int:
        return sum(i.macs for i in self.layers)

    @property
    def depth(self) -> int:
        """Conv2d and Dense layers on the longest path from the input."""
        return max(i.depth for i in self.layers)


# ----------------------------------------------------------------------------- the graph


def _keras_name(kind: str, taken: set[str]) -> str:
    name, n = kind, 0
    while name in taken:
        n += 1
        name = f"{kind}_{n}"
    return name


def named_layers(layers: Sequence[Layer]) -> tuple[Layer, ...]:
    """The layers with every id and every input written out, the graph checked.

    An empty id becomes Keras's name for the kind (``'conv2d'``, then ``'conv2d_1'``, ...,
    skipping names already taken); empty ``inputs`` become the id of the layer above.

    Parameters
    ----------
    layers : sequence of Layer
        The first is an :class:`Input`, no other is.

    Returns
    -------
    tuple of Layer

    Raises
    ------
    ArgumentError
        No layers, a non-record, an Input that is not first (or a first layer that is not
        an Input), a repeated id, an input that is not an earlier layer's id, or the wrong
        number of inputs (Add: exactly two, Concat: two or more, the rest: one); each
        message names the layer.

    Examples
    --------
    >>> from conv_core.networks import Input, Conv2d, Add
    >>> net = named_layers([Input((8, 8, 4)), Conv2d(4, 3, padding=1),
    ...                     Add(inputs=("input", "conv2d"))])
    >>> [(layer.id, layer.inputs) for layer in net]
    [('input', ()), ('conv2d', ('input',)), ('add', ('input', 'conv2d'))]
    """
    if len(layers) == 0:
        raise ArgumentError("network_empty")
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise ArgumentError("network_not_a_layer", index=index, value=layer)
        if isinstance(layer, Input) != (index == 0):
            raise ArgumentError(
                "network_input_position", index=index, layer=layer.id, kind=layer.label
            )
    explicit: dict[str, int] = {}
    for index, layer in enumerate(layers):
        if layer.id:
            if layer.id in explicit:
                raise ArgumentError(
                    "network_duplicate_id",
                    layer=layer.id,
                    first=explicit[layer.id],
                    second=index,
                    index=index,
                )
            explicit[layer.id] = index
    taken = set(explicit)
    out: list[Layer] = []
    seen: set[str] = set()
    for index, layer in enumerate(layers):
        if not layer.id:
            layer = replace(layer, id=_keras_name(layer.kind, taken))
            taken.add(layer.id)
        if not layer.inputs and out:
            layer = replace(layer, inputs=(out[-1].id,))
        for name in layer.inputs:
            if name not in seen:
                raise ArgumentError(
                    "network_unknown_input",
                    layer=layer.id,
                    kind=layer.label,
                    name=name,
                    index=index,
                )
        _check_input_count(layer, index)
        seen.add(layer.id)
        out.append(layer)
    return tuple(out)


def _check_input_count(layer: Layer, index: int) -> None:
    low, high = layer.N_INPUTS
    count = len(layer.inputs)
    if count >= low and (high is None or count <= high):
        return
    key = {Add: "network_add_inputs", Concat: "network_concat_inputs"}.get(
        type(layer), "network_one_input"
    )
    raise ArgumentError(
        key,
        layer=layer.id,
        kind=layer.label,
        count=count,
        inputs=", ".join(layer.inputs),
        index=index,
    )


# ----------------------------------------------------------------------------- the layers


@dataclass(frozen=True)
class _Out:
    shape: Shape
    rf: ReceptiveField
    weights: int = 0
    biases: int = 0
    non_trainable: int = 0
    macs: int = 0
    padding: Padding2D | None = None


def _map(layer: Layer, name: str, shape: Shape) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ArgumentError(
            "network_needs_map", layer=layer.id, kind=layer.label, name=name, shape=shape
        )
    return shape[0], shape[1], shape[2]


def _window(
    layer: Layer,
    shape: tuple[int, int, int],
    rf: ReceptiveField,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    *,
    pool: bool,
) -> tuple[tuple[int, int], Padding2D, ReceptiveField]:
    """Output (H, W), resolved padding and receptive field of a sliding window."""
    padding: Any = layer.padding  # type: ignore[attr-defined]
    pads = resolve_padding(padding, shape[:2], kernel_size, stride, dilation)
    out_hw: list[int] = []
    size, jump, start = list(rf.size), list(rf.jump), list(rf.start)
    for axis in (0, 1):
        n, k, s, d = shape[axis], kernel_size[axis], stride[axis], dilation[axis]
        before, after = pads[axis]
        span = d * (k - 1) + 1
        if n + before + after < span:
            raise ArgumentError(
                "network_kernel_too_large",
                layer=layer.id,
                kind=layer.label,
                span=span,
                axis=_AXES[axis],
                dilation=d,
                kernel_size=k,
                shape=shape,
                padded=n + before + after,
                n=n,
                before=before,
                after=after,
            )
        if pool:
            out_hw.append(pool_output_size(n, k, s, (before, after)))
        else:
            out_hw.append(conv_output_size(n, k, s, (before, after), d))
        size[axis] += (span - 1) * jump[axis]
        start[axis] -= before * jump[axis]
        jump[axis] *= s
    hw = (out_hw[0], out_hw[1])
    field = ReceptiveField((size[0], size[1]), (jump[0], jump[1]), (start[0], start[1]), hw)
    return hw, pads, field


def _conv(layer: Conv2d, name: str, shape: Shape, rf: ReceptiveField) -> _Out:
    h, w, c = _map(layer, name, shape)
    g, c_out = layer.groups, layer.out_channels
    if c % g or c_out % g:
        raise ArgumentError(
            "network_groups", layer=layer.id, groups=g, in_channels=c, out_channels=c_out
        )
    k = layer.kernel_size
    hw, pads, new_rf = _window(layer, (h, w, c), rf, k, layer.stride, layer.dilation, pool=False)  # type: ignore[arg-type]
    per_filter = k[0] * k[1] * (c // g)  # type: ignore[index]
    return _Out(
        shape=(*hw, c_out),
        rf=new_rf,
        weights=per_filter * c_out,
        biases=c_out if layer.bias else 0,
        macs=hw[0] * hw[1] * c_out * per_filter,
        padding=pads,
    )


def _pool(layer: MaxPool2d | AvgPool2d, name: str, shape: Shape, rf: ReceptiveField) -> _Out:
    h, w, c = _map(layer, name, shape)
    k, s = layer.kernel_size, layer.stride
    hw, pads, new_rf = _window(layer, (h, w, c), rf, k, s, (1, 1), pool=True)  # type: ignore[arg-type]
    return _Out(shape=(*hw, c), rf=new_rf, padding=pads)


def _adaptive(layer: AdaptiveAvgPool2d, name: str, shape: Shape, rf: ReceptiveField) -> _Out:
    h, w, c = _map(layer, name, shape)
    m = layer.output_size
    if m[0] > h or m[1] > w:  # type: ignore[index]
        raise ArgumentError("network_adaptive_too_large", layer=layer.id, output_size=m, hw=(h, w))
    size, jump = list(rf.size), list(rf.jump)
    for axis, n in enumerate((h, w)):
        out = m[axis]  # type: ignore[index]
        widest = max(-(-(i + 1) * n // out) - (i * n // out) for i in range(out))
        size[axis] += (widest - 1) * jump[axis]
        jump[axis] *= n // out
    hw = (int(m[0]), int(m[1]))  # type: ignore[index]
    return _Out(
        shape=(*hw, c), rf=ReceptiveField((size[0], size[1]), (jump[0], jump[1]), rf.start, hw)
    )


def _whole_input(rf: ReceptiveField, input_hw: tuple[int, int]) -> ReceptiveField:
    return ReceptiveField(input_hw, rf.jump, (0, 0), None)


def _merge_rf(fields: Sequence[ReceptiveField], hw: tuple[int, int] | None) -> ReceptiveField:
    def pick(attr: str, best: Any) -> tuple[int, int]:
        values = [getattr(f, attr) for f in fields]
        return (best(v[0] for v in values), best(v[1] for v in values))

    return ReceptiveField(pick("size", max), pick("jump", min), pick("start", min), hw)


def _merge(layer: Add | Concat, shapes: Sequence[Shape], fields: Sequence[ReceptiveField]) -> _Out:
    names = layer.inputs
    first = shapes[0]
    for name, shape in zip(names[1:], shapes[1:], strict=True):
        if isinstance(layer, Add):
            ok = shape == first
        else:
            ok = len(shape) == len(first) and shape[:-1] == first[:-1]
        if not ok:
            key = "network_add_shapes" if isinstance(layer, Add) else "network_concat_shapes"
            raise ArgumentError(
                key, layer=layer.id, a=names[0], shape_a=first, b=name, shape_b=shape
            )
    out = first if isinstance(layer, Add) else (*first[:-1], sum(s[-1] for s in shapes))
    hw = (out[0], out[1]) if len(out) == 3 else None
    return _Out(shape=out, rf=_merge_rf(fields, hw))


def _one(
    layer: Layer, name: str, shape: Shape, rf: ReceptiveField, input_hw: tuple[int, int]
) -> _Out:
    if isinstance(layer, Conv2d):
        return _conv(layer, name, shape, rf)
    if isinstance(layer, (MaxPool2d, AvgPool2d)):
        return _pool(layer, name, shape, rf)
    if isinstance(layer, AdaptiveAvgPool2d):
        return _adaptive(layer, name, shape, rf)
    if isinstance(layer, GlobalAvgPool2d):
        _map(layer, name, shape)
        return _Out(shape=(shape[-1],), rf=_whole_input(rf, input_hw))
    if isinstance(layer, Flatten):
        return _Out(shape=(math.prod(shape),), rf=replace(rf, output_hw=None))
    if isinstance(layer, Dense):
        if len(shape) != 1:
            raise ArgumentError(
                "network_dense_needs_vector", layer=layer.id, name=name, shape=shape
            )
        n_in = shape[0]
        return _Out(
            shape=(layer.units,),
            rf=_whole_input(rf, input_hw),
            weights=n_in * layer.units,
            biases=layer.units if layer.bias else 0,
            macs=n_in * layer.units,
        )
    if isinstance(layer, BatchNorm):
        c = shape[-1]
        return _Out(shape=shape, rf=rf, weights=c, biases=c, non_trainable=2 * c)
    if isinstance(layer, (Dropout, Activation)):
        return _Out(shape=shape, rf=rf)
    raise ArgumentError("network_not_a_layer", index=layer.id, value=layer)  # pragma: no cover


def network_summary(layers: Sequence[Layer]) -> NetworkSummary:
    """Output shape, parameters, receptive field and MACs of every layer of a network.

    Parameters
    ----------
    layers : sequence of Layer
        An :class:`~conv_core.networks.Input` first, then the layers in an order where
        each reads only earlier ones (see :func:`named_layers`).

    Returns
    -------
    NetworkSummary
        Per layer a :class:`LayerInfo`; totals ``trainable``, ``non_trainable``, ``total``,
        ``weights``, ``biases``, ``macs`` and ``depth``.

    Raises
    ------
    ArgumentError
        What :func:`named_layers` refuses, and, naming the layer (id and kind) and the
        shapes: an Add of different shapes, a Concat of different heights/widths, a Dense
        on an (H, W, C) map (put a Flatten before it: Keras would apply it to every pixel,
        ConvLab refuses), a convolution or pooling after the map became a vector, a kernel
        larger than its padded input, ``groups`` not dividing the channels.

    See Also
    --------
    conv_core.shapes.receptive_field : the same receptive-field rule for a plain stack.

    Notes
    -----
    The module docstring lists the counting rules. Every layer is counted, also one no
    later layer reads; the last layer's output is the network's.

    Examples
    --------
    A residual unit on 28x28x64: bias-free 3x3 convolutions, BatchNorm, and the Add:

    >>> from conv_core.networks import Input, Conv2d, BatchNorm, Activation, Add
    >>> s = network_summary([
    ...     Input((28, 28, 64)),
    ...     Conv2d(64, 3, padding=1, bias=False, id="conv1"), BatchNorm(id="bn1"),
    ...     Activation("relu"),
    ...     Conv2d(64, 3, padding=1, bias=False, id="conv2"), BatchNorm(id="bn2"),
    ...     Add(inputs="bn2, input"), Activation("relu")])
    >>> s.trainable, s.non_trainable, s["add"].output_shape, s["add"].receptive_field.size
    (73984, 256, (28, 28, 64), (5, 5))
    >>> network_summary([Input((28, 28, 64)), Conv2d(128, 3, stride=2, padding=1),
    ...                  Add(inputs="input, conv2d")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: layer 'add' (Add) adds tensors of the same shape, but \
'input' gives (28, 28, 64) and 'conv2d' gives (14, 14, 128)
    """
    net = named_layers(layers)
    first = net[0]
    assert isinstance(first, Input)
    input_hw = (first.shape[0], first.shape[1])
    start_rf = ReceptiveField((1, 1), (1, 1), (0, 0), input_hw)
    infos: list[LayerInfo] = [LayerInfo(0, first, (), first.shape, 0, 0, 0, 0, start_rf, None, 0)]
    by_id = {first.id: infos[0]}
    for index, layer in enumerate(net[1:], start=1):
        sources = [by_id[name] for name in layer.inputs]
        shapes = tuple(src.output_shape for src in sources)
        try:
            if isinstance(layer, (Add, Concat)):
                out = _merge(layer, shapes, [src.receptive_field for src in sources])
            else:
                src = sources[0]
                out = _one(layer, src.id, src.output_shape, src.receptive_field, input_hw)
        except ConvLabError as err:
            err.params.setdefault("index", index)  # the layer's position, for the editor
            raise
        weighted = isinstance(layer, (Conv2d, Dense))
        depth = max(src.depth for src in sources) + int(weighted)
        info = LayerInfo(
            index,
            layer,
            shapes,
            out.shape,
            out.weights,
            out.biases,
            out.non_trainable,
            out.macs,
            out.rf,
            out.padding,
            depth,
        )
        infos.append(info)
        by_id[layer.id] = info
    return NetworkSummary(tuple(infos))
