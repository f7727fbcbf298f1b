"""Transposed convolution ("deconvolution"), as ``torch.nn.functional.conv_transpose2d``.

A transposed convolution runs a convolution's arrows backwards: every input cell
stamps a copy of the kernel, scaled by its value, onto the output, at ``stride``
cells from its neighbour's stamp, and overlapping stamps add up. It is the adjoint
(the matrix transpose) of the strided convolution with the same arguments, which is
why it maps that convolution's output size back to its input size.

It also equals an ordinary stride-1 correlation of a zero-inserted, padded input
with the flipped kernel (:func:`transpose_as_convolution`), the picture in Dumoulin
and Visin's guide.

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016,
chapter 4 (transposed convolution arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import Pair, check_array, check_cells, check_int, check_pair, result_dtype
from .errors import ArgumentError, register_messages
from .shapes import Padding2D

__all__ = [
    "TransposeAsConvolution",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "transpose_as_convolution",
    "zero_insert",
]

register_messages(
    {
        "transpose_output_padding_too_large": (
            "output_padding must be smaller than either stride or dilation, but got "
            "output_padding={value!r} with stride={stride!r} and dilation={dilation!r}"
        ),
        "transpose_output_empty": (
            "the output would be empty: (n - 1)*stride - 2*padding + dilation*(kernel_size - 1) "
            "+ output_padding + 1 = ({n} - 1)*{stride} - 2*{padding} + {dilation}*({kernel_size} "
            "- 1) + {output_padding} + 1 = {size}; use less padding"
        ),
        "transpose_channels_mismatch": (
            "weight must have shape (in_channels, out_channels/groups, KH, KW) with "
            "in_channels = {in_channels} as in x, but got weight of shape {shape}"
        ),
        "transpose_bias_shape": (
            "bias must have shape ({out_channels},), one value per output channel, "
            "but got bias of shape {shape}"
        ),
    }
)


def conv_transpose_output_size(
    n: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Number of outputs along one dimension of a transposed convolution.

    Parameters
    ----------
    n : int
        Input length.
    kernel_size : int
    stride : int, optional
        Default 1.
    padding : int, optional
        Cells cropped from each end of the full output (default 0).
    output_padding : int, optional
        Cells added at the end (bottom/right), smaller than ``stride`` or ``dilation``
        (default 0).
    dilation : int, optional
        Default 1.

    Returns
    -------
    int

    Raises
    ------
    ArgumentError
        Non-positive sizes, negative padding, ``output_padding`` not smaller than
        ``stride`` or ``dilation``, or an output smaller than 1.

    Notes
    -----
    ``out = (n - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1``,
    PyTorch's ``H_out``. It inverts the convolution's
    ``floor((m + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``: a stride-s
    convolution maps ``s`` different sizes to the same ``n``, and ``output_padding``
    picks which one to give back.

    Examples
    --------
    A 3x3 kernel with stride 2 and padding 1 takes 5 to 3; the transpose takes 3 back:

    >>> conv_transpose_output_size(3, 3, stride=2, padding=1)
    5
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    >>> conv_transpose_output_size(2, 2)
    3
    """
    n = check_int(n, "n", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    output_padding = check_int(output_padding, "output_padding", minimum=0)
    dilation = check_int(dilation, "dilation", minimum=1)
    return _output_size(n, kernel_size, stride, padding, output_padding, dilation)


def zero_insert(x: npt.ArrayLike, stride: Pair) -> npt.NDArray[Any]:
    """Put ``stride - 1`` zeros between neighbouring cells (rows and columns separately).

    Parameters
    ----------
    x : ndarray of shape (H, W) or (C, H, W)
    stride : int or (rows, cols)

    Returns
    -------
    ndarray of shape ((H - 1)*stride[0] + 1, (W - 1)*stride[1] + 1) (or (C, ...)), dtype of ``x``

    Notes
    -----
    This is the first step of a transposed convolution drawn as an ordinary
    convolution: the input is spread out by the stride ("fractionally strided").

    Examples
    --------
    >>> zero_insert(np.array([[1, 2], [3, 4]]), 2)
    array([[1, 0, 2],
           [0, 0, 0],
           [3, 0, 4]])
    >>> zero_insert(np.array([[1, 2]]), (1, 3))
    array([[1, 0, 0, 2]])
    """
    arr = check_array(x, "x", (2, 3))
    s = check_pair(stride, "stride")
    check_cells(*((arr.shape[a] - 1) * s[a] + 1 for a in (-2, -1)))
    return _zero_insert(arr, s)


@dataclass(frozen=True)
class TransposeAsConvolution:
    """A transposed convolution rewritten as a stride-1 'valid' correlation.

    Attributes
    ----------
    zero_inserted : ndarray of shape ((H - 1)*stride + 1, (W - 1)*stride + 1)
        The input with ``stride - 1`` zeros between cells.
    padded_input : ndarray
        ``zero_inserted`` padded with zeros by ``pad`` (a negative pad crops).
    kernel : ndarray of shape (KH, KW)
        The weight flipped up-down and left-right.
    pad : ((top, bottom), (left, right))
        ``dilation*(K - 1) - padding`` on each side, plus ``output_padding`` at the
        bottom/right. Negative when ``padding`` exceeds ``dilation*(K - 1)``: that many
        rows/columns of ``zero_inserted`` are cropped instead.
    dilation : (rows, cols)
        The dilation to correlate ``padded_input`` with ``kernel`` at.
    """

    zero_inserted: npt.NDArray[Any]
    padded_input: npt.NDArray[Any]
    kernel: npt.NDArray[Any]
    pad: Padding2D
    dilation: tuple[int, int]


def transpose_as_convolution(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    dilation: Pair = 1,
) -> TransposeAsConvolution:
    """The zero-inserted, padded input and flipped kernel equivalent to a transposed convolution.

    Parameters
    ----------
    x : ndarray of shape (H, W)
        One channel.
    weight : ndarray of shape (KH, KW)
    stride, padding, output_padding, dilation : int or (rows, cols), optional
        As in :func:`conv_transpose2d`.

    Returns
    -------
    TransposeAsConvolution
        ``zero_inserted``, ``padded_input``, ``kernel``, ``pad`` and ``dilation``.

    Raises
    ------
    ArgumentError
        As :func:`conv_transpose2d`.

    See Also
    --------
    conv_transpose2d : the same result computed directly (scatter-add).
    zero_insert : the first step.

    Notes
    -----
    A stride-1 'valid' correlation (at ``dilation``) of ``padded_input`` with ``kernel``
    equals ``conv_transpose2d(x, weight, stride, padding, output_padding, dilation=dilation)``,
    where, per axis::

        zero_inserted = (n - 1)*stride + 1 cells
        pad_before = dilation*(K - 1) - padding
        pad_after  = dilation*(K - 1) - padding + output_padding
        kernel     = weight[::-1, ::-1]

    The 'valid' correlation gives ``(n - 1)*stride + 1 + 2*(dilation*(K - 1) - padding)
    + output_padding - dilation*(K - 1)`` cells, which is ``conv_transpose_output_size``.
    This is the picture in Dumoulin and Visin's guide; it wastes work on the inserted
    zeros, so :func:`conv_transpose2d` scatters instead.

    Examples
    --------
    >>> t = transpose_as_convolution(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]),
    ...                              stride=2)
    >>> t.padded_input
    array([[0, 0, 0, 0, 0],
           [0, 1, 0, 2, 0],
           [0, 0, 0, 0, 0],
           [0, 3, 0, 4, 0],
           [0, 0, 0, 0, 0]])
    >>> t.kernel
    array([[4, 3],
           [2, 1]])
    >>> t.pad
    ((1, 1), (1, 1))
    """
    arr = check_array(x, "x", (2,))
    w = check_array(weight, "weight", (2,))
    s, p, op, d = _check_geometry(arr.shape, w.shape, stride, padding, output_padding, dilation)
    inserted = _zero_insert(arr, s)
    pads = tuple(
        (d[a] * (w.shape[a] - 1) - p[a], d[a] * (w.shape[a] - 1) - p[a] + op[a]) for a in (0, 1)
    )
    padded = inserted
    # Crop first where a pad is negative (padding larger than the kernel's reach), then pad.
    crop = tuple(slice(max(-b, 0), inserted.shape[a] - max(-e, 0)) for a, (b, e) in enumerate(pads))
    padded = np.pad(padded[crop], [(max(b, 0), max(e, 0)) for b, e in pads])
    return TransposeAsConvolution(
        zero_inserted=inserted,
        padded_input=padded,
        kernel=w[::-1, ::-1].copy(),
        pad=pads,
        dilation=d,
    )


@dataclass(frozen=True)
class ConvTranspose2dArgs:
    """:func:`conv_transpose2d`'s array arguments, checked and in their batched form.

    ``x`` is ``(C_in, H, W)``, ``weight`` ``(C_in, C_out/groups, KH, KW)`` and ``bias``
    ``(C_out,)`` even for a 2D input and kernel (``single``). Iterating gives the fields:
    ``arr, w, b, groups, single = args``.
    """

    x: npt.NDArray[Any]
    weight: npt.NDArray[Any]
    bias: npt.NDArray[Any] | None
    groups: int
    single: bool

    def __iter__(self) -> Any:
        return iter((self.x, self.weight, self.bias, self.groups, self.single))


def parse_conv_transpose2d_args(
    x: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None, groups: Any
) -> ConvTranspose2dArgs:
    """Check :func:`conv_transpose2d`'s input, weight, groups and bias, in that order.

    The one parser behind :func:`conv_transpose2d` and
    :func:`conv_core.trace.trace_conv_transpose2d`: the same refusals, the same messages.

    >>> a = parse_conv_transpose2d_args([[1, 2]], [[1, 1]], 3, 1)
    >>> a.x.shape, a.weight.shape, a.bias.tolist(), a.single
    ((1, 1, 2), (1, 1, 1, 2), [3], True)
    """
    arr = check_array(x, "x", (2, 3))
    single = arr.ndim == 2
    w = check_array(weight, "weight", (2,) if single else (4,))
    groups = check_int(groups, "groups", minimum=1)
    b = None if bias is None else check_array(bias, "bias", (0, 1))
    if single:
        if groups != 1:
            raise ArgumentError("groups_not_divisor", groups=groups, in_channels=1, out_channels=1)
        arr, w = arr[None], w[None, None]
        b = None if b is None else b.reshape(-1)
    c_in = arr.shape[0]
    if w.shape[0] != c_in:
        raise ArgumentError("transpose_channels_mismatch", in_channels=c_in, shape=w.shape)
    c_out = w.shape[1] * groups
    if c_in % groups:
        raise ArgumentError(
            "groups_not_divisor", groups=groups, in_channels=c_in, out_channels=c_out
        )
    if b is not None and b.shape != (c_out,):
        raise ArgumentError("transpose_bias_shape", out_channels=c_out, shape=b.shape)
    return ConvTranspose2dArgs(arr, w, b, groups, single)


def conv_transpose2d(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Pair = 1,
    padding: Pair = 0,
    output_padding: Pair = 0,
    groups: int = 1,
    dilation: Pair = 1,
) -> npt.NDArray[Any]:
    r"""Transposed 2D convolution of a (C_in, H, W) or (H, W) input.

    Parameters
    ----------
    x : ndarray of shape (C_in, H, W) or (H, W)
        Integer or float, finite.
    weight : ndarray of shape (C_in, C_out/groups, KH, KW) or (KH, KW)
        PyTorch's layout for transposed convolution (in-channels first); (KH, KW) for
        an (H, W) input.
    bias : ndarray of shape (C_out,), optional
        Added to each output channel; for an (H, W) input a scalar or shape (1,).
    stride : int or (rows, cols), optional
        The distance between the stamps of neighbouring input cells (default 1).
    padding : int or (rows, cols), optional
        Cells cropped from each side of the full result (default 0). Only numbers, as in
        PyTorch: the padding words of ``conv_core.shapes`` do not apply here.
    output_padding : int or (rows, cols), optional
        Cells added at the bottom/right, smaller than ``stride`` or ``dilation`` (default 0).
    groups : int, optional
        Split the channels into ``groups`` independent groups (default 1).
    dilation : int or (rows, cols), optional
        Spacing between kernel taps (default 1).

    Returns
    -------
    ndarray of shape (C_out, H_out, W_out) or (H_out, W_out)
        int64 for integer operands (exact), float32 for float32 input, else float64.

    Raises
    ------
    ArgumentError
        Non-positive stride/dilation/groups, negative padding, output_padding not smaller
        than stride or dilation, mismatched shapes, an empty output, or NaN input.

    See Also
    --------
    transpose_as_convolution : the same as a stride-1 correlation of a zero-inserted input.
    conv_transpose_output_size : the size rule along one axis.

    Notes
    -----
    .. math::

        H_{out} = (H - 1)\,\text{stride} - 2\,\text{padding}
                  + \text{dilation}\,(KH - 1) + \text{output\_padding} + 1

    Input cell ``(i, j)`` adds ``x[i, j] * weight[a, b]`` to the full result at
    ``(i*stride + a*dilation, j*stride + b*dilation)``; ``padding`` cells are then cut
    from each side, and ``output_padding`` extra rows/columns kept at the bottom/right.
    Each kernel tap is one vectorized add into a strided slice, so the loops run over
    the KH*KW taps, never over pixels.

    Examples
    --------
    Each input cell stamps the all-ones 2x2 kernel; the stamps overlap by one cell:

    >>> x = np.array([[1, 2], [3, 4]])
    >>> conv_transpose2d(x, np.ones((2, 2), dtype=int))
    array([[ 1,  3,  2],
           [ 4, 10,  6],
           [ 3,  7,  4]])

    With stride 2 they no longer overlap: scaled copies of the kernel, tiled:

    >>> conv_transpose2d(x, np.array([[1, 0], [0, 1]]), stride=2)
    array([[1, 0, 2, 0],
           [0, 1, 0, 2],
           [3, 0, 4, 0],
           [0, 3, 0, 4]])
    """
    arr, w, b, groups, single = parse_conv_transpose2d_args(x, weight, bias, groups)
    s, p, op, d = _check_geometry(
        arr.shape[1:], w.shape[2:], stride, padding, output_padding, dilation
    )
    out = _scatter(arr, w, b, s, p, op, d, groups)
    return out[0] if single else out


# ---------------------------------------------------------------------------------------


def _output_size(n: int, k: int, s: int, p: int, op: int, d: int) -> int:
    """PyTorch's H_out, checking output_padding and emptiness."""
    if op >= s and op >= d:
        raise ArgumentError("transpose_output_padding_too_large", value=op, stride=s, dilation=d)
    size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if size < 1:
        raise ArgumentError(
            "transpose_output_empty",
            n=n,
            stride=s,
            padding=p,
            dilation=d,
            kernel_size=k,
            output_padding=op,
            size=size,
        )
    return size


def _check_geometry(
    hw: tuple[int, ...],
    khw: tuple[int, ...],
    stride: Any,
    padding: Any,
    output_padding: Any,
    dilation: Any,
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    s = check_pair(stride, "stride")
    p = check_pair(padding, "padding", minimum=0)
    op = check_pair(output_padding, "output_padding", minimum=0)
    d = check_pair(dilation, "dilation")
    for a in (0, 1):
        if op[a] >= s[a] and op[a] >= d[a]:
            # Report the arguments as given, so the message matches what the caller wrote.
            raise ArgumentError(
                "transpose_output_padding_too_large",
                value=output_padding,
                stride=stride,
                dilation=dilation,
            )
        _output_size(hw[a], khw[a], s[a], p[a], op[a], d[a])
    # The largest plane built: the zero-inserted input with the kernel's reach on both
    # sides (transpose_as_convolution's padded input; the scatter buffer is smaller).
    check_cells(*((hw[a] - 1) * s[a] + 1 + 2 * d[a] * (khw[a] - 1) + op[a] for a in (0, 1)))
    return s, p, op, d


def _zero_insert(arr: npt.NDArray[Any], s: tuple[int, int]) -> npt.NDArray[Any]:
    h, w = arr.shape[-2:]
    out = np.zeros((*arr.shape[:-2], (h - 1) * s[0] + 1, (w - 1) * s[1] + 1), dtype=arr.dtype)
    out[..., :: s[0], :: s[1]] = arr
    return out


def _scatter(
    x: npt.NDArray[Any],
    w: npt.NDArray[Any],
    bias: npt.NDArray[Any] | None,
    s: tuple[int, int],
    p: tuple[int, int],
    op: tuple[int, int],
    d: tuple[int, int],
    groups: int,
) -> npt.NDArray[Any]:
    """Scatter-add every kernel tap into a full-size buffer, then crop ``padding``."""
    dtype = result_dtype(x, w, bias)
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    c_in, h, wd = x.shape
    _, cg_out, kh, kw = w.shape
    cg_in = c_in // groups
    out_h = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1
    out_w = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1
    # The full result, plus room for output_padding beyond it (PyTorch fills that with
    # the bias alone, as here: no stamp reaches it).
    full_h = (h - 1) * s[0] + d[0] * (kh - 1) + 1 + op[0]
    full_w = (wd - 1) * s[1] + d[1] * (kw - 1) + 1 + op[1]
    buf = np.zeros((cg_out * groups, full_h, full_w), dtype=dtype)
    for g in range(groups):
        xg = x[g * cg_in : (g + 1) * cg_in]
        wg = w[g * cg_in : (g + 1) * cg_in]
        bg = buf[g * cg_out : (g + 1) * cg_out]
        for a in range(kh):
            rows = slice(a * d[0], a * d[0] + (h - 1) * s[0] + 1, s[0])
            for b in range(kw):
                cols = slice(b * d[1], b * d[1] + (wd - 1) * s[1] + 1, s[1])
                if cg_in == 1 and cg_out == 1:
                    bg[0, rows, cols] += xg[0] * wg[0, 0, a, b]
                else:
                    # (cg_in, cg_out) taps contracted with (cg_in, H, W) inputs.
                    bg[:, rows, cols] += np.tensordot(wg[:, :, a, b], xg, axes=(0, 0))
    out = buf[:, p[0] : p[0] + out_h, p[1] : p[1] + out_w]
    if bias is not None:
        out = out + bias.astype(dtype, copy=False)[:, None, None]
    return np.ascontiguousarray(out)
