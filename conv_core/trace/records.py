"""Whole traces: every step of an operation, computed at once, a Step built when asked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ArgumentError
from ..shapes import (
    ConvOutputSize,
    Padding2D,
)
from .checks import _BEYOND, _INPUT
from .steps import AnyStep, PoolStep, ScatterStep, Step, VolumeStep

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
        return self._output.shape

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
        return self._output.shape

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
        return self._output.shape[1:]

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
        return self._x.shape

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


@dataclass(frozen=True, eq=False, repr=False)
class Conv3dTrace(Trace):
    """The trace of a 3D convolution (:func:`conv_core.trace.trace_conv3d`), gather view.

    Arrays are kept as ``(C, D, H, W)`` volumes and ``(C_out, C_in, kd, kh, kw)`` kernels;
    ``output`` is in :func:`conv_core.volumes.conv3d`'s shape. Steps are output cells
    ``(o, z, y, x)`` in channel-major, then depth-, row- and column-major order:
    ``i = ((o*OD + z)*OH + y)*OW + x``.

    Attributes
    ----------
    op : str
        ``'conv3d'``.
    config : dict
        ``stride`` and ``dilation`` ``(depth, rows, cols)``, ``padding``
        ``((front, back), (top, bottom), (left, right))``.
    depth, rows, cols : ConvOutputSize
        The output size along each axis, with the numbers behind it.
    n_steps : int
        ``C_out * OD * OH * OW``.
    """

    op: str
    layout: str  # '3d' (a (D, H, W) input) or 'multi3d'
    config: dict[str, Any]
    depth: ConvOutputSize
    rows: ConvOutputSize
    cols: ConvOutputSize
    n_steps: int
    _x: npt.NDArray[Any]  # (C, D, H, W)
    _padded: npt.NDArray[Any]  # (C, Dp, Hp, Wp)
    _kernel: npt.NDArray[Any]  # (C_out, C_in, kd, kh, kw)
    _bias: npt.NDArray[Any] | None
    _products: npt.NDArray[Any]  # (T, N), tap-major: T = C_in*kd*kh*kw
    _channel_sums: npt.NDArray[Any]  # (C_in, N)
    _sums: npt.NDArray[Any]  # (N,)
    _output: npt.NDArray[Any]  # (C_out, OD, OH, OW)

    def __repr__(self) -> str:
        return (
            f"Conv3dTrace(steps={self.n_steps}, output_shape={self.output.shape}, "
            f"config={self.config!r})"
        )

    @property
    def padded(self) -> npt.NDArray[Any]:
        """The zero-padded input, ``(Dp, Hp, Wp)`` (``(C_in, Dp, Hp, Wp)`` for channels)."""
        return self._padded[0] if self.layout == "3d" else self._padded

    @property
    def pad_mask(self) -> npt.NDArray[np.bool_]:
        """True on the padded volume's padding cells, ``(Dp, Hp, Wp)``."""
        (f, _), (top, _), (left, _) = self.config["padding"]
        mask = np.ones(self._padded.shape[1:], dtype=bool)
        d, h, w = self._x.shape[1:]
        mask[f : f + d, top : top + h, left : left + w] = False
        return mask

    @property
    def kernel_applied(self) -> npt.NDArray[Any]:
        """The weight as applied (as given: no flip), in the op's weight shape."""
        return self._kernel[0, 0] if self.layout == "3d" else self._kernel

    @property
    def bias(self) -> npt.NDArray[Any] | None:
        """The bias per output channel, ``(C_out,)``, or None."""
        return self._bias

    @property
    def output(self) -> npt.NDArray[Any]:
        """The output, in conv3d's shape: ``(OD, OH, OW)`` or ``(C_out, OD, OH, OW)``."""
        return self._output[0] if self.layout == "3d" else self._output

    @property
    def _grid_shape(self) -> tuple[int, int, int]:
        o, od, oh, ow = self._output.shape
        return (o * od, oh, ow)

    def step_index(self, channel: int, z: int, row: int, col: int) -> int:  # type: ignore[override]
        """The step number of output cell ``(channel, z, row, col)``."""
        for arg, value, n in zip(
            ("channel", "z", "row", "col"), (channel, z, row, col), self._output.shape, strict=True
        ):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise ArgumentError("trace_index_out_of_range", arg=arg, last=n - 1, value=value)
            if not 0 <= value < n:
                raise ArgumentError("trace_index_out_of_range", arg=arg, last=n - 1, value=value)
        _, od, oh, ow = self._output.shape
        return ((int(channel) * od + int(z)) * oh + int(row)) * ow + int(col)

    def step(self, i: int) -> VolumeStep:
        """Step ``i``: output cell ``(o, z, y, x)`` (see the class docstring for the order)."""
        i = self._check_index(i)
        _, od, oh, ow = self._output.shape
        o, rest = divmod(i, od * oh * ow)
        z, rest = divmod(rest, oh * ow)
        y, x = divmod(rest, ow)
        (front, _), (top, _), (left, _) = self.config["padding"]
        s_d, s_r, s_c = self.config["stride"]
        d_d, d_r, d_c = self.config["dilation"]
        _, c_in, k_d, k_h, k_w = self._kernel.shape
        depths = z * s_d + d_d * np.arange(k_d)
        rows = y * s_r + d_r * np.arange(k_h)
        cols = x * s_c + d_c * np.arange(k_w)
        n_d, n_h, n_w = self._x.shape[1:]
        depths_orig = _orig(depths, front, n_d)
        rows_orig = _orig(rows, top, n_h)
        cols_orig = _orig(cols, left, n_w)
        patch = self._padded[np.ix_(np.arange(c_in), depths, rows, cols)]
        pad_mask = (
            (depths_orig[:, None, None] < 0)
            | (rows_orig[None, :, None] < 0)
            | (cols_orig[None, None, :] < 0)
        )
        # the traced op's own shapes: (kd, kh, kw) for a (D, H, W) input
        shape = patch.shape[1:] if self.layout == "3d" else patch.shape
        return VolumeStep(
            index=i,
            out_index=(o, z, y, x),  # type: ignore[arg-type]
            rows=rows,
            cols=cols,
            rows_orig=rows_orig,
            cols_orig=cols_orig,
            pad_mask=pad_mask,
            in_channels=tuple(range(c_in)),
            patch=patch.reshape(shape),
            kernel_applied=self._kernel[o].reshape(shape),
            products=self._products[:, i].reshape(shape),
            channel_sums=self._channel_sums[:, i].copy(),
            total=self._sums[i].item(),
            bias=None if self._bias is None else self._bias[o].item(),
            value=self._output.reshape(-1)[i].item(),
            depths=depths,
            depths_orig=depths_orig,
        )


def _orig(padded_idx: npt.NDArray[np.int64], before: int, n: int) -> npt.NDArray[np.int64]:
    """Padded coordinates to input coordinates, -1 in the padding."""
    orig = padded_idx - before
    return np.where((orig >= 0) & (orig < n), orig, -1)
