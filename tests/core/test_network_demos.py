"""Tests for conv_core.networks.demos: residual gradients, factorised convolution, dense = conv."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv_core import ArgumentError, conv2d, correlate2d, trace_conv2d
from conv_core.networks.demos import (
    SOBEL_COLUMN,
    SOBEL_ROW,
    dense_as_convolution,
    dense_to_conv_weight,
    factorised_convolution,
    residual_gradients,
    residual_unit_example,
    separable_filter,
    sliding_dense,
)

# ---------------------------------------------------------------------------------------
# residual learning


def test_plain_gradient_vanishes_and_residual_keeps_it() -> None:
    r = residual_gradients()
    assert r.plain.shape == r.residual.shape == (20,)
    assert r.plain[0] < r.plain[-1] / 100
    assert 0.5 * r.residual[-1] <= r.residual[0] <= 10 * r.residual[-1]
    assert r.plain_ratio < 0.01 and 0.5 <= r.residual_ratio <= 10
    assert r.weight_std == pytest.approx(math.sqrt(1 / 72))
    assert r.branch_scale == pytest.approx(1 / math.sqrt(20))
    # The top layer's gradient is the same fixed g in both stacks.
    assert r.plain[-1] == pytest.approx(r.residual[-1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_contract_holds_for_other_seeds(seed) -> None:
    r = residual_gradients(seed=seed)
    assert r.plain_ratio < 0.01 and 0.5 <= r.residual_ratio <= 10


def test_unscaled_skips_explode_which_is_why_the_branch_is_scaled() -> None:
    r = residual_gradients(branch_scale=1.0)
    assert r.residual_ratio > 10


def _forward_top(a, weights, start, scale):
    """L's value pieces: push a_start through layers start+1.. (0-based weights index)."""
    for w in weights[start:]:
        f = np.maximum(conv2d(a, w, padding=1), 0.0)
        a = f if scale is None else a + scale * f
    return a


@pytest.mark.parametrize("scale", [None, 0.5])
def test_gradient_norms_match_finite_differences(scale) -> None:
    depth, channels, size, seed = 3, 2, 4, 7
    kwargs = {"depth": depth, "channels": channels, "size": size, "seed": seed}
    r = residual_gradients(**kwargs, branch_scale=scale if scale else 1.0)
    got = r.plain if scale is None else r.residual
    # The documented construction: weights, then the input, then g, from default_rng(seed).
    rng = np.random.default_rng(seed)
    weights = rng.normal(0, math.sqrt(1 / (9 * channels)), (depth, channels, channels, 3, 3))
    x = rng.normal(0, 1, (channels, size, size))
    g = rng.normal(0, 1, (channels, size, size))
    a1 = _forward_top(x, weights[:1], 0, scale)  # layer 1's output
    eps = 1e-6
    grad = np.zeros_like(a1)
    for idx in np.ndindex(a1.shape):
        plus, minus = a1.copy(), a1.copy()
        plus[idx] += eps
        minus[idx] -= eps
        lp = np.sum(g * _forward_top(plus, weights, 1, scale))
        lm = np.sum(g * _forward_top(minus, weights, 1, scale))
        grad[idx] = (lp - lm) / (2 * eps)
    assert got[0] == pytest.approx(np.linalg.norm(grad), rel=1e-5)
    assert got[-1] == pytest.approx(np.linalg.norm(g))


@pytest.mark.parametrize(
    "kwargs",
    [{"depth": 1}, {"depth": 101}, {"channels": 0}, {"size": 2}, {"seed": -1}, {"depth": 2.5}],
)
def test_residual_gradients_refuse_bad_arguments(kwargs) -> None:
    with pytest.raises(ArgumentError):
        residual_gradients(**kwargs)


def _brute_same_conv(x, w):
    h, wd = x.shape
    padded = np.pad(x, 1)
    return np.array(
        [[int((padded[i : i + 3, j : j + 3] * w).sum()) for j in range(wd)] for i in range(h)]
    )


def test_residual_unit_example_and_its_traces() -> None:
    ex = residual_unit_example()
    assert np.array_equal(ex.hidden, _brute_same_conv(ex.x, ex.weight1))
    assert np.array_equal(ex.activated, np.maximum(ex.hidden, 0))
    assert (ex.hidden < 0).any() and (ex.hidden > 0).any()  # the ReLU has work to do
    assert np.array_equal(ex.residual, _brute_same_conv(ex.activated, ex.weight2))
    assert np.array_equal(ex.output, ex.x + ex.residual)
    first, second = ex.traces()
    assert np.array_equal(first.output, ex.hidden)
    assert np.array_equal(second.output, ex.residual)
    a, b = ex.conv_arguments()
    assert np.array_equal(trace_conv2d(**a).output, ex.hidden)
    assert np.array_equal(conv2d(**b), ex.residual)


def test_residual_unit_example_takes_other_numbers() -> None:
    x = np.arange(9).reshape(3, 3)
    ex = residual_unit_example(x, np.eye(3, dtype=int), -np.eye(3, dtype=int))
    assert np.array_equal(
        ex.output, x - _brute_same_conv(_brute_same_conv(x, np.eye(3)), np.eye(3))
    )
    with pytest.raises(ArgumentError):
        residual_unit_example(weight1=np.ones((2, 2)))


# ---------------------------------------------------------------------------------------
# factorised convolution


def test_factorised_convolution_numbers() -> None:
    f = factorised_convolution()
    assert f.full_weights == 3 * 3 * 3 * 128 == 3456
    assert f.step_weights == (384, 384, 384)
    assert f.factorised_weights == 1152
    assert f.full_rf == f.factorised_rf == (3, 3)
    assert f.full_pair_weights == (49_152, 49_152)
    assert f.full.output_shape == f.factorised.output_shape == (32, 32, 128)
    assert f.factorised.biases == f.full.biases == 0
    assert f.factorised.macs == 32 * 32 * 1152 and f.full.macs == 32 * 32 * 3456


def test_factorised_convolution_runs_with_arrays_of_those_sizes() -> None:
    f = factorised_convolution(3, 16, (10, 12))
    x = np.zeros((3, 10, 12))
    weights = [np.zeros((16, 3, 1, 1)), np.zeros((16, 1, 1, 3)), np.zeros((16, 1, 3, 1))]
    y = conv2d(x, weights[0])
    y = conv2d(y, weights[1], padding="same", groups=16)
    y = conv2d(y, weights[2], padding="same", groups=16)
    assert y.shape == (16, 10, 12)
    assert f.step_weights == tuple(w.size for w in weights)
    assert f.factorised.output_shape == (10, 12, 16)


def test_sobel_is_a_column_pass_then_a_row_pass() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (9, 11))
    f = separable_filter(x)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.array_equal(f.kernel, sobel)
    assert np.array_equal(f.kernel, np.outer(SOBEL_COLUMN, SOBEL_ROW))
    assert f.direct.dtype == f.two_pass.dtype == np.int64
    assert np.array_equal(f.direct, correlate2d(x, sobel))
    assert np.array_equal(f.two_pass, f.direct)
    assert np.array_equal(f.after_column, correlate2d(x, [[1], [2], [1]]))
    assert f.after_column.shape == (7, 11)
    assert f.multiplications == (9, 6)


@given(
    st.integers(3, 9),
    st.integers(3, 9),
    st.lists(st.integers(-4, 4), min_size=1, max_size=3),
    st.lists(st.integers(-4, 4), min_size=1, max_size=3),
    st.sampled_from([0, 1, "same", (2, 1), ((0, 2), (1, 0))]),
    st.integers(0, 2**16),
)
def test_any_rank_one_kernel_separates_exactly(h, w, column, row, padding, seed) -> None:
    x = np.random.default_rng(seed).integers(-50, 50, (h, w))
    f = separable_filter(x, column, row, padding)
    assert np.array_equal(f.two_pass, f.direct)
    assert np.array_equal(f.direct, correlate2d(x, np.outer(column, row), padding=padding))


# ---------------------------------------------------------------------------------------
# a dense layer is a convolution


def test_dense_equals_a_block_sized_convolution() -> None:
    d = dense_as_convolution()
    assert d.block.shape == (2, 7, 7) and d.weight.shape == (3, 98)
    by_hand = d.weight @ d.block.ravel() + d.bias
    assert np.array_equal(d.dense_scores, by_hand)
    assert np.array_equal(d.conv_scores, by_hand)
    assert np.array_equal(conv2d(d.block, d.conv_weight, d.bias), by_hand.reshape(3, 1, 1))


def test_the_same_convolution_on_a_larger_input_is_the_dense_layer_on_every_window() -> None:
    d = dense_as_convolution()
    assert d.large.shape == (2, 9, 9) and d.score_map.shape == (3, 3, 3)
    for i in range(3):
        for j in range(3):
            window = d.large[:, i : i + 7, j : j + 7]
            assert np.array_equal(d.score_map[:, i, j], d.weight @ window.ravel() + d.bias)
    assert np.array_equal(d.score_map, d.window_scores)
    assert np.array_equal(d.score_map[:, 0, 0], d.dense_scores)  # the top-left is the block


@pytest.mark.parametrize(("channels", "window", "classes", "size"), [(1, 3, 2, 6), (3, 5, 4, 5)])
def test_dense_as_convolution_other_sizes(channels, window, classes, size) -> None:
    d = dense_as_convolution(channels, window, classes, size, seed=3)
    n = size - window + 1
    assert d.score_map.shape == (classes, n, n)
    assert np.array_equal(d.score_map, d.window_scores)
    assert np.array_equal(d.conv_scores, d.dense_scores)


def test_keras_layout_note() -> None:
    rng = np.random.default_rng(1)
    c, h, w, n = 3, 4, 5, 2
    block_hwc = rng.integers(-3, 4, (h, w, c))
    kernel = rng.integers(-3, 4, (h * w * c, n))  # Keras Dense kernel on an HWC flatten
    keras_out = block_hwc.ravel() @ kernel
    filters = kernel.reshape(h, w, c, n).transpose(3, 2, 0, 1)
    assert np.array_equal(conv2d(block_hwc.transpose(2, 0, 1), filters)[:, 0, 0], keras_out)


def test_dense_helpers_check_shapes() -> None:
    with pytest.raises(ArgumentError, match=r"\(N, 12\)"):
        dense_to_conv_weight(np.zeros((2, 10)), (3, 2, 2))
    with pytest.raises(ArgumentError):
        sliding_dense(np.zeros((1, 2, 2)), np.zeros((1, 9)), None, (3, 3))
    with pytest.raises(ArgumentError):
        dense_as_convolution(window=9, size=8)


# --- flattening loses the picture --------------------------------------------------------


def _digit():
    from PIL import Image

    path = Path(__file__).resolve().parents[2] / "assets" / "samples" / "digit.png"
    return np.asarray(Image.open(path).convert("L"), dtype=np.int64)


def test_shifted_digit_map_is_the_map_shifted_away_from_the_border():
    """The 28x28 digit moved one pixel right: its Sobel map (scipy.signal, independently)
    equals the original map moved one pixel right, except the first column (the border)."""
    from scipy import signal

    from conv_core.networks import flattened_shift, shift_image

    digit = _digit()
    assert digit.shape == (28, 28)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    moved = np.zeros_like(digit)
    moved[:, 1:] = digit[:, :-1]
    np.testing.assert_array_equal(shift_image(digit, (0, 1)), moved)
    original = signal.correlate2d(digit, sobel, mode="valid")
    shifted = signal.correlate2d(moved, sobel, mode="valid")
    np.testing.assert_array_equal(shifted[:, 1:], original[:, :-1])
    f = flattened_shift(digit, sobel, (0, 1))
    assert f.maps_match
    np.testing.assert_array_equal(f.feature_map, original)
    np.testing.assert_array_equal(f.shifted_map, shifted)


def test_flattened_vector_of_a_moved_digit():
    """784 values; the move changes every value where ink starts or stops along a row, far
    more than a handful; a pixel and the one below it are 28 entries apart."""
    from conv_core.networks import flattened_shift

    digit = _digit()
    f = flattened_shift(digit, np.ones((3, 3)), (0, 1))
    assert f.vector.shape == (784,)
    np.testing.assert_array_equal(f.vector.reshape(28, 28), digit)
    brute = sum(
        1 for r in range(28) for c in range(28) if digit[r, c] != (digit[r, c - 1] if c > 0 else 0)
    )
    assert f.changed == brute > 50
    assert f.neighbour_gap == 28
    r, c = 8, 20
    assert f.vector[r * 28 + c] == digit[r, c] and f.vector[(r + 1) * 28 + c] == digit[r + 1, c]


def test_shift_image_moves_every_way_and_bad_input_is_refused():
    from conv_core.networks import shift_image

    x = np.arange(9).reshape(3, 3)
    assert shift_image(x, (1, 0)).tolist() == [[0, 0, 0], [0, 1, 2], [3, 4, 5]]
    assert shift_image(x, (0, -1)).tolist() == [[1, 2, 0], [4, 5, 0], [7, 8, 0]]
    assert shift_image(x, (5, 0)).tolist() == [[0] * 3] * 3
    with pytest.raises(ArgumentError):
        shift_image(np.zeros(4), (0, 1))
