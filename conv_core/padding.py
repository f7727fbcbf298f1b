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

__all__ = ["PADDING_MODES", "PaddingMode", "pad2d", "padding_mode_names"]

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
    """One padding mode: its picture and its names elsewhere."""

    name: str
    picture: str
    numpy: str
    ndimage: str
    torch: str | None
    explanation: str


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
        ),
        PaddingMode(
            "constant",
            "v v | a b c d | v v",
            "constant",
            "constant",
            None,
            "A chosen value around the border.",
        ),
        PaddingMode(
            "replicate",
            "a a | a b c d | d d",
            "edge",
            "nearest",
            "replicate",
            'Repeat the edge values (the lecture\'s "same padding").',
        ),
        PaddingMode(
            "reflect",
            "c b | a b c d | c b",
            "reflect",
            "mirror",
            "reflect",
            "Mirror about the edge cell, without repeating it.",
        ),
        PaddingMode(
            "symmetric",
            "b a | a b c d | d c",
            "symmetric",
            "reflect",
            None,
            "Mirror including the edge cell (scipy.ndimage's 'reflect').",
        ),
        PaddingMode(
            "circular",
            "c d | a b c d | a b",
            "wrap",
            "wrap",
            "circular",
            "Wrap around: the other side of the image continues here.",
        ),
    )
}


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
            dilation,  # type: ignore[arg-type]
        )
    else:
        pads = resolve_padding(padding, arr.shape[-2:], 1)  # type: ignore[arg-type]
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
