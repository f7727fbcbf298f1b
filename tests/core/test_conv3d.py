"""Tests for conv_core.volumes.conv3d and conv_core.trace.trace_conv3d.

References independent of the engine: explicit loops over every output position and
every tap on a volume padded by ``numpy.pad``; the 2D engine (``conv2d``) slice by slice
and with the depth as channels; ``scipy.signal.correlate`` and ``scipy.ndimage.correlate``
for one channel, 'valid'. Each refused argument is checked for its key and its numbers.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sps
from hypothesis import given
from hypothesis import strategies as st

import conv_core as cc
from conv_core.errors import ArgumentError
from conv_core.volumes import conv3d_output_shape, resolve_padding_3d

# --------------------------------------------------------------------------- reference


def brute_conv3d(x, w, b, stride, pads, dilation):
    """Loops: for every (o, z, y, x), add input * weight over every (c, a, i, j)."""
    x = np.asarray(x, dtype=np.float64)
    xp = np.pad(x, ((0, 0), *pads))
    c_out, c_in, kd, kh, kw = w.shape
    (sd, sh, sw), (dd, dh, dw) = stride, dilation
    od = (xp.shape[1] - dd * (kd - 1) - 1) // sd + 1
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((c_out, od, oh, ow))
    for o, z, y, q in itertools.product(range(c_out), range(od), range(oh), range(ow)):
        acc = 0.0
        for c, a, i, j in itertools.product(range(c_in), range(kd), range(kh), range(kw)):
            acc += xp[c, z * sd + a * dd, y * sh + i * dh, q * sw + j * dw] * w[o, c, a, i, j]
        out[o, z, y, q] = acc + (0 if b is None else b[o])
    return out


def _triple(v):
    return (v, v, v) if isinstance(v, int) else tuple(v)


@st.composite
def conv3d_cases(draw):
    """A small valid configuration: shapes, stride, padding (int or per axis), dilation."""
    c_in = draw(st.integers(1, 2))
    c_out = draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(3))
    pad = tuple(draw(st.integers(0, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(3))
    # the input at least as large as the dilated kernel minus the padding
    dhw = tuple(
        draw(st.integers(max(1, d * (kk - 1) + 1 - 2 * p), 5))
        for kk, d, p in zip(k, dil, pad, strict=True)
    )
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=(c_in, *dhw))
    w = rng.integers(-3, 4, size=(c_out, c_in, *k))
    b = rng.integers(-5, 6, size=c_out) if draw(st.booleans()) else None
    as_int = draw(st.booleans())
    return x, w, b, (stride[0] if as_int else stride), pad, dil


# --------------------------------------------------------------------------- against loops


@given(conv3d_cases())
def test_conv3d_matches_brute_force_loops(case) -> None:
    """Every small shape, stride, padding and dilation: exactly the loops' integers."""
    x, w, b, stride, pad, dil = case
    got = cc.conv3d(x, w, b, stride=stride, padding=pad, dilation=dil)
    expected = brute_conv3d(x, w, b, _triple(stride), [(p, p) for p in pad], dil)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


@given(conv3d_cases())
def test_conv3d_floats_match_brute_force(case) -> None:
    x, w, b, stride, pad, dil = case
    xf = x.astype(np.float64) / 3
    wf = w.astype(np.float64) / 7
    got = cc.conv3d(xf, wf, b, stride=stride, padding=pad, dilation=dil)
    expected = brute_conv3d(xf, wf, b, _triple(stride), [(p, p) for p in pad], dil)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(conv3d_cases())
def test_trace_equals_conv3d(case) -> None:
    """The trace's output is conv3d's, and each step's products sum to its value."""
    x, w, b, stride, pad, dil = case
    out = cc.conv3d(x, w, b, stride, pad, dil)
    t = cc.trace_conv3d(x, w, b, stride, pad, dil)
    np.testing.assert_array_equal(t.output, out)
    assert len(t) == out.size
    for i in (0, len(t) // 2, len(t) - 1):
        s = t.step(i)
        assert s.value == out[s.out_index]
        assert int(s.products.sum()) == s.total
        np.testing.assert_array_equal(s.products, s.patch * s.kernel_applied)
        assert s.total + (0 if b is None else b[s.out_index[0]]) == s.value


def test_conv3d_worked_example() -> None:
    """Hand-checked: output [0, 0, 0] of a 2x2x2 box on arange(18) is
    0 + 1 + 3 + 4 + 9 + 10 + 12 + 13 = 52."""
    x = np.arange(18).reshape(2, 3, 3)
    out = cc.conv3d(x, np.ones((2, 2, 2), dtype=int))
    assert out.shape == (1, 2, 2)
    assert out.tolist() == [[[52, 60], [76, 84]]]


def test_conv3d_shape_rule_per_axis() -> None:
    x = np.ones((2, 5, 6, 7))
    w = np.ones((3, 2, 3, 2, 3))
    out = cc.conv3d(x, w, stride=(1, 2, 3), padding=(1, 0, 2), dilation=(2, 1, 1))
    # depth (5 + 2 - 5)//1 + 1 = 3, rows (6 - 2)//2 + 1 = 3, cols (7 + 4 - 3)//3 + 1 = 3
    assert out.shape == (3, 3, 3, 3)
    assert conv3d_output_shape((5, 6, 7), (3, 2, 3), (1, 2, 3), (1, 0, 2), (2, 1, 1)) == (3, 3, 3)


def test_padding_words_and_pairs() -> None:
    x = np.arange(4 * 5 * 6).reshape(1, 4, 5, 6)
    w = np.ones((1, 1, 2, 3, 3), dtype=int)
    same = cc.conv3d(x, w, padding="same")
    assert same.shape == (1, 4, 5, 6)
    # 'same' with an even depth kernel: the odd cell after (back), as TensorFlow/conv2d
    assert resolve_padding_3d("same", (4, 5, 6), (2, 3, 3), (1, 1, 1), (1, 1, 1)) == (
        (0, 1),
        (1, 1),
        (1, 1),
    )
    np.testing.assert_array_equal(same, cc.conv3d(x, w, padding=((0, 1), 1, 1)).astype(same.dtype))
    assert cc.conv3d(x, w, padding="valid").shape == (1, 3, 3, 4)
    assert cc.conv3d(x, w, padding="full").shape == (1, 5, 7, 8)
    np.testing.assert_array_equal(
        cc.conv3d(x, w, padding=((0, 1), (1, 1), (1, 1))),
        brute_conv3d(x, w, None, (1, 1, 1), [(0, 1), (1, 1), (1, 1)], (1, 1, 1)),
    )


def test_dtypes() -> None:
    x = np.ones((3, 3, 3), np.float32)
    assert cc.conv3d(x, np.ones((2, 2, 2))).dtype == np.float32
    assert cc.conv3d(x.astype(int), np.ones((2, 2, 2), int)).dtype == np.int64
    assert cc.conv3d(x.astype(int), np.full((2, 2, 2), 0.5)).dtype == np.float64


def test_single_volume_and_scalar_bias() -> None:
    """A (D, H, W) input with a (kd, kh, kw) kernel is one channel; a number bias is allowed."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 9, size=(4, 4, 4))
    k = rng.integers(-1, 2, size=(2, 3, 2))
    got = cc.conv3d(x, k, bias=5, padding=1)
    np.testing.assert_array_equal(got, cc.conv3d(x[None], k[None, None], [5], padding=1)[0])


# --------------------------------------------------------------------------- against the 2D engine


@given(conv3d_cases())
def test_depth_one_kernel_is_conv2d_per_slice(case) -> None:
    """kd = 1 (no depth padding or stride): each output slice is conv2d of one input slice."""
    x, w, b, stride, pad, dil = case
    w1 = w[:, :, :1]
    sh, sw = _triple(stride)[1:]
    out = cc.conv3d(x, w1, b, stride=(1, sh, sw), padding=(0, pad[1], pad[2]), dilation=dil)
    assert out.shape[1] == x.shape[1]
    for z in range(x.shape[1]):
        per_slice = cc.conv2d(
            x[:, z], w1[:, :, 0], b, stride=(sh, sw), padding=pad[1:], dilation=dil[1:]
        )
        np.testing.assert_array_equal(out[:, z], per_slice)


@given(conv3d_cases())
def test_full_depth_kernel_is_2d_convolution_of_a_3d_input(case) -> None:
    """kd = D and no depth padding: the depth collapses to 1, and the result is conv2d with
    the slices as channels (a 3-channel filter on an RGB image), summed over the slices."""
    x, w, _, stride, pad, dil = case
    vol = x[0]  # (D, H, W), one channel
    d = vol.shape[0]
    kernel = np.resize(w[0, 0], (d, *w.shape[3:]))
    sh, sw = _triple(stride)[1:]
    out = cc.conv3d(vol, kernel, stride=(1, sh, sw), padding=(0, *pad[1:]), dilation=(1, *dil[1:]))
    assert out.shape[0] == 1
    as_2d = cc.conv2d(vol, kernel[None], stride=(sh, sw), padding=pad[1:], dilation=dil[1:])
    np.testing.assert_array_equal(out, as_2d)
    summed = sum(
        cc.correlate2d(vol[s], kernel[s], stride=(sh, sw), padding=pad[1:], dilation=dil[1:])
        for s in range(d)
    )
    np.testing.assert_array_equal(out[0], summed)


def test_one_by_one_by_one_mixes_channels_only() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 9, size=(4, 3, 3, 3))
    w = rng.integers(-2, 3, size=(2, 4, 1, 1, 1))
    out = cc.conv3d(x, w)
    np.testing.assert_array_equal(out, np.einsum("oc,cdhw->odhw", w[:, :, 0, 0, 0], x))


# --------------------------------------------------------------------------- against SciPy


@given(
    st.tuples(*(st.integers(3, 6) for _ in range(3))),
    st.tuples(*(st.integers(1, 3) for _ in range(3))),
    st.integers(0, 2**16),
)
def test_single_channel_valid_matches_scipy_signal(dhw, k, seed) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(-9, 10, size=dhw)
    kern = rng.integers(-3, 4, size=k)
    expected = sps.correlate(x, kern, mode="valid", method="direct")
    np.testing.assert_array_equal(cc.conv3d(x, kern), expected)
    np.testing.assert_array_equal(cc.conv3d(x, kern, padding="valid"), expected)


@given(
    st.tuples(*(st.integers(3, 6) for _ in range(3))),
    st.tuples(*(st.sampled_from([1, 3]) for _ in range(3))),
    st.integers(0, 2**16),
)
def test_single_channel_valid_matches_scipy_ndimage(dhw, k, seed) -> None:
    """ndimage.correlate centres the (odd) kernel: its inner part is the 'valid' result."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(dhw)
    kern = rng.standard_normal(k)
    full = ndi.correlate(x, kern, mode="constant", cval=0.0)
    inner = full[tuple(slice(kk // 2, n - kk // 2) for kk, n in zip(k, dhw, strict=True))]
    np.testing.assert_allclose(cc.conv3d(x, kern), inner, rtol=1e-12, atol=1e-12)
    # zero padding 'same' (odd kernel): ndimage's constant mode, everywhere
    np.testing.assert_allclose(cc.conv3d(x, kern, padding="same"), full, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- bad input

X = np.ones((1, 3, 5, 5))
W = np.ones((1, 1, 3, 3, 3))

BAD = [
    # (name, args, kwargs, key, fragments that must appear in the message)
    (
        "kernel deeper than the padded volume",
        (X, np.ones((1, 1, 5, 3, 3))),
        {},
        "conv3d_kernel_too_large_depth",
        ["kernel depth 5 (dilated 5) is larger than the padded input depth 3"],
    ),
    (
        "dilation makes the kernel deeper",
        (X, np.ones((1, 1, 2, 3, 3))),
        {"dilation": (3, 1, 1)},
        "conv3d_kernel_too_large_depth",
        ["kernel depth 2 (dilated 4) is larger than the padded input depth 3"],
    ),
    (
        "padding is counted",
        (X, np.ones((1, 1, 6, 3, 3))),
        {"padding": (1, 0, 0)},
        "conv3d_kernel_too_large_depth",
        ["kernel depth 6 (dilated 6) is larger than the padded input depth 5", "3 + 1 + 1"],
    ),
    (
        "kernel taller",
        (X, np.ones((1, 1, 1, 6, 3))),
        {},
        "conv3d_kernel_too_large_height",
        ["kernel height 6 (dilated 6) is larger than the padded input height 5"],
    ),
    (
        "kernel wider",
        (X, np.ones((1, 1, 1, 3, 4))),
        {"dilation": 2},
        "conv3d_kernel_too_large_width",
        ["kernel width 4 (dilated 7) is larger than the padded input width 5"],
    ),
    (
        "2D input",
        (np.ones((5, 5)), W),
        {},
        "bad_ndim",
        ["input must be a 3D or 4D array", "(5, 5)"],
    ),
    (
        "5D input",
        (np.ones((1, 1, 3, 5, 5)), W),
        {},
        "bad_ndim",
        ["3D or 4D", "(1, 1, 3, 5, 5)"],
    ),
    (
        "4D weight",
        (X, np.ones((1, 3, 3, 3))),
        {},
        "bad_ndim",
        ["weight must be a 3D or 5D array", "(1, 3, 3, 3)"],
    ),
    (
        "3D input with a 5D weight",
        (np.ones((3, 5, 5)), W),
        {},
        "conv3d_weight_ndim",
        ["(kd, kh, kw)", "(3, 5, 5)", "(1, 1, 3, 3, 3)"],
    ),
    (
        "4D input with a 3D weight",
        (X, np.ones((3, 3, 3))),
        {},
        "conv3d_weight_ndim",
        ["(C_out, C_in, kd, kh, kw)", "(1, 3, 5, 5)", "(3, 3, 3)"],
    ),
    (
        "channel mismatch",
        (np.ones((2, 3, 5, 5)), np.ones((4, 3, 1, 1, 1))),
        {},
        "conv3d_channel_mismatch",
        ["input has 2 channels but weight expects 3", "(2, 3, 5, 5)", "(4, 3, 1, 1, 1)"],
    ),
    ("stride 0", (X, W), {"stride": 0}, "bad_triple", ["stride=0"]),
    ("negative stride", (X, W), {"stride": (1, -1, 1)}, "bad_triple", ["stride=(1, -1, 1)"]),
    ("stride pair", (X, W), {"stride": (1, 2)}, "bad_triple", ["stride=(1, 2)", "triple"]),
    ("float stride", (X, W), {"stride": 1.5}, "bad_triple", ["stride=1.5"]),
    ("dilation 0", (X, W), {"dilation": 0}, "bad_triple", ["dilation=0"]),
    ("negative padding", (X, W), {"padding": -1}, "negative_padding", ["padding=-1"]),
    (
        "negative padding on one axis",
        (X, W),
        {"padding": (0, (1, -2), 0)},
        "negative_padding",
        ["(1, -2)"],
    ),
    ("padding pair", (X, W), {"padding": (1, 1)}, "bad_padding_3d", ["padding=(1, 1)"]),
    ("unknown word", (X, W), {"padding": "half"}, "bad_padding_3d", ["padding='half'"]),
    (
        "bias shape",
        (X, np.ones((2, 1, 3, 3, 3)), [1, 2, 3]),
        {},
        "conv_bias_shape",
        ["shape (2,)", "(3,)"],
    ),
    ("scalar bias on channels", (X, W, 1), {}, "bad_ndim", ["bias must be a 1D", "()"]),
    ("empty input", (np.ones((1, 0, 5, 5)), W), {}, "empty_array", ["(1, 0, 5, 5)"]),
    ("NaN", (np.full((1, 3, 5, 5), np.nan), W), {}, "not_finite", ["75"]),
    ("strings", (np.full((1, 3, 5, 5), "a"), W), {}, "not_numeric", ["input"]),
    (
        "too many cells",
        (np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1, 1))),
        {"padding": 1000},
        "too_many_cells_3d",
        ["2,001 x 2,001 x 2,001"],
    ),
]


@pytest.mark.parametrize(
    ("args", "kwargs", "key", "fragments"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
@pytest.mark.parametrize("fn", [cc.conv3d, cc.trace_conv3d], ids=["conv3d", "trace_conv3d"])
def test_bad_input_is_refused_with_the_numbers(fn, args, kwargs, key, fragments) -> None:
    """conv3d and its trace refuse alike: an ArgumentError (a ValueError), its key, the numbers."""
    with pytest.raises(ArgumentError) as info:
        fn(*args, **kwargs)
    assert info.value.key == key
    assert isinstance(info.value, ValueError)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


def test_conv3d_output_shape_refuses_like_conv3d() -> None:
    with pytest.raises(ArgumentError, match=r"kernel depth 5 \(dilated 5\) .* depth 3"):
        conv3d_output_shape((3, 5, 5), (5, 3, 3))


# --------------------------------------------------------------------------- the trace


def test_trace_steps_in_order_with_window_coordinates() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 9, size=(2, 5, 5, 5))
    w = rng.integers(-1, 2, size=(2, 2, 3, 3, 3))
    t = cc.trace_conv3d(x, w, [1, -1], stride=(2, 1, 2), padding=1)
    assert t.output.shape == (2, 3, 5, 3)
    assert len(t) == 2 * 3 * 5 * 3
    # step i is (o, z, y, x) with i = ((o*OD + z)*OH + y)*OW + x
    i = t.step_index(1, 2, 3, 1)
    assert i == ((1 * 3 + 2) * 5 + 3) * 3 + 1
    s = t.step(i)
    assert s.out_index == (1, 2, 3, 1)
    assert s.depths.tolist() == [4, 5, 6] and s.depths_orig.tolist() == [3, 4, -1]
    assert s.rows.tolist() == [3, 4, 5] and s.rows_orig.tolist() == [2, 3, 4]
    assert s.cols.tolist() == [2, 3, 4] and s.cols_orig.tolist() == [1, 2, 3]
    assert s.patch.shape == (2, 3, 3, 3) and s.pad_mask.shape == (3, 3, 3)
    assert s.pad_mask[2].all() and not s.pad_mask[:2].any()  # the back slice is padding
    np.testing.assert_array_equal(s.patch, t.padded[:, 4:7, 3:6, 2:5])
    assert s.channel_sums.tolist() == [int(s.products[c].sum()) for c in range(2)]
    assert s.bias == -1 and s.value == s.total - 1 == t.output[1, 2, 3, 1]
    text = cc.format_step(s)
    assert text.splitlines()[0].startswith("channel 0: ")
    assert text.splitlines()[-1].endswith(f"+ (-1) = {s.value}")
    assert t.pad_mask.shape == (7, 7, 7) and t.pad_mask.sum() == 7**3 - 5**3


def test_trace_of_one_volume_has_the_ops_shapes() -> None:
    x = np.arange(5 * 5 * 5).reshape(5, 5, 5)
    k = np.ones((3, 3, 3), dtype=int)
    t = cc.trace_conv3d(x, k)
    assert t.output.shape == (3, 3, 3) and t.padded.shape == (5, 5, 5)
    assert t.kernel_applied.shape == (3, 3, 3)
    s = t.step(-1)
    assert s.out_index == (0, 2, 2, 2) and s.patch.shape == (3, 3, 3)
    assert s.value == int(x[2:, 2:, 2:].sum())
    assert t.depth.size == t.rows.size == t.cols.size == 3
    assert t.depth.formula() == "(5 + 0 + 0 - 3) / 1 + 1 = 3"
    assert "Conv3dTrace(steps=27" in repr(t)


def test_trace_floats_agree_to_rounding() -> None:
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 4, 4, 4))
    w = rng.standard_normal((3, 2, 2, 3, 2))
    np.testing.assert_allclose(
        cc.trace_conv3d(x, w, padding=1).output, cc.conv3d(x, w, padding=1), rtol=1e-12
    )


def test_trace_caps_and_bad_indexes() -> None:
    x = np.ones((1, 5, 5, 5))
    w = np.ones((2, 1, 1, 1, 1))
    with pytest.raises(ArgumentError, match="250 steps") as info:
        cc.trace_conv3d(x, w, max_steps=100)
    assert info.value.key == "trace3d_too_many_steps"
    assert "2 output channel(s) of 5x5x5 cells" in str(info.value)
    with pytest.raises(ArgumentError, match="max_terms=10"):
        cc.trace_conv3d(x, w, max_terms=10)
    t = cc.trace_conv3d(x, w)
    with pytest.raises(ArgumentError, match="from 0 to 249"):
        t.step(250)
    with pytest.raises(ArgumentError, match="z must be an integer from 0 to 4"):
        t.step_index(0, 5, 0, 0)
