"""Traces of max and average pooling: the winner, or the sum and its divisor."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import (
    Pair,
    check_array,
    float_result_dtype,
)
from ..padding import _pad_resolved
from ..pooling import _check_pool_args
from ..shapes import (
    PaddingSpec,
    conv_output_size_detail,
)
from .checks import _BEYOND, _INPUT, _PADDING, MAX_STEPS, MAX_TERMS, _check_steps
from .gather import _sequential_sum, _windows
from .records import PoolTrace

# --------------------------------------------------------------------------- pooling


def trace_pool2d(
    x: npt.ArrayLike,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: PaddingSpec = 0,
    method: str = "max",
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    dilation: Pair = 1,
    *,
    max_steps: int = MAX_STEPS,
) -> PoolTrace:
    """Trace a max or average pooling layer, step by step (PyTorch's rules).

    Parameters
    ----------
    x : array_like of shape (H, W) or (C, H, W)
    kernel_size : int or (rows, cols)
    stride : int, (rows, cols) or None, optional
        Default ``kernel_size`` (non-overlapping windows).
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}, optional
        At most ``kernel_size // 2`` per side (PyTorch's limit). Max pooling ignores the
        padding (PyTorch pads with -inf); average pooling counts it as zeros when
        ``count_include_pad``.
    method : {'max', 'avg'}, optional
    ceil_mode : bool, optional
        Round the output size up: a last window may run off the padded input
        (cells marked 2 in ``mask``), but only if it starts inside it.
    count_include_pad : bool, optional
        avg: divide by the window's cells inside the padded input (True, default) or
        by its input cells only.
    dilation : int or (rows, cols), optional
        Max pooling only, as in PyTorch.
    max_steps : int, optional
        As :func:`trace_correlate2d`.

    Returns
    -------
    PoolTrace
        ``trace.step(i)`` is a :class:`PoolStep`: the window, for max the winner's
        position, for avg the sum and the divisor. ``trace.output`` equals
        :func:`conv_core.pooling.pool2d`'s.

    Raises
    ------
    ArgumentError
        Whatever :func:`conv_core.pooling.pool2d` refuses (its own checks and messages),
        or too many steps.

    See Also
    --------
    conv_core.pooling.pool2d, format_step

    Notes
    -----
    max: ``out = max`` of the window's input cells. avg: ``out = sum / divisor`` where
    the sum runs over the window (padding counts as 0) and, as PyTorch counts,
    ``divisor`` is the number of window cells inside the padded input
    (``count_include_pad=True``) or inside the input (``False``).

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> x = [[3, -1, 0, 2], [-3, 1, 5, 1]]
    >>> t = trace_pool2d(x, 2)
    >>> t.output
    array([[3, 5]])
    >>> print(format_step(t.step(0)))
    max(3, -1, -3, 1) = 3
    >>> print(format_step(trace_pool2d(x, 2, method="avg").step(0)))
    (3 + (-1) + (-3) + 1) / 4 = 0
    """
    arr = check_array(x, "x", (2, 3))
    layout = "2d" if arr.ndim == 2 else "multi"
    if arr.ndim == 2:
        arr = arr[None]
    # The same checks as pool2d (its own validator: one rule, one message).
    c_n, n_h, n_w = arr.shape
    args = _check_pool_args(
        (n_h, n_w), kernel_size, stride, padding, method, ceil_mode, count_include_pad, dilation
    )
    method, count_include_pad = args.method, args.count_include_pad
    g = args.geometry
    k, s, d, pads, (oh, ow) = g.k, g.s, g.d, g.pads, g.out_hw
    rows = conv_output_size_detail(n_h, k[0], s[0], pads[0], d[0])
    cols = conv_output_size_detail(n_w, k[1], s[1], pads[1], d[1])
    taps = k[0] * k[1]
    n_steps = _check_steps((c_n, oh, ow), taps, max_steps, MAX_TERMS)

    # ceil_mode's last window may run past the padding: extend the grid so every window
    # is a plain slice, and mark those cells 2 ("beyond").
    extra_h = max((oh - 1) * s[0] + rows.span - rows.padded, 0)
    extra_w = max((ow - 1) * s[1] + cols.span - cols.padded, 0)
    (top, bottom), (left, right) = pads
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.int64, copy=False)
    grid_pads = ((top, bottom + extra_h), (left, right + extra_w))
    padded = np.ascontiguousarray(_pad_resolved(arr, grid_pads, "zeros"))
    mask = np.full(padded.shape[1:], _BEYOND, dtype=np.int8)
    mask[: top + n_h + bottom, : left + n_w + right] = _PADDING
    mask[top : top + n_h, left : left + n_w] = _INPUT

    win = _windows(padded, (oh, ow), k, s, d)  # (C, OH, OW, KH, KW)
    mwin = _windows(mask, (oh, ow), k, s, d)  # (OH, OW, KH, KW)
    winners = sums = divisors = None
    if method == "max":
        # Padding never wins (PyTorch pads with -inf); every window holds an input cell
        # (checked above), and argmax returns the first maximum in row-major order.
        low = np.iinfo(np.int64).min if arr.dtype == np.int64 else -np.inf
        masked = np.where(mwin == _INPUT, win, low).reshape(c_n, oh * ow, taps)
        winners = masked.argmax(axis=-1)
        values = np.take_along_axis(masked, winners[..., None], axis=-1)[..., 0]
        winners = winners.reshape(-1)
    else:
        dtype = float_result_dtype(arr)
        # pool2d's order: down each window column first, then across the columns.
        col_sums = _sequential_sum(np.moveaxis(win.astype(dtype), -2, 0))  # (C, OH, OW, KW)
        sums = _sequential_sum(np.moveaxis(col_sums, -1, 0)).reshape(c_n, oh * ow)
        counted = mwin != _BEYOND if count_include_pad else mwin == _INPUT
        div = counted.sum(axis=(-2, -1)).reshape(-1)  # PyTorch's count, never 0 here
        values = sums / div.astype(dtype)
        divisors = np.broadcast_to(div, sums.shape).reshape(-1).astype(np.int64)
        sums = sums.reshape(-1)
    config = {
        "method": method,
        "kernel_size": k,
        "stride": s,
        "padding": pads,
        "dilation": d,
        "ceil_mode": ceil_mode,
        "count_include_pad": count_include_pad,
    }
    return PoolTrace(
        op="pool2d",
        layout=layout,
        config=config,
        rows=rows,
        cols=cols,
        n_steps=n_steps,
        _x=arr,
        _padded=padded,
        _mask=mask,
        _winners=winners,
        _sums=sums,
        _divisors=divisors,
        _output=np.asarray(values).reshape(c_n, oh, ow),
    )
