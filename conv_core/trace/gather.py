"""Traces of correlation and convolution (1D, 2D, channels): every window gathered at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import (
    Pair,
    check_array,
    check_pair,
    result_dtype,
)
from ..conv import parse_conv2d_args, parse_correlate1d_args, parse_correlate2d_args
from ..errors import ArgumentError
from ..padding import _pad_resolved
from ..shapes import (
    Padding2D,
    PaddingSpec,
    conv_output_size_detail,
    resolve_padding,
)
from .checks import MAX_STEPS, MAX_TERMS, _check_steps
from .records import ConvTrace

# --------------------------------------------------------------------------- gather core


def _source_index(n: int, pads: tuple[int, int], mode: str) -> npt.NDArray[np.int64]:
    """Which input index each padded position copies (-1 for zero padding).

    Padding the indices themselves with the same mode gives the answer for every
    mode at once, including reflections and wrap-arounds wider than the input.
    """
    col = np.arange(n, dtype=np.int64).reshape(n, 1)
    if mode == "zeros":
        return _pad_resolved(col + 1, (pads, (0, 0)), "zeros").ravel() - 1
    return _pad_resolved(col, (pads, (0, 0)), mode).ravel()


def _sequential_sum(parts: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Sum along axis 0, strictly in order (``((p0 + p1) + p2) + …``) for reproducible floats."""
    acc = parts[0].copy()
    for row in parts[1:]:
        acc += row
    return acc


def _windows(
    arr: npt.NDArray[Any],
    out_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> npt.NDArray[Any]:
    """Every window of ``arr[..., H, W]`` at once: a read-only view ``(..., OH, OW, KH, KW)``."""
    s_h, s_w = arr.strides[-2:]
    shape = (*arr.shape[:-2], *out_hw, *kernel_hw)
    strides = (
        *arr.strides[:-2],
        stride[0] * s_h,
        stride[1] * s_w,
        dilation[0] * s_h,
        dilation[1] * s_w,
    )
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)


def _gather(
    op: str,
    layout: str,
    x: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    bias: npt.NDArray[Any] | None,
    *,
    stride: tuple[int, int],
    pads: Padding2D,
    dilation: tuple[int, int],
    groups: int,
    padding_mode: str,
    config: dict[str, Any],
    max_steps: int,
    max_terms: int,
) -> ConvTrace:
    """The one core of every gather trace: x ``(C_in, H, W)``, weight ``(C_out, Cg, KH, KW)``."""
    _, n_h, n_w = x.shape
    c_out, c_g, k_h, k_w = weight.shape
    if padding_mode == "reflect":
        # Checked before the size, in conv_core.conv's order (its key and message).
        for axis, n, pad in (("rows", n_h, pads[0]), ("columns", n_w, pads[1])):
            if max(pad) >= n and max(pad) > 0:
                raise ArgumentError("reflect_pad_too_large", pad=max(pad), size=n, axis=axis)
    rows = conv_output_size_detail(n_h, k_h, stride[0], pads[0], dilation[0])
    cols = conv_output_size_detail(n_w, k_w, stride[1], pads[1], dilation[1])
    taps = c_g * k_h * k_w
    n_steps = _check_steps((c_out, rows.size, cols.size), taps, max_steps, max_terms)

    dtype = result_dtype(x, weight, bias)
    x = x.astype(dtype, copy=False)
    weight = weight.astype(dtype, copy=False)
    if bias is not None:
        bias = bias.astype(dtype, copy=False)
    padded = np.ascontiguousarray(_pad_resolved(x, pads, padding_mode))
    (top, _), (left, _) = pads
    pad_mask = np.ones(padded.shape[1:], dtype=bool)
    pad_mask[top : top + n_h, left : left + n_w] = False

    # Output channel c reads input channels in_channels[c] (its group).
    in_channels = (np.arange(c_out) // (c_out // groups))[:, None] * c_g + np.arange(c_g)
    win = _windows(padded, (rows.size, cols.size), (k_h, k_w), stride, dilation)
    # (C_out, Cg, OH, OW, KH, KW) -> tap-major (Cg, KH, KW, C_out, OH, OW) -> (T, N)
    products = win[in_channels] * weight[:, :, None, None, :, :]
    products = np.ascontiguousarray(products.transpose(1, 4, 5, 0, 2, 3)).reshape(taps, n_steps)
    sums = _sequential_sum(products)
    if c_g == 1:
        channel_sums = sums.reshape(1, n_steps)
    else:
        per_channel = products.reshape(c_g, k_h * k_w, n_steps)
        channel_sums = np.stack([_sequential_sum(p) for p in per_channel])
    values = sums if bias is None else sums + np.repeat(bias, rows.size * cols.size)
    return ConvTrace(
        op=op,
        layout=layout,
        config=config,
        rows=rows,
        cols=cols,
        n_steps=n_steps,
        _x=x,
        _padded=padded,
        _pad_mask=pad_mask,
        _source_rows=_source_index(n_h, pads[0], padding_mode),
        _source_cols=_source_index(n_w, pads[1], padding_mode),
        _kernel=weight,
        _bias=bias,
        _in_channels=in_channels,
        _products=products,
        _channel_sums=channel_sums,
        _sums=sums,
        _output=values.reshape(c_out, rows.size, cols.size),
    )


def _single_channel_2d(
    op: str,
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Pair,
    padding: PaddingSpec,
    dilation: Pair,
    padding_mode: str,
    bias: float | None,
    flip: bool,
    max_steps: int,
    max_terms: int,
) -> ConvTrace:
    arr, k, s, pads, d, mode = parse_correlate2d_args(
        x, kernel, stride, padding, dilation, padding_mode
    )
    b = None if bias is None else check_array(bias, "bias", (0,)).reshape(1)
    applied = k[::-1, ::-1] if flip else k  # true convolution: the kernel turned 180 degrees
    config = {"stride": s, "padding": pads, "dilation": d, "padding_mode": mode, "flipped": flip}
    return _gather(
        op, "2d", arr[None], applied[None, None], b, stride=s, pads=pads, dilation=d, groups=1,
        padding_mode=mode, config=config, max_steps=max_steps, max_terms=max_terms,
    )  # fmt: skip


def trace_correlate2d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    bias: float | None = None,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> ConvTrace:
    """Trace a 2D cross-correlation (what CNN layers compute), step by step.

    Parameters
    ----------
    x : array_like of shape (H, W)
        The input grid (0-255 units, as in the lecture).
    kernel : array_like of shape (KH, KW)
        Applied as given (no flip).
    stride, dilation : int or (rows, cols), optional
        Default 1.
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}, optional
        Default 0; see :func:`conv_core.shapes.resolve_padding`.
    padding_mode : {'zeros', 'replicate', 'reflect', 'symmetric', 'circular'}, optional
        What fills the padding (default 'zeros'), as :func:`conv_core.conv.correlate2d`.
    bias : number or None, optional
        Added to every output value (the lecture's "+ b"). Default None: no bias.
    max_steps, max_terms : int, optional
        Refuse traces with more steps (default :data:`MAX_STEPS`, a 64x64 output) or
        more products (default :data:`MAX_TERMS`), so a page cannot hang.

    Returns
    -------
    ConvTrace
        ``len(trace)`` steps; ``trace.step(i)`` is a :class:`Step`; ``trace.output`` of
        shape (OH, OW) is ``correlate2d``'s output (plus ``bias``).

    Raises
    ------
    ArgumentError
        What :func:`conv_core.conv.correlate2d` refuses (bad arrays, stride, padding,
        mode, an empty output), or a trace beyond ``max_steps``/``max_terms``.

    See Also
    --------
    trace_convolve2d : the same with the kernel flipped.
    format_step : a step as the lecture writes it.
    to_compact : the JSON-ready form for the browser.

    Notes
    -----
    Step ``(r, c)`` computes
    ``out[r, c] = sum_{a,b} padded[r*sr + a*dr, c*sc + b*dc] * kernel[a, b] + bias``.

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> t = trace_correlate2d([[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[1, 0], [0, -1]], bias=10)
    >>> t.output
    array([[10, 9],
           [10, 10]])
    >>> s = t.step(1)
    >>> s.out_index, s.patch.tolist(), s.products.tolist(), s.total, s.value
    ((0, 0, 1), [[2, 0], [1, 3]], [[2, 0], [0, -3]], -1, 9)
    >>> print(format_step(s))
    (2×1) + (0×0) + (1×0) + (3×(-1)) = -1; -1 + 10 = 9
    """
    return _single_channel_2d(
        "correlate2d", x, kernel, stride, padding, dilation, padding_mode, bias, False,
        max_steps, max_terms,
    )  # fmt: skip


def trace_convolve2d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    bias: float | None = None,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> ConvTrace:
    """Trace a true 2D convolution: the kernel is flipped, then slid as in correlation.

    Parameters and return value as :func:`trace_correlate2d`; each step's
    ``kernel_applied`` is ``kernel[::-1, ::-1]``.

    Returns
    -------
    ConvTrace

    Raises
    ------
    ArgumentError
        As :func:`trace_correlate2d`.

    See Also
    --------
    trace_correlate2d, conv_core.conv.convolve2d

    Notes
    -----
    ``out[r, c] = sum_{a,b} padded[r*sr + a*dr, c*sc + b*dc] * kernel[KH-1-a, KW-1-b]``.

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> t = trace_convolve2d([[1, 2], [3, 4]], [[1, 0], [0, 2]])
    >>> t.kernel_applied
    array([[2, 0],
           [0, 1]])
    >>> print(format_step(t.step(0)))
    (1×2) + (2×0) + (3×0) + (4×1) = 6
    """
    return _single_channel_2d(
        "convolve2d", x, kernel, stride, padding, dilation, padding_mode, bias, True,
        max_steps, max_terms,
    )  # fmt: skip


def trace_conv2d(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> ConvTrace:
    """Trace a convolution layer (PyTorch's ``conv2d``): channels, groups, bias.

    Parameters
    ----------
    x : array_like of shape (C_in, H, W) or (H, W)
        The input; ``(H, W)`` is one channel.
    weight : array_like of shape (C_out, C_in/groups, KH, KW), or (KH, KW) for an (H, W) input
        The kernels, applied as given (cross-correlation, as in PyTorch).
    bias : array_like of shape (C_out,) or None, optional
        One bias per output channel (a single number for an (H, W) input).
    stride, dilation : int or (rows, cols), optional
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}, optional
    groups : int, optional
        Input and output channels are split into ``groups`` blocks; output channel ``c``
        reads only the input channels of its block.
    padding_mode : {'zeros', 'replicate', 'reflect', 'symmetric', 'circular'}, optional
    max_steps, max_terms : int, optional
        As :func:`trace_correlate2d`.

    Returns
    -------
    ConvTrace
        Steps channel-major, then row-major: step ``i`` is output cell
        ``(c, r, q)`` with ``i = (c*OH + r)*OW + q``; each step has the per-channel
        partial sums (``channel_sums``). ``trace.output`` is shaped as ``conv2d``'s:
        (C_out, OH, OW), or (OH, OW) for an (H, W) input.

    Raises
    ------
    ArgumentError
        What :func:`conv_core.conv.conv2d` refuses (its checks, its messages), or a
        trace beyond ``max_steps``/``max_terms``.

    See Also
    --------
    conv_core.conv.conv2d, trace_correlate2d, format_step

    Notes
    -----
    ``out[c, r, q] = sum_{k in group(c)} sum_{a,b} padded[k, r*sr + a*dr, q*sc + b*dc]
    * weight[c, k - first(c), a, b] + bias[c]``: one partial sum per input channel, then
    their sum and the bias.

    Examples
    --------
    The lecture's RGB example, first output cell (padding 1):

    >>> from conv_core.trace import format_step
    >>> red = [[156, 155], [153, 154]]
    >>> green = [[167, 166], [164, 165]]
    >>> blue = [[163, 162], [160, 161]]
    >>> w = [[[[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
    ...       [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
    ...       [[0, 1, 1], [0, 1, 0], [1, -1, 1]]]]
    >>> t = trace_conv2d([red, green, blue], w, bias=[1], padding=1)
    >>> s = t.step(0)
    >>> s.channel_sums.tolist(), s.total, s.bias, s.value
    ([308, -498, 164], -26, 1, -25)
    >>> print(format_step(s).splitlines()[-1])
    308 + (-498) + 164 + 1 = -25
    """
    # conv2d's own parser, so both refuse the same things the same way.
    arr, w, b, groups, mode, single = parse_conv2d_args(x, weight, bias, groups, padding_mode)
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    pads = resolve_padding(padding, arr.shape[1:], w.shape[2:], s, d)
    config = {"stride": s, "padding": pads, "dilation": d, "groups": groups, "padding_mode": mode}
    return _gather(
        "conv2d", "2d" if single else "multi", arr, w, b, stride=s, pads=pads, dilation=d,
        groups=groups, padding_mode=mode, config=config, max_steps=max_steps, max_terms=max_terms,
    )  # fmt: skip


def _single_channel_1d(
    op: str,
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: int,
    padding: int | tuple[int, int] | str,
    dilation: int,
    padding_mode: str,
    bias: float | None,
    flip: bool,
    max_steps: int,
    max_terms: int,
) -> ConvTrace:
    arr, k, s, pads_1d, d, mode = parse_correlate1d_args(
        x, kernel, stride, padding, dilation, padding_mode
    )
    b = None if bias is None else check_array(bias, "bias", (0,)).reshape(1)
    # A 1D signal is a 1-row grid: rows get no padding, stride or dilation.
    pads: Padding2D = ((0, 0), pads_1d)
    applied = k[::-1] if flip else k
    config = {
        "stride": (1, s),
        "padding": pads,
        "dilation": (1, d),
        "padding_mode": mode,
        "flipped": flip,
    }
    return _gather(
        op, "1d", arr.reshape(1, 1, -1), applied.reshape(1, 1, 1, -1), b, stride=(1, s),
        pads=pads, dilation=(1, d), groups=1, padding_mode=mode, config=config,
        max_steps=max_steps, max_terms=max_terms,
    )  # fmt: skip


def trace_correlate1d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    bias: float | None = None,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> ConvTrace:
    """Trace a 1D cross-correlation.

    Parameters
    ----------
    x : array_like of shape (W,)
    kernel : array_like of shape (K,)
    stride, dilation : int, optional
    padding : int, (before, after), {'valid', 'same', 'full'}, optional
    padding_mode, bias, max_steps, max_terms
        As :func:`trace_correlate2d`.

    Returns
    -------
    ConvTrace
        Steps are output cells ``(0, 0, q)``; ``patch``, ``products`` have shape (K,),
        ``trace.output`` shape (OW,). In the compact form the grids have one row.

    Raises
    ------
    ArgumentError
        What :func:`conv_core.conv.correlate1d` refuses, or too many steps.

    See Also
    --------
    trace_convolve1d, conv_core.conv.correlate1d

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> t = trace_correlate1d([1, 2, 3, 4, 5], [1, 0, -1], stride=2)
    >>> t.output
    array([-2, -2])
    >>> print(format_step(t.step(1)))
    (3×1) + (4×0) + (5×(-1)) = -2
    """
    return _single_channel_1d(
        "correlate1d", x, kernel, stride, padding, dilation, padding_mode, bias, False,
        max_steps, max_terms,
    )  # fmt: skip


def trace_convolve1d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    bias: float | None = None,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> ConvTrace:
    """Trace a true 1D convolution (the kernel reversed).

    Parameters and return value as :func:`trace_correlate1d`.

    Returns
    -------
    ConvTrace

    Raises
    ------
    ArgumentError
        As :func:`trace_correlate1d`.

    See Also
    --------
    trace_correlate1d, conv_core.conv.convolve1d

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> t = trace_convolve1d([1, 2, 3], [1, 2], padding="full")
    >>> t.kernel_applied, t.output
    (array([2, 1]), array([1, 4, 7, 6]))
    >>> print(format_step(t.step(0)))
    (0×2) + (1×1) = 1
    """
    return _single_channel_1d(
        "convolve1d", x, kernel, stride, padding, dilation, padding_mode, bias, True,
        max_steps, max_terms,
    )  # fmt: skip
