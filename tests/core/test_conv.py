"""Tests for conv_core.conv: hand-worked lecture cases, bad arguments, and properties.

The references below are independent of conv_core's engine: brute-force loops over
output positions on an array padded by ``numpy.pad`` (through the padding-mode
cross-walk), ``scipy.signal.correlate2d``/``convolve2d`` and ``scipy.ndimage.correlate``.
Each algorithm path (shifted slices, separable, FFT, im2col) is forced in turn with
``method=...``, and the row-strip sizes are shrunk so strip edges are exercised.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sps
from hypothesis import assume, given
from hypothesis import strategies as st

from conv_core import _fastconv
from conv_core.conv import (
    CONV_PADDING_MODES,
    conv2d,
    conv2d_hwc,
    conv2d_output_shape,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
)
from conv_core.errors import ArgumentError
from tests.core.reference import NDI_MODE, brute_correlate2d, resolve, tf_same

# ConvLab padding mode -> numpy.pad mode, and -> scipy.ndimage mode (the cross-walk).
EPS32 = float(np.finfo(np.float32).eps)


def brute_conv2d(x, w, b, stride, pads, dilation, groups, mode):
    """Multi-channel reference: each output channel sums its group's single-channel maps."""
    c_out, per_group = w.shape[:2]
    out_g = c_out // groups
    maps = []
    for o in range(c_out):
        g = o // out_g
        acc = sum(
            brute_correlate2d(x[g * per_group + c], w[o, c], stride, pads, dilation, mode)
            for c in range(per_group)
        )
        maps.append(acc + (0 if b is None else b[o]))
    return np.stack(maps)


def reflect_too_large(pads, hw, mode):
    return mode == "reflect" and any(
        max(p) >= n and max(p) > 0 for p, n in zip(pads, hw, strict=True)
    )


def out_empty(pads, hw, khw, dilation):
    return any(
        n + p[0] + p[1] < d * (k - 1) + 1
        for n, p, k, d in zip(hw, pads, khw, dilation, strict=True)
    )


def float_tol(x, k, pads, stride, dilation, mode):
    """Float32 round-off allowance: a few ulps of the sum of |terms|, times log2 for FFT."""
    mag = brute_correlate2d(np.abs(x), np.abs(k), stride, pads, dilation, mode)
    n = (x.shape[0] + 8 * k.shape[0]) * (x.shape[1] + 8 * k.shape[1])
    return 8 * EPS32 * (mag + np.abs(x).max() * np.abs(k).sum()) * max(1.0, math.log2(n))


@contextlib.contextmanager
def tiny_strips(strip_bytes: int, cols_bytes: int) -> Iterator[None]:
    """Shrink the engine's strip budgets so small inputs still span several strips."""
    saved = _fastconv._STRIP_BYTES, _fastconv._COLS_BYTES
    _fastconv._STRIP_BYTES, _fastconv._COLS_BYTES = strip_bytes, cols_bytes
    try:
        yield
    finally:
        _fastconv._STRIP_BYTES, _fastconv._COLS_BYTES = saved


# --------------------------------------------------------------------------- strategies

pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
    ),
)
modes = st.sampled_from(CONV_PADDING_MODES)
strip_budgets = st.sampled_from([(1, 1), (200, 300), (1 << 20, 4 << 20)])


@st.composite
def int_kernels(draw, max_side: int = 5):
    kh, kw = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    if draw(st.booleans()):  # rank 1 with integer factors: the separable path applies
        col = np.array(draw(st.lists(st.integers(-3, 3), min_size=kh, max_size=kh)))
        row = np.array(draw(st.lists(st.integers(-3, 3), min_size=kw, max_size=kw)))
        return np.outer(col, row)
    vals = draw(st.lists(st.integers(-4, 4), min_size=kh * kw, max_size=kh * kw))
    return np.array(vals).reshape(kh, kw)


@st.composite
def images(draw, max_side: int = 12):
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    vals = draw(st.lists(st.integers(-9, 255), min_size=h * w, max_size=h * w))
    return np.array(vals).reshape(h, w)


def expect_config_error(call, pads, hw, khw, dilation, mode):
    """For configurations that cannot work, the right ArgumentError; returns True if handled."""
    if reflect_too_large(pads, hw, mode):
        with pytest.raises(ArgumentError, match="reflect padding must be smaller") as info:
            call()
        assert info.value.key == "reflect_pad_too_large"
        return True
    if out_empty(pads, hw, khw, dilation):
        with pytest.raises(ArgumentError, match="output would be empty") as info:
            call()
        assert info.value.key == "output_empty"
        return True
    return False


# --------------------------------------------------------------------------- hand-worked

LECTURE_X = np.array(
    [
        [1, 0, 0, 0, 0, 1],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 1, 0],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 0],
    ]
)
LECTURE_K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
LECTURE_MAP = np.array([[3, 1, 1, 3], [1, 2, 3, 0], [1, 2, 2, 2], [3, 0, 3, 1]])


def test_lecture_6x6_map():
    """The lecture's 6x6 input and X filter: first row 3 1 1 3, (1, 0) = 1, last = 1."""
    got = correlate2d(LECTURE_X, LECTURE_K)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, LECTURE_MAP)
    assert list(got[0]) == [3, 1, 1, 3] and got[1, 0] == 1 and got[-1, -1] == 1
    np.testing.assert_array_equal(
        LECTURE_MAP,
        brute_correlate2d(LECTURE_X, LECTURE_K, (1, 1), ((0, 0), (0, 0)), (1, 1), "zeros"),
    )


@pytest.mark.parametrize(
    ("kernel", "bias", "expected"),
    [
        ([[10, 0], [0, 10]], 20, [[220, 20], [20, 220]]),
        ([[0, 5], [3, 0]], 10, [[10, 40], [60, 10]]),
    ],
)
def test_lecture_diagonal_with_bias(kernel, bias, expected):
    """3x3 diagonal of 10s, 2x2 kernels plus a bias (single-channel conv2d, scalar bias)."""
    x = [[10, 0, 0], [0, 10, 0], [0, 0, 10]]
    got = conv2d(x, kernel, bias=bias)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.int64
    # The same through the channel form, bias per channel.
    got3 = conv2d(np.array(x)[None], np.array(kernel)[None, None], bias=[bias])
    np.testing.assert_array_equal(got3[0], expected)


def test_lecture_zero_padded_diagonal():
    """The same 3x3 zero-padded by 1, with [[0, 1], [1, 0]] + 10."""
    x = [[10, 0, 0], [0, 10, 0], [0, 0, 10]]
    expected = [[10, 20, 10, 10], [20, 10, 20, 10], [10, 20, 10, 20], [10, 10, 20, 10]]
    np.testing.assert_array_equal(conv2d(x, [[0, 1], [1, 0]], bias=10, padding=1), expected)


RED = [[0, 0, 0], [0, 156, 155], [0, 153, 154]]
GREEN = [[0, 0, 0], [0, 167, 166], [0, 164, 165]]
BLUE = [[0, 0, 0], [0, 163, 162], [0, 160, 161]]
W_RED = [[-1, -1, 1], [0, 1, -1], [0, 1, 1]]
W_GREEN = [[1, 0, 0], [1, -1, -1], [1, 0, -1]]
W_BLUE = [[0, 1, 1], [0, 1, 0], [1, -1, 1]]


@pytest.mark.parametrize(
    ("patch", "kernel", "expected"),
    [(RED, W_RED, 308), (GREEN, W_GREEN, -498), (BLUE, W_BLUE, 164)],
)
def test_lecture_rgb_channel_sums(patch, kernel, expected):
    """Each channel's window sum at the top-left position."""
    assert correlate2d(patch, kernel).tolist() == [[expected]]


def test_lecture_rgb_position():
    """308 - 498 + 164 + bias 1 = -25, for the padded patches and for the unpadded image."""
    w = np.array([[W_RED, W_GREEN, W_BLUE]])
    assert conv2d([RED, GREEN, BLUE], w, bias=[1]).tolist() == [[[-25]]]
    image = np.array([RED, GREEN, BLUE])[:, 1:, 1:]
    assert conv2d(image, w, bias=[1], padding=1)[0, 0, 0] == -25
    hwc = conv2d_hwc(image.transpose(1, 2, 0), w.transpose(2, 3, 1, 0), bias=[1], padding=1)
    assert hwc[0, 0, 0] == -25


def test_lecture_1d_smoothing():
    """[1, 1, 1, 1, 1] with [0.25, 0.5, 0.25] gives [1, 1, 1] ('valid' by default)."""
    got = correlate1d([1, 1, 1, 1, 1], [0.25, 0.5, 0.25])
    np.testing.assert_array_equal(got, [1.0, 1.0, 1.0])
    assert got.dtype == np.float64


def test_convolve_is_correlate_with_flip():
    x = np.arange(1, 10).reshape(3, 3)
    k = np.array([[1, 0], [0, 2]])
    np.testing.assert_array_equal(correlate2d(x, k), [[11, 14], [20, 23]])
    np.testing.assert_array_equal(convolve2d(x, k), [[7, 10], [16, 19]])
    np.testing.assert_array_equal(convolve2d(x, k), correlate2d(x, k[::-1, ::-1]))
    np.testing.assert_array_equal(convolve1d([1, 2, 3], [1, 0, -1]), [2])
    np.testing.assert_array_equal(correlate1d([1, 2, 3], [1, 0, -1]), [-2])


def test_stride_rows_and_columns_separately():
    """stride=(2, 1): every other row, every column."""
    x = np.arange(25).reshape(5, 5)
    k = np.ones((3, 3), dtype=int)
    got = correlate2d(x, k, stride=(2, 1))
    # Window sums of a 3x3 block of arange(25).reshape(5, 5) starting at (r, c): 9*(5r + c + 6).
    expected = [[9 * (5 * r + c + 6) for c in range(3)] for r in (0, 2)]
    np.testing.assert_array_equal(got, expected)
    assert correlate2d(x, k, stride=(1, 2)).shape == (3, 2)


def test_tensorflow_same_13_stride_5():
    """TF 'SAME' on n=13 with a 6-tap kernel and stride 5: pads (1, 2), 3 outputs."""
    got = correlate1d(np.arange(13), np.ones(6, dtype=int), stride=5, padding="same")
    # padded: 0 | 0..12 | 0 0 -> windows [0:6], [5:11], [10:16].
    np.testing.assert_array_equal(got, [0 + 1 + 2 + 3 + 4, 4 + 5 + 6 + 7 + 8 + 9, 9 + 10 + 11 + 12])
    assert conv2d_output_shape((13, 13), 6, stride=5, padding="same") == (3, 3)
    assert correlate2d(np.ones((13, 13)), np.ones((6, 6)), stride=5, padding="same").shape == (3, 3)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("zeros", [0, 1, 2, 3, 0]),
        ("replicate", [1, 1, 2, 3, 3]),
        ("reflect", [2, 1, 2, 3, 2]),
        ("symmetric", [1, 1, 2, 3, 3]),
        ("circular", [3, 1, 2, 3, 1]),
    ],
)
def test_padding_modes_identity_kernel(mode, expected):
    """A 1-tap kernel with padding 1 shows the padding itself (scipy.ndimage's table)."""
    got = correlate2d([[1, 2, 3]], [[1]], padding=((0, 0), (1, 1)), padding_mode=mode)
    np.testing.assert_array_equal(got, [expected])


def test_even_kernel_same_differs_from_scipy_signal():
    """Documented: 'same' with an even kernel puts the odd cell bottom/right, SciPy top/left."""
    x = np.arange(1, 17).reshape(4, 4)
    k = np.array([[1, 2], [3, 4]])
    ours = convolve2d(x, k, padding="same")
    theirs = sps.convolve2d(x, k, mode="same")
    assert not np.array_equal(ours, theirs)
    np.testing.assert_array_equal(ours[:-1, :-1], theirs[1:, 1:])
    k3 = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(convolve2d(x, k3, padding="same"), sps.convolve2d(x, k3, "same"))


def test_conv2d_groups_depthwise():
    """groups = C_in: each channel filtered by its own kernel."""
    x = np.arange(2 * 4 * 4).reshape(2, 4, 4)
    w = np.array([[[[1, 0], [0, 0]]], [[[0, 0], [0, 1]]]])
    got = conv2d(x, w, groups=2)
    np.testing.assert_array_equal(got[0], x[0, :3, :3])
    np.testing.assert_array_equal(got[1], x[1, 1:, 1:])


# --------------------------------------------------------------------------- dtypes


def test_dtypes():
    xi = np.arange(16, dtype=np.uint8).reshape(4, 4)
    ki = np.ones((3, 3), dtype=np.int16)
    assert correlate2d(xi, ki).dtype == np.int64
    assert correlate2d(xi, ki * 0.5).dtype == np.float64
    assert correlate2d(xi.astype(np.float32), ki).dtype == np.float32
    assert correlate2d(xi.astype(np.float32), ki * 0.5).dtype == np.float32
    assert conv2d(xi[None], ki[None, None], bias=[0.5]).dtype == np.float64
    assert conv2d(xi[None], ki[None, None], bias=[2]).dtype == np.int64
    # uint8 sums do not wrap around: computed in int64.
    assert correlate2d(np.full((3, 3), 255, np.uint8), np.ones((3, 3), np.uint8))[0, 0] == 2295


def test_float32_photo_matches_float64():
    rng = np.random.default_rng(0)
    x = (rng.random((40, 50)) * 255).astype(np.float32)
    k = rng.standard_normal((5, 5))
    ref = brute_correlate2d(x.astype(np.float64), k, (1, 1), ((2, 2), (2, 2)), (1, 1), "zeros")
    tol = float_tol(x, k, ((2, 2), (2, 2)), (1, 1), (1, 1), "zeros")
    for method in ("direct", "fft"):
        got = correlate2d(x, k, padding="same", method=method)
        assert got.dtype == np.float32
        assert np.all(np.abs(got - ref) <= tol)


def test_auto_picks_paths_by_size():
    """The cost model: small kernels direct, rank 1 separable, large FFT."""
    geo = _fastconv.Geometry((300, 300), (3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), (300, 300))
    x = np.zeros((1, 300, 300), np.float32)
    f4 = np.dtype("f4")
    pick = _fastconv.choose_method
    assert pick(x, np.ones((1, 1, 3, 3)) + np.eye(3), geo, f4) == ("direct", None)
    method, factors = pick(x, np.ones((1, 1, 3, 3)), geo, f4)
    assert method == "separable" and factors is not None
    np.testing.assert_array_equal(np.outer(*factors), np.ones((3, 3)))
    geo31 = _fastconv.Geometry(
        (300, 300), (31, 31), (1, 1), (1, 1), ((15, 15), (15, 15)), (300, 300)
    )
    k31 = np.random.default_rng(0).random((1, 1, 31, 31))
    assert pick(x, k31, geo31, f4)[0] == "fft"
    assert pick(x.astype(np.int64), k31.round().astype(np.int64), geo31, np.dtype("i8"))[0] == "fft"


def test_int_fft_falls_back_when_inexact():
    """Huge integers: 'auto' stays exact (direct); forcing 'fft' is refused with the bound."""
    x = np.full((40, 40), 2**40, dtype=np.int64)
    k = np.ones((31, 31), dtype=np.int64)
    got = correlate2d(x, k)
    assert got.dtype == np.int64 and np.all(got == 2**40 * 961)
    with pytest.raises(ArgumentError, match="method='fft' cannot give exact integers"):
        correlate2d(x, k, method="fft")


# --------------------------------------------------------------------------- bad arguments

X5 = np.arange(25).reshape(5, 5)
K3 = np.ones((3, 3))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: correlate2d(X5, K3, stride=0), r"stride must be a positive integer.*stride=0"),
        (lambda: correlate2d(X5, K3, stride=-1), r"stride must be a positive integer.*stride=-1"),
        (lambda: correlate2d(X5, K3, stride=(1, 0)), r"stride=\(1, 0\)"),
        (lambda: correlate2d(X5, K3, padding=-1), r"padding must not be negative.*padding=-1"),
        (lambda: correlate2d(X5, K3, padding="half"), r"padding must be.*'same'.*padding='half'"),
        (lambda: correlate2d(X5, K3, dilation=0), r"dilation must be a positive.*dilation=0"),
        (
            lambda: correlate2d(X5, np.ones((7, 7))),
            r"output would be empty: the padded input has 5 cells \(5 \+ 0 \+ 0 padding\) "
            r"but the kernel spans 7",
        ),
        (
            lambda: correlate2d(X5, K3, dilation=3),
            r"kernel spans 7 \(dilation\*\(kernel_size - 1\) \+ 1 = 3\*\(3 - 1\) \+ 1\)",
        ),
        (
            lambda: correlate2d(X5, K3, padding=5, padding_mode="reflect"),
            r"reflect padding must be smaller.*padding 5 for an input of 5 rows",
        ),
        (
            lambda: correlate2d(X5, K3, padding_mode="mirror"),
            r"padding_mode must be one of 'zeros', 'replicate'.*padding_mode='mirror'",
        ),
        (
            lambda: correlate2d(X5, K3, padding_mode="constant"),
            r"padding_mode must be one of .*padding_mode='constant'",
        ),
        (lambda: correlate2d(X5, K3, method="winograd"), r"method must be one of .*'winograd'"),
        (
            lambda: correlate2d(X5, [[1.0, np.nan], [0.0, np.inf]]),
            r"kernel must contain only finite numbers, but it has 2 NaN",
        ),
        (
            lambda: correlate2d(np.where(X5 > 3, np.nan, 1.0), K3),
            r"x must contain only finite numbers, but it has 21 NaN",
        ),
        (lambda: correlate2d(X5, np.ones((0, 3))), r"kernel must not be empty.*shape \(0, 3\)"),
        (
            lambda: correlate2d(X5, np.ones((3, 3, 3))),
            r"kernel must be a 2D array, but got an array of shape \(3, 3, 3\)",
        ),
        (lambda: correlate2d([["a", "b"]], K3), r"x must be numeric, but got dtype <U1"),
        (
            lambda: correlate2d(X5, np.outer([1, 2], [1, 1]) + np.eye(2), method="separable"),
            r"method='separable' needs a rank-1 kernel.*shape \(2, 2\)",
        ),
        (
            lambda: conv2d(np.ones((3, 5, 5)), np.ones((4, 2, 3, 3))),
            r"x has 3 channels but weight expects in_channels = 2 x groups = 2: x has shape "
            r"\(3, 5, 5\), weight has shape \(4, 2, 3, 3\)",
        ),
        (
            lambda: conv2d(np.ones((4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2),
            r"groups must divide both in_channels and out_channels, but got groups=2 "
            r"with in_channels=4 and out_channels=3",
        ),
        (
            lambda: conv2d(np.ones((4, 5, 5)), np.ones((4, 2, 3, 3)), groups=0),
            r"groups must be a positive integer.*groups=0",
        ),
        (
            lambda: conv2d(np.ones((3, 5, 5)), np.ones((3, 3))),
            r"weight must be a 4D array \(C_out, C_in/groups, KH, KW\) for x of shape \(3, 5, 5\)",
        ),
        (
            lambda: conv2d(np.ones((5, 5)), np.ones((1, 1, 3, 3))),
            r"weight must be a 2D array \(KH, KW\) for x of shape \(5, 5\)",
        ),
        (
            lambda: conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3)), bias=[1, 2, 3]),
            r"bias must have one value per output channel, shape \(2,\), "
            r"but got bias of shape \(3,\)",
        ),
        (
            lambda: conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3)), bias=[1, np.nan]),
            r"bias must contain only finite numbers",
        ),
        (
            lambda: conv2d_hwc(np.ones((5, 5, 3)), np.ones((3, 3, 4, 8))),
            r"image has 3 channels but weight expects in_channels = 4 x groups = 4",
        ),
        (lambda: correlate1d([1, 2, 3], [1, 1], stride=0), r"stride must be a positive.*stride=0"),
        (lambda: correlate1d([1, 2, 3], [1, 1], padding=(-1, 0)), r"padding must not be negative"),
        (
            lambda: correlate1d([1, 2, 3], [1, 1, 1, 1, 1]),
            r"padded input has 3 cells .* kernel spans 5",
        ),
        (lambda: correlate1d([[1, 2, 3]], [1, 1]), r"x must be a 1D array"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ArgumentError, match=match) as info:
        call()
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- properties


@given(
    x=images(),
    k=int_kernels(),
    stride=pairs,
    dilation=pairs,
    padding=paddings,
    mode=modes,
    method=st.sampled_from(["auto", "direct", "separable", "fft"]),
    budget=strip_budgets,
)
def test_correlate2d_matches_brute_force(x, k, stride, dilation, padding, mode, method, budget):
    """Integers: every path is exact against the loop reference, for every padding spec/mode."""
    pads = resolve(padding, x.shape, k.shape, stride, dilation)

    def call():
        with tiny_strips(*budget):
            return correlate2d(x, k, stride, padding, dilation, mode, method=method)

    if expect_config_error(call, pads, x.shape, k.shape, dilation, mode):
        return
    if method == "separable" and np.linalg.matrix_rank(k) != 1:
        with pytest.raises(ArgumentError, match="method='separable'"):
            call()
        return
    got = call()
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, brute_correlate2d(x, k, stride, pads, dilation, mode))


@given(
    x=images(),
    k=int_kernels(),
    stride=pairs,
    dilation=pairs,
    padding=paddings,
    mode=modes,
    method=st.sampled_from(["auto", "direct", "separable", "fft"]),
    budget=strip_budgets,
    scale=st.sampled_from([1.0, 1e-3, 37.5]),
)
def test_correlate2d_float32_within_rounding(
    x, k, stride, dilation, padding, mode, method, budget, scale
):
    """float32 input: float32 result within float32 round-off of the float64 reference."""
    x32 = (x * scale).astype(np.float32)
    kf = k / 3.0
    pads = resolve(padding, x.shape, k.shape, stride, dilation)
    assume(not reflect_too_large(pads, x.shape, mode))
    assume(not out_empty(pads, x.shape, k.shape, dilation))
    assume(method != "separable" or np.linalg.matrix_rank(k) == 1)
    with tiny_strips(*budget):
        got = correlate2d(x32, kf, stride, padding, dilation, mode, method=method)
    assert got.dtype == np.float32
    ref = brute_correlate2d(x32.astype(np.float64), kf, stride, pads, dilation, mode)
    tol = float_tol(x32.astype(np.float64), kf, pads, stride, dilation, mode)
    assert np.all(np.abs(got - ref) <= tol)


@given(
    x=images(),
    k=int_kernels(),
    method=st.sampled_from(["auto", "direct", "fft"]),
    conv=st.booleans(),
    padding=st.sampled_from(["valid", "full"]),
)
def test_against_scipy_signal(x, k, method, conv, padding):
    """'valid' and 'full' (stride 1, zeros) equal scipy.signal.correlate2d / convolve2d."""
    assume(padding == "full" or (k.shape[0] <= x.shape[0] and k.shape[1] <= x.shape[1]))
    ours = (convolve2d if conv else correlate2d)(x, k, padding=padding, method=method)
    theirs = (sps.convolve2d if conv else sps.correlate2d)(x, k, mode=padding)
    np.testing.assert_array_equal(ours, theirs)


@given(
    x=images(),
    k=int_kernels(),
    mode=modes,
    method=st.sampled_from(["auto", "direct", "fft"]),
    budget=strip_budgets,
)
def test_same_against_scipy_ndimage(x, k, mode, method, budget):
    """'same' (stride 1) in every mode equals scipy.ndimage.correlate with the mode's ndimage name.

    ndimage centres a kernel of K taps at K // 2; TensorFlow's 'same' at (K - 1) // 2,
    so an even axis needs ``origin=-1`` there.
    """
    pads = resolve("same", x.shape, k.shape, (1, 1), (1, 1))
    # ndimage extends tiny inputs periodically where numpy.pad and PyTorch do not: keep pad < n.
    assume(all(max(p) < n for p, n in zip(pads, x.shape, strict=True)))
    with tiny_strips(*budget):
        ours = correlate2d(x, k, padding="same", padding_mode=mode, method=method)
    origin = tuple(-1 if n % 2 == 0 else 0 for n in k.shape)
    theirs = ndi.correlate(x, k, mode=NDI_MODE[mode], cval=0, origin=origin)
    np.testing.assert_array_equal(ours, theirs)


@st.composite
def conv_configs(draw):
    groups = draw(st.integers(1, 3))
    per_group = draw(st.integers(1, 2))
    out_per_group = draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    c_in, c_out = groups * per_group, groups * out_per_group
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-5, 256, (c_in, h, w))
    weight = rng.integers(-3, 4, (c_out, per_group, kh, kw))
    bias = rng.integers(-20, 21, c_out) if draw(st.booleans()) else None
    return x, weight, bias, groups


@given(
    cfg=conv_configs(),
    stride=pairs,
    dilation=pairs,
    padding=paddings,
    mode=modes,
    method=st.sampled_from(["auto", "direct", "fft"]),
    budget=strip_budgets,
)
def test_conv2d_matches_brute_force(cfg, stride, dilation, padding, mode, method, budget):
    """Channels and groups (im2col and FFT paths, per-group single-channel paths): exact ints."""
    x, w, b, groups = cfg
    pads = resolve(padding, x.shape[1:], w.shape[2:], stride, dilation)

    def call():
        with tiny_strips(*budget):
            return conv2d(x, w, b, stride, padding, dilation, groups, mode, method=method)

    if expect_config_error(call, pads, x.shape[1:], w.shape[2:], dilation, mode):
        return
    got = call()
    assert got.dtype == np.int64
    ref = brute_conv2d(x, w, b, stride, pads, dilation, groups, mode)
    np.testing.assert_array_equal(got, ref)


@given(
    cfg=conv_configs(),
    stride=pairs,
    dilation=pairs,
    padding=paddings,
    mode=modes,
    method=st.sampled_from(["auto", "direct", "fft"]),
    budget=strip_budgets,
    as_float32=st.booleans(),
)
def test_conv2d_hwc_equals_conv2d_layout(
    cfg, stride, dilation, padding, mode, method, budget, as_float32
):
    """conv2d_hwc is conv2d with the axes moved (channels-last strips and output)."""
    x, w, b, _ = cfg
    if as_float32:
        x = x.astype(np.float32)
    w = np.concatenate([w] * (x.shape[0] // w.shape[1]), axis=1)  # groups=1 weight
    pads = resolve(padding, x.shape[1:], w.shape[2:], stride, dilation)
    assume(not reflect_too_large(pads, x.shape[1:], mode))
    assume(not out_empty(pads, x.shape[1:], w.shape[2:], dilation))
    with tiny_strips(*budget):
        got = conv2d_hwc(
            x.transpose(1, 2, 0),
            w.transpose(2, 3, 1, 0),
            b,
            stride,
            padding,
            dilation,
            mode,
            method=method,
        )
    ref = brute_conv2d(x.astype(np.float64), w, b, stride, pads, dilation, 1, mode)
    assert got.dtype == (np.float32 if as_float32 else np.int64)
    np.testing.assert_allclose(got.transpose(2, 0, 1), ref, rtol=2e-6, atol=1e-2)
    if not as_float32:
        np.testing.assert_array_equal(got.transpose(2, 0, 1), ref)


@given(
    n=st.integers(1, 20),
    taps=st.integers(1, 5),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.one_of(
        st.sampled_from(["valid", "same", "full"]),
        st.integers(0, 3),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
    ),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["auto", "direct", "fft"]),
)
def test_1d_matches_loop_and_numpy(n, taps, stride, dilation, padding, seed, method):
    """1D: a loop over positions; 'full' convolution with stride 1 is numpy.convolve."""
    rng = np.random.default_rng(seed)
    x, k = rng.integers(-9, 10, n), rng.integers(-3, 4, taps)
    if isinstance(padding, str):
        span = dilation * (taps - 1) + 1
        pads = {"valid": (0, 0), "full": (span - 1, span - 1)}.get(padding) or tf_same(
            n, taps, stride, dilation
        )
    elif isinstance(padding, int):
        pads = (padding, padding)
    else:
        pads = padding
    xp = np.pad(x, pads)
    span = dilation * (taps - 1) + 1
    if len(xp) < span:
        with pytest.raises(ArgumentError, match="output would be empty"):
            correlate1d(x, k, stride, padding, dilation, method=method)
        return
    expected = [
        sum(xp[i * stride + j * dilation] * k[j] for j in range(taps))
        for i in range((len(xp) - span) // stride + 1)
    ]
    np.testing.assert_array_equal(
        correlate1d(x, k, stride, padding, dilation, method=method), expected
    )
    flipped = correlate1d(x, k[::-1], stride, padding, dilation, method=method)
    np.testing.assert_array_equal(convolve1d(x, k, stride, padding, dilation), flipped)
    if padding == "full" and stride == 1 and dilation == 1:
        np.testing.assert_array_equal(convolve1d(x, k, padding="full"), np.convolve(x, k))


def _geometry_for(hw, khw):
    pads = resolve("same", hw, khw, (1, 1), (1, 1))
    return _fastconv.Geometry(hw, khw, (1, 1), (1, 1), pads, hw)


def test_large_paths_against_reference():
    """Sizes where 'auto' itself picks each path, checked against the loop reference / ndimage."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (64, 70))
    # Large kernel (FFT under auto), integers, exact.
    k = rng.integers(-3, 4, (21, 21))
    geo = _geometry_for(x.shape, k.shape)
    assert _fastconv.choose_method(x[None], k[None, None], geo, np.dtype("i8"))[0] == "fft"
    ref = ndi.correlate(x, k, mode="constant", origin=0)
    np.testing.assert_array_equal(correlate2d(x, k, padding="same"), ref)
    # Rank-1 kernel (separable under auto), integers, exact.
    ks = np.outer([1, 4, 6, 4, 1], [1, 2, 0, -2, -1])
    geo = _geometry_for(x.shape, ks.shape)
    assert _fastconv.choose_method(x[None], ks[None, None], geo, np.dtype("i8"))[0] == "separable"
    np.testing.assert_array_equal(
        correlate2d(x, ks, padding="same", padding_mode="symmetric"),
        ndi.correlate(x, ks, mode="reflect"),
    )
    # Several channels (im2col under auto), float32, with strides.
    xs = rng.random((3, 30, 41)).astype(np.float32) * 255
    w = rng.standard_normal((5, 3, 3, 3))
    got = conv2d(xs, w, stride=(2, 3), padding=1, padding_mode="circular")
    ref3 = brute_conv2d(
        xs.astype(np.float64), w, None, (2, 3), ((1, 1), (1, 1)), (1, 1), 1, "circular"
    )
    np.testing.assert_allclose(got, ref3, rtol=1e-5, atol=1e-3)
