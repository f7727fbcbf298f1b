"""3D convolution: a ``kd x kh x kw`` filter moving along three axes of a volume.

A 1D filter moves along one axis, a 2D filter along two; a 3D filter (depth ``kd``
smaller than the input's depth) also moves along the depth, so its output is a volume
too. :func:`conv3d` is ``torch.nn.functional.conv3d`` on one sample (cross-correlation,
no flip):

``out[o, z, y, x] = bias[o] + sum_{c, a, b, e}
x_pad[c, z*sd + a*dd, y*sh + b*dh, x*sw + e*dw] * weight[o, c, a, b, e]``

When the filter is as deep as the input (``kd = D``, no depth padding) the depth
collapses to 1: that is the "2D convolution of a 3D input" of a colour image, where
the channels are the depth (:func:`conv_core.conv.conv2d`).

The arguments are checked by :func:`parse_conv3d_args`, shared with
:func:`conv_core.trace.trace_conv3d`, so both refuse the same things alike.

References
----------
Lecture notes, "Convolution": 1D, 2D and 3D convolution.
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ._checks import MAX_CELLS, _plain, check_array, result_dtype
from .errors import ArgumentError, register_messages
from .shapes import ConvOutputSize, conv_output_size_detail, resolve_padding_1d

__all__ = [
    "AXES_3D",
    "Conv3dArgs",
    "Triple",
    "conv3d",
    "conv3d_output_shape",
    "parse_conv3d_args",
]

register_messages(
    {
        "bad_triple": (
            "{arg} must be a positive integer or a (depth, rows, cols) triple of positive "
            "integers, but got {arg}={value!r}"
        ),
        "bad_padding_3d": (
            "padding must be a non-negative integer, a (depth, rows, cols) triple of them "
            "(each may be a (before, after) pair), 'valid', 'same' or 'full', "
            "but got padding={value!r}"
        ),
        "conv3d_weight_ndim": (
            "weight must be {expected} for input of shape {x_shape}, "
            "but got weight of shape {w_shape}"
        ),
        "conv3d_channel_mismatch": (
            "input has {got} channels but weight expects {expected}: "
            "input has shape {x_shape}, weight has shape {w_shape}"
        ),
        "conv3d_kernel_too_large_depth": (
            "kernel depth {kernel_size} (dilated {span}) is larger than the padded input depth "
            "{padded} ({n} + {before} + {after} padding); use a shallower kernel or a smaller "
            "dilation, or add padding"
        ),
        "conv3d_kernel_too_large_height": (
            "kernel height {kernel_size} (dilated {span}) is larger than the padded input height "
            "{padded} ({n} + {before} + {after} padding); use a smaller kernel or dilation, "
            "or add padding"
        ),
        "conv3d_kernel_too_large_width": (
            "kernel width {kernel_size} (dilated {span}) is larger than the padded input width "
            "{padded} ({n} + {before} + {after} padding); use a smaller kernel or dilation, "
            "or add padding"
        ),
        "too_many_cells_3d": (
            "the padded input or the result would be {channels:,} x {depth:,} x {rows:,} x "
            "{cols:,} = {cells:,} cells, more than the {limit:,} conv_core computes at once; "
            "use less padding, a smaller stride or a smaller dilation"
        ),
    }
)

#: An int used for depth, rows and columns, or a ``(depth, rows, cols)`` triple.
Triple = int | tuple[int, int, int]
#: A 3D padding: ``p``, ``(pd, ph, pw)`` (each may be ``(before, after)``) or a word.
Padding3dSpec = int | tuple[Any, Any, Any] | str
#: The axes in order, as the messages name them.
AXES_3D = ("depth", "height", "width")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_triple(value: Any, arg_name: str) -> tuple[int, int, int]:
    """``(depth, rows, cols)`` from a positive int or a triple of positive ints.

    >>> check_triple(2, "stride")
    (2, 2, 2)
    >>> check_triple((1, 2, 3), "dilation")
    (1, 2, 3)
    >>> check_triple(0, "stride")
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: stride must be a positive integer or a (depth, rows, cols) \
triple of positive integers, but got stride=0
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if _is_int(value):
        if int(value) < 1:
            raise ArgumentError("bad_triple", arg=arg_name, value=int(value))
        v = int(value)
        return (v, v, v)
    sequence = isinstance(value, (tuple, list)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )
    if sequence and len(value) == 3 and all(_is_int(v) and int(v) >= 1 for v in value):
        d, h, w = (int(v) for v in value)
        return (d, h, w)
    raise ArgumentError("bad_triple", arg=arg_name, value=_plain(value))


def resolve_padding_3d(
    spec: Any,
    input_dhw: tuple[int, int, int],
    kernel_dhw: tuple[int, int, int],
    stride: tuple[int, int, int],
    dilation: tuple[int, int, int],
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Resolve a 3D padding to ``((front, back), (top, bottom), (left, right))``.

    ``p`` pads every side by ``p``; ``(pd, ph, pw)`` pads each axis on both sides (any of
    them may be a ``(before, after)`` pair); the words are :func:`conv_core.shapes.
    resolve_padding`'s, applied per axis (``'same'`` is TensorFlow's rule).

    >>> resolve_padding_3d(1, (3, 5, 5), (3, 3, 3), (1, 1, 1), (1, 1, 1))
    ((1, 1), (1, 1), (1, 1))
    >>> resolve_padding_3d((0, 1, (0, 2)), (3, 5, 5), (3, 3, 3), (1, 1, 1), (1, 1, 1))
    ((0, 0), (1, 1), (0, 2))
    >>> resolve_padding_3d("same", (5, 5, 5), (2, 3, 3), (1, 1, 1), (1, 1, 1))
    ((0, 1), (1, 1), (1, 1))
    """
    if isinstance(spec, np.ndarray) and spec.ndim == 0:
        spec = spec.item()
    if isinstance(spec, str) or _is_int(spec):
        per_axis = (spec, spec, spec)
    elif isinstance(spec, (tuple, list, np.ndarray)) and len(spec) == 3:
        per_axis = tuple(_plain(v) if isinstance(v, (list, np.ndarray)) else v for v in spec)
        for part in per_axis:
            pair = isinstance(part, tuple) and len(part) == 2 and all(_is_int(v) for v in part)
            if not (_is_int(part) or pair):
                raise ArgumentError("bad_padding_3d", value=_plain(spec))
    else:
        raise ArgumentError("bad_padding_3d", value=_plain(spec))
    if isinstance(spec, str) and spec not in ("valid", "same", "full"):
        raise ArgumentError("bad_padding_3d", value=spec)
    return tuple(  # type: ignore[return-value]
        resolve_padding_1d(p, n, k, s, d)
        for p, n, k, s, d in zip(per_axis, input_dhw, kernel_dhw, stride, dilation, strict=True)
    )


def output_sizes(
    input_dhw: tuple[int, int, int],
    kernel_dhw: tuple[int, int, int],
    stride: tuple[int, int, int],
    pads: tuple[tuple[int, int], ...],
    dilation: tuple[int, int, int],
) -> tuple[ConvOutputSize, ConvOutputSize, ConvOutputSize]:
    """The output size per axis (depth, rows, cols), or an ArgumentError naming the axis
    whose dilated kernel is larger than the padded input."""
    sizes = []
    for axis, n, k, s, (before, after), d in zip(
        AXES_3D, input_dhw, kernel_dhw, stride, pads, dilation, strict=True
    ):
        span = d * (k - 1) + 1
        padded = n + before + after
        if span > padded:
            raise ArgumentError(
                f"conv3d_kernel_too_large_{axis}", kernel_size=k, span=span, padded=padded,
                n=n, before=before, after=after,
            )  # fmt: skip
        sizes.append(conv_output_size_detail(n, k, s, (before, after), d))
    return sizes[0], sizes[1], sizes[2]


class Conv3dArgs(NamedTuple):
    """:func:`parse_conv3d_args`' checked arguments, in their batched form.

    ``x`` is ``(C, D, H, W)`` and ``weight`` ``(O, C, kd, kh, kw)`` even for a ``(D, H, W)``
    input and kernel (``single``: then the result drops the channel axis).
    """

    x: npt.NDArray[Any]
    weight: npt.NDArray[Any]
    bias: npt.NDArray[Any] | None
    stride: tuple[int, int, int]
    padding: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int, int]
    sizes: tuple[ConvOutputSize, ConvOutputSize, ConvOutputSize]
    single: bool

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """``(O, D', H', W')``."""
        return (self.weight.shape[0], *(s.size for s in self.sizes))


def parse_conv3d_args(
    input: npt.ArrayLike,  # PyTorch's name (shadows the builtin here only)
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None,
    stride: Any,
    padding: Any,
    dilation: Any,
) -> Conv3dArgs:
    """Check :func:`conv3d`'s arguments, in the order of its signature (as
    :func:`conv_core.conv.parse_conv2d_args` does for ``conv2d``).

    The one parser behind :func:`conv3d` and :func:`conv_core.trace.trace_conv3d`.

    >>> a = parse_conv3d_args(np.ones((3, 5, 5)), np.ones((2, 3, 3)), 1, 1, 0, 1)
    >>> a.x.shape, a.weight.shape, a.out_shape, a.single
    ((1, 3, 5, 5), (1, 1, 2, 3, 3), (1, 2, 3, 3), True)
    >>> parse_conv3d_args(np.ones((3, 5, 5)), np.ones((5, 3, 3)), None, 1, 0, 1)
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: kernel depth 5 (dilated 5) is larger than the padded input \
depth 3 (3 + 0 + 0 padding); use a shallower kernel or a smaller dilation, or add padding
    """
    arr = check_array(input, "input", (3, 4))
    w = check_array(weight, "weight", (3, 5))
    single = arr.ndim == 3
    if single != (w.ndim == 3):
        expected = "a 3D array (kd, kh, kw)" if single else "a 5D array (C_out, C_in, kd, kh, kw)"
        raise ArgumentError(
            "conv3d_weight_ndim", expected=expected, x_shape=arr.shape, w_shape=w.shape
        )
    if single:
        arr, w = arr[None], w[None, None]
    if w.shape[1] != arr.shape[0]:
        raise ArgumentError(
            "conv3d_channel_mismatch", got=arr.shape[0], expected=w.shape[1],
            x_shape=np.shape(input), w_shape=np.shape(weight),
        )  # fmt: skip
    b = None
    if bias is not None:
        b = check_array(bias, "bias", (0, 1) if single else (1,))
        if b.shape not in ((w.shape[0],), ()):  # () only gets here for one volume
            raise ArgumentError("conv_bias_shape", out_channels=w.shape[0], shape=b.shape)
        b = b.reshape(-1)
    s = check_triple(stride, "stride")
    d = check_triple(dilation, "dilation")
    in_dhw = arr.shape[1:]
    k_dhw = w.shape[2:]
    pads = resolve_padding_3d(padding, in_dhw, k_dhw, s, d)
    sizes = output_sizes(in_dhw, k_dhw, s, pads, d)
    c = arr.shape[0]
    padded = tuple(n + sum(p) for n, p in zip(in_dhw, pads, strict=True))
    for cells, shape in (
        (c * padded[0] * padded[1] * padded[2], (c, *padded)),
        (w.shape[0] * sizes[0].size * sizes[1].size * sizes[2].size,
         (w.shape[0], *(z.size for z in sizes))),
    ):  # fmt: skip
        if cells > MAX_CELLS:
            ch, depth, rows, cols = shape
            raise ArgumentError(
                "too_many_cells_3d", channels=ch, depth=depth, rows=rows, cols=cols,
                cells=cells, limit=MAX_CELLS,
            )  # fmt: skip
    return Conv3dArgs(arr, w, b, s, pads, d, sizes, single)


def pad3d(x: npt.NDArray[Any], pads: tuple[tuple[int, int], ...]) -> npt.NDArray[Any]:
    """Zero-pad the last three axes of ``x`` by ``((front, back), (top, bottom), (left, right))``.

    >>> pad3d(np.ones((1, 1, 1), dtype=int), ((1, 0), (0, 0), (0, 1))).tolist()
    [[[0, 0]], [[1, 0]]]
    """
    width = ((0, 0),) * (x.ndim - 3) + tuple(pads)
    return np.pad(x, width, mode="constant", constant_values=0)


def conv3d(
    input: npt.ArrayLike,  # PyTorch's name (shadows the builtin here only)
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Triple = 1,
    padding: Padding3dSpec = 0,
    dilation: Triple = 1,
) -> npt.NDArray[Any]:
    """A 3D convolution layer on one input: ``torch.nn.functional.conv3d`` on a batch of one.

    Parameters
    ----------
    input : ndarray of shape (C_in, D, H, W) or (D, H, W)
        The input volume(s); a (D, H, W) volume is one channel.
    weight : ndarray of shape (C_out, C_in, kd, kh, kw) or (kd, kh, kw)
        One ``kd x kh x kw`` filter per (output channel, input channel); a (kd, kh, kw)
        weight goes with a (D, H, W) input.
    bias : ndarray of shape (C_out,), optional
        Added to every cell of each output channel; with a (D, H, W) input a single number
        is allowed. Default None.
    stride : int or (depth, rows, cols), optional
        Step between windows along each axis (default 1). An int is used for all three.
    padding : int, (pd, ph, pw) or {'valid', 'same', 'full'}, optional
        Zeros added around the volume (default 0). Each of ``pd, ph, pw`` may be a
        ``(before, after)`` pair; the words are :func:`conv_core.conv.conv2d`'s, applied
        per axis (``'same'`` is TensorFlow's rule ``out = ceil(n / stride)``).
    dilation : int or (depth, rows, cols), optional
        Spacing between kernel taps (default 1: adjacent).

    Returns
    -------
    ndarray of shape (C_out, D', H', W'), or (D', H', W') for a (D, H, W) input
        int64 when input, weight and bias are integers (exact), float32 when ``input`` is
        float32, float64 otherwise.

    Raises
    ------
    ArgumentError
        (a ``ValueError``) for a non-numeric, empty or non-finite array; an input that is
        not 3D or 4D, or a weight whose dimensions do not go with it; a channel count that
        does not match the weight (both shapes in the message); a bias of the wrong shape;
        a stride or dilation below 1; a negative or malformed padding; a kernel deeper,
        taller or wider (dilated) than the padded input (``'conv3d_kernel_too_large_depth'``
        and so on, with the numbers); or a volume above 2**28 cells.

    See Also
    --------
    conv_core.conv.conv2d : two axes; ``conv3d`` with ``kd = D`` and no depth padding is
        ``conv2d`` with the depth as channels.
    conv_core.trace.trace_conv3d : every output position step by step.
    scipy.ndimage.correlate, scipy.signal.correlate : one channel, ``'valid'``.

    Notes
    -----
    Cross-correlation, as every CNN library computes it:

    ``out[o, z, y, x] = bias[o] + sum_{c, a, b, e}
    x_pad[c, z*sd + a*dd, y*sh + b*dh, x*sw + e*dw] * weight[o, c, a, b, e]``.

    Output size per axis (:func:`conv_core.shapes.conv_output_size_detail`):
    ``out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    PyTorch writes shapes ``(C, D, H, W)``; ConvLab's pages write a volume D × H × W.

    Computed as a sum over the kernel's taps of one strided slice of the padded input each,
    contracted over the channels by a matrix product.

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

    Examples
    --------
    A 2 x 3 x 3 volume and a 2 x 2 x 2 box filter: each output adds the 8 cells of one
    window; output ``[0, 0, 0]`` is ``0 + 1 + 3 + 4 + 9 + 10 + 12 + 13 = 52``:

    >>> x = np.arange(18).reshape(2, 3, 3)
    >>> conv3d(x, np.ones((2, 2, 2), dtype=int))
    array([[[52, 60],
            [76, 84]]])

    With stride 2 and padding 1 along every axis, two output channels and a bias:

    >>> w = np.stack([np.ones((1, 2, 2, 2), int), -np.ones((1, 2, 2, 2), int)])
    >>> conv3d(x[None], w, bias=[0, 100], stride=2, padding=1).shape
    (2, 2, 2, 2)
    """
    a = parse_conv3d_args(input, weight, bias, stride, padding, dilation)
    dtype = result_dtype(a.x, a.weight, a.bias)
    xp = pad3d(a.x.astype(dtype, copy=False), a.padding)
    w = a.weight.astype(dtype, copy=False)
    o, _, kd, kh, kw = w.shape
    (sd, sh, sw), (dd, dh, dw) = a.stride, a.dilation
    od, oh, ow = (s.size for s in a.sizes)
    out = np.zeros((o, od, oh, ow), dtype)
    for i in range(kd):
        for j in range(kh):
            for k in range(kw):
                # Stride and dilation are slice steps: only the outputs that exist are read.
                slab = xp[
                    :,
                    i * dd : i * dd + (od - 1) * sd + 1 : sd,
                    j * dh : j * dh + (oh - 1) * sh + 1 : sh,
                    k * dw : k * dw + (ow - 1) * sw + 1 : sw,
                ]
                out += np.tensordot(w[:, :, i, j, k], slab, axes=(1, 0))
    if a.bias is not None:
        out += a.bias.astype(dtype)[:, None, None, None]
    return out[0] if a.single else out


def conv3d_output_shape(
    input_dhw: tuple[int, int, int],
    kernel_size: Triple,
    stride: Triple = 1,
    padding: Padding3dSpec = 0,
    dilation: Triple = 1,
) -> tuple[int, int, int]:
    """The (D', H', W') that :func:`conv3d` returns for these settings.

    Raises
    ------
    ArgumentError
        Bad sizes, or a kernel larger than the padded input (the axis and numbers named).

    Examples
    --------
    >>> conv3d_output_shape((5, 5, 5), (3, 3, 3))
    (3, 3, 3)
    >>> conv3d_output_shape((5, 5, 5), 3, stride=(1, 2, 2), padding=1)
    (5, 3, 3)
    """
    in_dhw = check_triple(input_dhw, "input_dhw")
    k = check_triple(kernel_size, "kernel_size")
    s = check_triple(stride, "stride")
    d = check_triple(dilation, "dilation")
    pads = resolve_padding_3d(padding, in_dhw, k, s, d)
    return tuple(z.size for z in output_sizes(in_dhw, k, s, pads, d))  # type: ignore[return-value]
