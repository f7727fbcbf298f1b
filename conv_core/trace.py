"""Step-by-step traces of convolution, pooling and transposed convolution.

A trace answers "where did this output number come from?" for every output cell:
the window, the patch, the kernel actually applied, the products, the sums, the
bias and the value, in the order a lecture steps through them (row-major, and
channel-major for several output channels). :func:`format_step` writes one step
the way the lecture does, ``(1×1) + (0×0) + … + (1×1) = 3``, and :func:`to_compact`
turns a whole trace into the small JSON-ready dict the browser-side stepper indexes.

Functions take the arguments of the operations they trace:

============================  =====================================================
:func:`trace_correlate2d`     ``correlate2d``: single channel, kernel as given
:func:`trace_convolve2d`      ``convolve2d``: single channel, kernel flipped
:func:`trace_conv2d`          ``conv2d``: channels, groups, per-channel partial sums
:func:`trace_correlate1d`     ``correlate1d`` (and :func:`trace_convolve1d`)
:func:`trace_pool2d`          ``pool2d``: max (winner) or avg (sum and divisor)
:func:`trace_conv_transpose2d`  ``conv_transpose2d``: the scatter view, one input cell
                              per step, its products added into the output
============================  =====================================================

Everything is computed at once with NumPy (all windows as one strided view), and a
:class:`Step` is only built when asked for (``trace.step(i)``), so a 32x32 grid with a
3x3 kernel (900 steps) traces in a few milliseconds. Sizes and padding come from
:mod:`conv_core.shapes` and :mod:`conv_core.padding`, never recomputed here.

Summation order: the products of one step are added one after another in the order
of the kernel's taps, channel by channel, row by row (``((p0 + p1) + p2) + …``), and the
bias last: the order :func:`conv_core.conv.correlate2d` adds in on its direct path. So a
step's ``value`` equals conv_core's output exactly for integers (exact on every path)
and for floats whenever conv_core adds in that order (one channel, ``method='direct'``,
which ``'auto'`` picks for small non-separable kernels). When conv_core picks another
algorithm (two 1D passes for a separable kernel, im2col and a matmul for several
channels, FFT for large kernels) float results agree to rounding, a few units in the
last place. Pooling adds in :func:`conv_core.pooling.pool2d`'s order and matches it bit
for bit; a maximum is exact anyway.

Compact form (``schema_version`` 1)
-----------------------------------
``to_compact(trace)`` returns a dict of plain lists, ints, floats, strings, bools and
``None`` (``json.dumps`` works; no NaN or infinity). Shapes below are nested lists;
"flat" means one list of ``n_steps * per_step`` numbers, step after step.
Ints are exact. For float traces ``output`` holds conv_core's values exactly (float64
as JSON's shortest round-trip repr, float32 as the shortest decimal that reads back
as the same float32); every other float is rounded to ``digits`` significant digits
for display, and floats holding whole numbers are written as ints.

Keys present in every trace:

``schema_version`` : 1
``op`` : ``'correlate2d' | 'convolve2d' | 'conv2d' | 'correlate1d' | 'convolve1d' | 'pool2d'
    | 'conv_transpose2d'``
``view`` : ``'gather'`` (conv ops), ``'pool'`` or ``'scatter'`` (transposed convolution)
``ndim`` : 2, or 1 for the 1D ops (then every grid has one row: ``H = 1``)
``dtype`` : ``'int64' | 'float32' | 'float64'``, the dtype of ``output``
``n_steps`` : number of steps ``N``
``input_shape`` : ``[C_in, H, W]``
``first_step_text`` : ``format_step(trace.step(0))``, a reference for the stepper's own
    rendering (see "Rendering" below)
``config`` : the arguments as resolved: ``stride`` ``[sr, sc]``, ``dilation`` ``[dr, dc]``,
    ``padding`` ``[[top, bottom], [left, right]]`` and the op's other options
    (``padding_mode``, ``groups``, ``method``, ``output_padding``, ...)
``output`` : ``[C_out][OH][OW]``, conv_core's result
``bias`` : ``[C_out]`` or ``None``
``sizes`` : ``{'rows': {...}, 'cols': {...}}``, each with ``size``, ``padding``
    ``[before, after]`` and ``formula`` (the size rule with this configuration's numbers,
    from :meth:`conv_core.shapes.ConvOutputSize.formula`; pool with ``ceil_mode`` adds
    ``'; ceil_mode → 3'`` when rounding up adds a row). Gather and pool also carry
    ``exact`` (a fraction as a string, ``'5/2'``), ``remainder``, ``unvisited``, ``span``
    and ``padded``; scatter carries ``buffer`` (the uncropped length)
``step_order`` : the axes of the flat step index, outermost first: ``['channel', 'row', 'col']``
    (step ``i`` is output cell ``(c, r, q)`` with ``i = (c*OH + r)*OW + q``; for the
    scatter view, input cell ``(c, r, q)`` of ``[C_in][H][W]``)

Gather and pool (``view`` ``'gather'`` / ``'pool'``):

``padded`` : ``[C_in][Hp][Wp]``, the padded input (pool: the padding shows 0, see ``mask``)
``mask`` : ``[Hp][Wp]``: 0 = input cell, 1 = padding, 2 = beyond the padding (only
    pool with ``ceil_mode``: a last window that runs off the padded input; these
    cells are never counted)
``source_rows`` : ``[Hp]``, the input row each padded row copies (its own row inside
    the input, the mirrored/replicated/wrapped row in the padding), -1 where the
    padding is zeros; ``source_cols`` likewise ``[Wp]``
``input_origin`` : ``[top, left]``: padded cell ``(r, q)`` is input cell ``(r - top, q - left)``
``row_starts`` : ``[OH]``, the padded row of each window's first tap (``r*stride``);
    ``col_starts`` : ``[OW]``
``tap_rows`` : ``[KH]``, tap offsets inside a window (``k*dilation``); ``tap_cols`` : ``[KW]``.
    Step ``(c, r, q)`` reads padded cells ``(row_starts[r] + tap_rows[a],
    col_starts[q] + tap_cols[b])``, taps in row-major order ``t = a*KW + b``.

Gather only:

``kernel`` : ``[C_out][Cg][KH][KW]``, the kernel applied (flipped for true convolution)
``in_channels`` : ``[C_out][Cg]``, the input channels output channel ``c`` reads (groups)
``products`` : flat, ``T = Cg*KH*KW`` per step, channel-major then row-major taps
``sums`` : ``[N]``, the sum of the products (before the bias); ``value = sums + bias``
``channel_sums`` : flat, ``Cg`` per step; only when ``Cg > 1``

Pool only (``config`` has ``method``, ``kernel_size``, ``ceil_mode``, ``count_include_pad``):

``winners`` : ``[N]``, max: the tap ``t`` (row-major in the window) of the maximum, the
    first one on ties (padding never wins; every window holds an input cell)
``sums`` / ``divisors`` : ``[N]`` each, avg: the sum of the window (padding counts 0)
    and what it is divided by (PyTorch's count: the window's cells inside the padded
    input, or inside the input when ``count_include_pad`` is false); ``output = sums /
    divisors``

Scatter only (transposed convolution; step = one input cell):

``input`` : ``[C_in][H][W]``
``kernel`` : ``[C_in][Cog][KH][KW]`` (the weight as stored, not flipped)
``out_channels`` : ``[C_in][Cog]``, the output channels input channel ``c`` feeds
``products`` : flat, ``Cog*KH*KW`` per step (input value times kernel)
``buffer_shape`` : ``[HB, WB]``, the uncropped output: ``(H - 1)*stride + dilation*(KH - 1)
    + 1 + output_padding`` rows
``crop`` : ``[top, left]``: buffer cell ``(r, q)`` is output cell ``(r - top, q - left)``
    (outside the output: cropped by ``padding``)
``row_starts`` : ``[H]`` (``r*stride``), ``col_starts`` : ``[W]``, ``tap_rows`` / ``tap_cols``
    as above: step ``(c, r, q)`` adds product ``(o, a, b)`` into buffer cell
    ``(row_starts[r] + tap_rows[a], col_starts[q] + tap_cols[b])`` of output channel
    ``out_channels[c][o]``. The running output after step ``k`` is the sum of the
    products of steps ``0..k``; the output is the cropped buffer plus ``bias``.

Rendering (what :func:`format_step` writes, for a stepper that renders the numbers itself):
an int as it is; a float with at most ``decimals`` (default 3) decimals, trailing zeros
and point trimmed (``0.25``, ``2``), ``-0`` written ``0``; a negative number after an
operator (``+``, ``×``, ``/``) in parentheses. A sum step is its products ``(a×b)``
joined by `` + ``, then `` = sum``; with a bias ``; sum + bias = value``. With several
input channels, one line per channel (``channel 0: … = 308``), then the channel sums
and the bias: ``308 + (-498) + 164 + 1 = -25``. Max pooling: ``max(3, -1, -3, 1) = 3``
(input cells only); average: ``(3 + (-1) + (-3) + 1) / 4 = 0`` (the counted cells).
Scatter: ``2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output rows 0, 1; cols 2, 3``.

References
----------
Lecture notes, "Convolution": the worked 6x6 example and the RGB example.
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

Examples
--------
The lecture's first step:

>>> x = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
...      [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
>>> k = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
>>> t = trace_correlate2d(x, k)
>>> len(t)
16
>>> print(format_step(t.step(0)))
(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import (
    Pair,
    check_array,
    check_cells,
    check_choice,
    check_int,
    check_pair,
    float_result_dtype,
    result_dtype,
)
from .conv import CONV_PADDING_MODES
from .conv import _check_bias as _conv_check_bias
from .errors import ArgumentError, register_messages
from .padding import _pad_resolved
from .pooling import _check_pool_args
from .shapes import (
    ConvOutputSize,
    Padding2D,
    PaddingSpec,
    conv_output_size_detail,
    resolve_padding,
    resolve_padding_1d,
)
from .transposed import conv_transpose_output_size

__all__ = [
    "MAX_STEPS",
    "MAX_TERMS",
    "SCHEMA_VERSION",
    "ConvTrace",
    "PoolStep",
    "PoolTrace",
    "ScatterStep",
    "Step",
    "StepParts",
    "Trace",
    "TransposedTrace",
    "format_step",
    "format_step_parts",
    "to_compact",
    "trace_conv2d",
    "trace_conv_transpose2d",
    "trace_convolve1d",
    "trace_convolve2d",
    "trace_correlate1d",
    "trace_correlate2d",
    "trace_pool2d",
]

#: Default cap on the number of steps: a 64x64 output. Beyond it a page would hang.
MAX_STEPS = 64 * 64
#: Default cap on the number of products a trace stores (steps times kernel taps).
MAX_TERMS = 1_000_000
#: Version of :func:`to_compact`'s schema; bumped when a key changes meaning.
SCHEMA_VERSION = 1

register_messages(
    {
        "trace_too_many_steps": (
            "a trace of {steps} steps ({channels} channel(s) of {rows}x{cols} cells) is too "
            "long to step through: at most max_steps={max_steps}; use a smaller input, a "
            "larger stride or fewer channels"
        ),
        "trace_too_many_terms": (
            "a trace of {steps} steps × {taps} products each = {terms} products is too large: "
            "at most max_terms={max_terms}; use a smaller kernel or input"
        ),
        "trace_index_out_of_range": (
            "{arg} must be an integer from 0 to {last}, but got {arg}={value!r}"
        ),
    }
)

# Mask codes of padded cells.
_INPUT, _PADDING, _BEYOND = 0, 1, 2


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True, eq=False)
class Step:
    """One output cell of a correlation or convolution, with everything behind it.

    Attributes
    ----------
    index : int
        Position in the trace (0-based).
    out_index : (channel, row, col)
        The output cell (``channel`` is 0 for single-channel ops, ``row`` 0 for 1D).
    rows, cols : ndarray of shape (KH,), (KW,)
        The padded-input rows and columns the kernel's taps read.
    rows_orig, cols_orig : ndarray of shape (KH,), (KW,)
        The same in input coordinates, -1 where the tap is in the padding.
    pad_mask : ndarray of shape (KH, KW) (or (K,) for 1D) and dtype bool
        True where the tap reads a padding cell.
    in_channels : tuple of int
        The input channels this output channel reads (all of them unless ``groups > 1``).
    patch : ndarray of shape (KH, KW), (Cg, KH, KW) or (K,)
        The padded input under the window: (KH, KW) for one input channel,
        (Cg, KH, KW) for :func:`trace_conv2d` of a (C, H, W) input, (K,) for 1D.
    kernel_applied : ndarray, same shape as ``patch``
        The kernel as applied: flipped for true convolution.
    products : ndarray, same shape as ``patch``
        ``patch * kernel_applied``.
    channel_sums : ndarray of shape (Cg,)
        The sum of each input channel's products (one entry for single-channel ops).
    total : int or float
        The sum of all products.
    bias : int, float or None
        The bias added to ``total`` (None when the trace has no bias).
    value : int or float
        ``total + bias``: the output value, equal to conv_core's (for floats, see
        the module's note on summation order).
    """

    index: int
    out_index: tuple[int, int, int]
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    rows_orig: npt.NDArray[np.int64]
    cols_orig: npt.NDArray[np.int64]
    pad_mask: npt.NDArray[np.bool_]
    in_channels: tuple[int, ...]
    patch: npt.NDArray[Any]
    kernel_applied: npt.NDArray[Any]
    products: npt.NDArray[Any]
    channel_sums: npt.NDArray[Any]
    total: Any
    bias: Any
    value: Any


@dataclass(frozen=True, eq=False)
class PoolStep:
    """One output cell of a pooling layer.

    Attributes
    ----------
    index, out_index, rows, cols, rows_orig, cols_orig
        As in :class:`Step`.
    pad_mask : ndarray of shape (KH, KW) and dtype bool
        True where the tap is outside the input (padding, or beyond it with ``ceil_mode``).
    counted : ndarray of shape (KH, KW) and dtype bool
        The taps that take part: input cells for max (PyTorch pads max pooling with
        -inf); for avg also the padding when ``count_include_pad`` (never the cells
        beyond the padding).
    window : ndarray of shape (KH, KW)
        The values under the window (0 in the padding).
    method : {'max', 'avg'}
    winner : (row, col) or None
        max: the input cell of the maximum (the first one in row-major order on ties).
    winner_tap : (a, b) or None
        max: the same as a tap of the window.
    total : int, float or None
        avg: the sum of the counted cells.
    divisor : int or None
        avg: what the sum is divided by (PyTorch's count).
    value : int or float
        The output value.
    """

    index: int
    out_index: tuple[int, int, int]
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    rows_orig: npt.NDArray[np.int64]
    cols_orig: npt.NDArray[np.int64]
    pad_mask: npt.NDArray[np.bool_]
    counted: npt.NDArray[np.bool_]
    window: npt.NDArray[Any]
    method: str
    winner: tuple[int, int] | None
    winner_tap: tuple[int, int] | None
    total: Any
    divisor: int | None
    value: Any


@dataclass(frozen=True, eq=False)
class ScatterStep:
    """One input cell of a transposed convolution: its value times the kernel, added in.

    Attributes
    ----------
    index : int
    in_index : (channel, row, col)
        The input cell.
    value : int or float
        Its value.
    out_channels : tuple of int
        The output channels it feeds.
    kernel : ndarray of shape (KH, KW) or (Cog, KH, KW)
        The weight as stored (the scatter view does not flip it).
    products : ndarray, same shape as ``kernel``
        ``value * kernel``.
    rows, cols : ndarray of shape (KH,), (KW,)
        Where the products land in the uncropped output buffer.
    rows_out, cols_out : ndarray of shape (KH,), (KW,)
        The same in output coordinates (``rows - top``); may be outside the output.
    cropped : ndarray of shape (KH, KW) and dtype bool
        True where the product lands outside the output (cropped by ``padding``).
    out_hw : (OH, OW)
        The output's size.
    """

    index: int
    in_index: tuple[int, int, int]
    value: Any
    out_channels: tuple[int, ...]
    kernel: npt.NDArray[Any]
    products: npt.NDArray[Any]
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    rows_out: npt.NDArray[np.int64]
    cols_out: npt.NDArray[np.int64]
    cropped: npt.NDArray[np.bool_]
    out_hw: tuple[int, int]


AnyStep = Step | PoolStep | ScatterStep


# --------------------------------------------------------------------------- traces


class Trace:
    """Common behaviour of the traces: ``len``, iteration and ``step(i)``."""

    op: str
    layout: str  # '2d', '1d' or 'multi': the shape the traced op returns
    n_steps: int

    def __len__(self) -> int:
        return self.n_steps

    def __iter__(self) -> Iterator[AnyStep]:
        for i in range(self.n_steps):
            yield self.step(i)

    def _check_index(self, i: Any) -> int:
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise ArgumentError(
                "trace_index_out_of_range", arg="step", last=self.n_steps - 1, value=i
            )
        i = int(i)
        if i < 0:
            i += self.n_steps  # Python-style negative indexes: step(-1) is the last
        if not 0 <= i < self.n_steps:
            raise ArgumentError(
                "trace_index_out_of_range", arg="step", last=self.n_steps - 1, value=int(i)
            )
        return i

    def step(self, i: int) -> AnyStep:  # pragma: no cover - overridden
        raise NotImplementedError

    def step_index(self, channel: int, row: int, col: int) -> int:
        """The step number of cell ``(channel, row, col)`` (output cell; input cell for scatter)."""
        c_n, h_n, w_n = self._grid_shape
        for arg, value, n in (("channel", channel, c_n), ("row", row, h_n), ("col", col, w_n)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise ArgumentError("trace_index_out_of_range", arg=arg, last=n - 1, value=value)
            if not 0 <= value < n:
                raise ArgumentError("trace_index_out_of_range", arg=arg, last=n - 1, value=value)
        return (int(channel) * h_n + int(row)) * w_n + int(col)

    @property
    def _grid_shape(self) -> tuple[int, int, int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _cell(self, i: int) -> tuple[int, int, int]:
        _, h_n, w_n = self._grid_shape
        c, rest = divmod(i, h_n * w_n)
        r, q = divmod(rest, w_n)
        return (c, r, q)


def _natural(arr: npt.NDArray[Any], layout: str) -> npt.NDArray[Any]:
    """A canonical (C, H, W) / (C_out, Cg, KH, KW) array in the traced op's own shape."""
    if layout == "2d":
        return arr.reshape(arr.shape[-2:])
    if layout == "1d":
        return arr.reshape(arr.shape[-1:])
    return arr


@dataclass(frozen=True, eq=False, repr=False)
class ConvTrace(Trace):
    """The trace of a correlation, convolution or ``conv2d`` (the gather view).

    Arrays are kept as ``(C, H, W)`` grids and ``(C_out, Cg, KH, KW)`` kernels; the
    properties without a leading underscore give them in the traced op's own shape
    (``(H, W)`` for :func:`trace_correlate2d`, ``(W,)`` for the 1D ops).

    Attributes
    ----------
    op : str
        The traced operation (``'correlate2d'``, ``'conv2d'``, ...).
    config : dict
        The arguments as resolved (plain Python values).
    rows, cols : ConvOutputSize
        The output size along each axis, with the numbers behind it
        (``rows.formula()`` is the lecture's formula).
    n_steps : int
        ``C_out * OH * OW``.
    """

    op: str
    layout: str
    config: dict[str, Any]
    rows: ConvOutputSize
    cols: ConvOutputSize
    n_steps: int
    _x: npt.NDArray[Any]
    _padded: npt.NDArray[Any]
    _pad_mask: npt.NDArray[np.bool_]
    _source_rows: npt.NDArray[np.int64]
    _source_cols: npt.NDArray[np.int64]
    _kernel: npt.NDArray[Any]
    _bias: npt.NDArray[Any] | None
    _in_channels: npt.NDArray[np.int64]
    _products: npt.NDArray[Any]  # (T, N): tap-major, so each tap's row is contiguous
    _channel_sums: npt.NDArray[Any]  # (Cg, N)
    _sums: npt.NDArray[Any]  # (N,)
    _output: npt.NDArray[Any]  # (C_out, OH, OW)

    def __repr__(self) -> str:
        return (
            f"ConvTrace(op={self.op!r}, steps={self.n_steps}, output_shape={self.output.shape}, "
            f"config={self.config!r})"
        )

    @property
    def _grid_shape(self) -> tuple[int, int, int]:
        return self._output.shape  # type: ignore[return-value]

    @property
    def padded(self) -> npt.NDArray[Any]:
        """The padded input, ``(Hp, Wp)`` (``(C_in, Hp, Wp)`` for conv2d, ``(Wp,)`` for 1D)."""
        return _natural(self._padded, self.layout)

    @property
    def pad_mask(self) -> npt.NDArray[np.bool_]:
        """True on the padded input's padding cells, ``(Hp, Wp)`` (``(Wp,)`` for 1D)."""
        return self._pad_mask.reshape(-1) if self.layout == "1d" else self._pad_mask

    @property
    def kernel_applied(self) -> npt.NDArray[Any]:
        """The kernel as applied (flipped for convolution), in the op's weight shape."""
        return _natural(self._kernel, self.layout)

    @property
    def bias(self) -> npt.NDArray[Any] | None:
        """The bias per output channel, ``(C_out,)``, or None."""
        return self._bias

    @property
    def output(self) -> npt.NDArray[Any]:
        """The output, in the op's shape: equal to conv_core's."""
        return _natural(self._output, self.layout)

    @property
    def source_rows(self) -> npt.NDArray[np.int64]:
        """The input row each padded row copies; -1 where the padding is zeros."""
        return self._source_rows

    @property
    def source_cols(self) -> npt.NDArray[np.int64]:
        """The input column each padded column copies; -1 where the padding is zeros."""
        return self._source_cols

    def step(self, i: int) -> Step:
        """Step ``i`` (output cell ``i`` in channel-major, row-major order)."""
        i = self._check_index(i)
        c, r, q = self._cell(i)
        (top, _), (left, _) = self.config["padding"]
        s_r, s_c = self.config["stride"]
        d_r, d_c = self.config["dilation"]
        _, c_g, k_h, k_w = self._kernel.shape
        rows = r * s_r + d_r * np.arange(k_h)
        cols = q * s_c + d_c * np.arange(k_w)
        n_in = self._x.shape[1:]
        rows_orig = _orig(rows, top, n_in[0])
        cols_orig = _orig(cols, left, n_in[1])
        in_ch = self._in_channels[c]
        patch = self._padded[np.ix_(in_ch, rows, cols)]
        kernel = self._kernel[c]
        products = self._products[:, i].reshape(c_g, k_h, k_w)
        # the traced op's own shapes: (KH, KW) for one channel, (K,) for 1D
        shape = {"multi": patch.shape, "2d": (k_h, k_w), "1d": (k_w,)}[self.layout]
        pad_mask = (rows_orig[:, None] < 0) | (cols_orig[None, :] < 0)
        bias = None if self._bias is None else self._bias[c].item()
        return Step(
            index=i,
            out_index=(c, r, q),
            rows=rows,
            cols=cols,
            rows_orig=rows_orig,
            cols_orig=cols_orig,
            pad_mask=pad_mask.reshape(-1) if self.layout == "1d" else pad_mask,
            in_channels=tuple(int(v) for v in in_ch),
            patch=patch.reshape(shape),
            kernel_applied=kernel.reshape(shape),
            products=products.reshape(shape),
            channel_sums=self._channel_sums[:, i].copy(),
            total=self._sums[i].item(),
            bias=bias,
            value=self._output.reshape(-1)[i].item(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class PoolTrace(Trace):
    """The trace of a pooling layer.

    Attributes
    ----------
    op : str
        ``'pool2d'``.
    config : dict
        The arguments as resolved (``method``, ``kernel_size``, ``stride``, ``padding``,
        ``dilation``, ``ceil_mode``, ``count_include_pad``).
    rows, cols : ConvOutputSize
        The floor-mode size detail; with ``ceil_mode`` the output may have one more
        row/col (``out_shape``, from :func:`conv_core.shapes.pool_output_size`).
    n_steps : int
    """

    op: str
    layout: str
    config: dict[str, Any]
    rows: ConvOutputSize
    cols: ConvOutputSize
    n_steps: int
    _x: npt.NDArray[Any]
    _padded: npt.NDArray[Any]  # (C, Hp, Wp), zeros outside the input
    _mask: npt.NDArray[np.int8]  # (Hp, Wp): 0 input, 1 padding, 2 beyond the padding
    _winners: npt.NDArray[np.int64] | None  # (N,) tap index, -1 if none
    _sums: npt.NDArray[Any] | None
    _divisors: npt.NDArray[np.int64] | None
    _output: npt.NDArray[Any]

    def __repr__(self) -> str:
        return (
            f"PoolTrace(steps={self.n_steps}, output_shape={self.output.shape}, "
            f"config={self.config!r})"
        )

    @property
    def _grid_shape(self) -> tuple[int, int, int]:
        return self._output.shape  # type: ignore[return-value]

    @property
    def padded(self) -> npt.NDArray[Any]:
        """The padded input (0 outside the input: see ``mask``), ``(Hp, Wp)`` or ``(C, Hp, Wp)``."""
        return _natural(self._padded, self.layout)

    @property
    def mask(self) -> npt.NDArray[np.int8]:
        """``(Hp, Wp)``: 0 input, 1 padding, 2 beyond the padding (``ceil_mode``'s overhang)."""
        return self._mask

    @property
    def pad_mask(self) -> npt.NDArray[np.bool_]:
        """True outside the input, ``(Hp, Wp)``."""
        return self._mask != _INPUT

    @property
    def output(self) -> npt.NDArray[Any]:
        """The output, ``(OH, OW)`` or ``(C, OH, OW)`` as the input."""
        return _natural(self._output, self.layout)

    @property
    def out_shape(self) -> tuple[int, int]:
        """``(OH, OW)``, from :func:`conv_core.shapes.pool_output_size`."""
        return self._output.shape[1:]  # type: ignore[return-value]

    def step(self, i: int) -> PoolStep:
        """Step ``i`` (output cell ``i`` in channel-major, row-major order)."""
        i = self._check_index(i)
        c, r, q = self._cell(i)
        cfg = self.config
        (top, _), (left, _) = cfg["padding"]
        k_h, k_w = cfg["kernel_size"]
        rows = r * cfg["stride"][0] + cfg["dilation"][0] * np.arange(k_h)
        cols = q * cfg["stride"][1] + cfg["dilation"][1] * np.arange(k_w)
        n_h, n_w = self._x.shape[1:]
        mask = self._mask[np.ix_(rows, cols)]
        counted = mask == _INPUT
        if cfg["method"] == "avg" and cfg["count_include_pad"]:
            counted = mask != _BEYOND
        winner = winner_tap = None
        total = divisor = None
        if self._winners is not None:
            t = int(self._winners[i])
            if t >= 0:
                winner_tap = divmod(t, k_w)
                winner = (
                    int(rows[winner_tap[0]]) - top,
                    int(cols[winner_tap[1]]) - left,
                )
        else:
            assert self._sums is not None and self._divisors is not None
            total = self._sums[i].item()
            divisor = int(self._divisors[i])
        return PoolStep(
            index=i,
            out_index=(c, r, q),
            rows=rows,
            cols=cols,
            rows_orig=_orig(rows, top, n_h),
            cols_orig=_orig(cols, left, n_w),
            pad_mask=mask != _INPUT,
            counted=counted,
            window=self._padded[c][np.ix_(rows, cols)],
            method=cfg["method"],
            winner=winner,
            winner_tap=winner_tap,
            total=total,
            divisor=divisor,
            value=self._output.reshape(-1)[i].item(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class TransposedTrace(Trace):
    """The trace of a transposed convolution in the scatter view: one input cell per step.

    Attributes
    ----------
    op : str
        ``'conv_transpose2d'``.
    config : dict
        The arguments as resolved.
    buffer_shape : (HB, WB)
        The uncropped output: ``(H - 1)*stride + dilation*(K - 1) + 1 + output_padding``.
    crop : ((top, bottom), (left, right))
        What ``padding`` crops off the buffer.
    n_steps : int
        ``C_in * H * W``.
    """

    op: str
    layout: str
    config: dict[str, Any]
    n_steps: int
    buffer_shape: tuple[int, int]
    crop: Padding2D
    _x: npt.NDArray[Any]  # (C_in, H, W)
    _kernel: npt.NDArray[Any]  # (C_in, Cog, KH, KW)
    _bias: npt.NDArray[Any] | None
    _out_channels: npt.NDArray[np.int64]  # (C_in, Cog)
    _products: npt.NDArray[Any]  # (N, Cog*KH*KW)
    _targets: npt.NDArray[np.int64]  # (N, Cog*KH*KW): flat index into the (C_out, HB, WB) buffer
    _output: npt.NDArray[Any]  # (C_out, OH, OW)

    def __repr__(self) -> str:
        return (
            f"TransposedTrace(steps={self.n_steps}, output_shape={self.output.shape}, "
            f"config={self.config!r})"
        )

    @property
    def _grid_shape(self) -> tuple[int, int, int]:
        return self._x.shape  # type: ignore[return-value]

    @property
    def input(self) -> npt.NDArray[Any]:
        """The input, ``(H, W)`` or ``(C_in, H, W)``."""
        return _natural(self._x, self.layout)

    @property
    def kernel(self) -> npt.NDArray[Any]:
        """The weight as given, ``(KH, KW)`` or ``(C_in, C_out/groups, KH, KW)``."""
        return _natural(self._kernel, self.layout)

    @property
    def bias(self) -> npt.NDArray[Any] | None:
        """The bias per output channel, ``(C_out,)``, or None."""
        return self._bias

    @property
    def output(self) -> npt.NDArray[Any]:
        """The output, ``(OH, OW)`` or ``(C_out, OH, OW)``: equal to conv_core's."""
        return _natural(self._output, self.layout)

    def running_output(self, i: int, *, cropped: bool = True) -> npt.NDArray[Any]:
        """The output after steps ``0..i``: the products added so far, without the bias.

        Parameters
        ----------
        i : int
            The last step included (``-1`` is the last step: then adding the bias gives
            ``output``).
        cropped : bool, optional
            Crop to the output (default) or return the whole buffer ``(C_out, HB, WB)``.

        Returns
        -------
        ndarray of shape (OH, OW) or (C_out, OH, OW) (or the buffer's)
        """
        i = self._check_index(i)
        c_out = self._output.shape[0]
        buf = np.zeros((c_out, *self.buffer_shape), dtype=self._output.dtype)
        # np.add.at adds in the order given, so the running output uses the steps' order.
        np.add.at(buf.reshape(-1), self._targets[: i + 1].ravel(), self._products[: i + 1].ravel())
        if cropped:
            (top, _), (left, _) = self.crop
            buf = buf[:, top : top + self._output.shape[1], left : left + self._output.shape[2]]
        return _natural(buf, self.layout)

    def step(self, i: int) -> ScatterStep:
        """Step ``i``: input cell ``i`` in channel-major, row-major order."""
        i = self._check_index(i)
        c, r, q = self._cell(i)
        cfg = self.config
        _, c_og, k_h, k_w = self._kernel.shape
        (top, _), (left, _) = self.crop
        rows = r * cfg["stride"][0] + cfg["dilation"][0] * np.arange(k_h)
        cols = q * cfg["stride"][1] + cfg["dilation"][1] * np.arange(k_w)
        rows_out, cols_out = rows - top, cols - left
        oh, ow = self._output.shape[1:]
        outside_r = (rows_out < 0) | (rows_out >= oh)
        outside_c = (cols_out < 0) | (cols_out >= ow)
        shape = (k_h, k_w) if self.layout == "2d" else (c_og, k_h, k_w)
        return ScatterStep(
            index=i,
            in_index=(c, r, q),
            value=self._x[c, r, q].item(),
            out_channels=tuple(int(v) for v in self._out_channels[c]),
            kernel=self._kernel[c].reshape(shape),
            products=self._products[i].reshape(shape),
            rows=rows,
            cols=cols,
            rows_out=rows_out,
            cols_out=cols_out,
            cropped=outside_r[:, None] | outside_c[None, :],
            out_hw=(int(oh), int(ow)),
        )


def _orig(padded_idx: npt.NDArray[np.int64], before: int, n: int) -> npt.NDArray[np.int64]:
    """Padded coordinates to input coordinates, -1 in the padding."""
    orig = padded_idx - before
    return np.where((orig >= 0) & (orig < n), orig, -1)


# --------------------------------------------------------------------------- checks


def _check_steps(grid: tuple[int, int, int], taps: int, max_steps: int, max_terms: int) -> int:
    """The number of steps of a ``(channels, rows, cols)`` grid, within the caps."""
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    max_terms = check_int(max_terms, "max_terms", minimum=1)
    channels, rows, cols = grid
    steps = channels * rows * cols
    if steps > max_steps:
        raise ArgumentError(
            "trace_too_many_steps", steps=steps, channels=channels, rows=rows, cols=cols,
            max_steps=max_steps,
        )  # fmt: skip
    if steps * taps > max_terms:
        raise ArgumentError(
            "trace_too_many_terms", steps=steps, taps=taps, terms=steps * taps, max_terms=max_terms
        )
    return steps


def _conv_mode(padding_mode: Any) -> str:
    """The padding modes the convolutions accept (conv_core.conv's list, its message)."""
    return check_choice(padding_mode, "padding_mode", CONV_PADDING_MODES)


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
    arr = check_array(x, "x", (2,))
    k = check_array(kernel, "kernel", (2,))
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    mode = _conv_mode(padding_mode)
    b = None if bias is None else check_array(bias, "bias", (0,)).reshape(1)
    pads = resolve_padding(padding, arr.shape, k.shape, s, d)  # type: ignore[arg-type]
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
    # conv2d's own checks, in its order, so both refuse the same things the same way.
    arr = check_array(x, "x", (2, 3))
    w = check_array(weight, "weight", (2, 4))
    groups = check_int(groups, "groups", minimum=1)
    mode = _conv_mode(padding_mode)
    single = arr.ndim == 2
    if single != (w.ndim == 2):
        expected = "a 2D array (KH, KW)" if single else "a 4D array (C_out, C_in/groups, KH, KW)"
        raise ArgumentError(
            "conv_weight_ndim", expected=expected, arg="x", x_shape=arr.shape, w_shape=w.shape
        )
    if single:
        arr, w = arr[None], w[None, None]
    c_in, c_out, per_group = arr.shape[0], w.shape[0], w.shape[1]
    if c_in % groups or c_out % groups:
        raise ArgumentError(
            "groups_not_divisor", groups=groups, in_channels=c_in, out_channels=c_out
        )
    if per_group * groups != c_in:
        raise ArgumentError(
            "conv_channel_mismatch", arg="x", got=c_in, per_group=per_group, groups=groups,
            expected=per_group * groups, x_shape=np.shape(x), w_shape=np.shape(weight),
        )  # fmt: skip
    b = _conv_check_bias(bias, c_out, arr.dtype, scalar_ok=single)
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    pads = resolve_padding(padding, arr.shape[1:], w.shape[2:], s, d)  # type: ignore[arg-type]
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
    arr = check_array(x, "x", (1,))
    k = check_array(kernel, "kernel", (1,))
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    mode = _conv_mode(padding_mode)
    b = None if bias is None else check_array(bias, "bias", (0,)).reshape(1)
    # A 1D signal is a 1-row grid: rows get no padding, stride or dilation.
    pads: Padding2D = ((0, 0), resolve_padding_1d(padding, arr.size, k.size, s, d))
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


# --------------------------------------------------------------------------- transposed


def trace_conv_transpose2d(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    groups: int = 1,
    dilation: Pair = 1,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> TransposedTrace:
    """Trace a transposed convolution in the scatter view: each input value times the kernel.

    Parameters
    ----------
    x : array_like of shape (C_in, H, W) or (H, W)
    weight : array_like of shape (C_in, C_out/groups, KH, KW) or (KH, KW)
        PyTorch's layout for transposed convolution (input channels first).
    bias : array_like of shape (C_out,), number or None, optional
        Added once to every output cell of its channel, after all steps.
    stride : int or (rows, cols), optional
        How far apart the input cells' kernel copies land.
    padding : int or (rows, cols), optional
        Cropped off each side of the result (PyTorch's meaning: it undoes the padding
        of the convolution this transposes).
    output_padding : int or (rows, cols), optional
        Extra rows/cols at the bottom/right; must be smaller than stride or dilation.
    groups : int, optional
    dilation : int or (rows, cols), optional
    max_steps, max_terms : int, optional
        As :func:`trace_correlate2d`.

    Returns
    -------
    TransposedTrace
        Step ``i`` is input cell ``(c, r, q)``, channel-major then row-major, a
        :class:`ScatterStep`; ``trace.running_output(i)`` is the output after it.

    Raises
    ------
    ArgumentError
        Whatever :func:`conv_core.transposed.conv_transpose2d` refuses (its checks and
        messages), or too many steps.

    See Also
    --------
    conv_core.transposed.conv_transpose2d, format_step

    Notes
    -----
    Input cell ``(r, q)`` adds ``x[r, q] * weight[a, b]`` to buffer cell
    ``(r*sr + a*dr, q*sc + b*dc)``; the buffer has ``(H - 1)*sr + dr*(KH - 1) + 1 +
    output_padding`` rows and ``padding`` is cropped off it:
    ``OH = (H - 1)*sr - top - bottom + dr*(KH - 1) + output_padding + 1``.

    Examples
    --------
    >>> t = trace_conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)
    >>> t.output
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    >>> print(format_step(t.step(1)))
    2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output rows 0, 1; cols 2, 3
    >>> t.running_output(1)
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    """
    # The same checks and messages as conv_transpose2d.
    arr = check_array(x, "x", (2, 3))
    layout = "2d" if arr.ndim == 2 else "multi"
    w = check_array(weight, "weight", (2,) if layout == "2d" else (4,))
    groups = check_int(groups, "groups", minimum=1)
    b = None if bias is None else check_array(bias, "bias", (0, 1))
    if layout == "2d":
        if groups != 1:
            raise ArgumentError("groups_not_divisor", groups=groups, in_channels=1, out_channels=1)
        arr, w = arr[None], w[None, None]
        b = None if b is None else b.reshape(-1)
    c_in, n_h, n_w = arr.shape
    if w.shape[0] != c_in:
        raise ArgumentError("transpose_channels_mismatch", in_channels=c_in, shape=w.shape)
    _, c_og, k_h, k_w = w.shape
    c_out = c_og * groups
    if c_in % groups:
        raise ArgumentError(
            "groups_not_divisor", groups=groups, in_channels=c_in, out_channels=c_out
        )
    if b is not None and b.shape != (c_out,):
        raise ArgumentError("transpose_bias_shape", out_channels=c_out, shape=b.shape)
    s = check_pair(stride, "stride")
    p = check_pair(padding, "padding", minimum=0)
    op_pad = check_pair(output_padding, "output_padding", minimum=0)
    d = check_pair(dilation, "dilation")
    # The size rule lives in conv_core.transposed; the buffer is the output before the
    # padding is cropped off both sides.
    oh, ow = (
        conv_transpose_output_size(n, k, s[a], p[a], op_pad[a], d[a])
        for a, n, k in ((0, n_h, k_h), (1, n_w, k_w))
    )
    hb, wb = oh + 2 * p[0], ow + 2 * p[1]
    check_cells(hb, wb)
    taps = c_og * k_h * k_w
    n_steps = _check_steps((c_in, n_h, n_w), taps, max_steps, max_terms)

    dtype = result_dtype(arr, w, b)
    arr = arr.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    if b is not None:
        b = b.astype(dtype, copy=False)
    c_gi = c_in // groups
    out_channels = (np.arange(c_in) // c_gi)[:, None] * c_og + np.arange(c_og)
    # products[c, r, q, o, a, b] = x[c, r, q] * w[c, o, a, b]
    products6 = arr[:, :, :, None, None, None] * w[:, None, None]
    products = products6.reshape(n_steps, taps)
    rr = (np.arange(n_h) * s[0])[:, None] + d[0] * np.arange(k_h)  # (H, KH)
    qq = (np.arange(n_w) * s[1])[:, None] + d[1] * np.arange(k_w)  # (W, KW)
    targets = (
        out_channels[:, None, None, :, None, None] * (hb * wb)
        + rr[None, :, None, None, :, None] * wb
        + qq[None, None, :, None, None, :]
    ).reshape(n_steps, taps)
    # The output adds the stamps tap by tap, as conv_transpose2d does, so single-channel
    # floats agree bit for bit (running_output adds them in step order instead).
    buf = np.zeros((c_out, hb, wb), dtype=dtype)
    for a in range(k_h):
        rows = slice(a * d[0], a * d[0] + (n_h - 1) * s[0] + 1, s[0])
        for b_ in range(k_w):
            cols = slice(b_ * d[1], b_ * d[1] + (n_w - 1) * s[1] + 1, s[1])
            for g in range(groups):
                part = _sequential_sum(products6[g * c_gi : (g + 1) * c_gi, :, :, :, a, b_])
                buf[g * c_og : (g + 1) * c_og, rows, cols] += np.moveaxis(part, -1, 0)
    output = buf[:, p[0] : p[0] + oh, p[1] : p[1] + ow]
    if b is not None:
        output = output + b[:, None, None]
    pads = ((p[0], p[0]), (p[1], p[1]))
    config = {
        "stride": s,
        "padding": pads,
        "output_padding": op_pad,
        "groups": groups,
        "dilation": d,
    }
    return TransposedTrace(
        op="conv_transpose2d",
        layout=layout,
        config=config,
        n_steps=n_steps,
        buffer_shape=(hb, wb),
        crop=pads,
        _x=arr,
        _kernel=w,
        _bias=b,
        _out_channels=out_channels,
        _products=products,
        _targets=targets,
        _output=np.ascontiguousarray(output),
    )


# --------------------------------------------------------------------------- formatting


@dataclass(frozen=True)
class StepParts:
    """The pieces of a step's arithmetic, as strings, for a UI that lays them out itself.

    Attributes
    ----------
    kind : {'sum', 'max', 'avg', 'scatter'}
    factors : tuple of tuple of (str, str)
        sum: per input channel, the ``(input, kernel)`` pairs of each product;
        scatter: per output channel, the ``(value, kernel)`` pairs; empty for pooling.
    terms : tuple of tuple of str
        sum: per input channel, each product written ``(a×b)`` (a negative ``b`` in
        parentheses); scatter: per output channel the products; max/avg: one tuple
        with the counted window values.
    channel_sums : tuple of str
        sum: each input channel's sum (one entry for single-channel ops).
    total : str or None
        The sum of all products (sum) or of the counted cells (avg).
    bias : str or None
    divisor : str or None
        avg only.
    value : str
        The output value (scatter: the input value).
    """

    kind: str
    factors: tuple[tuple[tuple[str, str], ...], ...]
    terms: tuple[tuple[str, ...], ...]
    channel_sums: tuple[str, ...]
    total: str | None
    bias: str | None
    divisor: str | None
    value: str


def _num(v: Any, decimals: int) -> str:
    """A number as the lecture writes it: ints as ints, floats trimmed ('0.25', '2')."""
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    text = f"{f:.{decimals}f}".rstrip("0").rstrip(".") if decimals > 0 else f"{f:.0f}"
    return "0" if text in ("-0", "") else text


def _operand(text: str) -> str:
    """A number after an operator: negative ones in parentheses, ``+ (-3)``."""
    return f"({text})" if text.startswith("-") else text


def _join_sum(parts: Sequence[str]) -> str:
    """``a + b + (-c)``: every part after the first as an operand."""
    return " + ".join([parts[0], *(_operand(p) for p in parts[1:])]) if parts else "0"


def format_step_parts(step: AnyStep, *, decimals: int = 3) -> StepParts:
    """The pieces of :func:`format_step`'s text, as strings (see :class:`StepParts`).

    Parameters
    ----------
    step : Step, PoolStep or ScatterStep
    decimals : int, optional
        Floats are written with at most this many decimals, trailing zeros trimmed.

    Returns
    -------
    StepParts

    Examples
    --------
    >>> t = trace_correlate2d([[1, -2], [3, 4]], [[1, 0], [-1, 2]], bias=5)
    >>> p = format_step_parts(t.step(0))
    >>> p.terms, p.total, p.bias, p.value
    ((('(1×1)', '(-2×0)', '(3×(-1))', '(4×2)'),), '6', '5', '11')
    """
    decimals = check_int(decimals, "decimals", minimum=0)

    def n(v: Any) -> str:
        return _num(v, decimals)

    if isinstance(step, Step):
        patch = step.patch.reshape(len(step.channel_sums), -1)
        kernel = step.kernel_applied.reshape(patch.shape)
        factors = tuple(
            tuple((n(a), n(b)) for a, b in zip(pr, kr, strict=True))
            for pr, kr in zip(patch.tolist(), kernel.tolist(), strict=True)
        )
        terms = tuple(tuple(f"({a}×{_operand(b)})" for a, b in ch) for ch in factors)
        return StepParts(
            kind="sum",
            factors=factors,
            terms=terms,
            channel_sums=tuple(n(v) for v in step.channel_sums.tolist()),
            total=n(step.total),
            bias=None if step.bias is None else n(step.bias),
            divisor=None,
            value=n(step.value),
        )
    if isinstance(step, PoolStep):
        values = tuple(n(v) for v in step.window[step.counted].tolist())
        return StepParts(
            kind=step.method,
            factors=(),
            terms=(values,),
            channel_sums=(),
            total=None if step.total is None else n(step.total),
            bias=None,
            divisor=None if step.divisor is None else str(step.divisor),
            value=n(step.value),
        )
    if isinstance(step, ScatterStep):
        kernel = step.kernel.reshape(len(step.out_channels), -1)
        products = step.products.reshape(kernel.shape)
        v = n(step.value)
        return StepParts(
            kind="scatter",
            factors=tuple(tuple((v, n(k)) for k in row) for row in kernel.tolist()),
            terms=tuple(tuple(n(p) for p in row) for row in products.tolist()),
            channel_sums=(),
            total=None,
            bias=None,
            divisor=None,
            value=v,
        )
    raise TypeError(f"format_step_parts needs a Step, PoolStep or ScatterStep, not {type(step)!r}")


def _matrix(values: Sequence[str], n_cols: int) -> str:
    rows = [values[i : i + n_cols] for i in range(0, len(values), n_cols)]
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def _targets_text(coords: npt.NDArray[np.int64], size: int) -> str:
    return ", ".join(f"{v}" if 0 <= v < size else f"{v} (cropped)" for v in coords.tolist())


def format_step(
    step: AnyStep,
    *,
    decimals: int = 3,
    channel_names: Sequence[str] | None = None,
) -> str:
    """A step written the way the lecture writes it.

    Parameters
    ----------
    step : Step, PoolStep or ScatterStep
    decimals : int, optional
        Floats are written with at most this many decimals, trailing zeros trimmed
        (``0.25``, not ``0.250``; ``2``, not ``2.000``). Integers stay integers.
    channel_names : sequence of str, optional
        Labels of the per-channel lines (default ``channel 0``, ``channel 1``, ...);
        e.g. ``("R", "G", "B")`` or a translation.

    Returns
    -------
    str
        * correlation/convolution, one input channel:
          ``(1×1) + (0×0) + … + (1×1) = 3``; with a bias the sum is followed by
          ``; 20 + 10 = 30`` (the sum, plus the bias, equals the value).
        * several input channels: one line per channel, ``channel 0: (…) + … = 308``,
          then ``308 + (-498) + 164 + 1 = -25`` (channel sums, then the bias).
        * max pooling: ``max(3, -1, -3, 1) = 3`` (the input cells of the window).
        * average pooling: ``(3 + (-1) + (-3) + 1) / 4 = 0`` (the counted cells).
        * transposed convolution: ``2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output
          rows 0, 1; cols 2, 3`` (one ``out channel c:`` line per output channel when
          there are several; coordinates outside the output marked ``(cropped)``).

        A negative number is parenthesised when it follows an operator
        (``+ (-498)``, ``×(-1)``).

    See Also
    --------
    format_step_parts : the same pieces, unjoined.

    Examples
    --------
    >>> t = trace_correlate2d([[0.5, 1.0], [0.25, 2.0]], [[1, 0], [0, -0.5]], bias=0.1)
    >>> print(format_step(t.step(0)))
    (0.5×1) + (1×0) + (0.25×0) + (2×(-0.5)) = -0.5; -0.5 + 0.1 = -0.4
    """
    parts = format_step_parts(step, decimals=decimals)
    if parts.kind == "sum":
        assert isinstance(step, Step)
        lines = []
        for i, (terms, ch_sum) in enumerate(zip(parts.terms, parts.channel_sums, strict=True)):
            text = " + ".join(terms) + f" = {ch_sum}"
            if len(parts.terms) > 1:
                name = channel_names[i] if channel_names else f"channel {step.in_channels[i]}"
                text = f"{name}: {text}"
            lines.append(text)
        if len(parts.terms) > 1:
            total = list(parts.channel_sums) + ([] if parts.bias is None else [parts.bias])
            lines.append(f"{_join_sum(total)} = {parts.value}")
        elif parts.bias is not None:
            lines[0] += f"; {parts.total} + {_operand(parts.bias)} = {parts.value}"
        return "\n".join(lines)
    if parts.kind == "max":
        return f"max({', '.join(parts.terms[0])}) = {parts.value}"
    if parts.kind == "avg":
        return f"({_join_sum(parts.terms[0])}) / {parts.divisor} = {parts.value}"
    assert isinstance(step, ScatterStep)
    n_cols = step.kernel.shape[-1]
    lines = []
    for i, (factors, products) in enumerate(zip(parts.factors, parts.terms, strict=True)):
        kernel = _matrix([k for _, k in factors], n_cols)
        text = f"{parts.value} × {kernel} = {_matrix(products, n_cols)}"
        if len(parts.factors) > 1:
            name = channel_names[i] if channel_names else f"out channel {step.out_channels[i]}"
            text = f"{name}: {text}"
        lines.append(text)
    target = (
        f"→ output rows {_targets_text(step.rows_out, step.out_hw[0])}; "
        f"cols {_targets_text(step.cols_out, step.out_hw[1])}"
    )
    if len(lines) == 1:
        return f"{lines[0]} {target}"
    return "\n".join([*lines, target])


# --------------------------------------------------------------------------- compact form


def _jsonable(value: Any) -> Any:
    """Tuples to lists, NumPy scalars to Python ones, recursively."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _exact(arr: npt.NDArray[Any]) -> Any:
    """Nested lists holding ``arr``'s values exactly (a float overflow's inf as None)."""
    if np.issubdtype(arr.dtype, np.integer):
        return arr.tolist()
    if arr.dtype == np.float32:
        # The shortest decimal that reads back as the same float32 ('0.1', not 0.10000000149).
        arr = np.array([float(t) for t in arr.ravel().astype(str)]).reshape(arr.shape)
    if np.isfinite(arr).all():
        return arr.tolist()
    obj = arr.astype(object)
    obj[~np.isfinite(arr)] = None
    return obj.tolist()


def _display(arr: npt.NDArray[Any], digits: int, *, flat: bool = False) -> Any:
    """Display values: ints exact, floats to ``digits`` significant digits (whole ones as ints)."""
    if np.issubdtype(arr.dtype, np.integer):
        return arr.ravel().tolist() if flat else arr.tolist()
    out: list[Any] = []
    for v in arr.ravel().tolist():
        if not math.isfinite(v):  # only a float overflow gets here, and JSON has no inf
            out.append(None)
            continue
        r = float(f"{v:.{digits}g}")
        out.append(int(r) if r.is_integer() else r)
    if flat:
        return out
    return np.array(out, dtype=object).reshape(arr.shape).tolist()


def _size_dict(detail: ConvOutputSize, size: int | None = None) -> dict[str, Any]:
    formula = detail.formula()
    if size is not None and size != detail.size:
        formula += f"; ceil_mode → {size}"
    return {
        "size": detail.size if size is None else size,
        "exact": str(detail.exact),
        "remainder": detail.remainder,
        "unvisited": detail.unvisited,
        "padding": list(detail.padding),
        "span": detail.span,
        "padded": detail.padded,
        "formula": formula,
    }


def _transposed_size_dict(
    n: int, k: int, s: int, d: int, o: int, p: int, buffer: int, size: int
) -> dict[str, Any]:
    # conv_transpose_output_size's rule, written with this configuration's numbers.
    return {
        "size": size,
        "buffer": buffer,
        "padding": [p, p],
        "formula": f"({n} - 1)*{s} - 2*{p} + {d}*({k} - 1) + {o} + 1 = {size}",
    }


def _window_keys(
    cfg: dict[str, Any], out_hw: tuple[int, int], kernel_hw: tuple[int, int]
) -> dict[str, Any]:
    (top, _), (left, _) = cfg["padding"]
    return {
        "row_starts": (np.arange(out_hw[0]) * cfg["stride"][0]).tolist(),
        "col_starts": (np.arange(out_hw[1]) * cfg["stride"][1]).tolist(),
        "tap_rows": (np.arange(kernel_hw[0]) * cfg["dilation"][0]).tolist(),
        "tap_cols": (np.arange(kernel_hw[1]) * cfg["dilation"][1]).tolist(),
        "input_origin": [top, left],
    }


def to_compact(trace: Trace, *, digits: int = 6) -> dict[str, Any]:
    """The whole trace as a small JSON-ready dict for the browser-side stepper.

    The grids, kernel, output, sizes, configuration and formulas are sent once; per
    step only numbers (the products and sums), since the window of step ``i`` follows
    from ``row_starts``/``col_starts``/``tap_rows``/``tap_cols``. The schema is
    described in this module's docstring (``schema_version`` 1).

    Parameters
    ----------
    trace : ConvTrace, PoolTrace or TransposedTrace
    digits : int, optional
        Significant digits of the floats shown (products, sums, grids); ``output`` is
        always exact. Ints are always exact.

    Returns
    -------
    dict
        Plain lists, ints, floats, strings, bools and None: ``json.dumps`` works.

    Examples
    --------
    >>> import json
    >>> c = to_compact(trace_correlate2d([[1, 2, 3], [4, 5, 6]], [[1, -1]]))
    >>> c["n_steps"], c["output"], c["products"][:4], c["sums"]
    (4, [[[-1, -1], [-1, -1]]], [1, -2, 2, -3], [-1, -1, -1, -1])
    >>> len(json.dumps(c, separators=(",", ":"))) < 1000
    True
    """
    if not isinstance(trace, (ConvTrace, PoolTrace, TransposedTrace)):
        raise TypeError(f"to_compact needs a trace from conv_core.trace, not {type(trace)!r}")
    digits = check_int(digits, "digits", minimum=1)
    common: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "op": trace.op,
        "ndim": 1 if trace.layout == "1d" else 2,
        "n_steps": trace.n_steps,
        "step_order": ["channel", "row", "col"],
        "first_step_text": format_step(trace.step(0)),
    }
    if isinstance(trace, ConvTrace):
        _, c_g, k_h, k_w = trace._kernel.shape
        oh, ow = trace._output.shape[1:]
        out = {
            **common,
            "view": "gather",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(trace.config),
            "sizes": {"rows": _size_dict(trace.rows), "cols": _size_dict(trace.cols)},
            "input_shape": list(trace._x.shape),
            "padded": _display(trace._padded, digits),
            "mask": trace._pad_mask.astype(np.int8).tolist(),
            "source_rows": trace._source_rows.tolist(),
            "source_cols": trace._source_cols.tolist(),
            **_window_keys(trace.config, (oh, ow), (k_h, k_w)),
            "kernel": _display(trace._kernel, digits),
            "in_channels": trace._in_channels.tolist(),
            "bias": None if trace._bias is None else _exact(trace._bias),
            "output": _exact(trace._output),
            # (T, N) -> step after step
            "products": _display(trace._products.T, digits, flat=True),
            "sums": _display(trace._sums, digits, flat=True),
        }
        if c_g > 1:
            out["channel_sums"] = _display(trace._channel_sums.T, digits, flat=True)
        return out
    if isinstance(trace, PoolTrace):
        cfg = trace.config
        oh, ow = trace.out_shape
        out = {
            **common,
            "view": "pool",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(cfg),
            "sizes": {"rows": _size_dict(trace.rows, oh), "cols": _size_dict(trace.cols, ow)},
            "input_shape": list(trace._x.shape),
            "padded": _display(trace._padded, digits),
            "mask": trace._mask.tolist(),
            "source_rows": _source_index(trace._x.shape[1], cfg["padding"][0], "zeros").tolist(),
            "source_cols": _source_index(trace._x.shape[2], cfg["padding"][1], "zeros").tolist(),
            **_window_keys(cfg, (oh, ow), cfg["kernel_size"]),
            "bias": None,
            "output": _exact(trace._output),
        }
        # the grid's extra "beyond" cells are not in source_rows/cols: pad with -1
        out["source_rows"] += [-1] * (trace._mask.shape[0] - len(out["source_rows"]))
        out["source_cols"] += [-1] * (trace._mask.shape[1] - len(out["source_cols"]))
        if trace._winners is not None:
            out["winners"] = trace._winners.tolist()
        else:
            assert trace._sums is not None and trace._divisors is not None
            out["sums"] = _display(trace._sums, digits, flat=True)
            out["divisors"] = trace._divisors.tolist()
        return out
    else:
        cfg = trace.config
        c_in, n_h, n_w = trace._x.shape
        k_h, k_w = trace._kernel.shape[2:]
        oh, ow = trace._output.shape[1:]
        (top, _), (left, _) = trace.crop
        sizes = {
            axis: _transposed_size_dict(
                n,
                k,
                cfg["stride"][i],
                cfg["dilation"][i],
                cfg["output_padding"][i],
                trace.crop[i][0],
                trace.buffer_shape[i],
                (oh, ow)[i],
            )
            for i, (axis, n, k) in enumerate((("rows", n_h, k_h), ("cols", n_w, k_w)))
        }
        return {
            **common,
            "view": "scatter",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(cfg),
            "sizes": sizes,
            "input_shape": [c_in, n_h, n_w],
            "input": _display(trace._x, digits),
            "kernel": _display(trace._kernel, digits),
            "out_channels": trace._out_channels.tolist(),
            "bias": None if trace._bias is None else _exact(trace._bias),
            "buffer_shape": list(trace.buffer_shape),
            "crop": [top, left],
            "row_starts": (np.arange(n_h) * cfg["stride"][0]).tolist(),
            "col_starts": (np.arange(n_w) * cfg["stride"][1]).tolist(),
            "tap_rows": (np.arange(k_h) * cfg["dilation"][0]).tolist(),
            "tap_cols": (np.arange(k_w) * cfg["dilation"][1]).tolist(),
            "output": _exact(trace._output),
            "products": _display(trace._products, digits, flat=True),
        }
