"""The engine behind ``conv_core.conv``: one private core, several algorithms.

Everything here works on already validated arguments. The public functions in
``conv.py`` check and resolve them, then call :func:`correlate_core`, which
picks an algorithm by an estimated cost (or the one the caller forces):

``'direct'``, one channel in and out
    Sum of shifted slices: for every non-zero kernel tap, the (strided, dilated)
    slice of the padded input under that tap times the tap, accumulated in place
    into the output. Stride and dilation are slice steps, so only the outputs that
    exist are computed.
``'direct'``, several channels (im2col)
    Per row strip, the shifted slices of every input channel are copied into one
    ``(taps, pixels)`` matrix and a single matmul with the ``(out, taps)`` weight
    matrix writes the strip of every output channel.
``'separable'``
    A rank-1 kernel ``outer(column, row)``: a column pass then a row pass
    (``KH + KW`` taps instead of ``KH * KW``).
``'fft'``
    The whole correlation through real FFTs (``scipy.fft``), then the strided
    outputs are sliced out. Its cost hardly depends on the kernel size.

Why row strips: the 3x3 case on a 12 MP photo is memory-bound (about 39 GB/s
here), so every full-size temporary costs real time. The direct paths work on
strips of output rows whose padded input, accumulator and temporary fit in L2
(1 MiB per core on this machine), and pad each strip as it is copied in, so a
padded copy of the whole image never exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.fft

from ._separable import separable_factors
from .padding import PADDING_MODES

# Bytes of L2 one strip of the direct paths may use (input rows + accumulator + temporary).
# lscpu here: 1 MiB of L2 per core; measured on 4000x3000 float32 3x3: 16-128 rows all
# within 5 % of each other, 8 rows 25 % slower.
_STRIP_BYTES = 1 << 20
# Bytes of the im2col matrix per strip: big enough that one matmul call amortises
# its overhead, small enough to stay in L3 (measured best at about 2-8 MB here).
_COLS_BYTES = 4 << 20
# Cost model, in "tap-pixels" (one multiply-add of one tap over one output pixel
# in the direct path): a full real-FFT correlation of an F-pixel array costs about
# c(F) * F * log2(F). Measured here on float32 (one direct tap vs
# scipy.signal.fftconvolve, medians): at 4000x3000 a tap ~6.5 ms and the FFT 345-420 ms,
# crossing at ~55-65 taps as DESIGN.md found (about 7x7), c = 2.6; at 2048x2048,
# c ~ 2.5; at 512x512 the FFT stays in cache and c ~ 1.75. c(F) interpolates
# linearly in log2(F) between 512x512 and 2048x2048.
_FFT_TAPS_SMALL, _FFT_TAPS_LARGE = 1.75, 2.6
_FFT_LOG2_SMALL, _FFT_LOG2_LARGE = 18.3, 22.0
# Fixed overhead of the FFT path (planning, allocation), in tap-pixels: keeps the
# tiny teaching grids on the direct path, where results are easy to check by hand.
_FFT_OVERHEAD = 1.0e6
# In the im2col path, one copied tap-pixel and one matmul multiply-add, in tap-pixels
# (measured: 27 copies + 216 MACs per pixel over 12 MP took ~75 ms + ~150 ms).
_IM2COL_COPY = 0.35
_IM2COL_MAC = 0.1

# Below this many output pixels 'auto' does not look for a separable kernel.
_SEPARABLE_MIN_PIXELS = 4096
# OpenBLAS's default rule (interface/gemm.c): one thread while M*N*K <= 65536 * 4.
_BLAS_SINGLE_THREAD_MNK = 65536 * 4 - 1
# Below this many pixels per matmul call, call overhead outweighs threading worries.
_MATMUL_MIN_PIXELS = 512

METHODS = ("auto", "direct", "separable", "fft")


class MethodUnavailable(Exception):
    """The forced method cannot be used; ``conv.py`` turns it into an ArgumentError."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Geometry:
    """Resolved sizes of one 2D correlation (per axis: rows, cols)."""

    in_hw: tuple[int, int]
    kernel_hw: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out_hw: tuple[int, int]

    @property
    def span(self) -> tuple[int, int]:
        """Cells one window covers: ``dilation*(kernel_size - 1) + 1``."""
        return (
            self.dilation[0] * (self.kernel_hw[0] - 1) + 1,
            self.dilation[1] * (self.kernel_hw[1] - 1) + 1,
        )

    @property
    def need(self) -> tuple[int, int]:
        """Padded rows/cols some window reads: ``(out - 1)*stride + span``."""
        sh, sw = self.stride
        ph, pw = self.span
        return ((self.out_hw[0] - 1) * sh + ph, (self.out_hw[1] - 1) * sw + pw)


# --------------------------------------------------------------------------- padding


def _index_map(n: int, before: int, after: int, mode: str) -> npt.NDArray[np.intp]:
    """Source index of every padded position along one axis (-1 where zeros go)."""
    idx = np.arange(n, dtype=np.intp)
    if mode == "zeros":
        return np.pad(idx, (before, after), mode="constant", constant_values=-1)
    return np.pad(idx, (before, after), mode=PADDING_MODES[mode].numpy)


class _Padder:
    """Copies padded row strips of a (C, H, W) source into a buffer, in the compute dtype.

    The source may be a transposed view of a channels-last image: the copy into the
    (C, rows, cols) buffer is where the layout changes, strip by strip.
    """

    def __init__(self, src: npt.NDArray[Any], geo: Geometry, mode: str, dtype: np.dtype) -> None:
        self.src = src
        self.geo = geo
        self.mode = mode
        self.dtype = dtype
        (self.pt, pb), (self.pl, pr) = geo.pads
        h, w = geo.in_hw
        self.h, self.w = h, w
        self.wneed = geo.need[1]
        if mode != "zeros":
            self.rmap = _index_map(h, self.pt, pb, mode)
            self.cmap = _index_map(w, self.pl, pr, mode)[: self.wneed]
        # Columns of the buffer that hold source columns as they are.
        self.c0 = min(self.pl, self.wneed)
        self.c1 = max(self.c0, min(self.wneed, self.pl + w))
        self.no_copy = (
            src.dtype == dtype and self.pl == 0 and self.wneed <= w and src.strides[-1] > 0
        )

    def rows(self, a: int, b: int, buf: npt.NDArray[Any] | None) -> npt.NDArray[Any]:
        """Padded rows ``[a, b)`` and columns ``[0, wneed)`` as a (C, b - a, wneed) array."""
        pt, h = self.pt, self.h
        r0, r1 = max(a, pt), min(b, pt + h)
        if self.no_copy and r0 == a and r1 == b:
            # Entirely inside the input and nothing to convert: read it where it is.
            return self.src[:, a - pt : b - pt, : self.wneed]
        assert buf is not None
        out = buf[:, : b - a, : self.wneed]
        if r1 <= r0:
            r0 = r1 = b
        c0, c1 = self.c0, self.c1
        if r1 > r0 and c1 > c0:
            out[:, r0 - a : r1 - a, c0:c1] = self.src[
                :, r0 - pt : r1 - pt, c0 - self.pl : c1 - self.pl
            ]
        if self.mode == "zeros":
            out[:, : r0 - a] = 0
            out[:, r1 - a :] = 0
            out[:, r0 - a : r1 - a, :c0] = 0
            out[:, r0 - a : r1 - a, c1:] = 0
            return out
        # Other modes: border cells through the index maps (a few rows/cols per strip).
        if r1 > r0:
            rows = np.arange(r0 - pt, r1 - pt)
            for lo, hi in ((0, c0), (c1, self.wneed)):
                if hi > lo:
                    out[:, r0 - a : r1 - a, lo:hi] = self.src[:, rows[:, None], self.cmap[lo:hi]]
        for lo, hi in ((a, r0), (r1, b)):
            if hi > lo:
                out[:, lo - a : hi - a] = self.src[:, self.rmap[lo:hi, None], self.cmap]
        return out


def _strip_rows(bytes_per_row: int, total: int, budget: int = _STRIP_BYTES) -> int:
    return max(1, min(total, budget // max(bytes_per_row, 1)))


# --------------------------------------------------------------------------- direct


def _accumulate(
    acc: npt.NDArray[Any],
    terms: list[tuple[npt.NDArray[Any], Any]],
    tmp: npt.NDArray[Any],
) -> None:
    """``acc = sum(weight * source)`` in place; taps of 1 and -1 skip the multiply."""
    first = True
    for src, v in terms:
        if first:
            if v == 1:
                np.copyto(acc, src)
            elif v == -1:
                np.negative(src, out=acc)
            else:
                np.multiply(src, v, out=acc)
            first = False
        elif v == 1:
            np.add(acc, src, out=acc)
        elif v == -1:
            np.subtract(acc, src, out=acc)
        else:
            np.multiply(src, v, out=tmp)
            np.add(acc, tmp, out=acc)
    if first:  # an all-zero kernel
        acc[...] = 0


def _taps(kernel: npt.NDArray[Any]) -> list[tuple[int, int, Any]]:
    """Non-zero taps ``(i, j, value)``: zero taps cost nothing (Sobel has 3 of 9)."""
    return [(int(i), int(j), kernel[i, j]) for i, j in zip(*np.nonzero(kernel), strict=True)]


def _direct_single(
    padder: _Padder, kernel: npt.NDArray[Any], geo: Geometry, out: npt.NDArray[Any]
) -> None:
    """One channel by the sum of shifted slices, strip by strip, into ``out`` (Ho, Wo)."""
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    ho, wo = geo.out_hw
    span_h = geo.span[0]
    item = out.dtype.itemsize
    taps = _taps(kernel)
    rows = _strip_rows((sh * padder.wneed + 2 * wo) * item, ho)
    buf = np.empty((1, (rows - 1) * sh + span_h, padder.wneed), out.dtype)
    tmp = np.empty((rows, wo), out.dtype)
    for r0 in range(0, ho, rows):
        n = min(rows, ho - r0)
        view = padder.rows(r0 * sh, r0 * sh + (n - 1) * sh + span_h, buf)[0]
        last_r, last_c = (n - 1) * sh + 1, (wo - 1) * sw + 1
        terms = [
            (view[i * dh : i * dh + last_r : sh, j * dw : j * dw + last_c : sw], v)
            for i, j, v in taps
        ]
        _accumulate(out[r0 : r0 + n], terms, tmp[:n])


def _separable_single(
    padder: _Padder,
    column: npt.NDArray[Any],
    row: npt.NDArray[Any],
    geo: Geometry,
    out: npt.NDArray[Any],
) -> None:
    """One channel by a column pass then a row pass, strip by strip."""
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    ho, wo = geo.out_hw
    span_h, wneed = geo.span[0], padder.wneed
    item = out.dtype.itemsize
    rows = _strip_rows((sh * wneed + 2 * wneed + wo) * item, ho)
    buf = np.empty((1, (rows - 1) * sh + span_h, wneed), out.dtype)
    mid = np.empty((rows, wneed), out.dtype)
    tmp_mid = np.empty((rows, wneed), out.dtype)
    tmp = np.empty((rows, wo), out.dtype)
    col_taps = [(int(i), column[i]) for i in np.flatnonzero(column)]
    row_taps = [(int(j), row[j]) for j in np.flatnonzero(row)]
    for r0 in range(0, ho, rows):
        n = min(rows, ho - r0)
        view = padder.rows(r0 * sh, r0 * sh + (n - 1) * sh + span_h, buf)[0]
        last_r, last_c = (n - 1) * sh + 1, (wo - 1) * sw + 1
        # Column pass: only the rows some output uses (stride), every column still needed.
        _accumulate(
            mid[:n], [(view[i * dh : i * dh + last_r : sh], v) for i, v in col_taps], tmp_mid[:n]
        )
        # Row pass: only the columns that exist in the output.
        _accumulate(
            out[r0 : r0 + n],
            [(mid[:n, j * dw : j * dw + last_c : sw], v) for j, v in row_taps],
            tmp[:n],
        )


def _im2col(
    padder: _Padder,
    weight: npt.NDArray[Any],
    geo: Geometry,
    out: npt.NDArray[Any],
    channels_last: bool,
) -> None:
    """Several channels: per strip, an im2col matrix and one matmul.

    ``weight`` is (O, C, KH, KW); ``out`` is (O, Ho, Wo), or (Ho, Wo, O) when
    ``channels_last`` (then the matmul writes the channels-last rows directly, which
    measured ~100 ms faster on 12 MP than computing (O, pixels) and transposing).
    """
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    ho, wo = geo.out_hw
    o_ch, c_ch, kh, kw = weight.shape
    span_h = geo.span[0]
    taps = c_ch * kh * kw
    item = out.dtype.itemsize
    rows = _strip_rows(taps * wo * item, ho, _COLS_BYTES)
    buf = np.empty((c_ch, (rows - 1) * sh + span_h, padder.wneed), out.dtype)
    cols = np.empty((taps, rows * wo), out.dtype)
    wmat = weight.reshape(o_ch, taps).astype(out.dtype, copy=False)
    wmat_t = np.ascontiguousarray(wmat.T)
    flat_out = out.reshape(ho * wo, o_ch) if channels_last else out.reshape(o_ch, ho * wo)
    # OpenBLAS runs a matmul on 2 threads once pixels*taps*out > 262144. For a few
    # channels that only adds thread hand-offs, and when the other core is busy (a
    # second session) it measured 2-10x slower; calls just under the limit stay on
    # one thread (RGB -> 8 maps: ~315 ms per 12 MP, steady). Big layers still thread.
    chunk = max(_MATMUL_MIN_PIXELS, _BLAS_SINGLE_THREAD_MNK // (taps * o_ch))
    for r0 in range(0, ho, rows):
        n = min(rows, ho - r0)
        view = padder.rows(r0 * sh, r0 * sh + (n - 1) * sh + span_h, buf)
        last_r, last_c = (n - 1) * sh + 1, (wo - 1) * sw + 1
        block = cols[:, : n * wo]
        dest = block.reshape(taps, n, wo)
        t = 0
        for c in range(c_ch):
            for i in range(kh):
                for j in range(kw):
                    dest[t] = view[c, i * dh : i * dh + last_r : sh, j * dw : j * dw + last_c : sw]
                    t += 1
        base = r0 * wo
        for s in range(0, n * wo, chunk):
            e = min(n * wo, s + chunk)
            if channels_last:
                np.matmul(block[:, s:e].T, wmat_t, out=flat_out[base + s : base + e])
            else:
                np.matmul(wmat, block[:, s:e], out=flat_out[:, base + s : base + e])


# --------------------------------------------------------------------------- FFT


def _fft_layout(geo: Geometry) -> tuple[tuple[int, int], tuple[tuple[int, int], ...]]:
    """Extra zero rows/cols to add around the input, and the FFT shape.

    The 'full' correlation of an (H, W) input already contains every window that
    starts up to ``span - 1`` cells before it or ends up to ``span - 1`` after it, so
    zero padding within that needs no padded copy; only any excess is added.
    """
    extra = tuple(
        (max(0, before - (s - 1)), max(0, after - (s - 1)))
        for (before, after), s in zip(geo.pads, geo.span, strict=True)
    )
    shape = tuple(
        scipy.fft.next_fast_len(n + e0 + e1 + s - 1, real=True)
        for n, (e0, e1), s in zip(geo.in_hw, extra, geo.span, strict=True)
    )
    return shape, extra


def fft_cost(geo: Geometry, fft_count: float) -> float:
    """Estimated cost of ``fft_count`` full-size FFTs, in tap-pixels."""
    shape, _ = _fft_layout(geo)
    f = shape[0] * shape[1]
    log_f = math.log2(max(f, 2))
    t = min(max((log_f - _FFT_LOG2_SMALL) / (_FFT_LOG2_LARGE - _FFT_LOG2_SMALL), 0.0), 1.0)
    per = _FFT_TAPS_SMALL + t * (_FFT_TAPS_LARGE - _FFT_TAPS_SMALL)
    return per / 3 * fft_count * f * log_f + _FFT_OVERHEAD


def _fft(
    src: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    geo: Geometry,
    mode: str,
    out: npt.NDArray[Any] | None,
    channels_last: bool,
    work_dtype: np.dtype,
) -> npt.NDArray[Any]:
    """Correlate (C, H, W) ``src`` with (O, C, KH, KW) ``weight`` through real FFTs.

    Writes into ``out``; with ``out=None`` (one float output map only) returns a view.
    """
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    ho, wo = geo.out_hw
    span_h, span_w = geo.span
    o_ch, c_ch = weight.shape[:2]
    if mode == "zeros":
        shape, extra = _fft_layout(geo)
        (et, eb), (el, er) = extra
        x = src.astype(work_dtype, copy=False)
        if any(extra[0]) or any(extra[1]):
            x = np.pad(x, ((0, 0), (et, eb), (el, er)))
        # Output (r, c) reads padded rows from r*sh; padded row p is 'full' row p + span - 1 - pad.
        first_r = span_h - 1 - (geo.pads[0][0] - et)
        first_c = span_w - 1 - (geo.pads[1][0] - el)
    else:
        (pt, pb), (pl, pr) = geo.pads
        h, w = geo.in_hw
        hneed, wneed = geo.need
        rmap = _index_map(h, pt, pb, mode)[:hneed]
        cmap = _index_map(w, pl, pr, mode)[:wneed]
        x = src[:, rmap[:, None], cmap].astype(work_dtype, copy=False)
        shape = tuple(
            scipy.fft.next_fast_len(n + s - 1, real=True)
            for n, s in zip(x.shape[1:], geo.span, strict=True)
        )
        first_r, first_c = span_h - 1, span_w - 1
    axes = (-2, -1)
    spectrum = scipy.fft.rfft2(x, s=shape, axes=axes)
    dilated = np.zeros((span_h, span_w), work_dtype)
    rows = slice(first_r, first_r + (ho - 1) * sh + 1, sh)
    cols = slice(first_c, first_c + (wo - 1) * sw + 1, sw)
    for o in range(o_ch):
        acc = None
        for c in range(c_ch):
            # Correlation = convolution with the flipped (dilated) kernel.
            dilated[::dh, ::dw] = weight[o, c]
            k_spec = scipy.fft.rfft2(dilated[::-1, ::-1], s=shape, axes=axes)
            term = spectrum[c] * k_spec
            acc = term if acc is None else np.add(acc, term, out=acc)
        full = scipy.fft.irfft2(acc, s=shape, axes=axes)
        result = full[rows, cols]
        if out is None:
            # One float map and no output given: hand back the strided view of the
            # inverse FFT, as scipy.signal.fftconvolve does; copying it into a fresh
            # array measured 5-30 % of the whole call at 12 MP.
            return result[None]
        target = out[:, :, o] if channels_last else out[o]
        if np.issubdtype(out.dtype, np.integer):
            np.rint(result, out=result)
        target[...] = result
    return out


def fft_exact_bound(src: npt.NDArray[Any], weight: npt.NDArray[Any], geo: Geometry) -> float:
    """An upper estimate of the float64 FFT error on integer data (exact after rounding if < 0.5).

    Round-off of an FFT convolution is at most about ``eps * log2(F) * ||x|| * ||k||``
    per output (norm-wise, e.g. Higham, Accuracy and Stability, sec. 24.1); a factor 8
    of margin on top.
    """
    shape, _ = _fft_layout(geo)
    f = shape[0] * shape[1]
    eps = np.finfo(np.float64).eps
    x_norm = math.sqrt(float(np.sum(np.square(src, dtype=np.float64))))
    k_norm = math.sqrt(float(np.sum(np.square(weight, dtype=np.float64))))
    c_ch = weight.shape[1]
    return 8 * eps * math.log2(max(f, 2)) * x_norm * k_norm * c_ch


# --------------------------------------------------------------------------- the core


def _separable_for(kernel: npt.NDArray[Any], dtype: np.dtype) -> tuple[Any, Any] | None:
    """Factors usable without losing exactness, in ``dtype``, or None."""
    if np.issubdtype(dtype, np.integer):
        return _integer_factors(kernel)
    # A float32 kernel (a Gaussian rounded to float32) is rank 1 only to float32 precision.
    eps = float(np.finfo(dtype).eps)
    factors = separable_factors(kernel, rtol=max(1e-10, 16 * eps))
    if factors is None:
        return None
    column, row = factors
    # Floats: the product must match the kernel to within the compute precision.
    tol = 8 * eps * float(np.max(np.abs(kernel)))
    if np.max(np.abs(np.outer(column, row) - kernel)) > tol:
        return None
    return column.astype(dtype), row.astype(dtype)


def _integer_factors(kernel: npt.NDArray[Any]) -> tuple[Any, Any] | None:
    """Integer ``(column, row)`` with ``outer(column, row) == kernel`` exactly, or None.

    Every row of a rank-1 integer matrix is an integer multiple of one primitive
    integer vector (gcd 1), so that vector is the row factor and the multiples the
    column: ``[[2], [3]]`` is ``[2, 3]`` times ``[1]`` (the SVD's scaling would give 1.5).
    """
    k = np.asarray(kernel, dtype=np.int64)
    nonzero_rows = np.flatnonzero(np.any(k != 0, axis=1))
    if len(nonzero_rows) == 0:
        return None
    first = k[nonzero_rows[0]]
    row = first // np.gcd.reduce(np.abs(first))
    j = int(np.argmax(np.abs(row)))
    column = k[:, j] // row[j]
    if not np.array_equal(np.outer(column, row), k):
        return None
    return column, row


def choose_method(
    src: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    geo: Geometry,
    dtype: np.dtype,
    method: str = "auto",
) -> tuple[str, tuple[Any, Any] | None]:
    """The method to use (the cheapest by the cost model for 'auto') and separable factors.

    Raises :class:`MethodUnavailable` when a forced method cannot be used.
    """
    o_ch, c_ch, kh, kw = weight.shape
    ho, wo = geo.out_hw
    out_px = ho * wo
    factors = None
    costs: dict[str, float] = {}
    if o_ch == 1 and c_ch == 1:
        costs["direct"] = float(np.count_nonzero(weight)) * out_px + out_px
        # (For a teaching-size grid the SVD would cost more than it saves.)
        if method == "separable" or (method == "auto" and out_px >= _SEPARABLE_MIN_PIXELS):
            factors = _separable_for(weight[0, 0], dtype)
            if factors is not None:
                column, row = factors
                costs["separable"] = (
                    np.count_nonzero(column) * ho * geo.need[1]
                    + np.count_nonzero(row) * out_px
                    + 2 * out_px
                )
    else:
        t = c_ch * kh * kw
        costs["direct"] = (t * _IM2COL_COPY + t * o_ch * _IM2COL_MAC) * out_px
    if method in ("auto", "fft"):
        # Integers go through float64 FFTs only while rounding gives them back exactly.
        bound = fft_exact_bound(src, weight, geo) if np.issubdtype(dtype, np.integer) else 0.0
        if bound < 0.5:
            costs["fft"] = fft_cost(geo, c_ch + o_ch + c_ch * o_ch) + 2 * c_ch * o_ch * out_px
        elif method == "fft":
            raise MethodUnavailable("conv_fft_not_exact", bound=bound)
    if method == "separable" and "separable" not in costs:
        raise MethodUnavailable("conv_not_separable", shape=tuple(weight.shape[2:]))
    if method == "auto":
        method = min(costs, key=costs.__getitem__)
    return method, factors


def correlate_core(
    src: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    geo: Geometry,
    mode: str,
    dtype: np.dtype,
    out: npt.NDArray[Any] | None = None,
    *,
    channels_last: bool = False,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """Cross-correlate ``src`` (C, H, W) with ``weight`` (O, C, KH, KW); return the output.

    The output is (O, Ho, Wo), or (Ho, Wo, O) with ``channels_last``, written into
    ``out`` when given. ``src`` may be any numeric dtype (converted strip by strip).
    Raises :class:`MethodUnavailable` when a forced method cannot be used.
    """
    method, factors = choose_method(src, weight, geo, dtype, method)
    integer = np.issubdtype(dtype, np.integer)
    o_ch = weight.shape[0]
    if method == "fft":
        if out is None and (integer or o_ch > 1 or channels_last):
            out = _empty(geo, o_ch, dtype, channels_last)
        work = np.dtype(np.float64) if integer else dtype
        return _fft(src, weight, geo, mode, out, channels_last, work)
    if out is None:
        out = _empty(geo, o_ch, dtype, channels_last)
    w = weight.astype(dtype, copy=False)
    padder = _Padder(src, geo, mode, dtype)
    if w.shape[:2] == (1, 1):
        target = out[:, :, 0] if channels_last else out[0]
        if method == "separable":
            assert factors is not None
            _separable_single(padder, factors[0], factors[1], geo, target)
        else:
            _direct_single(padder, w[0, 0], geo, target)
        return out
    _im2col(padder, w, geo, out, channels_last)
    return out


def _empty(geo: Geometry, o_ch: int, dtype: np.dtype, channels_last: bool) -> npt.NDArray[Any]:
    shape = (*geo.out_hw, o_ch) if channels_last else (o_ch, *geo.out_hw)
    return np.empty(shape, dtype)
