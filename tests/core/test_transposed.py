"""Tests for conv_core.transposed: conv_transpose2d and its teaching helpers.

References are written here as loops: the scatter definition of a transposed
convolution, a forward (PyTorch conv2d) correlation for the adjoint identity, and a
dilated 'valid' correlation for transpose_as_convolution.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv_core import ArgumentError
from conv_core.transposed import (
    TransposeAsConvolution,
    conv_transpose2d,
    conv_transpose_output_size,
    transpose_as_convolution,
    zero_insert,
)

# ---------------------------------------------------------------------------------------
# brute-force references


def brute_conv_transpose(x, w, bias, s, p, op, d, groups):
    """Scatter x[ci, i, j] * w[ci, co, a, b] to (i*s + a*d, j*s + b*d), then crop padding."""
    c_in, h, wd = x.shape
    _, cg_out, kh, kw = w.shape
    cg_in = c_in // groups
    c_out = cg_out * groups
    out_h = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1
    out_w = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1
    out = np.zeros((c_out, out_h, out_w), dtype=np.result_type(x, w, np.int64))
    for ci in range(c_in):
        g = ci // cg_in
        for co in range(cg_out):
            for i in range(h):
                for j in range(wd):
                    for a in range(kh):
                        for b in range(kw):
                            r = i * s[0] + a * d[0] - p[0]
                            c = j * s[1] + b * d[1] - p[1]
                            if 0 <= r < out_h and 0 <= c < out_w:
                                out[g * cg_out + co, r, c] += x[ci, i, j] * w[ci, co, a, b]
    if bias is not None:
        out = out + np.asarray(bias)[:, None, None]
    return out


def brute_conv2d(x, w, s, p, d, groups):
    """PyTorch conv2d (a correlation): w of shape (C_out, C_in/groups, KH, KW), zero padding."""
    _, h, wd = x.shape
    c_out, cg_in, kh, kw = w.shape
    cg_out = c_out // groups
    out_h = (h + 2 * p[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    out_w = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((c_out, out_h, out_w), dtype=np.int64)
    for co in range(c_out):
        g = co // cg_out
        for i in range(out_h):
            for j in range(out_w):
                total = 0
                for ci in range(cg_in):
                    for a in range(kh):
                        for b in range(kw):
                            r = i * s[0] + a * d[0] - p[0]
                            c = j * s[1] + b * d[1] - p[1]
                            if 0 <= r < h and 0 <= c < wd:
                                total += x[g * cg_in + ci, r, c] * w[co, ci, a, b]
                out[co, i, j] = total
    return out


def brute_valid_correlation(x, k, d):
    """Stride-1 'valid' correlation at dilation d, as loops."""
    kh, kw = k.shape
    out_h = x.shape[0] - d[0] * (kh - 1)
    out_w = x.shape[1] - d[1] * (kw - 1)
    out = np.zeros((out_h, out_w), dtype=np.int64)
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = sum(
                x[i + a * d[0], j + b * d[1]] * k[a, b] for a in range(kh) for b in range(kw)
            )
    return out


# ---------------------------------------------------------------------------------------
# strategies


@st.composite
def transpose_configs(draw, max_groups=3):
    """Small geometries with torch's constraints: output_padding < stride or dilation."""
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    op = tuple(draw(st.integers(0, max(s[a], d[a]) - 1)) for a in (0, 1))
    hw = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    p = []
    for a in (0, 1):
        # keep the output non-empty: (n-1)*s - 2p + d*(k-1) + op + 1 >= 1
        limit = ((hw[a] - 1) * s[a] + d[a] * (k[a] - 1) + op[a]) // 2
        p.append(draw(st.integers(0, min(limit, 4))))
    return k, s, tuple(p), op, d, hw


def ints(draw, shape, lo=-5, hi=5):
    n = int(np.prod(shape))
    return np.array(draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))).reshape(shape)


# ---------------------------------------------------------------------------------------
# hand-worked examples


X22 = np.array([[1, 2], [3, 4]])


@pytest.mark.parametrize(
    ("kwargs", "weight", "expected"),
    [
        # stride 1: the ones-stamps overlap by one cell
        ({}, np.ones((2, 2), int), [[1, 3, 2], [4, 10, 6], [3, 7, 4]]),
        # stride 2: scaled copies of the kernel, tiled
        (
            {"stride": 2},
            np.ones((2, 2), int),
            [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
        ),
        (
            {"stride": 2},
            np.array([[1, 2], [3, 4]]),
            [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]],
        ),
        # padding 1 crops one cell from each side of the 3x3 result
        ({"padding": 1}, np.ones((2, 2), int), [[10]]),
        # output_padding 1 with stride 2: one more row and column at the bottom/right
        (
            {"stride": 2, "output_padding": 1},
            np.ones((2, 2), int),
            [
                [1, 1, 2, 2, 0],
                [1, 1, 2, 2, 0],
                [3, 3, 4, 4, 0],
                [3, 3, 4, 4, 0],
                [0, 0, 0, 0, 0],
            ],
        ),
        # dilation 2: a 1x2 kernel's taps are two columns apart
        ({"dilation": 2}, np.array([[1, 10]]), [[1, 2, 10, 20], [3, 4, 30, 40]]),
        # 1x1 kernel with stride 2 is zero insertion, scaled
        ({"stride": 2}, np.array([[2]]), [[2, 0, 4], [0, 0, 0], [6, 0, 8]]),
    ],
)
def test_hand_worked(kwargs, weight, expected):
    out = conv_transpose2d(X22, weight, **kwargs)
    assert out.tolist() == expected
    assert out.dtype == np.int64


def test_multichannel_and_bias_hand_worked():
    # two input channels, one output channel: the stamps of both add up, then the bias
    x = np.stack([X22, 10 * X22])
    w = np.array([[[[1]]], [[[2]]]])  # (C_in=2, C_out=1, 1, 1)
    out = conv_transpose2d(x, w, bias=np.array([100]))
    assert out.tolist() == [[[121, 142], [163, 184]]]
    # groups=2: each input channel to its own output channel
    out = conv_transpose2d(x, w, groups=2)
    assert out.tolist() == [[[1, 2], [3, 4]], [[20, 40], [60, 80]]]


def test_single_channel_matches_channel_form():
    w = np.array([[1, -1, 2], [0, 3, 1]])
    single = conv_transpose2d(X22, w, bias=5, stride=(2, 1), padding=(0, 1), dilation=(1, 2))
    multi = conv_transpose2d(
        X22[None], w[None, None], bias=np.array([5]), stride=(2, 1), padding=(0, 1), dilation=(1, 2)
    )
    assert single.shape == multi.shape[1:]
    assert np.array_equal(single, multi[0])


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "expected"),
    [
        (np.int64, np.int64, np.int64),
        (np.uint8, np.int32, np.int64),
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float32),
        (np.int64, np.float64, np.float64),
        (np.float64, np.float32, np.float64),
    ],
)
def test_dtypes(x_dtype, w_dtype, expected):
    out = conv_transpose2d(X22.astype(x_dtype), np.ones((2, 2), w_dtype), stride=2)
    assert out.dtype == expected


def test_uint8_does_not_wrap():
    x = np.full((2, 2), 255, dtype=np.uint8)
    out = conv_transpose2d(x, np.full((2, 2), 255, dtype=np.uint8))
    assert out[1, 1] == 4 * 255 * 255


# ---------------------------------------------------------------------------------------
# properties against the loops


@given(data=st.data(), config=transpose_configs())
def test_matches_scatter_loops(data, config):
    """conv_transpose2d equals the scatter definition, with channels, groups and bias."""
    k, s, p, op, d, hw = config
    groups = data.draw(st.integers(1, 3))
    cg_in = data.draw(st.integers(1, 2))
    cg_out = data.draw(st.integers(1, 2))
    x = ints(data.draw, (groups * cg_in, *hw))
    w = ints(data.draw, (groups * cg_in, cg_out, *k))
    bias = data.draw(st.none() | st.just(ints(data.draw, (groups * cg_out,))))
    out = conv_transpose2d(x, w, bias, s, p, op, groups, d)
    expected = brute_conv_transpose(x, w, bias, s, p, op, d, groups)
    assert out.shape == expected.shape
    assert np.array_equal(out, expected)
    for axis in (0, 1):
        assert out.shape[1 + axis] == conv_transpose_output_size(
            hw[axis], k[axis], s[axis], p[axis], op[axis], d[axis]
        )


@given(data=st.data(), config=transpose_configs())
def test_float_single_channel_matches_loops(data, config):
    k, s, p, op, d, hw = config
    x = ints(data.draw, hw).astype(np.float32) / 4
    w = ints(data.draw, k).astype(np.float32) / 2
    out = conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
    expected = brute_conv_transpose(
        x[None].astype(np.float64), w[None, None].astype(np.float64), None, s, p, op, d, 1
    )[0]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-5)


@given(
    data=st.data(),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    d=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    groups=st.integers(1, 2),
)
def test_adjoint_identity(data, k, s, p, d, groups):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)>: the transpose is the adjoint."""
    hw = []
    for a in (0, 1):
        span = d[a] * (k[a] - 1) + 1
        hw.append(data.draw(st.integers(max(1, span - 2 * p[a]), max(1, span - 2 * p[a]) + 6)))
    cg_in = data.draw(st.integers(1, 2))
    cg_out = data.draw(st.integers(1, 2))
    x = ints(data.draw, (groups * cg_in, *hw))
    # one tensor, read as conv2d's (C_out, C_in/groups, KH, KW) and as the transpose's
    # (C_in', C_out'/groups, KH, KW) with C_in' = C_out: the same layer run backwards
    w = ints(data.draw, (groups * cg_out, cg_in, *k))
    forward = brute_conv2d(x, w, s, p, d, groups)
    y = ints(data.draw, forward.shape)
    # output_padding picks, among the sizes that conv2d maps to forward's size, x's size
    op = tuple((hw[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) % s[a] for a in (0, 1))
    back = conv_transpose2d(y, w, stride=s, padding=p, output_padding=op, groups=groups, dilation=d)
    assert back.shape == x.shape
    assert int(np.sum(forward * y)) == int(np.sum(x * back))


@given(data=st.data(), config=transpose_configs())
def test_transpose_as_convolution_equals_conv_transpose(data, config):
    """Zero-insert, pad by dilation*(K-1) - padding (+ output_padding), correlate flipped."""
    k, s, p, op, d, hw = config
    x = ints(data.draw, hw)
    w = ints(data.draw, k)
    t = transpose_as_convolution(x, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert isinstance(t, TransposeAsConvolution)
    assert t.zero_inserted.shape == ((hw[0] - 1) * s[0] + 1, (hw[1] - 1) * s[1] + 1)
    assert t.pad == tuple(
        (d[a] * (k[a] - 1) - p[a], d[a] * (k[a] - 1) - p[a] + op[a]) for a in (0, 1)
    )
    assert np.array_equal(t.kernel, w[::-1, ::-1])
    assert t.dilation == d
    via_conv = brute_valid_correlation(t.padded_input, t.kernel, d)
    direct = conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert np.array_equal(via_conv, direct)


def test_transpose_as_convolution_negative_pad_crops():
    # kernel 2, padding 2: pad = 1*(2-1) - 2 = -1, one inserted row/col cropped each side
    x = np.arange(1, 10).reshape(3, 3)
    t = transpose_as_convolution(x, np.ones((2, 2), int), stride=2, padding=2)
    assert t.pad == ((-1, -1), (-1, -1))
    assert t.padded_input.shape == (3, 3)
    assert t.padded_input.tolist() == [[0, 0, 0], [0, 5, 0], [0, 0, 0]]


# ---------------------------------------------------------------------------------------
# zero_insert and the size rule


@pytest.mark.parametrize(
    ("stride", "expected"),
    [
        (1, [[1, 2], [3, 4]]),
        (2, [[1, 0, 2], [0, 0, 0], [3, 0, 4]]),
        ((1, 3), [[1, 0, 0, 2], [3, 0, 0, 4]]),
        ((2, 1), [[1, 2], [0, 0], [3, 4]]),
    ],
)
def test_zero_insert(stride, expected):
    assert zero_insert(X22, stride).tolist() == expected


def test_zero_insert_channels_and_dtype():
    x = np.stack([X22, -X22]).astype(np.float32)
    out = zero_insert(x, 2)
    assert out.shape == (2, 3, 3) and out.dtype == np.float32
    assert out[1, 2, 2] == -4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((3, 3, 2, 1, 0, 1), 5),
        ((3, 3, 2, 1, 1, 1), 6),
        ((2, 2, 1, 0, 0, 1), 3),
        ((2, 2, 2, 0, 0, 1), 4),
        ((4, 3, 1, 1, 0, 1), 4),  # the 'same' 3x3 conv is its own size inverse
        ((2, 3, 1, 0, 0, 2), 6),  # span 5
        ((1, 1, 1, 0, 0, 1), 1),
    ],
)
def test_output_size_table(args, expected):
    assert conv_transpose_output_size(*args) == expected


@given(
    m=st.integers(1, 30),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
)
def test_output_size_inverts_conv_size(m, k, s, p, d):
    """Every conv input size m is recovered from the conv output size by some output_padding."""
    span = d * (k - 1) + 1
    if m + 2 * p < span:
        return
    n = (m + 2 * p - span) // s + 1
    op = (m + 2 * p - span) % s
    assert conv_transpose_output_size(n, k, s, p, op, d) == m


# ---------------------------------------------------------------------------------------
# bad arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stride": 0}, r"stride must be a positive integer .* but got stride=0"),
        ({"stride": -2}, r"but got stride=-2"),
        ({"dilation": 0}, r"but got dilation=0"),
        ({"padding": -1}, r"padding must be a non-negative integer .* but got padding=-1"),
        ({"padding": "same"}, r"padding must be an integer or a \(rows, cols\) pair"),
        (
            {"stride": 2, "output_padding": 2},
            r"output_padding must be smaller than either stride or dilation, but got "
            r"output_padding=2 with stride=2 and dilation=1",
        ),
        ({"output_padding": 1}, r"output_padding=1 with stride=1 and dilation=1"),
        (
            {"padding": 2},
            r"the output would be empty: .* = \(2 - 1\)\*1 - 2\*2 \+ 1\*\(2 - 1\) \+ 0 \+ 1 = -1",
        ),
        ({"groups": 0}, r"groups must be a positive integer .* but got groups=0"),
        ({"groups": 2}, r"groups must divide both in_channels and out_channels"),
        ({"bias": np.array([1, 2])}, r"bias must have shape \(1,\).* shape \(2,\)"),
    ],
)
def test_bad_arguments_single_channel(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        conv_transpose2d(X22, np.ones((2, 2)), **kwargs)


@pytest.mark.parametrize(
    ("x", "w", "kwargs", "match"),
    [
        (
            np.zeros((3, 4, 4)),
            np.zeros((2, 1, 3, 3)),
            {},
            r"weight must have shape \(in_channels, out_channels/groups, KH, KW\) with "
            r"in_channels = 3 as in x, but got weight of shape \(2, 1, 3, 3\)",
        ),
        (
            np.zeros((3, 4, 4)),
            np.zeros((3, 1, 3, 3)),
            {"groups": 2},
            r"groups must divide .* groups=2 with in_channels=3 and out_channels=2",
        ),
        (
            np.zeros((2, 4, 4)),
            np.zeros((2, 3, 3, 3)),
            {"bias": np.zeros(2)},
            r"bias must have shape \(3,\)",
        ),
        (np.zeros((2, 4, 4)), np.zeros((3, 3)), {}, r"weight must be a 4D array"),
        (np.zeros((4, 4)), np.zeros((1, 1, 3, 3)), {}, r"weight must be a 2D array"),
        (np.zeros(4), np.zeros((3, 3)), {}, r"x must be a 2D or 3D array"),
        (np.array([[np.nan, 1.0]]), np.ones((1, 1)), {}, r"x must contain only finite numbers"),
        (np.ones((2, 2)), np.array([[np.inf]]), {}, r"weight must contain only finite numbers"),
    ],
)
def test_bad_arguments_shapes(x, w, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        conv_transpose2d(x, w, **kwargs)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 3), r"n must be a positive integer"),
        ((3, 0), r"kernel_size must be a positive integer .* kernel_size=0"),
        ((3, 3, 0), r"stride=0"),
        ((3, 3, 2, 0, 2), r"output_padding=2 with stride=2 and dilation=1"),
        ((1, 1, 1, 1), r"the output would be empty"),
    ],
)
def test_output_size_bad_arguments(args, match):
    with pytest.raises(ArgumentError, match=match):
        conv_transpose_output_size(*args)


def test_zero_insert_bad_stride():
    with pytest.raises(ArgumentError, match=r"stride must be a positive integer .* stride=0"):
        zero_insert(X22, 0)


def test_transpose_as_convolution_needs_single_channel():
    with pytest.raises(ArgumentError, match=r"x must be a 2D array"):
        transpose_as_convolution(np.zeros((1, 2, 2)), np.ones((2, 2)))
