"""Max and average pooling, as ``torch.nn.functional.max_pool2d`` / ``avg_pool2d``.

A pooling window slides over the input like a convolution kernel, but instead of
a weighted sum it keeps the largest value (max pooling) or the mean (average
pooling) of the cells under it. With the default ``stride = kernel_size`` the
windows do not overlap, and a 2x2 pool halves the height and the width.

The output size comes from :func:`conv_core.shapes.pool_output_size` (PyTorch's
rule, including ``ceil_mode``); this module never recomputes it.

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from ._checks import Pair, check_array, check_choice, check_pair, float_result_dtype
from .errors import ArgumentError, register_messages
from .shapes import Padding2D, PaddingSpec, pool_output_size, resolve_padding

__all__ = ["POOL_METHODS", "global_avg_pool", "pool2d"]

register_messages(
    {
        "pool_pad_too_large": (
            "padding must be at most half of kernel_size on each side (PyTorch's rule "
            "pad <= kernel_size // 2), but got padding={value!r}: the {side} pad is {pad} "
            "and kernel_size // 2 = {kernel_size} // 2 = {limit}"
        ),
        "pool_avg_dilation": (
            "dilation is only supported for method='max' (PyTorch's avg_pool2d has none), "
            "but got dilation={value!r} with method='avg'"
        ),
        "pool_indices_need_max": (
            "return_indices=True needs method='max' (an average has no winning cell), "
            "but got method={method!r}"
        ),
        "pool_window_in_padding": (
            "the window of output {axis} {index} covers only padding: with "
            "kernel_size={kernel_size}, dilation={dilation} and {before} padding before, "
            "its taps fall on input {axis} "
            "{taps}, all outside 0..{last}; use less padding or a smaller dilation"
        ),
        "pool_not_bool": "{arg} must be True or False, but got {arg}={value!r}",
    }
)

#: The pooling methods: the largest value in each window, or the mean.
POOL_METHODS = ("max", "avg")

# Row strips of about this many bytes keep the one-row-reduced buffer in L2 cache,
# so the second (column) pass reads it from cache instead of memory.
_STRIP_BYTES = 1 << 20


def pool2d(
    x: npt.ArrayLike,
    kernel_size: Pair,
    stride: Pair | None = None,
    padding: PaddingSpec = 0,
    method: Literal["max", "avg"] = "max",
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    dilation: Pair = 1,
    return_indices: bool = False,
) -> npt.NDArray[Any] | tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    r"""Max or average pooling of an (H, W) or (C, H, W) array, channel by channel.

    Parameters
    ----------
    x : ndarray of shape (H, W) or (C, H, W)
        Integer or float, finite.
    kernel_size : int or (rows, cols)
        The window size.
    stride : int or (rows, cols) or None, optional
        The step between windows; default ``kernel_size`` (non-overlapping windows).
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}, optional
        Default 0; see :func:`conv_core.shapes.resolve_padding`. Each side must be at most
        ``kernel_size // 2`` (PyTorch's limit). Max pooling pads with -inf (a padded cell
        never wins); average pooling pads with 0.
    method : {'max', 'avg'}, optional
        'max' keeps the largest value of each window (default), 'avg' the mean.
    ceil_mode : bool, optional
        Round the output size up, so a last, partial window at the bottom/right is kept
        (default False).
    count_include_pad : bool, optional
        For 'avg': whether padded cells count in the divisor (default True, as PyTorch).
    dilation : int or (rows, cols), optional
        Spacing between the window's taps; 'max' only (default 1).
    return_indices : bool, optional
        For 'max': also return where each window's maximum is (default False).

    Returns
    -------
    values : ndarray of shape (H_out, W_out) or (C, H_out, W_out)
        'max' keeps the dtype of ``x``; 'avg' gives float32 for float32 input, else float64.
    indices : ndarray of shape values.shape + (2,) and dtype int64
        Only with ``return_indices=True``: the ``(row, col)`` of each window's maximum
        in the unpadded input, the first in row-major order when several cells tie, so
        ``values[..., i, j] == x[..., indices[i, j, 0], indices[i, j, 1]]``.

    Raises
    ------
    ArgumentError
        Non-positive ``kernel_size``/``stride``/``dilation``, an unknown ``method``, a pad
        larger than ``kernel_size // 2``, ``dilation`` or ``return_indices`` with 'avg',
        a kernel larger than the padded input, NaN or infinite input, or a dilated window
        whose taps all fall in the padding (PyTorch would return -inf there).

    See Also
    --------
    conv_core.shapes.pool_output_size : the output size along one axis.
    global_avg_pool : one mean per channel.

    Notes
    -----
    Along each axis, with ``before``/``after`` padding::

        out = floor_or_ceil((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1

    With ``ceil_mode=True`` a last window may run past the bottom/right padding, but only
    if it starts inside the input or the top/left padding. PyTorch's average then divides
    by ``(hend - hstart) * (wend - wstart)`` with ``hend = min(hstart + kernel_size,
    H + after)``: the window clipped to the padded input, but not to the real input
    (``count_include_pad=False`` divides by the number of real cells instead). For
    asymmetric padding ``H + after`` generalizes PyTorch's ``H + padding``.

    Two deliberate differences from PyTorch: ``indices`` are ``(row, col)`` pairs rather
    than flat offsets ``row*W + col``; and a dilated window whose taps all fall in the
    padding is an error here, where PyTorch would output -inf (integers have no -inf).

    Pooling is computed separably: the maximum (or sum) over a window is the maximum over
    its columns of the maximum over its rows, so a K x K window costs K + K passes over
    strided slices instead of K * K.

    Examples
    --------
    The lecture's 4x4 grid, pooled 2x2 with stride 2; the top-left window holds
    3, -1, -3, 1, so its maximum is 3 and its mean (3 - 1 - 3 + 1) / 4 = 0:

    >>> x = np.array([[3, -1, 12, -1],
    ...               [-3, 1, 0, 1],
    ...               [2, -3, 0, 1],
    ...               [3, -2, 4, -1]])
    >>> pool2d(x, 2)
    array([[ 3, 12],
           [ 3,  4]])
    >>> pool2d(x, 2, method="avg")
    array([[0., 3.],
           [0., 1.]])
    >>> values, indices = pool2d(x, 2, return_indices=True)
    >>> indices[1, 1].tolist()
    [3, 2]

    Overlapping 3x3 windows with stride 1 and 'same' padding (max pads with -inf):

    >>> pool2d(np.arange(9).reshape(3, 3), 3, stride=1, padding="same")
    array([[4, 5, 5],
           [7, 8, 8],
           [7, 8, 8]])
    """
    arr = check_array(x, "x", (2, 3))
    args = _check_pool_args(
        arr.shape[-2:], kernel_size, stride, padding, method, ceil_mode, count_include_pad,
        dilation, return_indices,
    )  # fmt: skip
    method, count_include_pad, geometry = args.method, args.count_include_pad, args.geometry
    if method == "max":
        values = _max_pool(arr, geometry)
        if args.return_indices:
            return values, _argmax_indices(arr, values, geometry)
        return values
    return _avg_pool(arr, geometry, count_include_pad)


def global_avg_pool(x: npt.ArrayLike) -> npt.NDArray[np.floating[Any]]:
    """The mean of each channel: global average pooling.

    Parameters
    ----------
    x : ndarray of shape (C, H, W) or (H, W)
        Integer or float, finite.

    Returns
    -------
    ndarray of shape (C,) or ()
        One mean per channel; for an (H, W) input a 0-d array (shape ``()``).
        float32 for float32 input, else float64.

    Raises
    ------
    ArgumentError
        A wrong number of dimensions, an empty array, NaN or infinite values.

    See Also
    --------
    pool2d : with ``kernel_size = (H, W)`` and ``method='avg'`` gives the same means.

    Notes
    -----
    Equal to ``torch.nn.functional.adaptive_avg_pool2d(x, 1)`` with the two trailing
    size-1 axes dropped; it replaces the flatten-and-dense head of many CNNs.

    Examples
    --------
    >>> global_avg_pool(np.array([[[1, 2], [3, 4]], [[0, 0], [0, 8]]]))
    array([2.5, 2. ])
    >>> global_avg_pool(np.array([[1, 2], [3, 4]]))
    array(2.5)
    """
    arr = check_array(x, "x", (2, 3))
    dtype = float_result_dtype(arr)
    return np.asarray(arr.mean(axis=(-2, -1), dtype=dtype), dtype=dtype)


# ---------------------------------------------------------------------------------------
# checks


def _check_bool(value: Any, arg_name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError("pool_not_bool", arg=arg_name, value=value)
    return bool(value)


def _check_pool_padding(spec: Any, pads: Padding2D, k: tuple[int, int]) -> None:
    """PyTorch's ``pad <= kernel_size // 2``, applied to each of the four sides."""
    sides = (("top", "bottom"), ("left", "right"))
    for axis in (0, 1):
        limit = k[axis] // 2
        for pad, side in zip(pads[axis], sides[axis], strict=True):
            if pad > limit:
                raise ArgumentError(
                    "pool_pad_too_large",
                    value=spec,
                    side=side,
                    pad=pad,
                    kernel_size=k[axis],
                    limit=limit,
                )


def _check_window_has_input(
    axis: int, n: int, k: int, s: int, d: int, before: int, out: int
) -> None:
    """Raise when a dilated window's taps along ``axis`` all land in padding."""
    if d == 1:
        return  # contiguous windows within PyTorch's pad limit always reach the input
    taps = np.arange(out)[:, None] * s + np.arange(k)[None, :] * d - before
    empty = ~np.any((taps >= 0) & (taps < n), axis=1)
    if np.any(empty):
        index = int(np.argmax(empty))
        raise ArgumentError(
            "pool_window_in_padding",
            axis=("row", "column")[axis],
            index=index,
            kernel_size=k,
            dilation=d,
            before=before,
            taps=tuple(int(t) for t in taps[index]),
            last=n - 1,
        )


# ---------------------------------------------------------------------------------------
# the computation


class _Geometry:
    """Window placement along both axes, shared by max, avg and the indices."""

    def __init__(
        self,
        hw: tuple[int, int],
        k: tuple[int, int],
        s: tuple[int, int],
        d: tuple[int, int],
        pads: Padding2D,
        out_hw: tuple[int, int],
    ) -> None:
        self.hw, self.k, self.s, self.d, self.pads, self.out_hw = hw, k, s, d, pads, out_hw
        # With ceil_mode the last window may run past the bottom/right padding: pad a
        # little more (the same fill) so every tap is an ordinary array element.
        self.extra = tuple(
            max((out_hw[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 - (hw[a] + sum(pads[a])), 0)
            for a in (0, 1)
        )

    def padded(self, arr: npt.NDArray[Any], fill: Any) -> npt.NDArray[Any]:
        (top, bottom), (left, right) = self.pads
        bottom += self.extra[0]
        right += self.extra[1]
        if top == bottom == left == right == 0:
            return arr  # no copy: the common unpadded case reads x directly
        out = np.full(
            (*arr.shape[:-2], arr.shape[-2] + top + bottom, arr.shape[-1] + left + right),
            fill,
            dtype=arr.dtype,
        )
        out[..., top : top + arr.shape[-2], left : left + arr.shape[-1]] = arr
        return out

    def tap_slice(self, axis: int, tap: int, start: int = 0, stop: int | None = None) -> slice:
        """The padded-input positions of ``tap`` for outputs ``start:stop`` along ``axis``."""
        stop = self.out_hw[axis] if stop is None else stop
        first = start * self.s[axis] + tap * self.d[axis]
        return slice(first, first + (stop - start - 1) * self.s[axis] + 1, self.s[axis])


class _PoolArgs(NamedTuple):
    """pool2d's arguments, checked, with the window geometry they imply."""

    method: str
    ceil_mode: bool
    count_include_pad: bool
    return_indices: bool
    geometry: _Geometry


def _check_pool_args(
    hw: tuple[int, ...],
    kernel_size: Any,
    stride: Any,
    padding: Any,
    method: Any,
    ceil_mode: Any,
    count_include_pad: Any,
    dilation: Any,
    return_indices: Any = False,
) -> _PoolArgs:
    """Every check pool2d makes on its arguments (one rule, one message; the trace reuses it)."""
    method = check_choice(method, "method", POOL_METHODS)
    ceil_mode = _check_bool(ceil_mode, "ceil_mode")
    count_include_pad = _check_bool(count_include_pad, "count_include_pad")
    return_indices = _check_bool(return_indices, "return_indices")
    k = check_pair(kernel_size, "kernel_size")
    s = k if stride is None else check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    if method == "avg" and d != (1, 1):
        raise ArgumentError("pool_avg_dilation", value=dilation)
    if method == "avg" and return_indices:
        raise ArgumentError("pool_indices_need_max", method=method)
    n_h, n_w = hw
    pads = resolve_padding(padding, (n_h, n_w), k, s, d)
    _check_pool_padding(padding, pads, k)
    out_hw = (
        pool_output_size(n_h, k[0], s[0], pads[0], d[0], ceil_mode),
        pool_output_size(n_w, k[1], s[1], pads[1], d[1], ceil_mode),
    )
    if method == "max":
        for axis in (0, 1):
            _check_window_has_input(
                axis, hw[axis], k[axis], s[axis], d[axis], pads[axis][0], out_hw[axis]
            )
    geometry = _Geometry((n_h, n_w), k, s, d, pads, out_hw)
    return _PoolArgs(method, ceil_mode, count_include_pad, return_indices, geometry)


def _reduce_separable(
    xp: npt.NDArray[Any], g: _Geometry, ufunc: np.ufunc, dtype: np.dtype[Any]
) -> npt.NDArray[Any]:
    """Apply ``ufunc`` (maximum or add) over each window: rows first, then columns.

    Works in strips of output rows so the row-reduced buffer stays in cache; every
    result is written into preallocated arrays (no full-size temporaries).
    """
    (oh, ow), (kh, kw) = g.out_hw, g.k
    lead = xp.shape[:-2]
    out = np.empty((*lead, oh, ow), dtype=dtype)
    wp = xp.shape[-1]
    rows = max(1, _STRIP_BYTES // max(1, int(np.prod(lead, dtype=np.int64)) * wp * dtype.itemsize))
    buf_full = np.empty((*lead, min(rows, oh), wp), dtype=dtype)
    cols = [g.tap_slice(1, b) for b in range(kw)]
    for r0 in range(0, oh, rows):
        r1 = min(r0 + rows, oh)
        buf = buf_full[..., : r1 - r0, :]
        row_taps = [xp[..., g.tap_slice(0, a, r0, r1), :] for a in range(kh)]
        if kh == 1:
            buf[...] = row_taps[0]
        else:
            ufunc(row_taps[0], row_taps[1], out=buf)
            for tap in row_taps[2:]:
                ufunc(buf, tap, out=buf)
        dst = out[..., r0:r1, :]
        if kw == 1:
            dst[...] = buf[..., cols[0]]
        else:
            ufunc(buf[..., cols[0]], buf[..., cols[1]], out=dst)
            for col in cols[2:]:
                ufunc(dst, buf[..., col], out=dst)
    return out


def _max_pool(arr: npt.NDArray[Any], g: _Geometry) -> npt.NDArray[Any]:
    if np.issubdtype(arr.dtype, np.integer):
        # Integers have no -inf; the smallest value never beats a real cell either, and
        # every window has at least one real cell (checked before).
        fill: Any = np.iinfo(arr.dtype).min
    else:
        fill = -np.inf
    return _reduce_separable(g.padded(arr, fill), g, np.maximum, arr.dtype)


def _avg_pool(arr: npt.NDArray[Any], g: _Geometry, count_include_pad: bool) -> npt.NDArray[Any]:
    dtype = float_result_dtype(arr)
    xp = g.padded(arr.astype(dtype, copy=False), 0)
    out = _reduce_separable(xp, g, np.add, dtype)
    divisor = np.outer(*(_avg_divisor(g, axis, count_include_pad) for axis in (0, 1)))
    out /= divisor.astype(dtype)
    return out


def _avg_divisor(g: _Geometry, axis: int, count_include_pad: bool) -> npt.NDArray[np.int64]:
    """PyTorch's per-axis window length for the mean (see pool2d's Notes)."""
    n, k, s = g.hw[axis], g.k[axis], g.s[axis]
    before, after = g.pads[axis]
    start = np.arange(g.out_hw[axis], dtype=np.int64) * s - before
    end = np.minimum(start + k, n + after)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def _argmax_indices(
    arr: npt.NDArray[Any], values: npt.NDArray[Any], g: _Geometry
) -> npt.NDArray[np.int64]:
    """Row and column of the first real cell (row-major) equal to each window's maximum."""
    (oh, ow), (kh, kw) = g.out_hw, g.k
    (top, _), (left, _) = g.pads
    xp = g.padded(arr, arr.dtype.type(0))
    indices = np.zeros((*values.shape, 2), dtype=np.int64)
    found = np.zeros(values.shape, dtype=bool)
    out_rows = np.arange(oh) * g.s[0]
    out_cols = np.arange(ow) * g.s[1]
    for a in range(kh):
        rows = out_rows + a * g.d[0] - top  # input row of this tap, per output row
        row_real = (rows >= 0) & (rows < g.hw[0])
        for b in range(kw):
            cols = out_cols + b * g.d[1] - left
            real = row_real[:, None] & ((cols >= 0) & (cols < g.hw[1]))[None, :]
            tap = xp[..., g.tap_slice(0, a), g.tap_slice(1, b)]
            hit = (tap == values) & real & ~found
            indices[..., 0][hit] = np.broadcast_to(rows[:, None], values.shape)[hit]
            indices[..., 1][hit] = np.broadcast_to(cols[None, :], values.shape)[hit]
            found |= hit
    return indices
