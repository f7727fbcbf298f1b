"""The numbers behind three demonstrations of the architectures lecture.

* Residual learning (:func:`residual_gradients`, :func:`residual_unit_example`): how much
  gradient reaches the first layers of a deep plain stack, and of the same stack with
  identity skips, computed with conv_core's own backward pass; and one residual unit
  small enough to step through.
* Factorised convolution (:func:`factorised_convolution`, :func:`separable_filter`): a
  3x3 convolution against 1x1 -> 1x3 depthwise -> 3x1 depthwise, same receptive field,
  a third of the weights; and on numbers, a rank-1 kernel (Sobel) as two 1-D passes.
* A dense layer is a convolution (:func:`dense_to_conv_weight`, :func:`dense_as_convolution`):
  the same numbers as a matrix product on a flattened block and as a convolution whose
  kernel is the block's size, and that convolution slid over a larger input.
* Flattening loses the picture (:func:`flattened_shift`): a digit moved by one pixel
  changes most of its flattened vector, while its feature map just moves.

Arrays are channels-first, ``(C, H, W)``, as :func:`conv_core.conv2d` takes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import check_array, check_int, check_pair
from ..conv import conv2d, correlate2d
from ..errors import ArgumentError, register_messages
from ..nn import conv2d_backward, linear, relu_backward
from ..shapes import PaddingSpec, resolve_padding
from .calculator import NetworkSummary, network_summary
from .layers import Conv2d, Input

__all__ = [
    "SOBEL_COLUMN",
    "SOBEL_ROW",
    "DenseAsConvolution",
    "FactorisedConvolution",
    "FlattenedShift",
    "ResidualGradients",
    "ResidualUnitExample",
    "SeparableFilter",
    "dense_as_convolution",
    "dense_to_conv_weight",
    "factorised_convolution",
    "flattened_shift",
    "residual_gradients",
    "residual_unit_example",
    "separable_filter",
    "shift_image",
    "sliding_dense",
]

register_messages(
    {
        "demo_int_range": "{arg} must be an integer from {low} to {high}, but got {arg}={value!r}",
        "demo_dense_weight_shape": (
            "weight must have shape (N, {features}) for an input of shape {input_shape} "
            "(C*H*W = {features} features), but got an array of shape {shape}"
        ),
    }
)


def _int_range(value: Any, arg: str, low: int, high: int) -> int:
    v = check_int(value, arg)
    if not low <= v <= high:
        raise ArgumentError("demo_int_range", arg=arg, low=low, high=high, value=value)
    return v


# ----------------------------------------------------------------------------- residuals


@dataclass(frozen=True, eq=False)
class ResidualGradients:
    """Gradient norms layer by layer, for a plain stack and the same stack with skips.

    Attributes
    ----------
    plain, residual : ndarray of shape (depth,)
        ``||dL/da_l||`` for ``l = 1 .. depth``: the norm of the loss's gradient with
        respect to layer ``l``'s output (index 0 is layer 1, the last the top layer).
    weight_std : float
        The standard deviation of every weight, ``sqrt(1 / (9 C))``.
    branch_scale : float
        The factor on each residual branch: ``a_l = a_{l-1} + branch_scale * F(a_{l-1})``.
    depth, channels, size, seed : int
        The arguments.
    """

    plain: npt.NDArray[np.float64]
    residual: npt.NDArray[np.float64]
    weight_std: float
    branch_scale: float
    depth: int
    channels: int
    size: int
    seed: int

    @property
    def plain_ratio(self) -> float:
        """``plain[0] / plain[-1]``: how much of the top layer's gradient reaches layer 1."""
        return float(self.plain[0] / self.plain[-1])

    @property
    def residual_ratio(self) -> float:
        """``residual[0] / residual[-1]``."""
        return float(self.residual[0] / self.residual[-1])


def _conv_relu(a: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> Any:
    z = conv2d(a, w, padding=1)
    return z, np.maximum(z, 0.0)


def residual_gradients(
    depth: int = 20,
    channels: int = 8,
    size: int = 16,
    seed: int = 0,
    branch_scale: float | None = None,
) -> ResidualGradients:
    """How much gradient reaches each layer of a deep stack, without and with skips.

    Both stacks have ``depth`` layers of a 3x3 convolution (``channels`` to ``channels``,
    padding 1, no bias) and a ReLU, on a ``size`` x ``size`` grid, with the same weights
    drawn from N(0, 1/(9 C)) (``C = channels``, so ``1/(9 C)`` is one over the fan-in)
    and the same random input, all from ``seed``:

    * plain: ``a_l = ReLU(conv_l(a_{l-1}))``;
    * residual: ``a_l = a_{l-1} + s * ReLU(conv_l(a_{l-1}))``, identity skips, ``s`` the
      ``branch_scale``.

    The loss is ``L = sum(g * a_depth)`` for a fixed random ``g`` (so the top layer's
    gradient is ``g`` in both), and the gradients go back with
    :func:`conv_core.conv2d_backward` and :func:`conv_core.relu_backward`.

    Parameters
    ----------
    depth : int, optional
        2 to 100 layers (default 20).
    channels : int, optional
        1 to 64 (default 8).
    size : int, optional
        Grid side, 3 to 64 (default 16).
    seed : int, optional
        Seeds ``numpy.random.default_rng`` (default 0).
    branch_scale : float or None, optional
        The residual branch's factor; default ``1/sqrt(depth)`` (see Notes).

    Returns
    -------
    ResidualGradients
        ``plain`` and ``residual``: ``||dL/da_l||`` for each layer.

    Notes
    -----
    Why the plain stack's gradient vanishes: with weights of variance one over the
    fan-in, a convolution keeps the size of what goes back through it, and ReLU passes
    about half of it (the cells where its input was positive), so each layer multiplies
    the squared gradient norm by about 1/2. Over 19 layers the norm shrinks by about
    ``2**(-19/2)``, 1/700 (1/1,200 with the default seed): layer 1 gets well under 1/100
    of what the top layer gets. (He initialisation, variance ``2/(9 C)``, would make up
    for the ReLU; the lecture's N(0, 1/(9 C)) does not, which is the point.)

    Why the branch is scaled: the identity path carries the gradient back unchanged, but
    with ``s = 1`` every branch adds its own share, ``g_{l-1} = g_l + J_l^T g_l``, and the
    norm grows by a factor of sqrt(3/2) or more per layer: 30 to 250 times over 20 layers
    (seeds 0 to 4), an exploding gradient instead of a vanishing one. Scaling each branch
    by ``s = 1/sqrt(depth)`` at initialisation (the idea of Fixup, Zhang et al. 2019, and
    SkipInit, De & Smith 2020; torchvision's ``zero_init_residual`` goes as far as
    ``s = 0``) makes each layer add only about ``s**2 / 2`` to the squared norm, so the
    norm grows by about ``e**(1/4)`` in all: layer 1 gets about 1.3 times the top layer's
    gradient. The plain stack keeps the stated initialisation; both stacks share the same
    weights.

    Examples
    --------
    >>> r = residual_gradients()
    >>> r.plain.shape, round(r.branch_scale, 4)
    ((20,), 0.2236)
    >>> r.plain_ratio < 0.01, 0.5 < r.residual_ratio < 10
    (True, True)
    """
    depth = _int_range(depth, "depth", 2, 100)
    channels = _int_range(channels, "channels", 1, 64)
    size = _int_range(size, "size", 3, 64)
    seed = check_int(seed, "seed", minimum=0)
    if branch_scale is None:
        branch_scale = 1.0 / math.sqrt(depth)
    if not (isinstance(branch_scale, (int, float)) and math.isfinite(branch_scale)):
        raise ArgumentError("not_finite", arg="branch_scale", count=1)
    rng = np.random.default_rng(seed)
    std = math.sqrt(1.0 / (9 * channels))
    weights = rng.normal(0.0, std, (depth, channels, channels, 3, 3))
    x = rng.normal(0.0, 1.0, (channels, size, size))
    g_top = rng.normal(0.0, 1.0, (channels, size, size))

    def norms(scale: float | None) -> npt.NDArray[np.float64]:
        acts, pre = [x], []
        for w in weights:
            z, f = _conv_relu(acts[-1], w)
            pre.append(z)
            acts.append(f if scale is None else acts[-1] + scale * f)
        out = np.empty(depth)
        g = g_top
        for layer in range(depth - 1, -1, -1):
            out[layer] = np.linalg.norm(g)
            gz = relu_backward(pre[layer], g if scale is None else scale * g)
            gx, _, _ = conv2d_backward(acts[layer], weights[layer], gz, padding=1)
            g = gx if scale is None else g + gx
        return out

    return ResidualGradients(
        plain=norms(None),
        residual=norms(float(branch_scale)),
        weight_std=std,
        branch_scale=float(branch_scale),
        depth=depth,
        channels=channels,
        size=size,
        seed=seed,
    )


@dataclass(frozen=True, eq=False)
class ResidualUnitExample:
    """One residual unit on a small grid: ``y = x + F(x)``, ``F(x) = conv2(ReLU(conv1(x)))``.

    Attributes
    ----------
    x : ndarray (H, W), int64
        The unit's input.
    weight1, weight2 : ndarray (3, 3), int64
        The two kernels; both convolutions use ``padding`` (1: the size stays).
    hidden : ndarray (H, W)
        ``conv1(x)``.
    activated : ndarray (H, W)
        ``ReLU(hidden)``.
    residual : ndarray (H, W)
        ``F(x) = conv2(activated)``.
    output : ndarray (H, W)
        ``x + residual``.
    padding : int
    """

    x: npt.NDArray[np.int64]
    weight1: npt.NDArray[np.int64]
    weight2: npt.NDArray[np.int64]
    hidden: npt.NDArray[np.int64]
    activated: npt.NDArray[np.int64]
    residual: npt.NDArray[np.int64]
    output: npt.NDArray[np.int64]
    padding: int = 1

    def conv_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The keyword arguments of the two convolutions, for ``conv2d`` or ``trace_conv2d``."""
        return (
            {"x": self.x, "weight": self.weight1, "padding": self.padding},
            {"x": self.activated, "weight": self.weight2, "padding": self.padding},
        )

    def traces(self) -> tuple[Any, Any]:
        """The two convolutions as :func:`conv_core.trace_conv2d` traces, for the stepper."""
        from ..trace import trace_conv2d

        first, second = self.conv_arguments()
        return trace_conv2d(**first), trace_conv2d(**second)


def residual_unit_example(
    x: npt.ArrayLike | None = None,
    weight1: npt.ArrayLike | None = None,
    weight2: npt.ArrayLike | None = None,
) -> ResidualUnitExample:
    """A residual unit worked out on small integers: ``x + conv2(ReLU(conv1(x)))``.

    Parameters
    ----------
    x : array_like (H, W), optional
        Default a 4x4 grid of small integers.
    weight1, weight2 : array_like (3, 3), optional
        Default a Laplacian-like edge kernel (its negative outputs show the ReLU at work)
        and a plus-shaped blur.

    Returns
    -------
    ResidualUnitExample
        Every intermediate grid; ``traces()`` gives the two convolutions for the stepper.

    Examples
    --------
    >>> ex = residual_unit_example()
    >>> ex.hidden
    array([[-2, -6,  6, -3],
           [ 4,  1, -9,  0],
           [-7,  5, -1,  4],
           [-1, -3,  4, -8]])
    >>> ex.activated
    array([[0, 0, 6, 0],
           [4, 1, 0, 0],
           [0, 5, 0, 4],
           [0, 0, 4, 0]])
    >>> ex.output
    array([[ 5,  9,  6,  7],
           [ 5, 11, 10,  5],
           [11,  6, 14,  4],
           [ 1, 10,  4, 10]])
    >>> first, second = ex.traces()
    >>> first.step(1).value, second.output.shape
    (-6, (4, 4))
    """
    x_arr = check_array(
        [[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 0], [1, 1, 0, 2]] if x is None else x, "x", (2,)
    )
    w1 = check_array(
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]] if weight1 is None else weight1, "weight1", (2,)
    )
    w2 = check_array(
        [[0, 1, 0], [1, 1, 1], [0, 1, 0]] if weight2 is None else weight2, "weight2", (2,)
    )
    for name, w in (("weight1", w1), ("weight2", w2)):
        if w.shape != (3, 3):
            raise ArgumentError("bad_ndim", arg=name, expected="3x3", shape=w.shape)
    hidden = conv2d(x_arr, w1, padding=1)
    activated = np.maximum(hidden, 0)
    residual = conv2d(activated, w2, padding=1)
    return ResidualUnitExample(
        x=x_arr,
        weight1=w1,
        weight2=w2,
        hidden=hidden,
        activated=activated,
        residual=residual,
        output=x_arr + residual,
    )


# ----------------------------------------------------------------------------- factorising


@dataclass(frozen=True, eq=False)
class FactorisedConvolution:
    """A 3x3 convolution against its factorised form, counted by the network calculator.

    Attributes
    ----------
    full : NetworkSummary
        Input -> one 3x3 convolution (``in_channels`` to ``out_channels``, no bias).
    factorised : NetworkSummary
        Input -> 1x1 (``in_channels`` to ``out_channels``) -> 1x3 depthwise -> 3x1 depthwise
        (``groups = out_channels``), no biases, 'same' padding.
    full_pair : NetworkSummary
        The 1x3 and 3x1 as full convolutions over ``out_channels`` (not depthwise).
    """

    full: NetworkSummary
    factorised: NetworkSummary
    full_pair: NetworkSummary

    @property
    def full_weights(self) -> int:
        """``3*3*in*out``: 3,456 for 3 -> 128."""
        return self.full.weights

    @property
    def step_weights(self) -> tuple[int, ...]:
        """The 1x1, 1x3 and 3x1 layers' weights: (384, 384, 384) for 3 -> 128."""
        return tuple(info.weights for info in self.factorised.layers[1:])

    @property
    def factorised_weights(self) -> int:
        """Their sum: 1,152 for 3 -> 128."""
        return self.factorised.weights

    @property
    def full_pair_weights(self) -> tuple[int, int]:
        """The 1x3 and 3x1 as full layers: (49,152, 49,152) for 128 channels."""
        return (self.full_pair.layers[1].weights, self.full_pair.layers[2].weights)

    @property
    def full_rf(self) -> tuple[int, int]:
        return self.full.layers[-1].receptive_field.size

    @property
    def factorised_rf(self) -> tuple[int, int]:
        """The same as :attr:`full_rf`: (3, 3)."""
        return self.factorised.layers[-1].receptive_field.size


def factorised_convolution(
    in_channels: int = 3, out_channels: int = 128, input_hw: tuple[int, int] = (32, 32)
) -> FactorisedConvolution:
    """A 3x3 convolution and its factorised form: 1x1, then 1x3 and 3x1 depthwise.

    Parameters
    ----------
    in_channels, out_channels : int, optional
        Default 3 and 128.
    input_hw : (rows, cols), optional
        The input's height and width (default 32x32); only the MACs depend on it.

    Returns
    -------
    FactorisedConvolution

    Examples
    --------
    >>> f = factorised_convolution()
    >>> f.full_weights, f.step_weights, f.factorised_weights
    (3456, (384, 384, 384), 1152)
    >>> f.full_rf, f.factorised_rf, f.full_pair_weights
    ((3, 3), (3, 3), (49152, 49152))
    """
    h, w = check_pair(input_hw, "input_hw")
    c_in = check_int(in_channels, "in_channels", minimum=1)
    c = check_int(out_channels, "out_channels", minimum=1)
    same = "same"
    full = network_summary(
        [Input((h, w, c_in)), Conv2d(c, 3, padding=same, bias=False, id="conv3x3")]
    )
    factorised = network_summary(
        [
            Input((h, w, c_in)),
            Conv2d(c, 1, bias=False, id="pointwise"),
            Conv2d(c, (1, 3), padding=same, groups=c, bias=False, id="depthwise_1x3"),
            Conv2d(c, (3, 1), padding=same, groups=c, bias=False, id="depthwise_3x1"),
        ]
    )
    full_pair = network_summary(
        [
            Input((h, w, c)),
            Conv2d(c, (1, 3), padding=same, bias=False, id="conv1x3"),
            Conv2d(c, (3, 1), padding=same, bias=False, id="conv3x1"),
        ]
    )
    return FactorisedConvolution(full, factorised, full_pair)


#: Sobel's horizontal-gradient kernel is the outer product ``SOBEL_COLUMN^T · SOBEL_ROW``:
#: smooth down the column with [1, 2, 1], difference along the row with [-1, 0, 1].
SOBEL_COLUMN = (1, 2, 1)
SOBEL_ROW = (-1, 0, 1)


@dataclass(frozen=True, eq=False)
class SeparableFilter:
    """A rank-1 kernel applied directly and as two 1-D passes.

    Attributes
    ----------
    kernel : ndarray (KH, KW)
        ``outer(column, row)``.
    column : ndarray (KH, 1)
    row : ndarray (1, KW)
    after_column : ndarray
        The input after the first (column, KH x 1) pass.
    two_pass : ndarray
        ``after_column`` after the second (row, 1 x KW) pass.
    direct : ndarray
        The input correlated with ``kernel``: equal to ``two_pass``.
    """

    kernel: npt.NDArray[Any]
    column: npt.NDArray[Any]
    row: npt.NDArray[Any]
    after_column: npt.NDArray[Any]
    two_pass: npt.NDArray[Any]
    direct: npt.NDArray[Any]

    @property
    def multiplications(self) -> tuple[int, int]:
        """Products per output cell: ``KH*KW`` directly, ``KH + KW`` in two passes."""
        kh, kw = self.kernel.shape
        return (kh * kw, kh + kw)


def separable_filter(
    x: npt.ArrayLike,
    column: Sequence[float] | npt.ArrayLike = SOBEL_COLUMN,
    row: Sequence[float] | npt.ArrayLike = SOBEL_ROW,
    padding: PaddingSpec = 0,
) -> SeparableFilter:
    """Correlate with ``outer(column, row)`` directly, and as a column pass then a row pass.

    Parameters
    ----------
    x : array_like (H, W)
    column, row : 1D array_like, optional
        Default Sobel's ``[1, 2, 1]`` and ``[-1, 0, 1]``.
    padding : int, (ph, pw), ((top, bottom), (left, right)), 'valid' or 'same', optional
        Zero padding of the direct correlation (default 0); the column pass pads only the
        rows and the row pass only the columns, so the two agree everywhere.

    Returns
    -------
    SeparableFilter
        For integer input and kernels, ``direct`` and ``two_pass`` are equal exactly.

    Examples
    --------
    >>> f = separable_filter([[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 9, 9]])
    >>> f.kernel
    array([[-1,  0,  1],
           [-2,  0,  2],
           [-1,  0,  1]])
    >>> f.direct
    array([[36, 36],
           [36, 36]])
    >>> bool((f.direct == f.two_pass).all()), f.multiplications
    (True, (9, 6))
    """
    arr = check_array(x, "x", (2,))
    col = check_array(column, "column", (1,))
    r = check_array(row, "row", (1,))
    kernel = np.outer(col, r)
    (top, bottom), (left, right) = resolve_padding(padding, arr.shape, kernel.shape)  # type: ignore[arg-type]
    col2d, row2d = col.reshape(-1, 1), r.reshape(1, -1)
    after_column = correlate2d(arr, col2d, padding=((top, bottom), (0, 0)))
    two_pass = correlate2d(after_column, row2d, padding=((0, 0), (left, right)))
    direct = correlate2d(arr, kernel, padding=((top, bottom), (left, right)))
    return SeparableFilter(kernel, col2d, row2d, after_column, two_pass, direct)


# ----------------------------------------------------------------------------- dense = conv


def dense_to_conv_weight(
    weight: npt.ArrayLike, input_shape: tuple[int, int, int]
) -> npt.NDArray[Any]:
    """A dense layer's weight on a flattened (C, H, W) block, as N convolution filters.

    Parameters
    ----------
    weight : array_like (N, C*H*W)
        ``torch.nn.Linear``'s layout: row ``n`` holds output ``n``'s weights, in the order
        ``flatten`` gives the (C, H, W) block (channel-major, then rows, then columns).
    input_shape : (C, H, W)

    Returns
    -------
    ndarray (N, C, H, W)
        ``weight.reshape(N, C, H, W)``: filter ``n`` is row ``n`` laid back on the block,
        so ``conv2d(block, filters)[n, 0, 0] == weight[n] @ block.ravel()``.

    Notes
    -----
    Keras keeps a Dense kernel as (H*W*C, N) and flattens (H, W, C) blocks channels-last;
    its filters are ``kernel.reshape(H, W, C, N).transpose(3, 2, 0, 1)``.

    Examples
    --------
    >>> dense_to_conv_weight(np.arange(8).reshape(2, 4), (1, 2, 2))[1]
    array([[[4, 5],
            [6, 7]]])
    """
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ArgumentError("bad_ndim", arg="input_shape", expected="(C, H, W)", shape=shape)
    features = shape[0] * shape[1] * shape[2]
    w = check_array(weight, "weight", (2,))
    if w.shape[1] != features:
        raise ArgumentError(
            "demo_dense_weight_shape", features=features, input_shape=shape, shape=w.shape
        )
    return w.reshape(w.shape[0], *shape)


def sliding_dense(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None,
    window: tuple[int, int],
) -> npt.NDArray[np.float64]:
    """The dense layer applied to every ``window`` of ``x`` (stride 1), one matrix product each.

    The brute-force way: crop, flatten, multiply. :func:`dense_as_convolution` compares it
    with one convolution.

    Parameters
    ----------
    x : array_like (C, H, W)
    weight : array_like (N, C*kh*kw)
    bias : array_like (N,) or None
    window : (kh, kw)

    Returns
    -------
    ndarray (N, H - kh + 1, W - kw + 1), float64

    Examples
    --------
    >>> sliding_dense(np.arange(9).reshape(1, 3, 3), np.ones((1, 4)), None, (2, 2))
    array([[[ 8., 12.],
            [20., 24.]]])
    """
    arr = check_array(x, "x", (3,))
    kh, kw = check_pair(window, "window")
    c, h, w = arr.shape
    dense_to_conv_weight(weight, (c, kh, kw))  # the shape check
    rows, cols = h - kh + 1, w - kw + 1
    if rows < 1 or cols < 1:
        raise ArgumentError("bad_ndim", arg="x", expected=f"(C, >={kh}, >={kw})", shape=arr.shape)
    out = np.empty((np.shape(weight)[0], rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[:, i, j] = linear(arr[:, i : i + kh, j : j + kw].ravel(), weight, bias)
    return out


@dataclass(frozen=True, eq=False)
class DenseAsConvolution:
    """One dense layer computed as a matrix product and as a convolution.

    Attributes
    ----------
    block : ndarray (C, k, k), int64
        The input the dense layer was made for.
    weight : ndarray (N, C*k*k), int64
        The dense weights (torch layout); ``bias`` : ndarray (N,), int64.
    conv_weight : ndarray (N, C, k, k)
        ``dense_to_conv_weight(weight, block.shape)``.
    dense_scores : ndarray (N,)
        ``weight @ block.ravel() + bias``.
    conv_scores : ndarray (N,)
        ``conv2d(block, conv_weight, bias)[:, 0, 0]``: equal to ``dense_scores``.
    large : ndarray (C, size, size), int64
        A larger input.
    score_map : ndarray (N, size - k + 1, size - k + 1)
        ``conv2d(large, conv_weight, bias)``: a map of class scores.
    window_scores : ndarray, same shape
        ``sliding_dense(large, weight, bias, (k, k))``: equal to ``score_map``.
    """

    block: npt.NDArray[np.int64]
    weight: npt.NDArray[np.int64]
    bias: npt.NDArray[np.int64]
    conv_weight: npt.NDArray[np.int64]
    dense_scores: npt.NDArray[np.float64]
    conv_scores: npt.NDArray[np.int64]
    large: npt.NDArray[np.int64]
    score_map: npt.NDArray[np.int64]
    window_scores: npt.NDArray[np.float64]


def dense_as_convolution(
    channels: int = 2, window: int = 7, classes: int = 3, size: int = 9, seed: int = 0
) -> DenseAsConvolution:
    """A dense layer on a ``window`` x ``window`` x C block, as a product and as a convolution.

    The dense layer flattens the block and multiplies by its (N, C·k·k) weight. Laying each
    row of that weight back on the block gives N filters of the block's size; a 'valid'
    convolution with them has one output cell per filter, the same N numbers. On a larger
    ``size`` x ``size`` input the same convolution slides: it gives an
    (N, size - k + 1, size - k + 1) map whose every cell is the dense layer applied to the
    window there (the "fully convolutional" reading of a classifier head, as in OverFeat
    and FCN).

    Parameters
    ----------
    channels, window, classes, size : int, optional
        C (default 2), k (7), N (3) and the larger input's side (9 -> a 3x3 score map).
    seed : int, optional
        The inputs and weights are small random integers (-3..3) from this seed, so every
        comparison is exact.

    Returns
    -------
    DenseAsConvolution

    Examples
    --------
    >>> d = dense_as_convolution()
    >>> d.block.shape, d.weight.shape, d.conv_weight.shape, d.score_map.shape
    ((2, 7, 7), (3, 98), (3, 2, 7, 7), (3, 3, 3))
    >>> bool((d.dense_scores == d.conv_scores).all())
    True
    >>> bool((d.score_map == d.window_scores).all())
    True
    """
    c = _int_range(channels, "channels", 1, 16)
    k = _int_range(window, "window", 1, 15)
    n = _int_range(classes, "classes", 1, 16)
    side = _int_range(size, "size", k, 64)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    block = rng.integers(-3, 4, (c, k, k))
    weight = rng.integers(-3, 4, (n, c * k * k))
    bias = rng.integers(-3, 4, n)
    large = rng.integers(-3, 4, (c, side, side))
    large[:, :k, :k] = block  # the top-left window is the block itself
    filters = dense_to_conv_weight(weight, (c, k, k))
    return DenseAsConvolution(
        block=block,
        weight=weight,
        bias=bias,
        conv_weight=filters,
        dense_scores=linear(block.ravel(), weight, bias),
        conv_scores=conv2d(block, filters, bias)[:, 0, 0],
        large=large,
        score_map=conv2d(large, filters, bias),
        window_scores=sliding_dense(large, weight, bias, (k, k)),
    )


# ------------------------------------------------------------- flattening loses the picture


@dataclass(frozen=True, eq=False)
class FlattenedShift:
    """An image and the same image moved by ``shift``, seen by a dense layer and by a
    convolution: the notes' opening argument for convolutional layers.

    Attributes
    ----------
    image, shifted : ndarray (H, W)
        The image and the image moved ``shift`` = (rows, cols) cells (zeros come in).
    vector, shifted_vector : ndarray (H*W,)
        Both flattened row by row, as a dense layer sees them.
    changed : int
        How many of the H*W vector entries differ between the two: a dense layer sees a
        different input, although the picture is the same.
    neighbour_gap : int
        How far apart a pixel and the one below it are in the vector (``W``): neighbours in
        the picture are not neighbours in the vector.
    kernel : ndarray (k, k)
    feature_map, shifted_map : ndarray
        ``correlate2d`` of each with ``kernel`` ('valid').
    maps_match : bool
        Whether the shifted image's map is the original map moved by ``shift``, compared
        away from the border (where the zeros that came in were not part of the picture).
    """

    image: npt.NDArray[Any]
    shifted: npt.NDArray[Any]
    vector: npt.NDArray[Any]
    shifted_vector: npt.NDArray[Any]
    changed: int
    neighbour_gap: int
    kernel: npt.NDArray[Any]
    feature_map: npt.NDArray[Any]
    shifted_map: npt.NDArray[Any]
    shift: tuple[int, int]
    maps_match: bool


def shift_image(image: npt.ArrayLike, shift: tuple[int, int]) -> npt.NDArray[Any]:
    """``image`` moved ``shift`` = (down, right) cells; negative moves up/left; zeros come in.

    >>> shift_image([[1, 2], [3, 4]], (0, 1)).tolist()
    [[0, 1], [0, 3]]
    >>> shift_image([[1, 2], [3, 4]], (-1, 0)).tolist()
    [[3, 4], [0, 0]]
    """
    arr = check_array(image, "image", (2,))
    dy, dx = (int(v) for v in shift)
    h, w = arr.shape
    out = np.zeros_like(arr)
    if abs(dy) < h and abs(dx) < w:
        out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = arr[
            max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
        ]
    return out


def flattened_shift(
    image: npt.ArrayLike, kernel: npt.ArrayLike, shift: tuple[int, int] = (0, 1)
) -> FlattenedShift:
    """What a one-pixel move does to a flattened image and to a feature map.

    Parameters
    ----------
    image : ndarray (H, W)
        For example the 28x28 digit of ``assets/samples/digit.png``.
    kernel : ndarray (k, k)
        Any filter (the page uses Sobel x).
    shift : (rows, cols), optional
        Default ``(0, 1)``: one pixel to the right.

    Returns
    -------
    FlattenedShift

    Notes
    -----
    A convolution commutes with a shift: with ``S`` the shift, ``conv(S x) = S conv(x)``
    wherever the window stays inside the picture. The flattened vector has no such
    structure: moving the picture by one column changes most of the entries that hold ink.

    Examples
    --------
    >>> img = np.zeros((6, 6), dtype=np.int64)
    >>> img[2, 1:4] = 9
    >>> f = flattened_shift(img, np.array([[1, 0, -1]] * 3))
    >>> f.changed, f.neighbour_gap, f.maps_match
    (2, 6, True)
    """
    img = check_array(image, "image", (2,))
    k = check_array(kernel, "kernel", (2,))
    shift = (int(shift[0]), int(shift[1]))
    moved = shift_image(img, shift)
    fmap = correlate2d(img, k)
    moved_map = correlate2d(moved, k)
    dy, dx = shift
    h, w = fmap.shape
    # Compare the maps where both the window and its shifted copy lie inside the picture.
    inner = (
        slice(max(dy, 0), h + min(dy, 0)),
        slice(max(dx, 0), w + min(dx, 0)),
    )
    expected = shift_image(fmap, shift)[inner]
    match = bool(expected.size > 0 and np.array_equal(moved_map[inner], expected))
    vector, moved_vector = img.ravel(), moved.ravel()
    return FlattenedShift(
        image=img,
        shifted=moved,
        vector=vector,
        shifted_vector=moved_vector,
        changed=int(np.count_nonzero(vector != moved_vector)),
        neighbour_gap=img.shape[1],
        kernel=k,
        feature_map=fmap,
        shifted_map=moved_map,
        shift=shift,
        maps_match=match,
    )
