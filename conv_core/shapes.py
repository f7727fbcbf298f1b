"""Output sizes, padding specs, receptive fields and parameter counts.

The one place the size rules live: pages and figures ask here, never recompute.

For one dimension of length ``n``, a kernel of ``kernel_size`` taps spread by
``dilation`` spans ``dilation*(kernel_size - 1) + 1`` cells, and with
``before``/``after`` padding and ``stride`` the number of outputs is::

    out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1

(PyTorch writes ``2*padding`` for ``before + after``; the lecture writes
``(H + 2P - F)/S + 1`` for ``dilation = 1``.)

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._checks import Pair, _is_int, _plain, check_choice, check_int, check_pair
from .errors import ArgumentError, register_messages

__all__ = [
    "WEIGHT_LAYOUTS",
    "ConvOutputSize",
    "Padding2D",
    "PaddingSpec",
    "ReceptiveField",
    "conv_output_shape",
    "conv_output_size",
    "conv_output_size_detail",
    "conv_param_count",
    "conv_weight_shape",
    "dense_param_count",
    "flatten_size",
    "pool_output_size",
    "receptive_field",
    "resolve_padding",
    "resolve_padding_1d",
]

register_messages(
    {
        "output_empty": (
            "the output would be empty: the padded input has {padded} cells "
            "({n} + {before} + {after} padding) but the kernel spans {span} "
            "(dilation*(kernel_size - 1) + 1 = {dilation}*({kernel_size} - 1) + 1); "
            "use a smaller kernel or dilation, or add padding"
        ),
        "bad_padding": (
            "{arg} must be an integer, (rows, cols), ((top, bottom), (left, right)), "
            "'valid', 'same' or 'full', but got {arg}={value!r}"
        ),
        "bad_padding_1d": (
            "{arg} must be an integer, (before, after), 'valid', 'same' or 'full', "
            "but got {arg}={value!r}"
        ),
        "negative_padding": "{arg} must not be negative, but got {arg}={value!r}",
        "groups_not_divisor": (
            "groups must divide both in_channels and out_channels, but got groups={groups} "
            "with in_channels={in_channels} and out_channels={out_channels}"
        ),
        "bad_layer": (
            "each layer must be (kernel_size, stride, dilation, padding) or a mapping with "
            "those keys, but layer {index} is {value!r}"
        ),
        "bad_shape_length": ("{arg} must list {expected} sizes, but got {value!r} ({got} sizes)"),
        "padding_needs_input_size": (
            "layer {index} uses padding={value!r}, which depends on the input size: "
            "pass input_hw=(rows, cols)"
        ),
    }
)

#: A padding as conv_core accepts it: ``p``, ``(ph, pw)``, ``((top, bottom), (left, right))``,
#: ``'valid'``, ``'same'`` (TensorFlow's rule) or ``'full'``.
PaddingSpec = int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]] | str
#: Resolved 2D padding: ``((top, bottom), (left, right))``.
Padding2D = tuple[tuple[int, int], tuple[int, int]]

_PADDING_WORDS = ("valid", "same", "full")


def _span(kernel_size: int, dilation: int) -> int:
    """How many input cells a kernel of ``kernel_size`` taps covers at ``dilation``."""
    return dilation * (kernel_size - 1) + 1


def _padding_word(
    word: str, n: int, kernel_size: int, stride: int, dilation: int
) -> tuple[int, int]:
    span = _span(kernel_size, dilation)
    if word == "valid":
        return (0, 0)
    if word == "full":
        return (span - 1, span - 1)
    # 'same', TensorFlow's rule for every stride: out = ceil(n / stride), and the
    # odd pixel of padding goes after (bottom/right), as in TF and PyTorch.
    out = -(-n // stride)
    total = max((out - 1) * stride + span - n, 0)
    return (total // 2, total - total // 2)


def resolve_padding_1d(
    spec: int | tuple[int, int] | str,
    n: int,
    kernel_size: int,
    stride: int = 1,
    dilation: int = 1,
    *,
    arg_name: str = "padding",
) -> tuple[int, int]:
    """Resolve a one-dimensional padding spec to ``(before, after)``.

    Parameters
    ----------
    spec : int, (before, after), {'valid', 'same', 'full'}
        The padding as given; see :func:`resolve_padding` for the words.
    n : int
        Input length.
    kernel_size, stride, dilation : int
        The kernel's taps, its step and the spacing of its taps.

    Returns
    -------
    (before, after) : tuple of int

    Examples
    --------
    TensorFlow's 'SAME' on 13 cells with a 6-tap kernel and stride 5 gives
    ceil(13 / 5) = 3 outputs; it needs 3 cells of padding, 1 before and 2 after:

    >>> resolve_padding_1d("same", 13, 6, stride=5)
    (1, 2)
    >>> resolve_padding_1d("full", 5, 3)
    (2, 2)
    """
    if isinstance(spec, str):
        if spec not in _PADDING_WORDS:
            raise ArgumentError("bad_padding_1d", arg=arg_name, value=spec)
        return _padding_word(spec, n, kernel_size, stride, dilation)
    if _is_int(spec):
        p = check_int(spec, arg_name)
        if p < 0:
            raise ArgumentError("negative_padding", arg=arg_name, value=p)
        return (p, p)
    if isinstance(spec, (tuple, list)) and len(spec) == 2 and all(_is_int(v) for v in spec):
        before, after = int(spec[0]), int(spec[1])
        if before < 0 or after < 0:
            raise ArgumentError("negative_padding", arg=arg_name, value=_plain(spec))
        return (before, after)
    raise ArgumentError("bad_padding_1d", arg=arg_name, value=_plain(spec))


def resolve_padding(
    spec: PaddingSpec,
    input_hw: tuple[int, int],
    kernel_size: Pair,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> Padding2D:
    """Resolve a padding spec to ``((top, bottom), (left, right))``.

    Parameters
    ----------
    spec : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}
        ``p`` pads every side by ``p``; ``(ph, pw)`` pads rows by ``ph`` above and
        below and columns by ``pw`` left and right (PyTorch's meaning).
        ``'valid'`` is no padding. ``'same'`` is TensorFlow's rule for every stride:
        ``out = ceil(n / stride)``, ``total = max((out - 1)*stride + dilation*(kernel_size - 1)
        + 1 - n, 0)``, ``top/left = total // 2`` and the odd cell goes to bottom/right.
        ``'full'`` is ``dilation*(kernel_size - 1)`` on each side (every overlap).
    input_hw : (rows, cols)
        Input height and width.
    kernel_size, stride, dilation : int or (rows, cols)

    Returns
    -------
    ((top, bottom), (left, right)) : tuple of tuples of int

    Raises
    ------
    ArgumentError
        An unknown word, a negative pad, or a malformed spec.

    Notes
    -----
    ``'same'`` only names a size rule; which values fill the padding is the
    separate ``padding_mode`` (zeros by default). The lecture's "same padding"
    (repeating the edge values) is ``padding_mode='replicate'``.

    Examples
    --------
    >>> resolve_padding(1, (5, 5), 3)
    ((1, 1), (1, 1))
    >>> resolve_padding((0, 2), (5, 5), 3)
    ((0, 0), (2, 2))
    >>> resolve_padding("same", (13, 4), (6, 2), stride=(5, 1))
    ((1, 2), (0, 1))
    >>> resolve_padding("full", (4, 4), 3, dilation=2)
    ((4, 4), (4, 4))
    """
    n_h, n_w = check_pair(input_hw, "input_hw")
    k_h, k_w = check_pair(kernel_size, "kernel_size")
    s_h, s_w = check_pair(stride, "stride")
    d_h, d_w = check_pair(dilation, "dilation")
    if isinstance(spec, str):
        if spec not in _PADDING_WORDS:
            raise ArgumentError("bad_padding", arg="padding", value=spec)
        return (
            _padding_word(spec, n_h, k_h, s_h, d_h),
            _padding_word(spec, n_w, k_w, s_w, d_w),
        )
    if _is_int(spec):
        p = int(spec)
        if p < 0:
            raise ArgumentError("negative_padding", arg="padding", value=p)
        return ((p, p), (p, p))
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        first, second = spec
        if _is_int(first) and _is_int(second):
            ph, pw = int(first), int(second)
            if ph < 0 or pw < 0:
                raise ArgumentError("negative_padding", arg="padding", value=_plain(spec))
            return ((ph, ph), (pw, pw))
        if all(
            isinstance(part, (tuple, list)) and len(part) == 2 and all(_is_int(v) for v in part)
            for part in (first, second)
        ):
            (t, b), (left, r) = ((int(v) for v in part) for part in (first, second))
            if min(t, b, left, r) < 0:
                raise ArgumentError(
                    "negative_padding", arg="padding", value=(tuple(first), tuple(second))
                )
            return ((t, b), (left, r))
    raise ArgumentError("bad_padding", arg="padding", value=_plain(spec))


@dataclass(frozen=True)
class ConvOutputSize:
    """The output size of one dimension, with the numbers behind it.

    Attributes
    ----------
    size : int
        The number of outputs, ``floor(exact)``.
    exact : Fraction
        ``(n + before + after - dilation*(kernel_size - 1) - 1) / stride + 1`` before flooring.
    remainder : int
        ``(n + before + after - span) % stride``: padded cells after the last window.
    unvisited : int
        Trailing input (not padding) rows/cols no window reaches
        (``remainder - after``, at least 0).
    n, kernel_size, stride, dilation : int
        The arguments.
    padding : (before, after)
        The resolved padding.
    span : int
        ``dilation*(kernel_size - 1) + 1``, the cells one window covers.
    padded : int
        ``n + before + after``.
    """

    size: int
    exact: Fraction
    remainder: int
    unvisited: int
    n: int
    kernel_size: int
    stride: int
    dilation: int
    padding: tuple[int, int]
    span: int
    padded: int

    @property
    def is_exact(self) -> bool:
        """True when the stride divides evenly, so every padded cell is visited."""
        return self.remainder == 0

    def formula(self) -> str:
        """The size rule with this configuration's numbers, as the lecture writes it.

        >>> conv_output_size_detail(5, 3, stride=2, padding=1).formula()
        '(5 + 1 + 1 - 3) / 2 + 1 = 3'
        >>> conv_output_size_detail(6, 3, stride=2).formula()
        '(6 + 0 + 0 - 3) / 2 + 1 = 5/2 → 2'
        """
        before, after = self.padding
        head = f"({self.n} + {before} + {after} - {self.span}) / {self.stride} + 1"
        if self.is_exact:
            return f"{head} = {self.size}"
        return f"{head} = {self.exact} → {self.size}"


def conv_output_size_detail(
    n: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
) -> ConvOutputSize:
    """Output size of one dimension of a convolution, with the exact fraction.

    Parameters
    ----------
    n : int
        Input length (rows or columns).
    kernel_size : int
    stride : int, optional
        Default 1.
    padding : int, (before, after) or {'valid', 'same', 'full'}, optional
        Default 0.
    dilation : int, optional
        Default 1.

    Returns
    -------
    ConvOutputSize
        ``size``, ``exact`` (a Fraction), ``remainder`` and ``unvisited`` among others.

    Raises
    ------
    ArgumentError
        Non-positive sizes, negative padding, or an empty output (the padded input
        is shorter than the kernel's span).

    Notes
    -----
    ``out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    When the division is not exact, PyTorch and TensorFlow floor it: the last
    ``remainder`` padded cells are never under a window.

    Examples
    --------
    >>> d = conv_output_size_detail(7, 3, stride=3)
    >>> d.size, d.exact, d.remainder, d.unvisited
    (2, Fraction(7, 3), 1, 1)
    """
    n = check_int(n, "n", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    dilation = check_int(dilation, "dilation", minimum=1)
    before, after = resolve_padding_1d(padding, n, kernel_size, stride, dilation)
    span = _span(kernel_size, dilation)
    padded = n + before + after
    if padded < span:
        raise ArgumentError(
            "output_empty",
            padded=padded,
            n=n,
            before=before,
            after=after,
            span=span,
            dilation=dilation,
            kernel_size=kernel_size,
        )
    exact = Fraction(padded - span, stride) + 1
    remainder = (padded - span) % stride
    return ConvOutputSize(
        size=math.floor(exact),
        exact=exact,
        remainder=remainder,
        unvisited=min(max(remainder - after, 0), n),
        n=n,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
        padding=(before, after),
        span=span,
        padded=padded,
    )


def conv_output_size(
    n: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
) -> int:
    """Number of outputs along one dimension of a convolution.

    Parameters
    ----------
    n : int
        Input length (rows or columns).
    kernel_size : int
    stride : int, optional
        Default 1.
    padding : int, (before, after) or {'valid', 'same', 'full'}, optional
        Default 0.
    dilation : int, optional
        Default 1.

    Returns
    -------
    int

    Raises
    ------
    ArgumentError
        When the output would be smaller than 1, with the numbers that say why.

    See Also
    --------
    conv_output_size_detail : the same, with the exact fraction and what is left over.

    Notes
    -----
    ``out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``

    Examples
    --------
    The lecture's (4 + 2·1 - 3)/1 + 1 = 4, and a stride that does not divide evenly:

    >>> conv_output_size(4, 3, padding=1)
    4
    >>> conv_output_size(5, kernel_size=3, stride=2, padding=1)
    3
    >>> conv_output_size(13, 6, stride=5, padding="same")
    3
    """
    return conv_output_size_detail(n, kernel_size, stride, padding, dilation).size


def pool_output_size(
    n: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Number of outputs along one dimension of a pooling layer (PyTorch's rules).

    Parameters
    ----------
    n : int
        Input length.
    kernel_size : int
    stride : int or None, optional
        Default ``kernel_size`` (non-overlapping windows), as in PyTorch.
    padding : int, (before, after) or {'valid', 'same', 'full'}, optional
    dilation : int, optional
    ceil_mode : bool, optional
        Round the division up instead of down.

    Returns
    -------
    int

    Notes
    -----
    ``out = floor_or_ceil((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    With ``ceil_mode=True`` a window may run off the bottom/right edge, but only if it
    starts inside the input or the left padding: a last window that would start in the
    right padding is dropped (``if (out - 1)*stride >= n + before: out -= 1``).

    Examples
    --------
    >>> pool_output_size(4, 2)
    2
    >>> pool_output_size(5, 2), pool_output_size(5, 2, ceil_mode=True)
    (2, 3)
    >>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    3
    """
    n = check_int(n, "n", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = kernel_size if stride is None else check_int(stride, "stride", minimum=1)
    detail = conv_output_size_detail(n, kernel_size, stride, padding, dilation)
    size = detail.size
    if ceil_mode and detail.remainder:
        size += 1
        if (size - 1) * stride >= n + detail.padding[0]:
            size -= 1
    return size


@dataclass(frozen=True)
class ReceptiveField:
    """What one output unit of a layer sees of the network's input, per axis (rows, cols).

    Attributes
    ----------
    size : (rows, cols)
        How many input cells one unit's receptive field spans.
    jump : (rows, cols)
        The distance in input cells between neighbouring units (the effective stride).
    start : (rows, cols)
        Input index of the top/left edge of the first unit's receptive field
        (negative when it starts in the padding).
    output_hw : (rows, cols) or None
        The layer's output size, when the input size was given.
    """

    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[int, int]
    output_hw: tuple[int, int] | None = None

    @property
    def center(self) -> tuple[float, float]:
        """Input coordinates of the centre of the first unit's receptive field."""
        return (
            self.start[0] + (self.size[0] - 1) / 2,
            self.start[1] + (self.size[1] - 1) / 2,
        )


def _layer_parts(layer: Any, index: int) -> tuple[Any, Any, Any, Any]:
    if isinstance(layer, Mapping):
        try:
            return (
                layer["kernel_size"],
                layer.get("stride", 1),
                layer.get("dilation", 1),
                layer.get("padding", 0),
            )
        except KeyError:
            raise ArgumentError("bad_layer", index=index, value=dict(layer)) from None
    if isinstance(layer, Sequence) and not isinstance(layer, str) and len(layer) == 4:
        return tuple(layer)
    raise ArgumentError("bad_layer", index=index, value=layer)


def receptive_field(
    layers: Sequence[Any],
    *,
    input_hw: tuple[int, int] | None = None,
) -> list[ReceptiveField]:
    """Receptive field, jump and start offset after each layer of a stack.

    Parameters
    ----------
    layers : sequence of (kernel_size, stride, dilation, padding) or mappings
        One entry per conv or pool layer; each value an int or a (rows, cols) pair,
        padding also ``((top, bottom), (left, right))``. Activations do not change
        the receptive field: leave them out. A mapping uses the same names as keys
        (``stride``, ``dilation``, ``padding`` default to 1, 1, 0).
    input_hw : (rows, cols), optional
        The network's input size; needed for the padding words ``'same'``/``'full'``,
        and when given each record also holds the layer's output size.

    Returns
    -------
    list of ReceptiveField
        One record per layer.

    Notes
    -----
    With ``k' = dilation*(kernel_size - 1) + 1``, per axis, starting from
    ``size = 1, jump = 1, start = 0`` at the input::

        size  <- size + (k' - 1) * jump
        start <- start - pad_before * jump
        jump  <- jump * stride

    Examples
    --------
    Two 3x3 convolutions see 5x5; a 3x3 conv, a 2x2 pool with stride 2, then a 3x3 conv, 8x8:

    >>> [r.size for r in receptive_field([(3, 1, 1, 0), (3, 1, 1, 0)])]
    [(3, 3), (5, 5)]
    >>> rf = receptive_field([(3, 1, 1, 1), (2, 2, 1, 0), (3, 1, 1, 1)])
    >>> rf[-1].size, rf[-1].jump, rf[-1].start
    ((8, 8), (2, 2), (-3, -3))
    """
    size, jump, start = [1, 1], [1, 1], [0, 0]
    hw = None if input_hw is None else list(check_pair(input_hw, "input_hw"))
    records: list[ReceptiveField] = []
    for index, layer in enumerate(layers):
        kernel_size, stride, dilation, padding = _layer_parts(layer, index)
        k = check_pair(kernel_size, "kernel_size")
        s = check_pair(stride, "stride")
        d = check_pair(dilation, "dilation")
        if isinstance(padding, str) and hw is None:
            raise ArgumentError("padding_needs_input_size", index=index, value=padding)
        pads = resolve_padding(padding, tuple(hw) if hw else (1, 1), k, s, d)
        for axis in (0, 1):
            span = _span(k[axis], d[axis])
            size[axis] += (span - 1) * jump[axis]
            start[axis] -= pads[axis][0] * jump[axis]
            jump[axis] *= s[axis]
            if hw is not None:
                hw[axis] = conv_output_size(hw[axis], k[axis], s[axis], pads[axis], d[axis])
        records.append(
            ReceptiveField(
                size=(size[0], size[1]),
                jump=(jump[0], jump[1]),
                start=(start[0], start[1]),
                output_hw=None if hw is None else (hw[0], hw[1]),
            )
        )
    return records


def conv_param_count(
    kernel_size: Pair,
    in_channels: int,
    out_channels: int,
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Number of learnable parameters of a 2D convolution layer.

    Parameters
    ----------
    kernel_size : int or (rows, cols)
    in_channels, out_channels : int
    bias : bool, optional
        Whether each output channel has a bias (default True).
    groups : int, optional
        Must divide both channel counts.

    Returns
    -------
    int
        ``KH*KW*(in_channels/groups)*out_channels`` weights, plus ``out_channels`` biases.

    Examples
    --------
    A 3x3 convolution from 3 to 128 channels:

    >>> conv_param_count(3, 3, 128, bias=False), conv_param_count(3, 3, 128)
    (3456, 3584)
    """
    k_h, k_w = check_pair(kernel_size, "kernel_size")
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    groups = check_int(groups, "groups", minimum=1)
    if in_channels % groups or out_channels % groups:
        raise ArgumentError(
            "groups_not_divisor", groups=groups, in_channels=in_channels, out_channels=out_channels
        )
    weights = k_h * k_w * (in_channels // groups) * out_channels
    return weights + (out_channels if bias else 0)


def dense_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of learnable parameters of a fully connected layer.

    Examples
    --------
    Connecting a 32x32x3 image to a 28x28x128 map densely, instead of with a 3x3 conv:

    >>> dense_param_count(32 * 32 * 3, 28 * 28 * 128)
    308381696
    """
    in_features = check_int(in_features, "in_features", minimum=1)
    out_features = check_int(out_features, "out_features", minimum=1)
    return in_features * out_features + (out_features if bias else 0)


def flatten_size(shape: Sequence[int]) -> int:
    """How many inputs a dense layer gets from a block flattened into one vector.

    Parameters
    ----------
    shape : sequence of int
        The block's shape, in any order (``(H, W, C)`` or ``(C, H, W)``): the product is
        the same.

    Returns
    -------
    int
        The product of the sizes.

    Raises
    ------
    ArgumentError
        An empty shape or a size below 1.

    Examples
    --------
    The lecture's 48x48 RGB image, flattened for a dense layer:

    >>> flatten_size((48, 48, 3))
    6912
    """
    sizes = [check_int(n, "shape", minimum=1) for n in shape]
    if not sizes:
        raise ArgumentError(
            "bad_shape_length", arg="shape", expected="at least 1", value=tuple(shape), got=0
        )
    return math.prod(sizes)


def conv_output_shape(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: Pair,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
) -> tuple[int, int, int]:
    """The shape a 2D convolution layer makes from a ``(C, H, W)`` input: ``(C_out, H', W')``.

    Each of the ``out_channels`` filters spans all ``C`` input channels and makes one map:
    the number of filters is the output's depth, whatever ``C`` is.

    Parameters
    ----------
    input_shape : (C, H, W)
        PyTorch's order, as everywhere in conv_core (the pages show H x W x C).
    out_channels : int
        The number of filters.
    kernel_size, stride, dilation : int or (rows, cols)
    padding : int, (rows, cols) or {'valid', 'same', 'full'}
        As :func:`conv_output_size`, per axis.

    Returns
    -------
    (out_channels, H', W')

    Raises
    ------
    ArgumentError
        A shape that is not three sizes, or an output smaller than 1 (with the numbers).

    Examples
    --------
    The lecture's 32x32x3 image through 10 filters of 5x5x3: depth 10.

    >>> conv_output_shape((3, 32, 32), 10, 5)
    (10, 28, 28)
    >>> conv_output_shape((3, 32, 32), 10, 3, padding="same")
    (10, 32, 32)
    """
    if len(input_shape) != 3:
        raise ArgumentError(
            "bad_shape_length", arg="input_shape", expected=3, value=tuple(input_shape),
            got=len(input_shape),
        )  # fmt: skip
    _, h, w = (check_int(n, "input_shape", minimum=1) for n in input_shape)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    k_h, k_w = check_pair(kernel_size, "kernel_size")
    s_h, s_w = check_pair(stride, "stride")
    d_h, d_w = check_pair(dilation, "dilation")
    if isinstance(padding, str):
        p_h: int | tuple[int, int] | str = padding
        p_w: int | tuple[int, int] | str = padding
    else:
        p_h, p_w = check_pair(padding, "padding", minimum=0)
    return (
        out_channels,
        conv_output_size(h, k_h, s_h, p_h, d_h),
        conv_output_size(w, k_w, s_w, p_w, d_w),
    )


#: The two orders a convolution's weight tensor is stored in.
WEIGHT_LAYOUTS = ("pytorch", "tensorflow")


def conv_weight_shape(
    kernel_size: Pair, in_channels: int, out_channels: int, layout: str = "pytorch"
) -> tuple[int, int, int, int]:
    """The shape of a 2D convolution's weight tensor, in PyTorch's or TensorFlow's order.

    Parameters
    ----------
    kernel_size : int or (rows, cols)
    in_channels, out_channels : int
    layout : {'pytorch', 'tensorflow'}, optional
        ``'pytorch'`` (default): ``(out_channels, in_channels, KH, KW)``, as
        ``torch.nn.Conv2d.weight`` and conv_core's ``weight``. ``'tensorflow'``:
        ``[KH, KW, in_channels, out_channels]``, as ``tf.nn.conv2d``'s ``filters``.

    Returns
    -------
    tuple of 4 int

    Examples
    --------
    The lecture's TensorFlow filter: 32 filters of 3x3 on a 1-channel image.

    >>> conv_weight_shape(3, 1, 32, layout="tensorflow")
    (3, 3, 1, 32)
    >>> conv_weight_shape(3, 1, 32)
    (32, 1, 3, 3)
    """
    k_h, k_w = check_pair(kernel_size, "kernel_size")
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    layout = check_choice(layout, "layout", WEIGHT_LAYOUTS)
    if layout == "tensorflow":
        return (k_h, k_w, in_channels, out_channels)
    return (out_channels, in_channels, k_h, k_w)
