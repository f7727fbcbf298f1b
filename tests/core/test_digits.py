"""conv_core.digits: the bundled data set, its fixed split, and drawing -> 8x8 counts."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw

from conv_core import ArgumentError
from conv_core.digits import (
    DIGITS_PATH,
    _load_split,
    bitmap_to_counts,
    image_to_digit,
    load_digits,
    normalise_bitmap,
)


def _csv_rows() -> np.ndarray:
    """The file read independently of load_digits (gzip + str.split)."""
    with gzip.open(DIGITS_PATH, "rt") as f:
        return np.array([[int(v) for v in line.split(",")] for line in f if line.strip()])


def test_file_is_the_dataset():
    """1797 rows of 64 counts 0..16 and a label 0..9, about 180 per digit."""
    rows = _csv_rows()
    assert rows.shape == (1797, 65)
    assert rows[:, :64].min() == 0 and rows[:, :64].max() == 16
    counts = np.bincount(rows[:, 64])
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_split_rows_are_the_file_rows():
    """Train + test are exactly the file's rows, each once, in file order."""
    rows = _csv_rows()
    d = load_digits()
    both = np.concatenate(
        [
            np.column_stack([d.train_images.reshape(-1, 64), d.train_labels]),
            np.column_stack([d.test_images.reshape(-1, 64), d.test_labels]),
        ]
    )
    assert both.shape == rows.shape
    # Every file row appears exactly once (as a multiset of rows).
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, rows.tolist()))
    # Each part keeps file order: it is a subsequence of the file.
    for images, labels in ((d.train_images, d.train_labels), (d.test_images, d.test_labels)):
        part = np.column_stack([images.reshape(-1, 64), labels]).tolist()
        it = iter(rows.tolist())
        assert all(any(r == p for r in it) for p in part)


def test_split_is_stratified_and_fixed():
    d = load_digits()
    file_counts = np.bincount(_csv_rows()[:, 64])
    test_counts = np.bincount(d.test_labels, minlength=10)
    assert test_counts.tolist() == [round(0.2 * n) for n in file_counts]
    assert (np.bincount(d.train_labels) + test_counts).tolist() == file_counts.tolist()
    assert d.train_images.dtype == np.int64 and d.train_images.shape[1:] == (8, 8)
    # Same call, same split; a new call with the cache bypassed too.
    fresh = _load_split.__wrapped__(str(DIGITS_PATH.resolve()), 0.2, 0)
    np.testing.assert_array_equal(fresh.test_images, d.test_images)
    np.testing.assert_array_equal(fresh.train_labels, d.train_labels)
    # Another seed gives another split with the same proportions.
    other = load_digits(seed=1)
    assert np.bincount(other.test_labels).tolist() == test_counts.tolist()
    assert not np.array_equal(other.test_images, d.test_images)


def test_arrays_are_read_only_and_cached():
    d = load_digits()
    assert load_digits() is d
    with pytest.raises(ValueError, match="read-only"):
        d.train_images[0, 0, 0] = 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test_fraction": 0}, "test_fraction"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"test_fraction": "0.2"}, "test_fraction"),
        ({"seed": -1}, "seed"),
    ],
)
def test_load_digits_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        load_digits(**kwargs)


def _counts_loop(bitmap: np.ndarray) -> np.ndarray:
    out = np.zeros((8, 8), dtype=np.int64)
    for r in range(8):
        for c in range(8):
            for i in range(4):
                for j in range(4):
                    out[r, c] += int(bool(bitmap[4 * r + i, 4 * c + j]))
    return out


@given(arrays(np.bool_, (32, 32)))
def test_bitmap_to_counts_matches_loop(bitmap):
    got = bitmap_to_counts(bitmap)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, _counts_loop(bitmap))


def test_bitmap_to_counts_bad_shape():
    with pytest.raises(ArgumentError, match=r"\(32, 32\)"):
        bitmap_to_counts(np.zeros((16, 16)))


def test_normalise_blob_in_corner_becomes_full_and_centred():
    bitmap = np.zeros((100, 100), dtype=bool)
    bitmap[0:3, 97:100] = True
    out = normalise_bitmap(bitmap)
    assert out.all()  # a square blob fills the whole 32x32 box


def test_normalise_keeps_aspect_and_centres():
    bitmap = np.zeros((50, 40), dtype=bool)
    bitmap[10:30, 5:15] = True  # 20 rows x 10 cols, off-centre
    out = normalise_bitmap(bitmap)
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert (rows[0], rows[-1]) == (0, 31)  # the long side fills the box
    assert (cols[0], cols[-1]) == (8, 23)  # 16 wide (1:2 kept), margins 8 and 8
    assert out[:, 8:24].all() and not out[:, :8].any() and not out[:, 24:].any()


def test_normalise_odd_margin_goes_bottom_right():
    bitmap = np.zeros((3, 3), dtype=bool)
    bitmap[0, :] = True  # 1 x 3
    out = normalise_bitmap(bitmap, size=4)
    # scale 4/3: 1 row -> 1 row at top (4 - 1) // 2 = 1, 3 cols -> 4 cols
    assert out.astype(int).tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_normalise_empty_is_all_false():
    out = normalise_bitmap(np.zeros((10, 7), dtype=bool))
    assert out.shape == (32, 32) and not out.any()
    assert not image_to_digit(np.full((10, 10), 200)).any()


@given(arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_normalise_properties(bitmap):
    """Any ink touches two opposite sides of the box (long side fills it); none stays none."""
    out = normalise_bitmap(bitmap, size=16)
    assert out.shape == (16, 16)
    if not bitmap.any():
        assert not out.any()
        return
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    if rows.size:
        assert (rows[0] == 0 and rows[-1] == 15) or (cols[0] == 0 and cols[-1] == 15)


def _rendered_digit(dark_on_light: bool, rgb: bool) -> np.ndarray:
    """A '7' drawn with Pillow: a bar on top and a diagonal, small, off-centre."""
    ink, paper = (20, 240) if dark_on_light else (240, 20)
    img = Image.new("L", (120, 90), paper)
    draw = ImageDraw.Draw(img)
    draw.line([(60, 10), (90, 10)], fill=ink, width=5)
    draw.line([(90, 10), (70, 60)], fill=ink, width=5)
    arr = np.asarray(img).astype(np.int64)
    return np.stack([arr] * 3, axis=-1) if rgb else arr


def test_image_to_digit_polarity_and_colour_do_not_matter():
    base = image_to_digit(_rendered_digit(True, False))
    for dark, rgb in ((False, False), (True, True), (False, True)):
        np.testing.assert_array_equal(image_to_digit(_rendered_digit(dark, rgb)), base)
    assert base.dtype == np.int64 and base.shape == (8, 8)
    # Digit-like: the top row carries the bar, the ink spans the full height.
    assert base[0].sum() > 16 and base[7].sum() > 0
    assert base.max() <= 16


def test_image_to_digit_rgba_over_white():
    """A transparent canvas with dark strokes equals the same strokes on white paper."""
    grey = _rendered_digit(True, False)
    rgba = np.zeros((*grey.shape, 4), dtype=np.int64)
    ink = grey < 128
    rgba[..., 3] = np.where(ink, 255, 0)  # ink opaque black, the rest transparent black
    np.testing.assert_array_equal(image_to_digit(rgba), image_to_digit(grey))


def test_image_to_digit_like_training_data():
    """A dataset digit blown up to 32x32 pixels comes back as itself, near enough."""
    d = load_digits()
    image = d.test_images[0]
    big = np.kron(image, np.ones((4, 4))) * 15  # light ink on black, 0..240
    got = image_to_digit(big)
    assert np.abs(got - image).mean() < 4


def test_image_to_digit_bad_shape():
    with pytest.raises(ArgumentError, match="RGBA"):
        image_to_digit(np.zeros((5, 5, 2)))
