"""Tests for conv_core.kernels: the kernel library, the editor's parser and normalisation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from scipy.signal import convolve2d

from conv_core import kernels
from conv_core.errors import ERROR_MESSAGES, ArgumentError
from conv_core.kernels import (
    KERNELS,
    MAX_KERNEL_VALUE,
    Kernel,
    box_blur,
    gaussian_blur,
    get_kernel,
    kernel_names,
    motion_blur,
    normalise_kernel,
    parse_kernel,
    parse_kernel_cell,
    random_kernel,
    unsharp_mask,
)


def correlate_valid(x, w):
    """Brute-force cross-correlation without padding: out[i, j] = sum(x[i+u, j+v] * w[u, v])."""
    x, w = np.asarray(x), np.asarray(w)
    kh, kw = w.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1), dtype=np.result_type(x, w))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = 0
            for u in range(kh):
                for v in range(kw):
                    total += x[i + u, j + v] * w[u, v]
            out[i, j] = total
    return out


# The matrices as the brief and the lecture write them, typed by hand.
EXPECTED_MATRICES = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian_4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian_8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "prewitt_x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt_y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "scharr_x": [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
    "scharr_y": [[-3, -10, -3], [0, 0, 0], [3, 10, 3]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "line_horizontal": [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
    "line_vertical": [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
    "line_diagonal_45": [[-1, -1, 2], [-1, 2, -1], [2, -1, -1]],
    "line_diagonal_135": [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
}
BLURS = ("box_blur", "gaussian_blur", "motion_blur")
SIGNED = {
    "sharpen",
    "unsharp_mask",
    "laplacian_4",
    "laplacian_8",
    "outline",
    "sobel_x",
    "sobel_y",
    "prewitt_x",
    "prewitt_y",
    "scharr_x",
    "scharr_y",
    "emboss",
    "line_horizontal",
    "line_vertical",
    "line_diagonal_45",
    "line_diagonal_135",
}
SEPARABLE = {
    "identity",
    "box_blur",
    "gaussian_blur",
    "motion_blur",  # the default angle is 0: one row
    "sobel_x",
    "sobel_y",
    "prewitt_x",
    "prewitt_y",
    "scharr_x",
    "scharr_y",
    "line_horizontal",
    "line_vertical",
}
ALL = list(KERNELS)


# --- the registry ----------------------------------------------------------------------


def test_registry_lists_every_kernel_the_brief_names():
    """Every kernel of the brief is there, in kernel_names() order, the lecture's by 'outline'."""
    assert kernel_names() == ALL
    assert set(EXPECTED_MATRICES) | set(BLURS) | {"unsharp_mask", "lecture_blur_7x7"} == set(ALL)
    assert len(ALL) == 21
    # the slide's 7x7 blur sits beside the outline kernel of the same slide
    assert ALL.index("lecture_blur_7x7") == ALL.index("outline") + 1


def test_lecture_blur_is_the_slides_weights_over_1068():
    """The slide's 7x7 blur: its whole numbers exactly, divided by their sum 1,068."""
    weights = [
        [0, 0, 0, 5, 0, 0, 0],
        [0, 5, 18, 32, 18, 5, 0],
        [0, 18, 64, 100, 64, 18, 0],
        [5, 32, 100, 100, 100, 32, 5],
        [0, 18, 64, 100, 64, 18, 0],
        [0, 5, 18, 32, 18, 5, 0],
        [0, 0, 0, 5, 0, 0, 0],
    ]
    k = KERNELS["lecture_blur_7x7"]
    assert k.matrix.shape == (7, 7) and k.matrix.dtype == np.float64
    assert np.sum(weights) == 1068
    np.testing.assert_array_equal(k.matrix * 1068, weights)
    assert k.normalised and not k.signed and not k.separable
    # on a constant image it changes nothing; on a dot it spreads the weights out
    flat = np.full((9, 9), 7.0)
    np.testing.assert_allclose(correlate_valid(flat, k.matrix), np.full((3, 3), 7.0))
    dot = np.zeros((7, 7))
    dot[3, 3] = 1068.0
    np.testing.assert_allclose(correlate_valid(np.pad(dot, 3), k.matrix), weights)


@pytest.mark.parametrize("name", ALL)
def test_record_texts_and_keys(name):
    """Titles and explanations are non-empty English; keys follow the 'kernels.<name>.*' rule."""
    k = KERNELS[name]
    assert k.name == name
    assert k.title.strip() and k.explanation.strip()
    assert k.explain_key == f"kernels.{name}.explain"
    assert k.title_key == f"kernels.{name}.title"
    assert "\n" not in k.explanation  # a one-liner


def test_keys_and_texts_are_unique():
    """No two kernels share a translation key, a title or an explanation."""
    for attr in ("explain_key", "title_key", "title", "explanation"):
        values = [getattr(k, attr) for k in KERNELS.values()]
        assert len(set(values)) == len(values), attr


@pytest.mark.parametrize("name, expected", EXPECTED_MATRICES.items())
def test_fixed_matrices_exactly(name, expected):
    """Integer kernels are int64 and exactly the matrices of the lecture and the brief."""
    m = KERNELS[name].matrix
    assert m.dtype == np.int64
    np.testing.assert_array_equal(m, expected)
    assert dict(KERNELS[name].params) == {}


@pytest.mark.parametrize("name", [*BLURS, "unsharp_mask"])
def test_parametrised_are_float64_with_params(name):
    """Blurs are float64 and record the parameters they were built with."""
    k = KERNELS[name]
    assert k.matrix.dtype == np.float64
    assert k.params
    assert k == get_kernel(name, **k.params)


def test_transposes_and_negatives():
    """y kernels are the transposes of x kernels; outline is minus the 8-neighbour Laplacian."""
    for a, b in [("sobel", "x"), ("prewitt", "x"), ("scharr", "x")]:
        np.testing.assert_array_equal(KERNELS[f"{a}_y"].matrix, KERNELS[f"{a}_{b}"].matrix.T)
    np.testing.assert_array_equal(KERNELS["outline"].matrix, -KERNELS["laplacian_8"].matrix)
    np.testing.assert_array_equal(
        KERNELS["line_vertical"].matrix, KERNELS["line_horizontal"].matrix.T
    )
    np.testing.assert_array_equal(
        KERNELS["line_diagonal_45"].matrix, np.fliplr(KERNELS["line_diagonal_135"].matrix)
    )


@pytest.mark.parametrize("name", ALL)
def test_signed_rule(name):
    """signed iff a weight is negative, iff some 0-255 window gives a negative output.

    The worst window puts 255 under every negative weight and 0 elsewhere; a kernel
    with no negative weight cannot give less than 0 on non-negative input.
    """
    k = KERNELS[name]
    m = k.matrix.astype(np.float64)
    worst = np.where(m < 0, 255.0, 0.0)
    worst_output = correlate_valid(worst, m)[0, 0]
    assert k.signed == (worst_output < 0) == (name in SIGNED)
    # Every zero-sum kernel is signed: the rule covers "sum is 0" too.
    if np.isclose(m.sum(), 0):
        assert k.signed


@pytest.mark.parametrize("name", ALL)
def test_separable_matches_rank(name):
    """The separable flag agrees with an independent rank check and with the hand table."""
    k = KERNELS[name]
    rank = np.linalg.matrix_rank(k.matrix.astype(np.float64))
    assert k.separable == (rank == 1) == (name in SEPARABLE)


@pytest.mark.parametrize("name", ALL)
def test_normalised_flag(name):
    """normalised iff the weights sum to 1; blurs are normalised, edge kernels sum to 0."""
    k = KERNELS[name]
    assert k.normalised == bool(np.isclose(k.matrix.sum(), 1.0, rtol=0, atol=1e-9))
    if name in BLURS:
        assert k.normalised and (k.matrix >= 0).all()
    if name.startswith(("sobel", "prewitt", "scharr", "laplacian", "line", "outline")):
        assert k.matrix.sum() == 0 and not k.normalised
    if name in ("identity", "sharpen", "emboss", "unsharp_mask"):
        assert k.normalised


# --- what the kernels find -------------------------------------------------------------


def step_right(n=6):
    """An edge rising to the right: dark left half (0), bright right half (255)."""
    x = np.zeros((n, n), dtype=np.int64)
    x[:, n // 2 :] = 255
    return x


@pytest.mark.parametrize("family", ["sobel", "prewitt", "scharr"])
def test_x_kernels_positive_on_edge_rising_right(family):
    """Right minus left: positive at an edge that rises to the right, 0 on flat parts."""
    x = step_right()
    out = correlate_valid(x, KERNELS[f"{family}_x"].matrix)
    assert out.dtype == np.int64
    assert (out[:, 1:3] > 0).all()  # the windows that straddle the edge
    assert (out[:, [0, 3]] == 0).all()  # the windows on flat ground
    assert out.min() >= 0
    # Cross-correlation as scipy.ndimage does it agrees; true convolution flips the sign.
    np.testing.assert_array_equal(
        ndi.correlate(x, KERNELS[f"{family}_x"].matrix, mode="constant")[1:-1, 1:-1], out
    )
    np.testing.assert_array_equal(convolve2d(x, KERNELS[f"{family}_x"].matrix, mode="valid"), -out)


def test_sobel_signs_agree_with_scipy():
    """scipy.ndimage.sobel (axis=1: columns, axis=0: rows) has the same signs and values."""
    x = np.arange(36).reshape(6, 6) ** 2 % 17  # no symmetry to hide a sign or a transpose
    for name, axis in [("sobel_x", 1), ("sobel_y", 0)]:
        ref = ndi.sobel(x, axis=axis, mode="constant")[1:-1, 1:-1]
        np.testing.assert_array_equal(correlate_valid(x, KERNELS[name].matrix), ref)


@pytest.mark.parametrize("family", ["sobel", "prewitt", "scharr"])
def test_y_kernels_positive_on_edge_rising_downward(family):
    """Bottom minus top: positive at an edge that rises downward."""
    x = step_right().T
    out = correlate_valid(x, KERNELS[f"{family}_y"].matrix)
    assert (out[1:3, :] > 0).all() and out.min() >= 0
    # ... and the x kernel does not see a horizontal edge at all.
    assert (correlate_valid(x, KERNELS[f"{family}_x"].matrix) == 0).all()


def test_sobel_x_value_on_step():
    """Hand-worked: a 0 -> 255 step under Sobel x gives (1 + 2 + 1) * 255 = 1020."""
    out = correlate_valid(step_right(), KERNELS["sobel_x"].matrix)
    assert out[0, 1] == 1020 and out[0, 2] == 1020


def test_laplacian_signs_on_bright_dot():
    """On a bright dot the Laplacians are negative (neighbours minus centre), outline positive."""
    x = np.zeros((3, 3), dtype=np.int64)
    x[1, 1] = 255
    assert correlate_valid(x, KERNELS["laplacian_4"].matrix)[0, 0] == -4 * 255
    assert correlate_valid(x, KERNELS["laplacian_8"].matrix)[0, 0] == -8 * 255
    assert correlate_valid(x, KERNELS["outline"].matrix)[0, 0] == 8 * 255


@pytest.mark.parametrize(
    "line, best",
    [
        (np.eye(3, dtype=np.int64)[1:2].T @ np.ones((1, 3), dtype=np.int64), "line_horizontal"),
        (np.ones((3, 1), dtype=np.int64) @ np.eye(3, dtype=np.int64)[1:2], "line_vertical"),
        (np.fliplr(np.eye(3, dtype=np.int64)), "line_diagonal_45"),
        (np.eye(3, dtype=np.int64), "line_diagonal_135"),
    ],
)
def test_line_detectors_pick_their_line(line, best):
    """A thin line at one orientation gets the largest response from its own detector (6)."""
    names = ["line_horizontal", "line_vertical", "line_diagonal_45", "line_diagonal_135"]
    responses = {n: int(correlate_valid(line, KERNELS[n].matrix)[0, 0]) for n in names}
    assert responses[best] == 6
    assert all(v < 6 for n, v in responses.items() if n != best)


@pytest.mark.parametrize("name", ["sharpen", "emboss", "identity", "unsharp_mask"])
def test_sum_one_kernels_keep_flat_areas(name):
    """Kernels summing to 1 leave a flat area unchanged."""
    flat = np.full((5, 5), 100)
    np.testing.assert_allclose(correlate_valid(flat, KERNELS[name].matrix), 100)


# --- the parametrised kernels ----------------------------------------------------------


def test_box_blur_values():
    """Every weight is 1/size^2; any positive size works, even ones."""
    for size in (1, 2, 3, 7):
        np.testing.assert_allclose(box_blur(size).matrix, np.full((size, size), 1 / size**2))
    assert box_blur(1).matrix.tolist() == [[1.0]]


@given(size=st.sampled_from([1, 3, 5, 7, 9]), sigma=st.floats(0.2, 5.0))
def test_gaussian_symmetric_peaked_normalised(size, sigma):
    """Symmetric under flips and transpose, largest at the centre, falling away, sum 1."""
    m = gaussian_blur(size, sigma).matrix
    assert m.shape == (size, size)
    np.testing.assert_allclose(m, m.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(m, m[::-1, ::-1], rtol=0, atol=1e-15)
    c = size // 2
    assert m[c, c] == m.max()
    assert (np.diff(m[c, c:]) < 0).all()  # strictly falling from the centre outward
    assert math.isclose(m.sum(), 1.0, abs_tol=1e-12)
    # Independent: scipy's Gaussian filter of an impulse, same radius.
    impulse = np.zeros((size, size))
    impulse[c, c] = 1.0
    ref = ndi.gaussian_filter(impulse, sigma, mode="constant", radius=c)
    np.testing.assert_allclose(m, ref, rtol=1e-12, atol=1e-15)


def test_gaussian_wider_sigma_flatter():
    """A larger sigma spreads the weight: the centre weight drops."""
    assert gaussian_blur(5, 2.0).matrix[2, 2] < gaussian_blur(5, 1.0).matrix[2, 2]


@pytest.mark.parametrize(
    "angle, cells",
    [
        (0, lambda n: [(n // 2, j) for j in range(n)]),
        (180, lambda n: [(n // 2, j) for j in range(n)]),
        (90, lambda n: [(i, n // 2) for i in range(n)]),
        (-90, lambda n: [(i, n // 2) for i in range(n)]),
        (45, lambda n: [(n - 1 - j, j) for j in range(n)]),  # '/': bottom-left to top-right
        (225, lambda n: [(n - 1 - j, j) for j in range(n)]),
        (135, lambda n: [(i, i) for i in range(n)]),  # '\'
        (-45, lambda n: [(i, i) for i in range(n)]),
    ],
)
@pytest.mark.parametrize("size", [1, 3, 5, 7])
def test_motion_blur_exact_angles(angle, cells, size):
    """At multiples of 45 degrees the kernel is exactly 1/size on one line of cells."""
    expected = np.zeros((size, size))
    for i, j in cells(size):
        expected[i, j] = 1 / size
    np.testing.assert_array_equal(motion_blur(size, angle).matrix, expected)


@given(size=st.sampled_from([3, 5, 7, 9]), angle=st.floats(-720, 720))
def test_motion_blur_any_angle(size, angle):
    """Any angle: non-negative, sum 1, point-symmetric, the centre on the line, and a
    left-right mirror turns angle into 180 - angle."""
    m = motion_blur(size, angle).matrix
    assert (m >= 0).all() and math.isclose(m.sum(), 1.0, abs_tol=1e-12)
    np.testing.assert_allclose(m, m[::-1, ::-1], atol=1e-12)
    assert m[size // 2, size // 2] == m.max()
    np.testing.assert_allclose(np.fliplr(m), motion_blur(size, 180 - angle).matrix, atol=1e-9)


def test_unsharp_mask_formula():
    """(1 + amount) * identity - amount * Gaussian; amount 0 is the identity; sum 1."""
    g = gaussian_blur(5, 1.5).matrix
    identity = np.zeros((5, 5))
    identity[2, 2] = 1
    for amount in (0.0, 0.5, 1.0, 2.0):
        k = unsharp_mask(5, 1.5, amount)
        np.testing.assert_allclose(k.matrix, (1 + amount) * identity - amount * g, atol=1e-15)
        assert math.isclose(k.matrix.sum(), 1.0, abs_tol=1e-12) and k.normalised
        assert k.signed == (amount > 0)
    np.testing.assert_array_equal(unsharp_mask(3, 1.0, 0.0).matrix, identity[1:4, 1:4])


@pytest.mark.parametrize(
    "call, key",
    [
        (lambda: gaussian_blur(4), "kernel_size_not_odd"),
        (lambda: motion_blur(6), "kernel_size_not_odd"),
        (lambda: unsharp_mask(2), "kernel_size_not_odd"),
        (lambda: box_blur(0), "not_positive_int"),
        (lambda: box_blur(-3), "not_positive_int"),
        (lambda: box_blur(2.0), "not_positive_int"),
        (lambda: box_blur(True), "not_positive_int"),
        (lambda: box_blur(64), "kernel_size_too_large"),
        (lambda: gaussian_blur(65), "kernel_size_too_large"),
        (lambda: gaussian_blur(5, 0), "kernel_param_not_positive"),
        (lambda: gaussian_blur(5, -1.0), "kernel_param_not_positive"),
        (lambda: gaussian_blur(5, float("nan")), "kernel_param_not_number"),
        (lambda: gaussian_blur(5, "1"), "kernel_param_not_number"),
        (lambda: motion_blur(5, float("inf")), "kernel_param_not_number"),
        (lambda: motion_blur(5, None), "kernel_param_not_number"),
        (lambda: unsharp_mask(5, 1.0, float("nan")), "kernel_param_not_number"),
        (lambda: unsharp_mask(5, 1.0, True), "kernel_param_not_number"),
    ],
)
def test_factory_bad_arguments(call, key):
    """Bad sizes and parameters raise ArgumentError (a ValueError) with a stable key."""
    with pytest.raises(ValueError) as info:
        call()
    assert isinstance(info.value, ArgumentError) and info.value.key == key


def test_factory_messages_name_the_argument():
    """Messages follow '<arg> must be ..., but got <arg>=<value>'."""
    with pytest.raises(ArgumentError, match=r"size must be odd .* but got size=4"):
        gaussian_blur(4)
    with pytest.raises(ArgumentError, match=r"sigma must be a positive number, but got sigma=0"):
        gaussian_blur(5, 0)


# --- get_kernel and the record ---------------------------------------------------------


def test_get_kernel():
    """By name; with parameters for the blurs; errors list the names or the parameters."""
    assert get_kernel("sobel_x") is KERNELS["sobel_x"]
    assert get_kernel("gaussian_blur") is KERNELS["gaussian_blur"]
    k = get_kernel("gaussian_blur", size=3, sigma=0.5)
    assert k == gaussian_blur(3, 0.5) and dict(k.params) == {"size": 3, "sigma": 0.5}
    assert get_kernel("motion_blur", angle=90) == motion_blur(5, 90)
    with pytest.raises(ArgumentError, match="name must be one of") as info:
        get_kernel("sobel")
    assert info.value.key == "bad_choice" and "'sobel_x'" in str(info.value)
    with pytest.raises(ArgumentError, match="its parameters are: none") as info:
        get_kernel("outline", size=3)
    assert info.value.key == "kernel_bad_param"
    with pytest.raises(ArgumentError, match="its parameters are: size, sigma$"):
        get_kernel("gaussian_blur", angle=3)
    with pytest.raises(ArgumentError) as info:
        get_kernel("box_blur", size=0)
    assert info.value.key == "not_positive_int"


def test_record_is_frozen_and_read_only():
    """A shared kernel cannot be changed by accident: fields, matrix and params are read-only."""
    k = KERNELS["sobel_x"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        k.name = "x"
    with pytest.raises(ValueError, match="read-only"):
        k.matrix[0, 0] = 5
    with pytest.raises(ValueError, match="read-only"):
        kernels.SOBEL_X[0, 0] = 5
    with pytest.raises(TypeError):
        KERNELS["box_blur"].params["size"] = 9
    assert kernels.SOBEL_X[0, 0] == -1


def test_record_copies_its_matrix():
    """The record does not alias the caller's array."""
    m = np.array([[1, 2], [3, 4]])
    k = Kernel("t", "T", "Test.", m)
    m[0, 0] = 100
    assert k.matrix[0, 0] == 1


def test_record_equality_and_hash():
    """Equal names, params and matrices are equal and hash alike (usable as cache keys)."""
    a, b = gaussian_blur(3, 1.0), gaussian_blur(3, 1.0)
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != gaussian_blur(3, 2.0)
    assert KERNELS["sobel_x"] != KERNELS["sobel_y"]
    assert len({a, b, KERNELS["sobel_x"]}) == 2
    assert (a == "gaussian_blur") is False


def test_record_rejects_bad_matrix():
    """A record's matrix must be a finite, non-empty 2D number array."""
    for bad, key in [([1, 2, 3], "bad_ndim"), ([[np.nan]], "not_finite"), ([["a"]], "not_numeric")]:
        with pytest.raises(ArgumentError) as info:
            Kernel("t", "T", "Test.", bad)
        assert info.value.key == key


def test_integer_kernels_give_exact_integer_results():
    """int64 kernels on an int grid give exact ints, even where floats would round."""
    x = np.full((3, 3), 2**53 + 1, dtype=np.int64)
    out = correlate_valid(x, KERNELS["identity"].matrix)
    assert out.dtype == np.int64 and out[0, 0] == 2**53 + 1


# --- random_kernel ---------------------------------------------------------------------


def test_random_kernel_seeded():
    """The same seed gives the same kernel; a Generator works; shapes and dtypes as asked."""
    a = random_kernel(3, rng=123)
    assert a.shape == (3, 3) and a.dtype == np.float64
    np.testing.assert_array_equal(a, random_kernel(3, rng=123))
    assert not np.array_equal(a, random_kernel(3, rng=124))
    np.testing.assert_array_equal(
        random_kernel((2, 5), rng=np.random.default_rng(5), integer=True, low=-3, high=3),
        random_kernel((2, 5), rng=5, integer=True, low=-3, high=3),
    )
    assert random_kernel((1, 7), rng=0).shape == (1, 7)


@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 7),
    cols=st.integers(1, 7),
    low=st.integers(-9, 8),
    width=st.integers(1, 9),
)
def test_random_kernel_ranges(seed, rows, cols, low, width):
    """Integers lie in low..high inclusive; floats in [low, high], rounded to 2 decimals."""
    high = low + width
    k = random_kernel((rows, cols), rng=seed, low=low, high=high, integer=True)
    assert k.dtype == np.int64 and k.shape == (rows, cols)
    assert k.min() >= low and k.max() <= high
    f = random_kernel((rows, cols), rng=seed, low=low, high=high)
    assert f.min() >= low and f.max() <= high
    np.testing.assert_array_equal(f, np.round(f, 2))
    full = random_kernel((rows, cols), rng=seed, low=low, high=high, decimals=None)
    np.testing.assert_allclose(np.round(full, 2), f)


def test_random_kernel_integer_hits_both_ends():
    """low..high is inclusive for integers."""
    k = random_kernel(7, rng=0, low=-1, high=1, integer=True)
    assert set(np.unique(k).tolist()) == {-1, 0, 1}


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"size": 0}, "not_positive_int"),
        ({"size": 8}, "kernel_size_limits"),
        ({"size": (3, 8)}, "kernel_size_limits"),
        ({"size": 3, "low": 1, "high": 1}, "kernel_bad_range"),
        ({"size": 3, "low": 2, "high": -2}, "kernel_bad_range"),
        ({"size": 3, "low": 0, "high": 0, "integer": True}, "kernel_bad_range"),
        ({"size": 3, "low": -0.5, "high": 1, "integer": True}, "not_int"),
        ({"size": 3, "low": float("nan")}, "kernel_param_not_number"),
    ],
)
def test_random_kernel_bad_arguments(kwargs, key):
    with pytest.raises(ArgumentError) as info:
        random_kernel(**kwargs)
    assert info.value.key == key


# --- the editor's parser ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", 1.0),
        ("-2", -2.0),
        ("+4", 4.0),
        (" 0.5 ", 0.5),
        (".5", 0.5),
        ("3.", 3.0),
        ("1e-3", 0.001),
        ("2E2", 200.0),
        ("1/9", 1 / 9),
        ("-2/16", -0.125),
        ("1 / 4", 0.25),
        ("3/-4", -0.75),
        ("0.5/2", 0.25),
        ("\u22121", -1.0),  # the minus sign of slides and word processors
        ("0", 0.0),
        ("-0", 0.0),
        ("1e-400", 0.0),  # underflows to 0: harmless
        ("1000000", 1e6),
        (7, 7.0),
        (-0.25, -0.25),
        (np.float32(0.5), 0.5),
        (np.int64(3), 3.0),
    ],
)
def test_parse_cell_good(text, expected):
    assert parse_kernel_cell(text) == expected


BAD_CELLS = [
    ("", "empty"),
    ("   ", "empty"),
    (None, "empty"),
    ("abc", "not_number"),
    ("__import__('os')", "not_number"),
    ('__import__("os").system("echo hi")', "not_number"),
    ("1+1", "not_number"),
    ("2*3", "not_number"),
    ("1/2/3", "not_number"),
    ("0x10", "not_number"),
    ("1_000", "not_number"),
    ("1,5", "not_number"),
    ("½", "not_number"),
    ("٣", "not_number"),  # a non-ASCII digit float() would accept
    ("1e", "not_number"),
    ("/9", "not_number"),
    ("1/", "not_number"),
    ("x" * 1000, "not_number"),
    (True, "not_number"),
    ([1], "not_number"),
    ("nan", "not_finite"),
    ("NaN", "not_finite"),
    ("inf", "not_finite"),
    ("-inf", "not_finite"),
    ("Infinity", "not_finite"),
    ("1e309", "not_finite"),
    ("-1e309", "not_finite"),
    ("1e309/1e309", "not_finite"),
    ("1/1e-320", "not_finite"),
    (float("nan"), "not_finite"),
    (float("inf"), "not_finite"),
    ("1/0", "zero_division"),
    ("5/0.0", "zero_division"),
    ("0/0", "zero_division"),
    ("1e300", "too_large"),
    ("-1000001", "too_large"),
    ("3/1e-9", "too_large"),
    (1e7, "too_large"),
]


@pytest.mark.parametrize("text, reason", BAD_CELLS)
def test_parse_cell_bad(text, reason):
    """Each bad cell raises its stable key; with a position the message names it (from 1)."""
    with pytest.raises(ArgumentError) as info:
        parse_kernel_cell(text)
    assert info.value.key == f"kernel_value_{reason}"
    with pytest.raises(ValueError) as info:
        parse_kernel_cell(text, row=1, col=2)
    err = info.value
    assert isinstance(err, ArgumentError) and err.key == f"kernel_cell_{reason}"
    assert err.params["row"] == 2 and err.params["col"] == 3 and err.params["index"] == (1, 2)
    assert str(err).startswith("kernel cell (row 2, column 3) ")
    if reason not in ("empty",):
        shown = err.params["text"]
        assert repr(shown)[:20] in str(err)
        assert len(str(err)) < 200  # long text is cut short


def test_parse_cell_message_exact():
    """The message a student reads, word for word."""
    with pytest.raises(ArgumentError) as info:
        parse_kernel_cell("abc", row=1, col=2)
    assert str(info.value) == (
        "kernel cell (row 2, column 3) must be a number or a fraction such as 1/9, but got 'abc'"
    )


def test_parse_cell_never_evaluates(monkeypatch):
    """The parser never reaches eval/exec/compile, whatever the text."""
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval-like call")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    for text in ("1/9", "__import__('os')", "(lambda: 1)()", "1 if 1 else 0"):
        try:
            parse_kernel_cell(text)
        except ArgumentError:
            pass


def test_every_cell_key_is_registered():
    """Both families of keys exist for each reason, with the limit in the too_large text."""
    for reason in ("empty", "not_number", "not_finite", "zero_division", "too_large"):
        assert f"kernel_cell_{reason}" in ERROR_MESSAGES
        assert f"kernel_value_{reason}" in ERROR_MESSAGES
    with pytest.raises(ArgumentError, match=f"between -{MAX_KERNEL_VALUE} and {MAX_KERNEL_VALUE}"):
        parse_kernel_cell("1e300")


@given(st.floats(-MAX_KERNEL_VALUE, MAX_KERNEL_VALUE, allow_nan=False))
def test_parse_cell_round_trips_floats(value):
    """A float's shortest repr reads back exactly (with 'e' notation too)."""
    assert parse_kernel_cell(repr(value)) == value
    assert parse_kernel_cell(f"{value:e}") == float(f"{value:e}")


@given(st.integers(-1000, 1000), st.integers(-1000, 1000).filter(bool))
def test_parse_cell_fractions(p, q):
    """'p/q' gives p / q as Python computes it, with spaces or without."""
    assert parse_kernel_cell(f"{p}/{q}") == p / q
    assert parse_kernel_cell(f" {p} / {q} ") == p / q


def test_parse_kernel_integer_and_float():
    """Whole numbers give int64 (exact integer results); any fraction gives float64."""
    sobel = parse_kernel([["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]])
    assert sobel.dtype == np.int64
    np.testing.assert_array_equal(sobel, KERNELS["sobel_x"].matrix)
    box = parse_kernel([["1/9"] * 3] * 3)
    assert box.dtype == np.float64
    np.testing.assert_array_equal(box, np.full((3, 3), 1 / 9))
    assert parse_kernel([["4/2", "1.0"]]).dtype == np.int64  # values, not spelling, decide
    assert parse_kernel([["0.5"]]).tolist() == [[0.5]]
    assert parse_kernel(np.array([["1", "2"], ["3", "4"]])).tolist() == [[1, 2], [3, 4]]
    assert parse_kernel([[1, 2.5]]).tolist() == [[1.0, 2.5]]
    assert parse_kernel([("1", "2")]).tolist() == [[1, 2]]


@pytest.mark.parametrize("rows, cols", [(1, 1), (1, 7), (7, 1), (7, 7), (2, 3)])
def test_parse_kernel_sizes_allowed(rows, cols):
    assert parse_kernel([["1"] * cols] * rows).shape == (rows, cols)


@pytest.mark.parametrize(
    "grid, key",
    [
        ([], "kernel_size_limits"),
        ([[]], "kernel_size_limits"),
        ([[], []], "kernel_size_limits"),
        ([["1"] * 8], "kernel_size_limits"),
        ([["1"]] * 8, "kernel_size_limits"),
        ([["1"] * 8] * 8, "kernel_size_limits"),
        ([["1", "2"], ["3"]], "kernel_ragged"),
        ([["1"], ["2", "3"]], "kernel_ragged"),
        ([["1", "2"], ["3", "4"], ["5", "6", "7"]], "kernel_ragged"),
        ("1 2 3", "kernel_not_grid"),
        (5, "kernel_not_grid"),
        (None, "kernel_not_grid"),
        (["123", "456"], "kernel_not_grid"),
        ([["1", "2"], ["3", "abc"]], "kernel_cell_not_number"),
        ([["1", ""], ["3", "4"]], "kernel_cell_empty"),
        ([["nan"]], "kernel_cell_not_finite"),
        ([["inf", "1"]], "kernel_cell_not_finite"),
        ([["1e309"]], "kernel_cell_not_finite"),
        ([["1/0"]], "kernel_cell_zero_division"),
        ([['__import__("os")']], "kernel_cell_not_number"),
        ([["1e300"]], "kernel_cell_too_large"),
    ],
)
def test_parse_kernel_bad(grid, key):
    with pytest.raises(ArgumentError) as info:
        parse_kernel(grid)
    assert info.value.key == key


def test_parse_kernel_reports_first_bad_cell_and_ragged_row():
    """The first bad cell in reading order, counted from 1; the ragged row by number."""
    with pytest.raises(ArgumentError) as info:
        parse_kernel([["1", "2", "3"], ["4", "5", "abc"], ["x", "8", "9"]])
    assert info.value.params["index"] == (1, 2)
    assert "kernel cell (row 2, column 3)" in str(info.value) and "'abc'" in str(info.value)
    with pytest.raises(ArgumentError, match="row 1 has 3 and row 3 has 2"):
        parse_kernel([["1", "2", "3"], ["4", "5", "6"], ["7", "8"]])
    with pytest.raises(ArgumentError, match=r"between 1x1 and 7x7, but got 8x8"):
        parse_kernel([["1"] * 8] * 8)


# --- normalise_kernel ------------------------------------------------------------------


def test_normalise_divides_by_sum():
    """[1, 2, 1] / 4; a box of ones becomes 1/9 each; a Kernel record is accepted."""
    k, divided = normalise_kernel([[1, 2, 1]])
    assert divided and k.dtype == np.float64
    assert k.tolist() == [[0.25, 0.5, 0.25]]
    k, divided = normalise_kernel(np.ones((3, 3), dtype=np.int64))
    assert divided
    np.testing.assert_array_equal(k, np.full((3, 3), 1 / 9))
    k, divided = normalise_kernel(KERNELS["sharpen"])
    assert divided
    np.testing.assert_array_equal(k, KERNELS["sharpen"].matrix)  # already sums to 1


@pytest.mark.parametrize(
    "name", ["sobel_x", "sobel_y", "laplacian_4", "outline", "line_horizontal", "scharr_y"]
)
def test_normalise_zero_sum_is_left_alone(name):
    """Zero-sum kernels come back unchanged with divided=False, never NaN."""
    k, divided = normalise_kernel(KERNELS[name].matrix)
    assert divided is False
    np.testing.assert_array_equal(k, KERNELS[name].matrix)
    assert k.dtype == KERNELS[name].matrix.dtype
    assert np.isfinite(k).all()


def test_normalise_edge_cases():
    """All zeros; a float sum that is 0 only up to rounding; a negative sum flips the signs."""
    k, divided = normalise_kernel(np.zeros((2, 2)))
    assert not divided and (k == 0).all()
    k, divided = normalise_kernel([[0.1, 0.2, -0.3]])  # sums to 5.6e-17, not 0
    assert not divided
    k, divided = normalise_kernel([[-1, -1]])
    assert divided and k.tolist() == [[0.5, 0.5]]
    with pytest.raises(ArgumentError) as info:
        normalise_kernel([[1.0, np.nan]])
    assert info.value.key == "not_finite"
    with pytest.raises(ArgumentError) as info:
        normalise_kernel([1, 2])
    assert info.value.key == "bad_ndim"


@given(
    st.lists(st.lists(st.integers(-9, 9), min_size=3, max_size=3), min_size=1, max_size=4).filter(
        lambda m: sum(map(sum, m)) != 0
    )
)
def test_normalise_property(matrix):
    """With a non-zero sum, the result sums to 1 and is the input divided by its sum."""
    k, divided = normalise_kernel(matrix)
    m = np.array(matrix)
    assert divided
    assert math.isclose(k.sum(), 1.0, abs_tol=1e-12)
    np.testing.assert_allclose(k * m.sum(), m, atol=1e-12)
