"""Tests for conv_core.activations: relu, leaky_relu, sigmoid, tanh."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conv_core import ArgumentError
from conv_core.activations import leaky_relu, relu, sigmoid, tanh

finite_floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [
        (relu, [-3, -1, 0, 1, 255], [0, 0, 0, 1, 255]),
        (relu, [-0.5, 0.5], [0.0, 0.5]),
        (leaky_relu, [-100, -1, 0, 2], [-1.0, -0.01, 0.0, 2.0]),
        (sigmoid, [0], [0.5]),
        (sigmoid, [-1000, 1000], [0.0, 1.0]),
        (tanh, [0, -1000, 1000], [0.0, -1.0, 1.0]),
    ],
)
def test_table(fn, x, expected):
    np.testing.assert_allclose(fn(np.array(x)), expected, rtol=1e-12, atol=1e-300)


def test_leaky_relu_slope():
    assert leaky_relu(np.array([-4, 4]), negative_slope=0.25).tolist() == [-1.0, 4.0]
    assert leaky_relu(np.array([-4, 4]), 0).tolist() == [0.0, 4.0]
    # a slope above 1 (as torch allows) scales the negative side up
    assert leaky_relu(np.array([-2.0]), negative_slope=3).tolist() == [-6.0]


@pytest.mark.parametrize(
    ("fn", "dtype", "expected"),
    [
        (relu, np.uint8, np.uint8),
        (relu, np.int32, np.int32),
        (relu, np.int64, np.int64),
        (relu, np.float32, np.float32),
        (relu, np.float64, np.float64),
        (leaky_relu, np.int64, np.float64),
        (leaky_relu, np.uint8, np.float64),
        (leaky_relu, np.float32, np.float32),
        (sigmoid, np.int64, np.float64),
        (sigmoid, np.float32, np.float32),
        (sigmoid, np.float64, np.float64),
        (tanh, np.int32, np.float64),
        (tanh, np.float32, np.float32),
    ],
)
def test_dtypes(fn, dtype, expected):
    x = np.array([[0, 1], [2, 3]], dtype=dtype)
    out = fn(x)
    assert out.dtype == expected
    assert out.shape == x.shape


def test_bool_input_is_numeric():
    assert relu(np.array([True, False])).tolist() == [1, 0]


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3), elements=finite_floats))
def test_relu_and_leaky_match_definitions(x):
    np.testing.assert_array_equal(
        relu(x), np.array([max(v, 0.0) for v in x.ravel()]).reshape(x.shape)
    )
    expected = np.array([v if v >= 0 else 0.01 * v for v in x.ravel()]).reshape(x.shape)
    np.testing.assert_allclose(leaky_relu(x), expected, rtol=1e-15)


@given(hnp.arrays(np.int64, hnp.array_shapes(max_dims=2), elements=st.integers(-1000, 1000)))
def test_relu_int_exact(x):
    out = relu(x)
    assert out.dtype == np.int64
    assert out.tolist() == np.where(x > 0, x, 0).tolist()


@given(st.floats(-700, 700))
def test_sigmoid_matches_math(v):
    assert math.isclose(float(sigmoid(np.array([v]))[0]), 1 / (1 + math.exp(-v)), rel_tol=1e-12)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2), elements=finite_floats))
def test_sigmoid_symmetry_range_and_tanh_relation(x):
    s = sigmoid(x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(sigmoid(-x), 1 - s, atol=1e-15)
    # tanh(x) = 2*sigmoid(2x) - 1
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, atol=1e-12)
    np.testing.assert_array_equal(tanh(x), np.tanh(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_no_overflow_warnings(dtype):
    x = np.array([-1e30, -1000.0, -100.0, 0.0, 100.0, 1000.0, 1e30], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            out = sigmoid(x)
            tanh(x)
    assert out.dtype == dtype
    assert out[0] == 0 and out[-1] == 1 and out[3] == 0.5
    assert np.all(np.diff(out) >= 0)


def test_sigmoid_float32_tail_is_accurate():
    """exp(-|x|) keeps small outputs relative-accurate (1 - sigmoid(-x) would be 0)."""
    out = sigmoid(np.array([-30.0], dtype=np.float32))
    assert math.isclose(float(out[0]), math.exp(-30) / (1 + math.exp(-30)), rel_tol=1e-6)


def test_scalar_input():
    assert relu(-3) == 0
    assert float(sigmoid(0.0)) == 0.5


@pytest.mark.parametrize("fn", [relu, leaky_relu, sigmoid, tanh])
@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.array([1.0, np.nan]), r"x must contain only finite numbers, but it has 1 NaN"),
        (np.array([np.inf]), r"x must contain only finite numbers"),
        (np.array([]), r"x must not be empty"),
        (np.array(["a"]), r"x must be numeric, but got dtype <U1"),
    ],
)
def test_bad_input(fn, x, match):
    with pytest.raises(ArgumentError, match=match):
        fn(x)


@pytest.mark.parametrize("slope", [float("nan"), float("inf"), "0.1", None, True])
def test_bad_negative_slope(slope):
    with pytest.raises(ArgumentError, match=r"negative_slope must be a finite real number"):
        leaky_relu(np.array([1.0]), negative_slope=slope)


def test_input_not_modified():
    x = np.array([-1.0, 2.0])
    for fn in (relu, leaky_relu, sigmoid, tanh):
        fn(x)
    assert x.tolist() == [-1.0, 2.0]
