"""The trace of a 3D convolution: every window of the volume gathered at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import check_int, result_dtype
from ..errors import ArgumentError, register_messages
from ..volumes import Padding3dSpec, Triple, pad3d, parse_conv3d_args
from .checks import MAX_STEPS, MAX_TERMS
from .gather import _sequential_sum
from .records import Conv3dTrace

register_messages(
    {
        "trace3d_too_many_steps": (
            "a trace of {steps} steps ({channels} output channel(s) of {depth}x{rows}x{cols} "
            "cells) is too long to step through: at most max_steps={max_steps}; use a smaller "
            "input, a larger stride or fewer channels"
        ),
    }
)


def _windows3d(
    arr: npt.NDArray[Any],
    out_dhw: tuple[int, int, int],
    kernel_dhw: tuple[int, int, int],
    stride: tuple[int, int, int],
    dilation: tuple[int, int, int],
) -> npt.NDArray[Any]:
    """Every window of ``arr[C, D, H, W]``: a read-only view ``(C, OD, OH, OW, kd, kh, kw)``."""
    c_s, *axis_s = arr.strides
    shape = (arr.shape[0], *out_dhw, *kernel_dhw)
    strides = (
        c_s,
        *(st * s for st, s in zip(stride, axis_s, strict=True)),
        *(dl * s for dl, s in zip(dilation, axis_s, strict=True)),
    )
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)


def trace_conv3d(
    input: npt.ArrayLike,  # PyTorch's name (shadows the builtin here only)
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Triple = 1,
    padding: Padding3dSpec = 0,
    dilation: Triple = 1,
    *,
    max_steps: int = MAX_STEPS,
    max_terms: int = MAX_TERMS,
) -> Conv3dTrace:
    """Trace a 3D convolution (:func:`conv_core.volumes.conv3d`), step by step.

    Parameters
    ----------
    input, weight, bias, stride, padding, dilation
        As :func:`conv_core.volumes.conv3d` (checked by the same parser, so both refuse
        the same things with the same messages).
    max_steps, max_terms : int, optional
        Refuse traces with more steps (default :data:`MAX_STEPS`) or more products
        (default :data:`MAX_TERMS`), so a page cannot hang.

    Returns
    -------
    Conv3dTrace
        ``trace.step(i)`` is a :class:`VolumeStep` for output position ``(o, z, y, x)``:
        the padded slices, rows and columns of its window (``depths``, ``rows``,
        ``cols``, and in input coordinates ``depths_orig``...), the patch, the products,
        the per-channel sums, the total, the bias and the value. ``trace.output`` equals
        ``conv3d``'s output.

    Raises
    ------
    ArgumentError
        What :func:`conv_core.volumes.conv3d` refuses, or a trace beyond the caps.

    See Also
    --------
    conv_core.volumes.conv3d, trace_conv2d, format_step

    Notes
    -----
    A step adds its products in the order of the kernel's taps, channel by channel
    (depth, then row, then column inside a channel), and the bias last. Integers are
    exact, so ``trace.output`` equals ``conv3d``'s exactly; floats agree to rounding
    (``conv3d`` adds tap by tap over a matrix product).

    Examples
    --------
    >>> from conv_core.trace import format_step
    >>> x = np.arange(18).reshape(2, 3, 3)
    >>> t = trace_conv3d(x, np.ones((2, 2, 2), dtype=int), bias=1)
    >>> len(t), t.output.tolist()
    (4, [[[53, 61], [77, 85]]])
    >>> s = t.step(1)
    >>> s.out_index, s.depths.tolist(), s.rows.tolist(), s.cols.tolist()
    ((0, 0, 0, 1), [0, 1], [0, 1], [1, 2])
    >>> print(format_step(s))
    (1×1) + (2×1) + (4×1) + (5×1) + (10×1) + (11×1) + (13×1) + (14×1) = 60; 60 + 1 = 61
    """
    a = parse_conv3d_args(input, weight, bias, stride, padding, dilation)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    max_terms = check_int(max_terms, "max_terms", minimum=1)
    c_out, c_in, k_d, k_h, k_w = a.weight.shape
    _, od, oh, ow = a.out_shape
    n_steps = c_out * od * oh * ow
    taps = c_in * k_d * k_h * k_w
    if n_steps > max_steps:
        raise ArgumentError(
            "trace3d_too_many_steps", steps=n_steps, channels=c_out, depth=od, rows=oh, cols=ow,
            max_steps=max_steps,
        )  # fmt: skip
    if n_steps * taps > max_terms:
        raise ArgumentError(
            "trace_too_many_terms", steps=n_steps, taps=taps, terms=n_steps * taps,
            max_terms=max_terms,
        )  # fmt: skip

    dtype = result_dtype(a.x, a.weight, a.bias)
    x = a.x.astype(dtype, copy=False)
    w = a.weight.astype(dtype, copy=False)
    b = None if a.bias is None else a.bias.astype(dtype, copy=False)
    padded = np.ascontiguousarray(pad3d(x, a.padding))
    win = _windows3d(padded, (od, oh, ow), (k_d, k_h, k_w), a.stride, a.dilation)
    # (C_out, C_in, OD, OH, OW, kd, kh, kw) -> tap-major (C_in, kd, kh, kw, C_out, OD, OH, OW)
    products = win[None] * w[:, :, None, None, None]
    products = products.transpose(1, 5, 6, 7, 0, 2, 3, 4)
    products = np.ascontiguousarray(products).reshape(taps, n_steps)
    sums = _sequential_sum(products)
    per_channel = products.reshape(c_in, k_d * k_h * k_w, n_steps)
    channel_sums = np.stack([_sequential_sum(p) for p in per_channel])
    values = sums if b is None else sums + np.repeat(b, od * oh * ow)
    config = {"stride": a.stride, "padding": a.padding, "dilation": a.dilation}
    return Conv3dTrace(
        op="conv3d",
        layout="3d" if a.single else "multi3d",
        config=config,
        depth=a.sizes[0],
        rows=a.sizes[1],
        cols=a.sizes[2],
        n_steps=n_steps,
        _x=x,
        _padded=padded,
        _kernel=w,
        _bias=b,
        _products=products,
        _channel_sums=channel_sums,
        _sums=sums,
        _output=values.reshape(c_out, od, oh, ow),
    )
