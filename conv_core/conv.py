"""Convolution and cross-correlation in 1D and 2D, single- and multi-channel.

What CNN layers compute is *cross-correlation*: the kernel as given, laid on the
window, multiplied cell by cell and summed (no flip). ``correlate2d`` and
``conv2d`` (PyTorch's ``torch.nn.functional.conv2d``) do that; ``convolve2d`` is
the mathematical convolution, which flips the kernel first:

``correlate2d(x, k)[r, c] = sum_ij x_pad[r*sh + i*dh, c*sw + j*dw] * k[i, j]``

``convolve2d(x, k) = correlate2d(x, k[::-1, ::-1])``

Every function takes PyTorch's ``stride``, ``padding``, ``dilation`` (an int, or a
``(rows, cols)`` pair) and ``padding_mode``; ``padding`` also takes
``((top, bottom), (left, right))`` and the words ``'valid'``, ``'same'``
(TensorFlow's rule) and ``'full'`` (see :func:`conv_core.shapes.resolve_padding`).
The output size comes from :func:`conv_core.shapes.conv_output_size_detail`.

Integer input with an integer kernel (and bias) is computed exactly in int64, as
the lecture's worked examples; float32 input (photos) gives float32; anything
else float64. How it is computed (shifted slices, two 1D passes, im2col + matmul
or FFT) is chosen by size: see ``conv_core._fastconv``.

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from . import _fastconv
from ._checks import (
    Pair,
    check_array,
    check_cells,
    check_choice,
    check_int,
    check_pair,
    result_dtype,
)
from .errors import ArgumentError, register_messages
from .shapes import (
    Padding2D,
    PaddingSpec,
    conv_output_size_detail,
    resolve_padding,
    resolve_padding_1d,
)

__all__ = [
    "CONV_PADDING_MODES",
    "conv2d",
    "conv2d_hwc",
    "conv2d_output_shape",
    "convolve1d",
    "convolve2d",
    "correlate1d",
    "correlate2d",
]

register_messages(
    {
        "conv_channel_mismatch": (
            "{arg} has {got} channels but weight expects in_channels = {per_group} x groups "
            "= {expected}: {arg} has shape {x_shape}, weight has shape {w_shape}"
        ),
        "conv_weight_ndim": (
            "weight must be {expected} for {arg} of shape {x_shape}, "
            "but got weight of shape {w_shape}"
        ),
        "conv_bias_shape": (
            "bias must have one value per output channel, shape ({out_channels},), "
            "but got bias of shape {shape}"
        ),
        "conv_not_separable": (
            "method='separable' needs a rank-1 kernel (the outer product of a column and a "
            "row, exactly in the result's dtype), but the kernel of shape {shape} is not"
        ),
        "conv_fft_not_exact": (
            "method='fft' cannot give exact integers for these values: its round-off "
            "could reach {bound:.3g} (must stay below 0.5); use method='direct' or float input"
        ),
    }
)

#: Padding modes the convolutions accept: ``torch.nn.Conv2d``'s ``padding_mode`` words,
#: plus ConvLab's ``'symmetric'`` (see :data:`conv_core.padding.PADDING_MODES`).
CONV_PADDING_MODES = ("zeros", "replicate", "reflect", "symmetric", "circular")

_METHODS = _fastconv.METHODS

# Parameter text shared by the functions below (written once, like scipy.ndimage's docdict).
_DOC = {
    "stride": """stride : int or (rows, cols), optional
        Step between windows (default 1). An int is used for rows and columns.""",
    "padding": """padding : int, (ph, pw), ((top, bottom), (left, right)), or \
{'valid', 'same', 'full'}, optional
        Cells added around the input (default 0). ``'same'`` is TensorFlow's rule
        ``out = ceil(n / stride)``, the odd cell going to the bottom/right;
        ``'full'`` is ``dilation*(kernel_size - 1)`` on each side.""",
    "dilation": """dilation : int or (rows, cols), optional
        Spacing between kernel taps (default 1: adjacent).""",
    "padding_mode": """padding_mode : {'zeros', 'replicate', 'reflect', 'symmetric', 'circular'}, \
optional
        What fills the padding (default 'zeros'), as ``torch.nn.Conv2d``'s
        ``padding_mode`` plus ``'symmetric'``:

        'zeros' (``0 0 | a b c d | 0 0``)
            Zeros.
        'replicate' (``a a | a b c d | d d``)
            The edge value repeated (the lecture's "same padding").
        'reflect' (``c b | a b c d | c b``)
            Mirrored about the edge cell; each pad must be smaller than the input.
        'symmetric' (``b a | a b c d | d c``)
            Mirrored including the edge cell (scipy.ndimage's 'reflect').
        'circular' (``c d | a b c d | a b``)
            Wrapped around from the other side.""",
    "method": """method : {'auto', 'direct', 'separable', 'fft'}, optional
        How to compute it (keyword only; default 'auto' picks the cheapest by size).
        'direct' sums shifted slices (one channel) or uses im2col + one matmul per
        row strip (several channels); 'separable' does a column pass then a row pass
        and needs a rank-1 single-channel kernel; 'fft' goes through real FFTs (for
        integers only while the result stays exact). All give the same values up to
        floating-point rounding; integers are exact on every path.""",
    "size_rule": """
    ``out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``
    per axis (:func:`conv_core.shapes.conv_output_size_detail`).""",
    "raises": """ArgumentError
        (a ``ValueError``) for a non-numeric, empty or non-finite array, an array of
        the wrong dimension, a stride or dilation below 1, a negative or malformed
        padding, an unknown ``padding_mode``, a reflect pad as large as the input, a
        kernel span larger than the padded input (``'output_empty'``, with the numbers),
        or a padded input or output above 2**28 cells (``'too_many_cells'``).""",
}


def _doc(func: Any) -> Any:
    """Fill ``<<name>>`` placeholders in a docstring with the shared text."""
    text = func.__doc__
    for key, value in _DOC.items():
        text = text.replace(f"<<{key}>>", value)
    func.__doc__ = text
    return func


# --------------------------------------------------------------------------- helpers


def _check_mode(padding_mode: Any) -> str:
    return check_choice(padding_mode, "padding_mode", CONV_PADDING_MODES)


def _check_method(method: Any) -> str:
    return check_choice(method, "method", _METHODS)


def _geometry(
    in_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: str,
    *,
    sized: bool = True,
) -> _fastconv.Geometry:
    """Validate stride/dilation/padding and size the output (rules from ``shapes``).

    ``sized`` (default): also refuse a padded input or output beyond ``MAX_CELLS``, as a
    computation must; :func:`conv2d_output_shape` only sizes, so it passes False."""
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    pads = resolve_padding(padding, in_hw, kernel_hw, s, d)
    if padding_mode == "reflect":
        # As PyTorch (and conv_core.padding.pad2d): a mirror needs a cell to mirror.
        for axis_name, size, pad in (("rows", in_hw[0], pads[0]), ("columns", in_hw[1], pads[1])):
            if max(pad) >= size and max(pad) > 0:
                raise ArgumentError(
                    "reflect_pad_too_large", pad=max(pad), size=size, axis=axis_name
                )
    out_hw = tuple(
        conv_output_size_detail(n, k, st, p, dl).size
        for n, k, st, p, dl in zip(in_hw, kernel_hw, s, pads, d, strict=True)
    )
    if sized:
        check_cells(in_hw[0] + sum(pads[0]), in_hw[1] + sum(pads[1]))
        check_cells(*out_hw)
    return _fastconv.Geometry(in_hw, kernel_hw, s, d, pads, out_hw)


def _run(
    src: npt.NDArray[Any],
    weight: npt.NDArray[Any],
    geo: _fastconv.Geometry,
    mode: str,
    dtype: np.dtype,
    out: npt.NDArray[Any] | None,
    method: str,
    channels_last: bool = False,
) -> npt.NDArray[Any]:
    try:
        return _fastconv.correlate_core(
            src, weight, geo, mode, dtype, out, channels_last=channels_last, method=method
        )
    except _fastconv.MethodUnavailable as exc:
        raise ArgumentError(exc.key, **exc.params) from None


class Correlate2dArgs(NamedTuple):
    """:func:`parse_correlate2d_args`' checked arguments (``padding`` resolved per side)."""

    x: npt.NDArray[Any]
    kernel: npt.NDArray[Any]
    stride: tuple[int, int]
    padding: Padding2D
    dilation: tuple[int, int]
    padding_mode: str


def parse_correlate2d_args(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
) -> Correlate2dArgs:
    """Check :func:`correlate2d`'s arguments, in the order of its signature.

    The one parser behind :func:`correlate2d`, :func:`convolve2d` and their traces
    (:func:`conv_core.trace.trace_correlate2d`), so all refuse the same things with the
    same messages.

    >>> a = parse_correlate2d_args(np.ones((4, 4)), np.ones((3, 3)), 1, "same", 1, "zeros")
    >>> a.padding, a.stride
    (((1, 1), (1, 1)), (1, 1))
    >>> parse_correlate2d_args(np.ones(4), np.ones((3, 3)), 1, 0, 1, "zeros")
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: x must be a 2D array, but got an array of shape (4,)
    """
    arr = check_array(x, "x", (2,))
    k = check_array(kernel, "kernel", (2,))
    s = check_pair(stride, "stride")
    d = check_pair(dilation, "dilation")
    pads = resolve_padding(padding, arr.shape, k.shape, s, d)
    return Correlate2dArgs(arr, k, s, pads, d, _check_mode(padding_mode))


class Correlate1dArgs(NamedTuple):
    """:func:`parse_correlate1d_args`' checked arguments (``padding`` resolved per side)."""

    x: npt.NDArray[Any]
    kernel: npt.NDArray[Any]
    stride: int
    padding: tuple[int, int]
    dilation: int
    padding_mode: str


def parse_correlate1d_args(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
) -> Correlate1dArgs:
    """Check :func:`correlate1d`'s arguments: the parser it shares with its trace.

    >>> parse_correlate1d_args([1, 2, 3, 4], [1, 0, -1], 1, "same", 1, "zeros").padding
    (1, 1)
    """
    arr = check_array(x, "x", (1,))
    k = check_array(kernel, "kernel", (1,))
    s = check_int(stride, "stride", minimum=1)
    d = check_int(dilation, "dilation", minimum=1)
    mode = _check_mode(padding_mode)
    pads = resolve_padding_1d(padding, arr.shape[0], k.shape[0], s, d)
    return Correlate1dArgs(arr, k, s, pads, d, mode)


def _correlate_2d(
    x: Any,
    kernel: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
    method: Any,
    flip: bool,
) -> npt.NDArray[Any]:
    """The single-channel core behind correlate2d and convolve2d."""
    a = parse_correlate2d_args(x, kernel, stride, padding, dilation, padding_mode)
    k = a.kernel[::-1, ::-1] if flip else a.kernel  # convolution: the kernel turned 180°
    method = _check_method(method)
    geo = _geometry(a.x.shape, k.shape, a.stride, a.padding, a.dilation, a.padding_mode)
    dtype = result_dtype(a.x, k)
    return _run(a.x[None], k[None, None], geo, a.padding_mode, dtype, None, method)[0]


# --------------------------------------------------------------------------- 2D, one channel


@_doc
def correlate2d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """Cross-correlate a 2D array with a kernel: what a CNN layer calls convolution.

    Parameters
    ----------
    x : ndarray of shape (H, W)
        The input grid (0-255 units for images).
    kernel : ndarray of shape (KH, KW)
        The filter, used as given (not flipped).
    <<stride>>
    <<padding>>
    <<dilation>>
    <<padding_mode>>
    <<method>>

    Returns
    -------
    ndarray of shape (H', W')
        int64 when ``x`` and ``kernel`` are integers (exact), float32 when ``x`` is
        float32, float64 otherwise.

    Raises
    ------
    <<raises>>

    See Also
    --------
    convolve2d : the same with the kernel flipped.
    conv2d : several channels, groups and bias (``torch.nn.functional.conv2d``).
    scipy.signal.correlate2d, scipy.ndimage.correlate

    Notes
    -----
    ``out[r, c] = sum_ij x_pad[r*sh + i*dh, c*sw + j*dw] * kernel[i, j]``, where
    ``x_pad`` is ``x`` padded by ``padding`` with ``padding_mode``. Output size:
    <<size_rule>>

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

    Examples
    --------
    The lecture's 6x6 input and X-shaped filter; output cell ``[0, 0]`` is
    ``1*1 + 0*0 + 0*1 + 0*0 + 1*1 + 0*0 + 0*1 + 0*0 + 1*1 = 3``:

    >>> x = np.array([[1, 0, 0, 0, 0, 1],
    ...               [0, 1, 0, 0, 1, 0],
    ...               [0, 0, 1, 1, 0, 0],
    ...               [1, 0, 0, 0, 1, 0],
    ...               [0, 1, 0, 0, 1, 0],
    ...               [0, 0, 1, 0, 1, 0]])
    >>> k = np.array([[1, 0, 1],
    ...               [0, 1, 0],
    ...               [1, 0, 1]])
    >>> correlate2d(x, k)
    array([[3, 1, 1, 3],
           [1, 2, 3, 0],
           [1, 2, 2, 2],
           [3, 0, 3, 1]])
    >>> correlate2d(x, k, stride=2)
    array([[3, 1],
           [1, 2]])

    Zero padding keeps the size; 'replicate' repeats the edge instead of zeros:

    >>> correlate2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], padding="same")
    array([[10,  6],
           [ 7,  4]])
    >>> correlate2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], padding="same",
    ...             padding_mode="replicate")
    array([[10, 12],
           [14, 16]])
    """
    return _correlate_2d(x, kernel, stride, padding, dilation, padding_mode, method, flip=False)


@_doc
def convolve2d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """Convolve a 2D array with a kernel: correlation with the kernel turned 180 degrees.

    Parameters
    ----------
    x : ndarray of shape (H, W)
        The input grid.
    kernel : ndarray of shape (KH, KW)
        The filter; it is flipped in both axes before sliding.
    <<stride>>
    <<padding>>
    <<dilation>>
    <<padding_mode>>
    <<method>>

    Returns
    -------
    ndarray of shape (H', W')
        dtype as :func:`correlate2d`.

    Raises
    ------
    <<raises>>

    See Also
    --------
    correlate2d : no flip; what CNN layers compute.
    scipy.signal.convolve2d, scipy.ndimage.convolve

    Notes
    -----
    By definition ``convolve2d(x, k, ...) == correlate2d(x, k[::-1, ::-1], ...)``:
    ``out[r, c] = sum_ij x_pad[r*sh + i*dh, c*sw + j*dw] * kernel[KH-1-i, KW-1-j]``.
    The padding (and so the centring) is resolved exactly as for
    :func:`correlate2d`. For an even-sized kernel with ``padding='same'`` this is
    *not* scipy.signal.convolve2d's ``mode='same'``, which centres the full
    convolution and so puts the odd cell of padding on the top/left: the two
    results are shifted by one cell. ``'valid'`` and ``'full'`` agree with SciPy.
    Output size: <<size_rule>>

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

    Examples
    --------
    An asymmetric kernel shows the flip:

    >>> x = np.array([[1, 2, 3],
    ...               [4, 5, 6],
    ...               [7, 8, 9]])
    >>> k = np.array([[1, 0],
    ...               [0, 2]])
    >>> correlate2d(x, k)
    array([[11, 14],
           [20, 23]])
    >>> convolve2d(x, k)
    array([[ 7, 10],
           [16, 19]])

    Cell ``[0, 0]`` of the convolution is ``1*2 + 5*1 = 7``: the kernel's 2 now sits
    on the top-left cell.
    """
    return _correlate_2d(x, kernel, stride, padding, dilation, padding_mode, method, flip=True)


# --------------------------------------------------------------------------- 2D, channels


def _check_bias(bias: Any, out_channels: int, *, scalar_ok: bool) -> Any:
    """``bias`` as a 1D array of ``out_channels`` finite numbers, or None."""
    if bias is None:
        return None
    b = check_array(bias, "bias", (0, 1) if scalar_ok else (1,))
    if b.shape not in ((out_channels,), ()):
        raise ArgumentError("conv_bias_shape", out_channels=out_channels, shape=b.shape)
    if b.shape == () and not scalar_ok:
        raise ArgumentError("conv_bias_shape", out_channels=out_channels, shape=b.shape)
    return b.reshape(-1)


@dataclass(frozen=True)
class Conv2dArgs:
    """:func:`conv2d`'s array arguments, checked and in their batched form.

    ``x`` is ``(C_in, H, W)`` and ``weight`` ``(C_out, C_in/groups, KH, KW)`` even when the
    caller gave a 2D input and kernel (``single``: then the result drops the channel axis).
    Iterating gives the fields in order: ``arr, w, b, groups, mode, single = args``.
    """

    x: npt.NDArray[Any]
    weight: npt.NDArray[Any]
    bias: npt.NDArray[Any] | None
    groups: int
    padding_mode: str
    single: bool

    def __iter__(self) -> Any:
        return iter((self.x, self.weight, self.bias, self.groups, self.padding_mode, self.single))


def parse_conv2d_args(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None,
    groups: Any,
    padding_mode: Any,
) -> Conv2dArgs:
    """Check :func:`conv2d`'s input, weight, bias, groups and padding mode, in that order.

    The one parser behind :func:`conv2d` and :func:`conv_core.trace.trace_conv2d`, so both
    refuse the same things with the same messages.

    >>> parse_conv2d_args(np.ones((2, 4, 4)), np.ones((3, 1, 2, 2)), None, 2, "zeros")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: groups must divide both in_channels and out_channels, ...
    >>> a = parse_conv2d_args(np.ones((4, 4)), np.ones((2, 2)), 5, 1, "zeros")
    >>> a.x.shape, a.weight.shape, a.bias.tolist(), a.single
    ((1, 4, 4), (1, 1, 2, 2), [5], True)
    """
    arr = check_array(x, "x", (2, 3))
    w = check_array(weight, "weight", (2, 4))
    groups = check_int(groups, "groups", minimum=1)
    mode = _check_mode(padding_mode)
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
    b = _check_bias(bias, c_out, scalar_ok=single)
    return Conv2dArgs(arr, w, b, groups, mode, single)


@_doc
def conv2d(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """A convolution layer on one input: ``torch.nn.functional.conv2d`` on a batch of one.

    Parameters
    ----------
    x : ndarray of shape (C_in, H, W) or (H, W)
        The input channels (an (H, W) grid is one channel).
    weight : ndarray of shape (C_out, C_in/groups, KH, KW) or (KH, KW)
        One kernel per (output channel, input channel of its group); a (KH, KW)
        weight goes with an (H, W) input.
    bias : ndarray of shape (C_out,), optional
        Added to every cell of each output channel; with an (H, W) input a single
        number is allowed. Default None (no bias).
    <<stride>>
    <<padding>>
    <<dilation>>
    groups : int, optional
        Split the channels into ``groups`` independent convolutions (default 1);
        it must divide both ``C_in`` and ``C_out``. ``groups = C_in`` is depthwise.
    <<padding_mode>>
    <<method>>

    Returns
    -------
    ndarray of shape (C_out, H', W'), or (H', W') for an (H, W) input
        int64 when input, weight and bias are integers (exact), float32 when ``x`` is
        float32, float64 otherwise.

    Raises
    ------
    <<raises>>
        Also: ``x`` and ``weight`` of mismatched dimensions, a channel count that does
        not match ``weight`` (both shapes in the message), ``groups`` not dividing the
        channel counts, a bias of the wrong shape or non-finite.

    See Also
    --------
    correlate2d : the single-channel operation each output channel sums.
    conv2d_hwc : channels-last images (H, W, C) and weights (KH, KW, C_in, C_out).

    Notes
    -----
    Cross-correlation, as every CNN library computes it:

    ``out[o, r, c] = bias[o] + sum_{ch in group(o)} sum_ij
    x_pad[ch, r*sh + i*dh, c*sw + j*dw] * weight[o, ch - first(group(o)), i, j]``.

    Output size: <<size_rule>>

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

    Examples
    --------
    The lecture's RGB example at one position (the top-left window, with zero padding):
    the three channel sums are 308, -498 and 164, and the bias 1 gives -25:

    >>> red = [[156, 155], [153, 154]]
    >>> green = [[167, 166], [164, 165]]
    >>> blue = [[163, 162], [160, 161]]
    >>> w = np.array([[[[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
    ...                [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
    ...                [[0, 1, 1], [0, 1, 0], [1, -1, 1]]]])
    >>> conv2d([red, green, blue], w, bias=[1], padding=1)[:, 0, 0]
    array([-25])

    Two output channels, bias per channel:

    >>> x = np.array([[[10, 0, 0], [0, 10, 0], [0, 0, 10]]])
    >>> w = np.array([[[[10, 0], [0, 10]]], [[[0, 5], [3, 0]]]])
    >>> conv2d(x, w, bias=[20, 10])
    array([[[220,  20],
            [ 20, 220]],
    <BLANKLINE>
           [[ 10,  40],
            [ 60,  10]]])
    """
    args = parse_conv2d_args(x, weight, bias, groups, padding_mode)
    method = _check_method(method)
    arr, w, b, groups, mode, single = args
    c_in, c_out = arr.shape[0], w.shape[0]
    geo = _geometry(arr.shape[1:], w.shape[2:], stride, padding, dilation, mode)
    dtype = result_dtype(arr, w, b)
    out = np.empty((c_out, *geo.out_hw), dtype)
    in_g, out_g = c_in // groups, c_out // groups
    for g in range(groups):
        _run(
            arr[g * in_g : (g + 1) * in_g],
            w[g * out_g : (g + 1) * out_g],
            geo,
            mode,
            dtype,
            out[g * out_g : (g + 1) * out_g],
            method,
        )
    if b is not None:
        out += b.astype(dtype)[:, None, None]
    return out[0] if single else out


@_doc
def conv2d_hwc(
    image: npt.ArrayLike,
    weight_hwio: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """A convolution layer on a channels-last image (photos as loaded: H, W, RGB).

    Same numbers as :func:`conv2d` with the axes moved, without transposing the
    image as a whole: each row strip is read channels-last and the output is
    written channels-last by the matmul, so a 12 MP photo costs little more memory
    than its output.

    Parameters
    ----------
    image : ndarray of shape (H, W, C_in)
        The image, channels last (float32 photos stay float32).
    weight_hwio : ndarray of shape (KH, KW, C_in, C_out)
        Kernels, TensorFlow's HWIO layout: ``weight_hwio[:, :, c, o]`` is the kernel
        from input channel ``c`` to output channel ``o``.
    bias : ndarray of shape (C_out,), optional
        Default None.
    <<stride>>
    <<padding>>
    <<dilation>>
    <<padding_mode>>
    <<method>>

    Returns
    -------
    ndarray of shape (H', W', C_out)
        dtype as :func:`conv2d`.

    Raises
    ------
    <<raises>>
        Also: ``C_in`` of the image and the weight differ, or a bias of the wrong shape.

    See Also
    --------
    conv2d : channels-first, with groups (``torch.nn.functional.conv2d``).

    Notes
    -----
    ``out[r, c, o] = bias[o] + sum_ch sum_ij
    image_pad[r*sh + i*dh, c*sw + j*dw, ch] * weight_hwio[i, j, ch, o]``, i.e.
    ``conv2d(image.transpose(2, 0, 1), weight_hwio.transpose(3, 2, 0, 1)).transpose(1, 2, 0)``.
    Output size: <<size_rule>>

    Examples
    --------
    A 2x2 RGB image and one output map that adds red and subtracts blue:

    >>> image = np.array([[[1, 2, 3], [4, 5, 6]],
    ...                   [[7, 8, 9], [1, 1, 1]]])
    >>> w = np.zeros((1, 1, 3, 1), dtype=int)
    >>> w[0, 0, :, 0] = [1, 0, -1]
    >>> conv2d_hwc(image, w)[:, :, 0]
    array([[-2, -2],
           [-2,  0]])
    """
    arr = check_array(image, "image", (3,))
    w = check_array(weight_hwio, "weight_hwio", (4,))
    mode = _check_mode(padding_mode)
    method = _check_method(method)
    if w.shape[2] != arr.shape[2]:
        raise ArgumentError(
            "conv_channel_mismatch",
            arg="image",
            got=arr.shape[2],
            per_group=w.shape[2],
            groups=1,
            expected=w.shape[2],
            x_shape=arr.shape,
            w_shape=w.shape,
        )
    c_out = w.shape[3]
    b = _check_bias(bias, c_out, scalar_ok=False)
    geo = _geometry(arr.shape[:2], w.shape[:2], stride, padding, dilation, mode)
    dtype = result_dtype(arr, w, b)
    out = np.empty((*geo.out_hw, c_out), dtype)
    # Views only: the core reads (C, H, W) strips and writes (H', W', C_out) rows.
    _run(
        arr.transpose(2, 0, 1),
        w.transpose(3, 2, 0, 1),
        geo,
        mode,
        dtype,
        out,
        method,
        channels_last=True,
    )
    if b is not None:
        out += b.astype(dtype)
    return out


@_doc
def conv2d_output_shape(
    input_hw: tuple[int, int],
    kernel_size: Pair,
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """The (H', W') that :func:`correlate2d` / :func:`conv2d` return for these settings.

    Parameters
    ----------
    input_hw : (rows, cols)
    kernel_size : int or (rows, cols)
    <<stride>>
    <<padding>>
    <<dilation>>

    Returns
    -------
    (H', W') : tuple of int

    Raises
    ------
    ArgumentError
        Bad sizes, or an empty output (with the numbers).

    Notes
    -----
    <<size_rule>>

    Examples
    --------
    >>> conv2d_output_shape((6, 6), 3)
    (4, 4)
    >>> conv2d_output_shape((5, 5), 3, stride=2, padding=1)
    (3, 3)
    >>> conv2d_output_shape((13, 13), 6, stride=(5, 1), padding="same")
    (3, 13)
    """
    in_hw = check_pair(input_hw, "input_hw")
    k = check_pair(kernel_size, "kernel_size")
    return _geometry(in_hw, k, stride, padding, dilation, "zeros", sized=False).out_hw


# --------------------------------------------------------------------------- 1D


def _correlate_1d(
    x: Any,
    kernel: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
    method: Any,
    flip: bool,
) -> npt.NDArray[Any]:
    a = parse_correlate1d_args(x, kernel, stride, padding, dilation, padding_mode)
    k = a.kernel[::-1] if flip else a.kernel
    method = _check_method(method)
    # A 1D signal is a 1-row image: rows get no padding, stride or dilation.
    return _correlate_2d(
        a.x[None], k[None], (1, a.stride), ((0, 0), a.padding), (1, a.dilation), a.padding_mode,
        method, False,
    )[0]  # fmt: skip


@_doc
def correlate1d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """Cross-correlate a 1D signal with a kernel (no flip).

    Parameters
    ----------
    x : ndarray of shape (N,)
    kernel : ndarray of shape (K,)
    stride : int, optional
        Default 1.
    padding : int, (before, after) or {'valid', 'same', 'full'}, optional
        Default 0 ('valid'): only windows entirely inside ``x``.
    dilation : int, optional
        Default 1.
    <<padding_mode>>
    <<method>>

    Returns
    -------
    ndarray of shape (N',)
        dtype as :func:`correlate2d`.

    Raises
    ------
    <<raises>>

    See Also
    --------
    convolve1d, correlate2d, numpy.correlate

    Notes
    -----
    ``out[i] = sum_j x_pad[i*stride + j*dilation] * kernel[j]``, with
    <<size_rule>>

    Examples
    --------
    The lecture's smoothing of a constant signal: each output is
    ``1*0.25 + 1*0.5 + 1*0.25 = 1``:

    >>> correlate1d([1, 1, 1, 1, 1], [0.25, 0.5, 0.25])
    array([1., 1., 1.])
    >>> correlate1d([1, 2, 3, 4, 5], [1, 0, -1], padding=1)
    array([-2, -2, -2, -2,  4])
    """
    return _correlate_1d(x, kernel, stride, padding, dilation, padding_mode, method, flip=False)


@_doc
def convolve1d(
    x: npt.ArrayLike,
    kernel: npt.ArrayLike,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    *,
    method: str = "auto",
) -> npt.NDArray[Any]:
    """Convolve a 1D signal with a kernel: correlation with the kernel reversed.

    Parameters
    ----------
    x : ndarray of shape (N,)
    kernel : ndarray of shape (K,)
        Reversed before sliding.
    stride, padding, dilation, padding_mode, method
        As :func:`correlate1d`.

    Returns
    -------
    ndarray of shape (N',)

    Raises
    ------
    <<raises>>

    See Also
    --------
    correlate1d, numpy.convolve

    Notes
    -----
    ``convolve1d(x, k, ...) == correlate1d(x, k[::-1], ...)``; with ``padding='full'``
    it is ``numpy.convolve(x, k)``.

    Examples
    --------
    >>> convolve1d([1, 2, 3, 4, 5], [1, 0, -1], padding=1)
    array([ 2,  2,  2,  2, -4])
    >>> convolve1d([1, 2, 3], [1, 1], padding="full")
    array([1, 3, 5, 3])
    """
    return _correlate_1d(x, kernel, stride, padding, dilation, padding_mode, method, flip=True)
