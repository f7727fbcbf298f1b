"""One table of padding-mode names across libraries: the cross-walk page and the code snippets.

The same word means different padding in different libraries (SciPy's ``'reflect'`` is
NumPy's ``'symmetric'``; NumPy's and PyTorch's ``'reflect'`` is SciPy's ``'mirror'``), so
the names live here once, keyed by ConvLab's mode name (``conv_core.PADDING_MODES``).
``None`` means the library has no such mode. Pure: no Streamlit.

A test pads real arrays with every NumPy and SciPy name here and compares the result with
``conv_core.pad2d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import conv_core as cc

__all__ = ["LIBRARIES", "PADDING_NAMES", "PaddingNames", "padded_cell_styles", "padded_with_mask"]


@dataclass(frozen=True)
class PaddingNames:
    """One padding mode's name in each library (None: the library has none).

    Attributes
    ----------
    numpy : str
        ``numpy.pad(..., mode=...)``.
    ndimage : str
        ``scipy.ndimage.correlate(..., mode=...)`` (and every ndimage filter).
    signal : str or None
        ``scipy.signal.correlate2d(..., boundary=...)``.
    torch : str or None
        ``torch.nn.Conv2d(..., padding_mode=...)``.
    torch_pad : str or None
        ``torch.nn.functional.pad(..., mode=...)``.
    tf : str or None
        ``tf.pad(..., mode=...)``.
    """

    numpy: str
    ndimage: str
    signal: str | None
    torch: str | None
    torch_pad: str | None
    tf: str | None


#: Every ConvLab padding mode (``conv_core.PADDING_MODES`` order) and its names elsewhere.
#: 'constant' takes a value: ``constant_values=v`` (NumPy, TF), ``cval=v`` (ndimage),
#: ``fillvalue=v`` (scipy.signal), ``value=v`` (F.pad).
PADDING_NAMES: dict[str, PaddingNames] = {
    "zeros": PaddingNames("constant", "constant", "fill", "zeros", "constant", "CONSTANT"),
    "constant": PaddingNames("constant", "constant", "fill", None, "constant", "CONSTANT"),
    "replicate": PaddingNames("edge", "nearest", None, "replicate", "replicate", None),
    "reflect": PaddingNames("reflect", "mirror", None, "reflect", "reflect", "REFLECT"),
    "symmetric": PaddingNames("symmetric", "reflect", "symm", None, None, "SYMMETRIC"),
    "circular": PaddingNames("wrap", "wrap", "wrap", "circular", "circular", None),
}

#: The table's columns: (attribute, where the name goes), in display order.
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("numpy", "numpy.pad"),
    ("ndimage", "scipy.ndimage"),
    ("signal", "scipy.signal boundary"),
    ("torch", "nn.Conv2d padding_mode"),
    ("torch_pad", "F.pad"),
    ("tf", "tf.pad"),
)


def padded_with_mask(
    x: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]], mode: str, value: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """``conv_core.pad2d`` of ``x`` and a mask of the same shape: True where padding.

    >>> values, mask = padded_with_mask(np.array([[1, 2, 3]]), ((0, 0), (2, 2)), "reflect")
    >>> values.tolist(), mask.astype(int).tolist()
    ([[3, 2, 1, 2, 3, 2, 1]], [[1, 1, 0, 0, 0, 1, 1]])
    """
    values = cc.pad2d(x, pads, mode, value)
    mask = np.ones(values.shape, dtype=bool)
    (t, _), (left, _) = pads
    mask[t : t + x.shape[0], left : left + x.shape[1]] = False
    return values, mask


def padded_cell_styles(mask: np.ndarray) -> np.ndarray:
    """CSS for each cell of a padded grid: padding grey and italic, the input bold on blue."""
    pad = "background-color: #e6e6e6; color: #6b6b6b; font-style: italic"
    cell = "background-color: #cfe3f5; color: #000000; font-weight: 700"
    return np.where(mask, pad, cell)
