"""Padding: one vocabulary of modes, drawn, and ``pad2d``.

The same word means different padding in different libraries; ConvLab uses
PyTorch's ``padding_mode`` words and keeps the cross-walk here, once:

============  ==========================  ==============  =====================  ===========
ConvLab       picture                      ``np.pad``      ``scipy.ndimage``      PyTorch
============  ==========================  ==============  =====================  ===========
zeros         ``0 0 | a b c d | 0 0``      'constant'      'constant', cval=0     'zeros'
constant      ``v v | a b c d | v v``      'constant'      'constant', cval=v     (F.pad)
replicate     ``a a | a b c d | d d``      'edge'          'nearest'              'replicate'
reflect       ``c b | a b c d | c b``      'reflect'       'mirror'               'reflect'
symmetric     ``b a | a b c d | d c``      'symmetric'     'reflect'              none
circular      ``c d | a b c d | a b``      'wrap'          'wrap' / 'grid-wrap'   'circular'
============  ==========================  ==============  =====================  ===========

The lecture's "same padding" (repeating the edge values) is ``'replicate'``; the
padding *spec* ``'same'`` is only TensorFlow's size rule (see ``conv_core.shapes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import Pair, check_array, check_cells, check_choice
from .errors import ArgumentError, register_messages
from .shapes import Padding2D, PaddingSpec, resolve_padding

__all__ = [
    "PADDING_LIBRARIES",
    "PADDING_MODES",
    "PaddingMode",
    "pad2d",
    "pad2d_with_mask",
    "padding_mode_names",
]

register_messages(
    {
        "padding_word_needs_kernel": (
            "padding={value!r} depends on the kernel: pass kernel_size to pad2d, "
            "or give the padding as numbers"
        ),
        "reflect_pad_too_large": (
            "reflect padding must be smaller than the input along each side, but got "
            "padding {pad} for an input of {size} {axis}; use 'symmetric' or 'replicate', "
            "or pad less"
        ),
    }
)


@dataclass(frozen=True)
class PaddingMode:
    """One padding mode: its picture and its name in each library (None: it has none).

    Attributes
    ----------
    name, picture, explanation : str
        ConvLab's name, its picture on a row ``a b c d``, one sentence on it.
    numpy : str
        ``numpy.pad(..., mode=...)``.
    ndimage : str
        ``scipy.ndimage.correlate(..., mode=...)`` (and every ndimage filter).
    torch : str or None
        ``torch.nn.Conv2d(..., padding_mode=...)``.
    signal : str or None
        ``scipy.signal.correlate2d(..., boundary=...)``.
    torch_pad : str or None
        ``torch.nn.functional.pad(..., mode=...)``.
    tf : str or None
        ``tf.pad(..., mode=...)``.

    'constant' takes a value: ``constant_values=v`` (NumPy, TF), ``cval=v`` (ndimage),
    ``fillvalue=v`` (scipy.signal), ``value=v`` (F.pad).
    """

    name: str
    picture: str
    numpy: str
    ndimage: str
    torch: str | None
    explanation: str
    signal: str | None = None
    torch_pad: str | None = None
    tf: str | None = None


#: Every padding mode, by ConvLab name (PyTorch's words, plus 'constant' and 'symmetric').
PADDING_MODES: dict[str, PaddingMode] = {
    m.name: m
    for m in (
        PaddingMode(
            "zeros",
            "0 0 | a b c d | 0 0",
            "constant",
            "constant",
            "zeros",
            "Zeros around the border (what CNN layers use by default).",
            signal="fill",
            torch_pad="constant",
            tf="CONSTANT",
        ),
        PaddingMode(
            "constant",
            "v v | a b c d | v v",
            "constant",
            "constant",
            None,
            "A chosen value around the border.",
            signal="fill",
            torch_pad="constant",
            tf="CONSTANT",
        ),
        PaddingMode(
            "replicate",
            "a a | a b c d | d d",
            "edge",
            "nearest",
            "replicate",
            'Repeat the edge values (the lecture\'s "same padding").',
            signal=None,
            torch_pad="replicate",
            tf=None,
        ),
        PaddingMode(
            "reflect",
            "c b | a b c d | c b",
            "reflect",
            "mirror",
            "reflect",
            "Mirror about the edge cell, without repeating it.",
            signal=None,
            torch_pad="reflect",
            tf="REFLECT",
        ),
        PaddingMode(
            "symmetric",
            "b a | a b c d | d c",
            "symmetric",
            "reflect",
            None,
            "Mirror including the edge cell (scipy.ndimage's 'reflect').",
            signal="symm",
            torch_pad=None,
            tf="SYMMETRIC",
        ),
        PaddingMode(
            "circular",
            "c d | a b c d | a b",
            "wrap",
            "wrap",
            "circular",
            "Wrap around: the other side of the image continues here.",
            signal="wrap",
            torch_pad="circular",
            tf=None,
        ),
    )
}


#: The libraries of the cross-walk: (PaddingMode attribute, where the name goes), in
#: display order (the padding-modes page's table and the code snippets read it).
PADDING_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("numpy", "numpy.pad"),
    ("ndimage", "scipy.ndimage"),
    ("signal", "scipy.signal boundary"),
    ("torch", "nn.Conv2d padding_mode"),
    ("torch_pad", "F.pad"),
    ("tf", "tf.pad"),
)


def padding_mode_names() -> tuple[str, ...]:
    """The padding mode names, in display order.

    >>> padding_mode_names()
    ('zeros', 'constant', 'replicate', 'reflect', 'symmetric', 'circular')
    """
    return tuple(PADDING_MODES)


def check_padding_mode(mode: Any, arg_name: str = "padding_mode") -> str:
    """Return ``mode`` if it is a ConvLab padding mode, else raise listing them."""
    return check_choice(mode, arg_name, PADDING_MODES)


def pad2d(
    x: npt.ArrayLike,
    padding: PaddingSpec,
    mode: str = "zeros",
    value: float = 0.0,
    *,
    kernel_size: Pair | None = None,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> npt.NDArray[Any]:
    """Pad the last two axes of an (H, W) or (C, H, W) array.

    Parameters
    ----------
    x : ndarray of shape (H, W) or (C, H, W)
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}
        The words need ``kernel_size`` (and ``stride``, ``dilation``): see
        :func:`conv_core.shapes.resolve_padding`.
    mode : {'zeros', 'constant', 'replicate', 'reflect', 'symmetric', 'circular'}, optional
        What fills the border (default 'zeros'):

        'zeros' (``0 0 | a b c d | 0 0``)
            Zeros; ``value`` is ignored.
        'constant' (``v v | a b c d | v v``)
            ``value`` everywhere around.
        'replicate' (``a a | a b c d | d d``)
            The edge value repeated: the lecture's "same padding".
        'reflect' (``c b | a b c d | c b``)
            Mirrored about the edge cell; each pad must be smaller than the input, as in PyTorch.
        'symmetric' (``b a | a b c d | d c``)
            Mirrored including the edge cell.
        'circular' (``c d | a b c d | a b``)
            Wrapped around from the other side.
    value : float, optional
        The fill for ``mode='constant'``.
    kernel_size, stride, dilation : int or (rows, cols), optional
        Only for the padding words.

    Returns
    -------
    ndarray of shape (H + top + bottom, W + left + right) or (C, ...), same dtype as ``x``

    Raises
    ------
    ArgumentError
        Unknown mode, malformed padding, or a reflect pad as large as the input.

    Examples
    --------
    >>> x = np.array([[1, 2], [3, 4]])
    >>> pad2d(x, 1)
    array([[0, 0, 0, 0],
           [0, 1, 2, 0],
           [0, 3, 4, 0],
           [0, 0, 0, 0]])
    >>> pad2d(x, ((0, 0), (1, 2)), mode="replicate")
    array([[1, 1, 2, 2, 2],
           [3, 3, 4, 4, 4]])
    >>> pad2d(np.array([[1, 2, 3, 4]]), (0, 2), mode="reflect")
    array([[3, 2, 1, 2, 3, 4, 3, 2]])
    """
    arr = check_array(x, "x", (2, 3), finite=False)
    mode = check_padding_mode(mode, "mode")
    if isinstance(padding, str):
        if kernel_size is None:
            raise ArgumentError("padding_word_needs_kernel", value=padding)
        pads: Padding2D = resolve_padding(
            padding,
            arr.shape[-2:],
            kernel_size,
            stride,
            dilation,
        )
    else:
        pads = resolve_padding(padding, arr.shape[-2:], 1)
    check_cells(arr.shape[-2] + sum(pads[0]), arr.shape[-1] + sum(pads[1]))
    return _pad_resolved(arr, pads, mode, value)


def _pad_resolved(
    arr: npt.NDArray[Any], pads: Padding2D, mode: str, value: float = 0.0
) -> npt.NDArray[Any]:
    """Pad with already resolved ``((top, bottom), (left, right))``; no checks but reflect's."""
    if mode == "reflect":
        for axis_name, size, pad in (
            ("rows", arr.shape[-2], pads[0]),
            ("columns", arr.shape[-1], pads[1]),
        ):
            if max(pad) >= size and max(pad) > 0:
                raise ArgumentError(
                    "reflect_pad_too_large", pad=max(pad), size=size, axis=axis_name
                )
    width = ((0, 0),) * (arr.ndim - 2) + tuple(pads)
    np_mode = PADDING_MODES[mode].numpy
    if np_mode == "constant":
        fill = 0 if mode == "zeros" else value
        out = np.pad(arr, width, mode="constant", constant_values=fill)
    else:
        out = np.pad(arr, width, mode=np_mode)
    return out


def pad2d_with_mask(
    x: npt.ArrayLike,
    pads: tuple[tuple[int, int], tuple[int, int]],
    mode: str = "zeros",
    value: float = 0.0,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """:func:`pad2d` of a 2D ``x`` and a mask of the same shape: True where padding.

    >>> values, mask = pad2d_with_mask(np.array([[1, 2, 3]]), ((0, 0), (2, 2)), "reflect")
    >>> values.tolist(), mask.astype(int).tolist()
    ([[3, 2, 1, 2, 3, 2, 1]], [[1, 1, 0, 0, 0, 1, 1]])
    """
    arr = np.asarray(x)
    values = pad2d(arr, pads, mode, value)
    mask = np.ones(values.shape, dtype=bool)
    (top, _), (left, _) = pads
    mask[top : top + arr.shape[0], left : left + arr.shape[1]] = False
    return values, mask
