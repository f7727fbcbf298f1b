"""Tests for conv_core.padding: every mode against its picture, numpy.pad and scipy.ndimage."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conv_core import PADDING_MODES, ArgumentError, pad2d, padding_mode_names

ROW = np.array([[1, 2, 3, 4]])  # a b c d


def _picture_values(picture: str, value: int = 9) -> list[int]:
    """'c b | a b c d | c b' -> the numbers it stands for (a=1 .. d=4, 0, v=value)."""
    table = {"a": 1, "b": 2, "c": 3, "d": 4, "0": 0, "v": value}
    return [table[t] for t in picture.replace("|", " ").split()]


@pytest.mark.parametrize("mode", padding_mode_names())
def test_each_mode_draws_its_picture(mode):
    out = pad2d(ROW, ((0, 0), (2, 2)), mode=mode, value=9)
    assert out.tolist() == [_picture_values(PADDING_MODES[mode].picture)]


@pytest.mark.parametrize(
    ("mode", "ndimage_mode"),
    [
        ("zeros", "constant"),
        ("replicate", "nearest"),
        ("reflect", "mirror"),
        ("symmetric", "reflect"),
        ("circular", "wrap"),
    ],
)
def test_cross_walk_names_are_true(mode, ndimage_mode):
    assert PADDING_MODES[mode].ndimage == ndimage_mode
    # Padding by p then taking the identity filter's view is ndimage's extension:
    # shift-by-p correlation with a one-hot kernel reads the padded border.
    x = np.arange(1, 13, dtype=float).reshape(3, 4)
    p = 2
    padded = pad2d(x, p, mode=mode)
    for dr in range(-p, p + 1):
        for dc in range(-p, p + 1):
            w = np.zeros((2 * p + 1, 2 * p + 1))
            w[p + dr, p + dc] = 1.0
            ref = ndi.correlate(x, w, mode=ndimage_mode, cval=0.0)
            np.testing.assert_array_equal(padded[p + dr : p + dr + 3, p + dc : p + dc + 4], ref)


def _brute_index(i: int, n: int, mode: str) -> int | None:
    """Which input index padded position i (relative to the input) reads, per mode."""
    if 0 <= i < n:
        return i
    if mode in ("zeros", "constant"):
        return None
    if mode == "replicate":
        return min(max(i, 0), n - 1)
    if mode == "circular":
        return i % n
    period = 2 * n if mode == "symmetric" else 2 * n - 2
    if period == 0:
        return 0
    j = i % period
    if mode == "symmetric":
        return j if j < n else period - 1 - j
    return j if j < n else period - j


@given(
    x=hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=6),
        elements=st.integers(-99, 99),
    ),
    pads=st.tuples(*[st.integers(0, 7)] * 4),
    mode=st.sampled_from(padding_mode_names()),
    value=st.integers(-5, 5),
)
def test_pad2d_matches_index_arithmetic(x, pads, mode, value):
    t, b, left, r = pads
    h, w = x.shape[-2:]
    if mode == "reflect" and (
        (max(t, b) >= h and max(t, b) > 0) or (max(left, r) >= w and max(left, r) > 0)
    ):
        with pytest.raises(ArgumentError, match="reflect padding must be smaller"):
            pad2d(x, ((t, b), (left, r)), mode=mode, value=value)
        return
    out = pad2d(x, ((t, b), (left, r)), mode=mode, value=value)
    assert out.shape == (*x.shape[:-2], h + t + b, w + left + r)
    assert out.dtype == x.dtype
    fill = 0 if mode == "zeros" else value
    for i in range(out.shape[-2]):
        for j in range(out.shape[-1]):
            si, sj = _brute_index(i - t, h, mode), _brute_index(j - left, w, mode)
            expected = fill if si is None or sj is None else x[..., si, sj]
            np.testing.assert_array_equal(out[..., i, j], expected)


def test_pad2d_matches_numpy_pad_names():
    x = np.arange(20).reshape(4, 5)
    for mode, spec in PADDING_MODES.items():
        if spec.numpy == "constant":
            continue
        np.testing.assert_array_equal(pad2d(x, 3, mode=mode), np.pad(x, 3, mode=spec.numpy))


def test_pad2d_words_need_the_kernel():
    x = np.ones((5, 5))
    assert pad2d(x, "same", kernel_size=3).shape == (7, 7)
    assert pad2d(x, "full", kernel_size=(3, 2)).shape == (9, 7)
    assert pad2d(x, "same", kernel_size=2).tolist()[-1] == [0.0] * 6  # odd cell at the bottom
    with pytest.raises(ArgumentError, match="depends on the kernel"):
        pad2d(x, "same")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"padding": 1, "mode": "edge"}, "mode must be one of 'zeros', 'constant', 'replicate'"),
        ({"padding": -1}, "padding must not be negative"),
        ({"padding": 4, "mode": "reflect"}, "reflect padding must be smaller.*input of 3 rows"),
    ],
)
def test_pad2d_rejects(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        pad2d(np.ones((3, 8)), **kwargs)


def test_pad2d_rejects_bad_arrays():
    with pytest.raises(
        ArgumentError, match=r"x must be a 2D or 3D array, but got an array of shape \(4,\)"
    ):
        pad2d(np.ones(4), 1)
    with pytest.raises(ArgumentError, match="x must be numeric"):
        pad2d(np.array([["a"]]), 1)
