"""Tests for conv_core.pooling: pool2d (max/avg, PyTorch semantics) and global_avg_pool.

The references below are brute-force loops over explicit windows, written from
PyTorch's CPU kernels (max_pool2d_with_indices, avg_pool2d), not from the module.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv_core import ArgumentError, pooling, resolve_padding
from conv_core.pooling import global_avg_pool, pool2d

# ---------------------------------------------------------------------------------------
# brute-force references


def torch_pool_size(n, k, s, before, after, d, ceil_mode):
    """PyTorch's pooling_output_shape, written out independently of conv_core.shapes."""
    span = d * (k - 1) + 1
    numerator = n + before + after - span + (s - 1 if ceil_mode else 0)
    out = numerator // s + 1
    if ceil_mode and (out - 1) * s >= n + before:
        out -= 1
    return out


def brute_max(x2d, k, s, pads, d, ceil_mode):
    """Max over the real cells of each window and the first (row-major) argmax."""
    h, w = x2d.shape
    (top, bottom), (left, right) = pads
    oh = torch_pool_size(h, k[0], s[0], top, bottom, d[0], ceil_mode)
    ow = torch_pool_size(w, k[1], s[1], left, right, d[1], ceil_mode)
    values = np.zeros((oh, ow), dtype=x2d.dtype)
    indices = np.zeros((oh, ow, 2), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            best, where = -math.inf, None
            for a in range(k[0]):
                for b in range(k[1]):
                    r = i * s[0] - top + a * d[0]
                    c = j * s[1] - left + b * d[1]
                    if 0 <= r < h and 0 <= c < w and x2d[r, c] > best:
                        best, where = x2d[r, c], (r, c)
            assert where is not None, "window with no real cell"
            values[i, j] = best
            indices[i, j] = where
    return values, indices


def brute_avg(x2d, k, s, pads, ceil_mode, count_include_pad):
    """PyTorch's avg_pool2d: divide by the window clipped to the padded input (or real cells)."""
    h, w = x2d.shape
    (top, bottom), (left, right) = pads
    oh = torch_pool_size(h, k[0], s[0], top, bottom, 1, ceil_mode)
    ow = torch_pool_size(w, k[1], s[1], left, right, 1, ceil_mode)
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            hstart, wstart = i * s[0] - top, j * s[1] - left
            hend = min(hstart + k[0], h + bottom)
            wend = min(wstart + k[1], w + right)
            pool_size = (hend - hstart) * (wend - wstart)
            hstart, wstart = max(hstart, 0), max(wstart, 0)
            hend, wend = min(hend, h), min(wend, w)
            total = sum(float(x2d[r, c]) for r in range(hstart, hend) for c in range(wstart, wend))
            divisor = pool_size if count_include_pad else (hend - hstart) * (wend - wstart)
            out[i, j] = total / divisor
    return out


def all_padding_window(n, k, s, before, d, out):
    """True when some window's taps along this axis all miss the input."""
    return any(all(not (0 <= i * s - before + a * d < n) for a in range(k)) for i in range(out))


# ---------------------------------------------------------------------------------------
# strategies


@st.composite
def pool_configs(draw, max_dilation=3):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation)))
    pads = tuple((draw(st.integers(0, k[a] // 2)), draw(st.integers(0, k[a] // 2))) for a in (0, 1))
    ceil_mode = draw(st.booleans())
    hw = []
    for a in (0, 1):
        span = d[a] * (k[a] - 1) + 1
        lo = max(1, span - sum(pads[a]))
        hw.append(draw(st.integers(lo, max(lo, 10))))
    channels = draw(st.sampled_from([None, 1, 2, 3]))
    return k, s, d, pads, ceil_mode, tuple(hw), channels


def make_input(draw, hw, channels, dtype):
    shape = hw if channels is None else (channels, *hw)
    # A small value range makes ties common, which exercises the argmax rule.
    values = draw(
        st.lists(st.integers(0, 4), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
    )
    x = np.array(values, dtype=np.int64).reshape(shape)
    if dtype == "uint8":
        return x.astype(np.uint8)
    if dtype == "int64":
        return x - 2
    return (x * 1.5 - 3).astype(dtype)


def as_channels(x):
    return x[None] if x.ndim == 2 else x


# ---------------------------------------------------------------------------------------
# the lecture's example and hand-worked tables

LECTURE_WINDOWS = [(3, -1, -3, 1), (12, -1, 0, 1), (2, -3, 3, -2), (0, 1, 4, -1)]


def lecture_grid():
    """The 4x4 grid whose 2x2 windows (row-major) hold LECTURE_WINDOWS (each row-major)."""
    grid = np.zeros((4, 4), dtype=np.int64)
    for index, window in enumerate(LECTURE_WINDOWS):
        r, c = divmod(index, 2)
        grid[2 * r : 2 * r + 2, 2 * c : 2 * c + 2] = np.reshape(window, (2, 2))
    return grid


def test_lecture_example_2x2_stride_2():
    """The lecture: max [[3, 12], [3, 4]] and average [[0, 3], [0, 1]]."""
    x = lecture_grid()
    assert x.tolist() == [[3, -1, 12, -1], [-3, 1, 0, 1], [2, -3, 0, 1], [3, -2, 4, -1]]
    mx = pool2d(x, kernel_size=2, stride=2, method="max")
    avg = pool2d(x, kernel_size=2, stride=2, method="avg")
    assert mx.tolist() == [[3, 12], [3, 4]]
    assert mx.dtype == np.int64
    assert avg.tolist() == [[0.0, 3.0], [0.0, 1.0]]
    assert avg.dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # 3x3 input 0..8, 2x2 windows stride 1
        ({"kernel_size": 2, "stride": 1}, [[4, 5], [7, 8]]),
        # stride defaults to kernel_size: one window, the last row/col unvisited
        ({"kernel_size": 2}, [[4]]),
        # ceil_mode keeps the partial windows at the bottom/right
        ({"kernel_size": 2, "ceil_mode": True}, [[4, 5], [7, 8]]),
        # padding 1 with -inf fill: corners see only one real cell each
        ({"kernel_size": 2, "padding": 1}, [[0, 2], [6, 8]]),
        # dilation 2: the four corners
        ({"kernel_size": 2, "stride": 1, "dilation": 2}, [[8]]),
        ({"kernel_size": (1, 3), "stride": 1}, [[2], [5], [8]]),
    ],
)
def test_max_table(kwargs, expected):
    x = np.arange(9).reshape(3, 3)
    assert pool2d(x, **kwargs).tolist() == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"kernel_size": 2, "stride": 1}, [[2.0, 3.0], [5.0, 6.0]]),
        # padding 1, count_include_pad: the corner window (pad, pad, pad, 0) is 0/4
        ({"kernel_size": 2, "padding": 1}, [[0.0, 3 / 4], [9 / 4, 24 / 4]]),
        (
            {"kernel_size": 2, "padding": 1, "count_include_pad": False},
            [[0.0, 3 / 2], [9 / 2, 24 / 4]],
        ),
        # ceil_mode: the bottom/right windows hang off a 3x3 input with no padding and are
        # divided by the clipped count: (2 + 5) / 2, (6 + 7) / 2, 8 / 1
        ({"kernel_size": 2, "ceil_mode": True}, [[2.0, 3.5], [6.5, 8.0]]),
    ],
)
def test_avg_table(kwargs, expected):
    x = np.arange(9).reshape(3, 3)
    np.testing.assert_allclose(pool2d(x, method="avg", **kwargs), expected)


def test_avg_ceil_mode_divisor_counts_padding_but_not_overflow():
    """PyTorch: divisor = window clipped to the padded input, padding cells included.

    Input 1x4 of ones, kernel (1, 3), stride 2, padding (0, 1), ceil_mode: padded width 6,
    windows start at -1, 1, 3; the last covers columns 3, 4 (padding), 5 (past the
    padding), so its divisor is 2 (columns 3 and 4) and its sum is 1.
    """
    x = np.ones((1, 4))
    out = pool2d(x, (1, 3), stride=2, padding=(0, 1), method="avg", ceil_mode=True)
    np.testing.assert_allclose(out, [[2 / 3, 1.0, 1 / 2]])
    out = pool2d(
        x, (1, 3), stride=2, padding=(0, 1), method="avg", ceil_mode=True, count_include_pad=False
    )
    np.testing.assert_allclose(out, [[1.0, 1.0, 1.0]])


def test_padding_words_and_asymmetric():
    x = np.arange(16).reshape(4, 4)
    # 'same' with kernel 3, stride 1: one cell each side
    assert np.array_equal(pool2d(x, 3, stride=1, padding="same"), pool2d(x, 3, 1, 1))
    assert np.array_equal(pool2d(x, 2, padding="valid"), pool2d(x, 2))
    # 'same' with kernel 2 stride 1: the odd pad goes bottom/right
    assert pool2d(x, 2, stride=1, padding="same").shape == (4, 4)
    out = pool2d(x, 2, stride=1, padding=((0, 1), (0, 1)))
    assert out[-1].tolist() == [13, 14, 15, 15]


def test_channels_pool_independently():
    x = np.stack([np.arange(16).reshape(4, 4), -np.arange(16).reshape(4, 4)])
    out = pool2d(x, 2)
    assert out.shape == (2, 2, 2)
    assert out[0].tolist() == [[5, 7], [13, 15]]
    assert out[1].tolist() == [[0, -2], [-8, -10]]


@pytest.mark.parametrize(
    ("dtype", "method", "expected"),
    [
        (np.uint8, "max", np.uint8),
        (np.int32, "max", np.int32),
        (np.float32, "max", np.float32),
        (np.float64, "max", np.float64),
        (np.uint8, "avg", np.float64),
        (np.int64, "avg", np.float64),
        (np.float32, "avg", np.float32),
        (np.float64, "avg", np.float64),
    ],
)
def test_dtypes(dtype, method, expected):
    x = np.arange(16, dtype=dtype).reshape(4, 4)
    assert pool2d(x, 2, method=method, padding=1).dtype == expected


def test_uint8_max_with_padding_keeps_zero_cells():
    """The integer fill (the dtype's minimum, 0 for uint8) must not disturb values or indices."""
    x = np.zeros((3, 3), dtype=np.uint8)
    values, indices = pool2d(x, 2, padding=1, return_indices=True)
    assert values.tolist() == [[0, 0], [0, 0]]
    assert indices.tolist() == [[[0, 0], [0, 1]], [[1, 0], [1, 1]]]


# ---------------------------------------------------------------------------------------
# return_indices


def test_indices_ties_resolve_to_first_in_row_major_order():
    x = np.array([[5, 5], [5, 5]])
    values, indices = pool2d(x, 2, return_indices=True)
    assert values.tolist() == [[5]]
    assert indices.tolist() == [[[0, 0]]]
    x = np.array([[1, 7, 0], [7, 7, 0]])
    _, indices = pool2d(x, (2, 3), return_indices=True)
    assert indices.tolist() == [[[0, 1]]]


def test_indices_are_in_unpadded_coordinates():
    x = np.array([[1, 2], [3, 9]])
    values, indices = pool2d(x, 2, stride=1, padding=1, return_indices=True)
    assert values.tolist() == [[1, 2, 2], [3, 9, 9], [3, 9, 9]]
    assert indices[0, 0].tolist() == [0, 0]
    assert indices[2, 2].tolist() == [1, 1]
    assert indices.shape == (3, 3, 2) and indices.dtype.kind == "i"


@given(data=st.data(), config=pool_configs())
def test_max_and_indices_match_brute_force(data, config):
    """pool2d('max') equals PyTorch's kernel written as loops, values and indices."""
    k, s, d, pads, ceil_mode, hw, channels = config
    dtype = data.draw(st.sampled_from(["int64", "uint8", "float32", "float64"]))
    x = make_input(data.draw, hw, channels, dtype)
    oh = torch_pool_size(hw[0], k[0], s[0], *pads[0], d[0], ceil_mode)
    ow = torch_pool_size(hw[1], k[1], s[1], *pads[1], d[1], ceil_mode)
    if all_padding_window(hw[0], k[0], s[0], pads[0][0], d[0], oh) or all_padding_window(
        hw[1], k[1], s[1], pads[1][0], d[1], ow
    ):
        with pytest.raises(ArgumentError, match="covers only padding"):
            pool2d(x, k, s, pads, dilation=d, ceil_mode=ceil_mode)
        return
    values, indices = pool2d(x, k, s, pads, dilation=d, ceil_mode=ceil_mode, return_indices=True)
    plain = pool2d(x, k, s, pads, dilation=d, ceil_mode=ceil_mode)
    assert values.dtype == x.dtype
    assert np.array_equal(values, plain)
    for c, x2d in enumerate(as_channels(x)):
        ref_values, ref_indices = brute_max(x2d, k, s, pads, d, ceil_mode)
        got_v = as_channels(values)[c]
        got_i = (indices[None] if x.ndim == 2 else indices)[c]
        assert np.array_equal(got_v, ref_values)
        assert np.array_equal(got_i, ref_indices)
        assert np.array_equal(x2d[got_i[..., 0], got_i[..., 1]], got_v)


@given(data=st.data(), config=pool_configs(max_dilation=1))
def test_avg_matches_brute_force(data, config):
    """pool2d('avg') equals PyTorch's avg_pool2d divisor rule, both count_include_pad."""
    k, s, _, pads, ceil_mode, hw, channels = config
    count_include_pad = data.draw(st.booleans())
    dtype = data.draw(st.sampled_from(["int64", "uint8", "float32", "float64"]))
    x = make_input(data.draw, hw, channels, dtype)
    out = pool2d(
        x, k, s, pads, method="avg", ceil_mode=ceil_mode, count_include_pad=count_include_pad
    )
    assert out.dtype == (np.float32 if dtype == "float32" else np.float64)
    for c, x2d in enumerate(as_channels(x)):
        ref = brute_avg(x2d, k, s, pads, ceil_mode, count_include_pad)
        np.testing.assert_allclose(as_channels(out)[c], ref, rtol=1e-6, atol=1e-6)


@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    word=st.sampled_from(["valid", "same", "full"]),
    method=st.sampled_from(["max", "avg"]),
)
def test_padding_words_match_resolved_numbers(h, w, k, s, word, method):
    """A padding word behaves as its resolved ((t, b), (l, r)), or fails the same way."""
    x = np.arange(h * w).reshape(h, w)
    pads = resolve_padding(word, (h, w), k, s, 1)
    try:
        expected = pool2d(x, k, s, pads, method=method)
    except ArgumentError as err:
        with pytest.raises(ArgumentError) as caught:
            pool2d(x, k, s, word, method=method)
        assert caught.value.key == err.key
        return
    assert np.array_equal(pool2d(x, k, s, word, method=method), expected)


@given(
    h=st.integers(2, 12),
    w=st.integers(2, 12),
    c=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_max_is_separable_order_free(h, w, c, seed):
    """Max over the whole window equals np.max over an explicit view of the windows."""
    x = np.random.default_rng(seed).normal(size=(c, h, w)).astype(np.float32)
    kh, kw = min(h, 3), min(w, 2)
    view = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    expected = view.max(axis=(-2, -1))
    np.testing.assert_array_equal(pool2d(x, (kh, kw), stride=1), expected)
    np.testing.assert_allclose(
        pool2d(x, (kh, kw), stride=1, method="avg"), view.mean(axis=(-2, -1)), rtol=1e-5, atol=1e-6
    )


def test_large_input_uses_strips_and_matches_numpy():
    """An input taller than one cache strip gives the plain-NumPy answer."""
    x = np.random.default_rng(0).random((700, 1000), dtype=np.float32)
    expected = np.maximum(
        np.maximum(x[::2, ::2], x[1::2, ::2]), np.maximum(x[::2, 1::2], x[1::2, 1::2])
    )
    assert np.array_equal(pool2d(x, 2), expected)
    total = x[::2, ::2] + x[1::2, ::2] + x[::2, 1::2] + x[1::2, 1::2]
    np.testing.assert_allclose(pool2d(x, 2, method="avg"), total / 4, rtol=1e-6)


@given(data=st.data(), config=pool_configs())
def test_one_row_strips_match_one_strip(data, config):
    """The cache-strip loop (forced to one output row per strip) changes nothing."""
    k, s, d, pads, ceil_mode, hw, channels = config
    x = make_input(data.draw, hw, channels, "float64")
    method = "avg" if d == (1, 1) and data.draw(st.booleans()) else "max"
    kwargs = {"method": method, "ceil_mode": ceil_mode, "dilation": d}
    try:
        expected = pool2d(x, k, s, pads, **kwargs)
    except ArgumentError:
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pooling, "_STRIP_BYTES", 1)
        got = pool2d(x, k, s, pads, **kwargs)
    assert np.array_equal(got, expected)


def test_input_is_not_modified():
    x = np.arange(16, dtype=np.float64).reshape(4, 4)
    before = x.copy()
    pool2d(x, 2, padding=1, return_indices=True)
    pool2d(x, 2, padding=1, method="avg")
    assert np.array_equal(x, before)


# ---------------------------------------------------------------------------------------
# global_avg_pool


def test_global_avg_pool():
    x = np.array([[[1, 2], [3, 4]], [[0, 0], [0, 8]], [[-1, 1], [-1, 1]]])
    out = global_avg_pool(x)
    assert out.shape == (3,)
    assert out.tolist() == [2.5, 2.0, 0.0]
    single = global_avg_pool(np.array([[1, 2], [3, 4]]))
    assert single.shape == () and float(single) == 2.5
    assert global_avg_pool(np.ones((2, 3, 3), np.float32)).dtype == np.float32
    # same as a pool over the whole image
    y = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_allclose(global_avg_pool(y), pool2d(y, (3, 4), method="avg")[:, 0, 0])


def test_global_avg_pool_rejects_nan():
    with pytest.raises(ArgumentError, match="x must contain only finite numbers"):
        global_avg_pool(np.array([[1.0, np.nan]]))


# ---------------------------------------------------------------------------------------
# bad arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kernel_size": 0}, r"kernel_size must be a positive integer .* but got kernel_size=0"),
        ({"kernel_size": 2, "stride": 0}, r"stride must be a positive .* but got stride=0"),
        ({"kernel_size": 2, "stride": -1}, r"but got stride=-1"),
        ({"kernel_size": 2, "stride": (1, 0)}, r"but got stride=\(1, 0\)"),
        ({"kernel_size": 2, "dilation": 0}, r"but got dilation=0"),
        ({"kernel_size": 2.5}, r"kernel_size must be an integer or a \(rows, cols\) pair"),
        ({"kernel_size": 2, "method": "min"}, r"method must be one of 'max', 'avg', but got "),
        (
            {"kernel_size": 2, "padding": 2},
            r"padding must be at most half of kernel_size .* padding=2: the top pad is 2 "
            r"and kernel_size // 2 = 2 // 2 = 1",
        ),
        (
            {"kernel_size": 3, "padding": ((0, 0), (1, 2))},
            r"the right pad is 2 and kernel_size // 2 = 3 // 2 = 1",
        ),
        ({"kernel_size": 3, "padding": "full"}, r"padding='full': the top pad is 2"),
        ({"kernel_size": 2, "padding": -1}, r"padding must not be negative"),
        ({"kernel_size": 2, "padding": "middle"}, r"padding must be an integer"),
        (
            {"kernel_size": 2, "method": "avg", "dilation": 2},
            r"dilation is only supported for method='max'.* dilation=2",
        ),
        (
            {"kernel_size": 2, "method": "avg", "return_indices": True},
            r"return_indices=True needs method='max'.* method='avg'",
        ),
        ({"kernel_size": 2, "ceil_mode": 1}, r"ceil_mode must be True or False, but got "),
        (
            {"kernel_size": 5},
            r"the output would be empty: the padded input has 4 cells .* kernel spans 5",
        ),
        (
            {"kernel_size": 2, "dilation": 4},
            r"the output would be empty: the padded input has 4 cells",
        ),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        pool2d(np.zeros((4, 4)), **kwargs)


def test_window_only_in_padding_is_an_error():
    # n = 2, kernel 2, dilation 3, padding 1: the only window's taps are -1 and 2.
    with pytest.raises(
        ArgumentError, match=r"output row 0 covers only padding.*taps fall on input row \(-1, 2\)"
    ):
        pool2d(np.zeros((2, 5)), 2, stride=1, padding=1, dilation=(3, 1))


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), r"x must contain only finite numbers.* 1 NaN"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), r"x must contain only finite numbers"),
        (np.zeros(4), r"x must be a 2D or 3D array, but got an array of shape \(4,\)"),
        (np.zeros((0, 3)), r"x must not be empty"),
        (np.array([["a", "b"]]), r"x must be numeric"),
    ],
)
def test_bad_input(x, match):
    with pytest.raises(ArgumentError, match=match):
        pool2d(x, 1)


def test_errors_are_value_errors_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pool2d(np.zeros((3, 3)), 2, ceil_mode=True, method="avg")
    with pytest.raises(ValueError, match="stride"):
        pool2d(np.zeros((3, 3)), 2, stride=0)


def test_brute_force_reference_is_not_trivial():
    """The reference itself: padding cells never win, ceil windows are clipped."""
    x = np.array([[-5, -6], [-7, -8]])
    values, indices = brute_max(x, (2, 2), (1, 1), ((1, 1), (1, 1)), (1, 1), False)
    assert values.tolist() == [[-5, -5, -6], [-5, -5, -6], [-7, -7, -8]]
    assert indices[1, 2].tolist() == [0, 1]
