"""Traces of transposed convolution: the scatter view, one input cell per step."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._checks import (
    Pair,
    check_cells,
    check_pair,
    result_dtype,
)
from ..transposed import conv_transpose_output_size, parse_conv_transpose2d_args
from .checks import MAX_STEPS, MAX_TERMS, _check_steps
from .gather import _sequential_sum
from .records import TransposedTrace

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
    >>> from conv_core.trace import format_step
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
    # conv_transpose2d's own parser: the same checks and messages.
    arr, w, b, groups, single = parse_conv_transpose2d_args(x, weight, bias, groups)
    layout = "2d" if single else "multi"
    c_in, n_h, n_w = arr.shape
    _, c_og, k_h, k_w = w.shape
    c_out = c_og * groups
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
