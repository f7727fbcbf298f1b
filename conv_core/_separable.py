"""Is a kernel separable (rank 1)? Then two 1D passes replace one 2D pass.

Most preset kernels (box, Gaussian, Sobel, Prewitt, Scharr) are the outer product
of a column and a row; filtering with the column and then the row costs
``KH + KW`` taps per pixel instead of ``KH * KW``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def separable_factors(
    kernel: npt.ArrayLike, *, rtol: float = 1e-10
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """Return ``(column, row)`` with ``np.outer(column, row) == kernel``, or None if not rank 1.

    Uses the SVD: a kernel is rank 1 when its second singular value is negligible
    next to the first (``rtol``). Integer kernels whose factors are integers come
    back with integral values (Sobel x gives ``[1, 2, 1]`` and ``[-1, 0, 1]``).

    >>> col, row = separable_factors([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    >>> np.outer(col, row)
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> separable_factors([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]) is None
    True
    """
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or not np.any(k):
        return None
    u, s, vt = np.linalg.svd(k)
    if len(s) > 1 and s[1] > rtol * s[0]:
        return None
    column = u[:, 0] * np.sqrt(s[0])
    row = vt[0] * np.sqrt(s[0])
    # Prefer the factors a person would write: scale the column so that its
    # largest-magnitude entry is its smallest non-zero magnitude's multiple (integers
    # where the kernel allows), and fix the sign so the column's first non-zero is positive.
    nz = column[np.abs(column) > rtol * np.abs(column).max()]
    scale = 1.0 / np.abs(nz).min()
    if nz[0] < 0:
        scale = -scale
    column, row = column * scale, row / scale
    column = _snap(column)
    row = _snap(row)
    return column, row


def is_separable(kernel: npt.ArrayLike) -> bool:
    """True when the kernel is the outer product of a column and a row.

    >>> is_separable(np.ones((3, 3)) / 9), is_separable(np.eye(3))
    (True, False)
    """
    return separable_factors(kernel) is not None


def _snap(v: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Round values within 1e-9 of an integer to it (SVD leaves 0.9999999999)."""
    r = np.round(v)
    return np.where(np.abs(v - r) < 1e-9 * max(1.0, float(np.abs(v).max())), r, v)
