"""One step of a trace: what a lecture shows for one output cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

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


@dataclass(frozen=True, eq=False)
class VolumeStep(Step):
    """One output cell of a 3D convolution (:func:`conv_core.trace.trace_conv3d`).

    A :class:`Step` (so :func:`conv_core.trace.format_step` writes it: one line per input
    channel when there are several) with a depth axis: ``out_index`` is
    ``(channel, z, y, x)``; ``patch``, ``kernel_applied`` and ``products`` have shape
    (C_in, kd, kh, kw) and ``pad_mask`` (kd, kh, kw).

    Attributes
    ----------
    depths : ndarray of shape (kd,)
        The padded-input slices the kernel's taps read (``z*sd + a*dd``).
    depths_orig : ndarray of shape (kd,)
        The same in input coordinates, -1 where the slice is padding.
    """

    depths: npt.NDArray[np.int64]
    depths_orig: npt.NDArray[np.int64]


AnyStep = Step | PoolStep | ScatterStep
