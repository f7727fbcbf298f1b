"""The handwritten digits the Tiny CNN learns from, and turning a drawing into one.

The data set is the UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin,
C. Kaynak, 1998; CC BY 4.0), as bundled with scikit-learn: 1797 images of 8x8 integers
0..16 with their labels 0..9, shipped in ``assets/digits/digits.csv.gz`` (see the
``LICENSE.md`` beside it).

Each 8x8 image came from a 32x32 black-and-white bitmap, size-normalised by NIST's
programs, cut into 4x4 blocks whose on pixels were counted (0..16). :func:`image_to_digit`
repeats that on a user's drawing or photo, so the network sees it the way it saw its
training data:

``image -> grey -> threshold (ink = True) -> normalise_bitmap (32x32) -> bitmap_to_counts (8x8)``

References
----------
E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository, 1998, https://doi.org/10.24432/C50P49.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._checks import check_array, check_int
from .errors import ArgumentError, register_messages
from .image_io import to_grey

__all__ = [
    "DIGITS_PATH",
    "Digits",
    "bitmap_to_counts",
    "image_to_digit",
    "load_digits",
    "normalise_bitmap",
    "stratified_test_mask",
]

register_messages(
    {
        "digits_bitmap_shape": (
            "bitmap must have shape (32, 32) (8x8 blocks of 4x4 pixels), "
            "but got an array of shape {shape}"
        ),
        "digits_test_fraction": (
            "test_fraction must be a number with 0 < test_fraction < 1, "
            "but got test_fraction={value!r}"
        ),
        "digits_image_channels": (
            "image must be (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA, "
            "but got an array of shape {shape}"
        ),
    }
)

#: The bundled data set: 1797 rows of 64 counts 0..16 then the label.
DIGITS_PATH = Path(__file__).resolve().parents[1] / "assets" / "digits" / "digits.csv.gz"

# The side of the dataset's bitmaps and of the blocks counted in them.
_BITMAP_SIZE = 32
_BLOCK = 4


@dataclass(frozen=True)
class Digits:
    """The digits, split into a training and a test set.

    Attributes
    ----------
    train_images : ndarray of shape (N_train, 8, 8) and dtype int64
        Counts 0..16 (read-only: every caller shares them).
    train_labels : ndarray of shape (N_train,) and dtype int64
        The digit 0..9 each image shows.
    test_images : ndarray of shape (N_test, 8, 8) and dtype int64
    test_labels : ndarray of shape (N_test,) and dtype int64
    """

    train_images: npt.NDArray[np.int64]
    train_labels: npt.NDArray[np.int64]
    test_images: npt.NDArray[np.int64]
    test_labels: npt.NDArray[np.int64]


def load_digits(
    path: str | Path = DIGITS_PATH, test_fraction: float = 0.2, seed: int = 0
) -> Digits:
    """Read the digits file and split it, the same way every time, into train and test.

    Parameters
    ----------
    path : str or Path, optional
        A gzipped CSV of rows ``64 counts, label`` (default: the bundled data set).
    test_fraction : float, optional
        The share of each digit's images that goes to the test set (default 0.2).
    seed : int, optional
        Seed of the shuffle that picks them (default 0).

    Returns
    -------
    Digits
        Read-only arrays; the result is cached, so repeated calls are free.

    Raises
    ------
    ArgumentError
        ``test_fraction`` outside (0, 1), or a negative ``seed``.

    Notes
    -----
    The split is stratified: for each digit ``d``, its images (in file order) are
    shuffled by ``numpy.random.default_rng(seed).permutation``, drawn digit by digit
    in the order 0..9 from one generator, and the first ``round(test_fraction * n_d)``
    go to the test set. Both sets keep file order. So every digit is represented in
    the same proportion in both sets, and the split depends only on
    ``(test_fraction, seed)``, never on the run.

    Examples
    --------
    >>> digits = load_digits()
    >>> digits.train_images.shape, digits.test_images.shape
    ((1438, 8, 8), (359, 8, 8))
    >>> np.bincount(digits.test_labels).tolist()
    [36, 36, 35, 37, 36, 36, 36, 36, 35, 36]
    >>> int(digits.train_images.max())
    16
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)):
        raise ArgumentError("digits_test_fraction", value=test_fraction)
    if not 0 < test_fraction < 1:
        raise ArgumentError("digits_test_fraction", value=test_fraction)
    seed = check_int(seed, "seed", minimum=0)
    return _load_split(str(Path(path).resolve()), float(test_fraction), seed)


def stratified_test_mask(
    labels: npt.NDArray[np.int64], seed: int, test_count: Callable[[int], int]
) -> npt.NDArray[np.bool_]:
    """Which examples go to the test split: for each class 0-9 in turn, ``test_count(n)`` of
    its ``n`` members, drawn by one ``numpy.random.default_rng(seed)`` permutation per class
    (so the same seed always gives the same split, class by class).

    >>> stratified_test_mask(np.array([0, 0, 1, 1, 1, 1]), 0, lambda n: n // 2).tolist()
    [True, False, True, False, True, False]
    """
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        test[rng.permutation(members)[: test_count(len(members))]] = True
    return test


@functools.lru_cache(maxsize=8)
def _load_split(path: str, test_fraction: float, seed: int) -> Digits:
    rows = np.loadtxt(path, delimiter=",", dtype=np.int64)
    images, labels = rows[:, :64].reshape(-1, 8, 8), rows[:, 64]
    test = stratified_test_mask(labels, seed, lambda n: round(test_fraction * n))
    parts = (images[~test], labels[~test], images[test], labels[test])
    for part in parts:
        part.setflags(write=False)
    return Digits(*parts)


def bitmap_to_counts(bitmap: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Count the on pixels in each 4x4 block of a 32x32 bitmap: the data set's 8x8 image.

    Parameters
    ----------
    bitmap : ndarray of shape (32, 32), bool or 0/1
        The digit, True (or 1) where there is ink.

    Returns
    -------
    ndarray of shape (8, 8) and dtype int64
        Counts 0..16.

    Raises
    ------
    ArgumentError
        Not a (32, 32) array.

    Notes
    -----
    ``counts[r, c] = sum_{i, j < 4} bitmap[4r + i, 4c + j]``: a 4x4 sum pooling with
    stride 4, which is how the UCI data set was made from NIST's bitmaps.

    Examples
    --------
    >>> bitmap = np.zeros((32, 32), dtype=bool)
    >>> bitmap[0:4, 0:4] = True      # a full block
    >>> bitmap[4:6, 4:5] = True      # two pixels of the next block down the diagonal
    >>> bitmap_to_counts(bitmap)[:2, :2]
    array([[16,  0],
           [ 0,  2]])
    """
    arr = check_array(bitmap, "bitmap", (2,))
    if arr.shape != (_BITMAP_SIZE, _BITMAP_SIZE):
        raise ArgumentError("digits_bitmap_shape", shape=arr.shape)
    on = (arr != 0).astype(np.int64)
    n = _BITMAP_SIZE // _BLOCK
    return on.reshape(n, _BLOCK, n, _BLOCK).sum(axis=(1, 3))


def normalise_bitmap(bitmap: npt.ArrayLike, size: int = _BITMAP_SIZE) -> npt.NDArray[np.bool_]:
    """Crop a bitmap to its ink and scale it to fill a ``size`` x ``size`` box, centred.

    Parameters
    ----------
    bitmap : ndarray of shape (H, W), bool or 0/1
        True (or non-zero) where there is ink.
    size : int, optional
        Side of the result (default 32, the data set's bitmaps).

    Returns
    -------
    ndarray of shape (size, size) and dtype bool
        All False when ``bitmap`` has no ink.

    Raises
    ------
    ArgumentError
        Not a 2D array, or ``size`` below 1.

    Notes
    -----
    NIST-like size normalisation, so a small digit drawn in a corner looks like the
    training data: the bounding box of the ink (``h`` x ``w``) is scaled by
    ``s = size / max(h, w)`` (aspect ratio kept: the longer side fills the box) to
    ``round(h*s)`` x ``round(w*s)`` pixels, each the share of ink in the area it covers
    (Pillow's box filter), kept where that share is at least one half; the result is
    centred, any odd pixel of margin going to the bottom/right.

    Examples
    --------
    A 1x2 stroke in a corner fills the width of a 4x4 box and keeps its 1:2 shape:

    >>> bitmap = np.zeros((6, 6), dtype=bool)
    >>> bitmap[5, 4:6] = True
    >>> normalise_bitmap(bitmap, size=4).astype(int)
    array([[0, 0, 0, 0],
           [1, 1, 1, 1],
           [1, 1, 1, 1],
           [0, 0, 0, 0]])
    """
    arr = check_array(bitmap, "bitmap", (2,)) != 0
    size = check_int(size, "size", minimum=1)
    out = np.zeros((size, size), dtype=bool)
    rows, cols = np.flatnonzero(arr.any(axis=1)), np.flatnonzero(arr.any(axis=0))
    if rows.size == 0:
        return out
    crop = arr[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = size / max(h, w)
    new_h, new_w = (min(size, max(1, round(n * scale))) for n in (h, w))
    # Mode 'F' keeps the box filter's fractions (share of ink per output pixel).
    scaled = Image.fromarray(crop.astype(np.float32), mode="F").resize(
        (new_w, new_h), Image.Resampling.BOX
    )
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = np.asarray(scaled) >= 0.5
    return out


def image_to_digit(image: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Turn a drawing or photo of one digit into an 8x8 image like the data set's.

    Parameters
    ----------
    image : ndarray of shape (H, W), (H, W, 3) or (H, W, 4)
        Grey, RGB or RGBA in 0-255 units; dark ink on light paper or light on dark.
        RGBA (a drawing canvas) is laid over white first.

    Returns
    -------
    ndarray of shape (8, 8) and dtype int64
        Counts 0..16; all zero when no ink is found (a blank or uniform image).

    Raises
    ------
    ArgumentError
        Another shape, a non-numeric, empty or non-finite array.

    Notes
    -----
    1. Grey: ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, as Pillow's ``'L'``).
    2. Threshold by Otsu's method: the grey level that best splits the histogram
       into two classes (largest between-class variance); a uniform image has none.
    3. Ink: the background is whatever the image's border mostly is. If the border's
       mean grey is above the threshold the paper is light, and the ink is the
       pixels below it (dark on light: inverted); otherwise the ink is above it.
    4. :func:`normalise_bitmap` to 32x32, then :func:`bitmap_to_counts` to 8x8.

    References
    ----------
    N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans.
    Systems, Man, and Cybernetics 9(1), 1979.

    Examples
    --------
    A dark bar on white paper (12 rows by 3 columns) is scaled to the full height,
    8 pixels wide, centred: two full blocks of 16 per row:

    >>> paper = np.full((20, 20), 255)
    >>> paper[4:16, 8:11] = 0
    >>> image_to_digit(paper)[:2]
    array([[ 0,  0,  0, 16, 16,  0,  0,  0],
           [ 0,  0,  0, 16, 16,  0,  0,  0]])
    """
    grey = _to_grey(check_array(image, "image", (2, 3)))
    threshold = _otsu_threshold(grey)
    if threshold is None:
        return np.zeros((8, 8), dtype=np.int64)
    border = np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])
    ink = grey <= threshold if border.mean() > threshold else grey > threshold
    return bitmap_to_counts(normalise_bitmap(ink))


def _to_grey(arr: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    arr = arr.astype(np.float64)
    if arr.ndim == 2:
        return arr
    if arr.shape[2] not in (3, 4):
        raise ArgumentError("digits_image_channels", shape=arr.shape)
    grey = to_grey(arr, np.float64)
    if arr.shape[2] == 4:
        # A transparent pixel is paper: lay the drawing over white.
        alpha = arr[..., 3] / 255.0
        grey = alpha * grey + (1.0 - alpha) * 255.0
    return grey


def _otsu_threshold(grey: npt.NDArray[np.float64]) -> float | None:
    """Otsu's threshold over the distinct grey levels (``grey <= t`` is one class).

    None when the image has a single level (no split exists).
    """
    levels, counts = np.unique(grey, return_counts=True)
    if levels.size < 2:
        return None
    p = counts / counts.sum()
    w0 = np.cumsum(p)[:-1]  # weight of the class "<= levels[i]"
    m = np.cumsum(p * levels)[:-1]
    total = float(np.sum(p * levels))
    between = (total * w0 - m) ** 2 / (w0 * (1.0 - w0))
    return float(levels[int(np.argmax(between))])
