"""Tests for conv_core.trace: every step against brute force and conv_core's own operations.

The references here are explicit loops over windows (or, for the transposed
convolution, over input cells), padding with ``np.pad`` directly: they share no code
with the module. The gather reference adds the products in the order the module
documents (channel by channel, taps row-major, bias last), so float64 results must
agree bit for bit, not just closely.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import conv_core
from conv_core import ArgumentError, resolve_padding
from conv_core.conv import (
    CONV_PADDING_MODES,
    conv2d,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
)
from conv_core.pooling import pool2d
from conv_core.trace import (
    MAX_STEPS,
    SCHEMA_VERSION,
    ConvTrace,
    PoolStep,
    ScatterStep,
    Step,
    format_step,
    format_step_parts,
    to_compact,
    trace_conv2d,
    trace_conv_transpose2d,
    trace_convolve1d,
    trace_convolve2d,
    trace_correlate1d,
    trace_correlate2d,
    trace_pool2d,
)
from conv_core.transposed import conv_transpose2d

LECTURE_X = [
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
]
LECTURE_K = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
# The lecture's RGB example: 4x4 channels whose top-left 2x2 are the numbers on the
# slide, padded by 1 so the first window holds the zero row and column of the slide.
RGB_PATCHES = {
    "red": [[156, 155], [153, 154]],
    "green": [[167, 166], [164, 165]],
    "blue": [[163, 162], [160, 161]],
}
RGB_WEIGHTS = [
    [[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
    [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
    [[0, 1, 1], [0, 1, 0], [1, -1, 1]],
]
NP_MODES = {"replicate": "edge", "reflect": "reflect", "symmetric": "symmetric", "circular": "wrap"}

# ---------------------------------------------------------------------------------------
# brute-force references


def brute_pad(x3, pads, mode):
    """Pad (C, H, W) with np.pad, naming NumPy's modes directly."""
    width = ((0, 0), *pads)
    if mode == "zeros":
        return np.pad(x3, width, mode="constant", constant_values=0)
    return np.pad(x3, width, mode=NP_MODES[mode])


def brute_conv(x3, w4, bias, stride, pads, dilation, groups, mode):
    """Loops over outputs, channels and taps; Python numbers, the documented order."""
    xp = brute_pad(x3, pads, mode)
    c_out, c_g, k_h, k_w = w4.shape
    oh = (xp.shape[1] - dilation[0] * (k_h - 1) - 1) // stride[0] + 1
    ow = (xp.shape[2] - dilation[1] * (k_w - 1) - 1) // stride[1] + 1
    out = np.empty((c_out, oh, ow), dtype=object)
    per_group = c_out // groups
    for co in range(c_out):
        first = (co // per_group) * c_g
        for r in range(oh):
            for q in range(ow):
                acc = None
                for ci in range(c_g):
                    for a in range(k_h):
                        for b in range(k_w):
                            rr, qq = (
                                r * stride[0] + a * dilation[0],
                                q * stride[1] + b * dilation[1],
                            )
                            p = xp[first + ci, rr, qq].item() * w4[co, ci, a, b].item()
                            acc = p if acc is None else acc + p
                out[co, r, q] = acc if bias is None else acc + bias[co].item()
    return out


def torch_pool_size(n, k, s, before, after, d, ceil_mode):
    """PyTorch's pooling_output_shape, written out independently of conv_core.shapes."""
    numerator = n + before + after - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = numerator // s + 1
    if ceil_mode and (out - 1) * s >= n + before:
        out -= 1
    return out


def brute_pool(x2, k, s, pads, d, method, ceil_mode, count_include_pad):
    """Per window: (value, winner (r, c) or None, sum or None, divisor or None)."""
    h, w = x2.shape
    (top, bottom), (left, right) = pads
    oh = torch_pool_size(h, k[0], s[0], top, bottom, d[0], ceil_mode)
    ow = torch_pool_size(w, k[1], s[1], left, right, d[1], ceil_mode)
    cells = {}
    for i in range(oh):
        for j in range(ow):
            best, where, total, count = -math.inf, None, 0.0, 0
            for a in range(k[0]):
                for b in range(k[1]):
                    r, c = i * s[0] - top + a * d[0], j * s[1] - left + b * d[1]
                    real = 0 <= r < h and 0 <= c < w
                    in_padded = -top <= r < h + bottom and -left <= c < w + right
                    if real and x2[r, c] > best:
                        best, where = x2[r, c].item(), (r, c)
                    if real:
                        total += float(x2[r, c])
                    if real or (count_include_pad and in_padded):
                        count += 1
            if method == "max":
                cells[i, j] = (best, where, None, None)
            else:
                cells[i, j] = (total / count, None, total, count)
    return (oh, ow), cells


def brute_transpose(x3, w4, bias, stride, padding, output_padding, groups, dilation):
    """Scatter: each input cell times the kernel added into a buffer, then cropped."""
    c_in, h, w = x3.shape
    _, c_og, k_h, k_w = w4.shape
    hb = (h - 1) * stride[0] + dilation[0] * (k_h - 1) + 1 + output_padding[0]
    wb = (w - 1) * stride[1] + dilation[1] * (k_w - 1) + 1 + output_padding[1]
    buf = np.zeros((c_og * groups, hb, wb), dtype=object)
    per_group = c_in // groups
    for ci in range(c_in):
        for r in range(h):
            for q in range(w):
                for o in range(c_og):
                    co = (ci // per_group) * c_og + o
                    for a in range(k_h):
                        for b in range(k_w):
                            rr = r * stride[0] + a * dilation[0]
                            qq = q * stride[1] + b * dilation[1]
                            buf[co, rr, qq] += x3[ci, r, q].item() * w4[ci, o, a, b].item()
    out = buf[:, padding[0] : hb - padding[0], padding[1] : wb - padding[1]]
    if bias is not None:
        out = out + np.asarray(bias, dtype=object)[:, None, None]
    return out


# ---------------------------------------------------------------------------------------
# strategies

pairs13 = st.tuples(st.integers(1, 3), st.integers(1, 3))
padding_specs = st.one_of(
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
    ),
    st.sampled_from(["valid", "same", "full"]),
)
KINDS = ("int", "float64", "dyadic", "float32")


def make_array(rng, shape, kind):
    """Integers, random float64, float64 with exact arithmetic (quarters), or float32."""
    if kind == "int":
        return rng.integers(-5, 10, shape)
    if kind == "dyadic":
        return rng.integers(-20, 40, shape) / 4.0
    arr = rng.uniform(-10, 10, shape)
    return arr.astype(np.float32) if kind == "float32" else arr


def assert_matches(actual, expected, kind):
    """ints and float64 exactly; float32 within float32 rounding."""
    expected = np.asarray(
        expected.tolist() if isinstance(expected, np.ndarray) else expected, float
    )
    if kind == "float32":
        np.testing.assert_allclose(np.asarray(actual, float), expected, rtol=1e-5, atol=1e-4)
    else:
        assert np.asarray(actual).shape == expected.shape
        assert np.array_equal(np.asarray(actual, float), expected), (actual, expected)


def assert_same_as_conv_core(traced, auto, direct, kind, sequential):
    """The trace's output against conv_core's (default method, and method='direct').

    Integers and exactly representable floats (quarters) agree bit for bit on every path.
    Arbitrary float64 agree bit for bit with a path that adds in the trace's order (the
    single-channel direct path); other paths (two 1D passes for a separable kernel,
    im2col + matmul) round differently in the last bits. float32 agrees to its rounding.
    """
    assert traced.shape == auto.shape
    if kind in ("int", "dyadic"):
        assert np.array_equal(traced, auto) and np.array_equal(traced, direct)
        assert traced.dtype == auto.dtype
    elif kind == "float64":
        if sequential:
            assert np.array_equal(traced, direct)
        np.testing.assert_allclose(traced, auto, rtol=1e-12, atol=1e-12)
    else:
        assert traced.dtype == auto.dtype == np.float32
        np.testing.assert_allclose(traced, auto, rtol=1e-5, atol=1e-4)


def _expected_failure(x_hw, k_hw, pads, dilation, mode):
    """The ArgumentError match expected for this configuration (conv_core.conv's order)."""
    if mode == "reflect":
        for n, (before, after) in zip(x_hw, pads, strict=True):
            if max(before, after) >= n and max(before, after) > 0:
                return "reflect"
    for n, k, (before, after), d in zip(x_hw, k_hw, pads, dilation, strict=True):
        if n + before + after < d * (k - 1) + 1:
            return "empty"
    return None


# ---------------------------------------------------------------------------------------
# the lecture's examples, exactly


def test_lecture_first_step():
    t = trace_correlate2d(LECTURE_X, LECTURE_K)
    assert format_step(t.step(0)) == (
        "(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3"
    )
    assert len(t) == 16 and t.output.shape == (4, 4)


def test_lecture_output_grid_by_hand():
    """The full 4x4 result of the lecture's example, summed by hand from the grid."""
    t = trace_correlate2d(LECTURE_X, LECTURE_K)
    x, k = np.array(LECTURE_X), np.array(LECTURE_K)
    hand = [[int((x[r : r + 3, c : c + 3] * k).sum()) for c in range(4)] for r in range(4)]
    assert t.output.tolist() == hand
    assert t.output[0, 0] == 3


def test_bias_form():
    t = trace_correlate2d(LECTURE_X, LECTURE_K, bias=10)
    assert format_step(t.step(0)) == (
        "(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3; 3 + 10 = 13"
    )
    assert t.step(0).value == 13 and t.step(0).total == 3 and t.step(0).bias == 10


def test_negative_bias_is_parenthesised():
    t = trace_correlate2d([[2]], [[3]], bias=-1)
    assert format_step(t.step(0)) == "(2×3) = 6; 6 + (-1) = 5"


def rgb_trace(bias=(1,)):
    x = [RGB_PATCHES[c] for c in ("red", "green", "blue")]
    return trace_conv2d(x, [RGB_WEIGHTS], bias=list(bias), padding=1)


def test_lecture_rgb_example():
    s = rgb_trace().step(0)
    assert s.patch[0].tolist() == [[0, 0, 0], [0, 156, 155], [0, 153, 154]]
    assert s.patch[1].tolist() == [[0, 0, 0], [0, 167, 166], [0, 164, 165]]
    assert s.patch[2].tolist() == [[0, 0, 0], [0, 163, 162], [0, 160, 161]]
    assert s.channel_sums.tolist() == [308, -498, 164]
    assert (s.total, s.bias, s.value) == (-26, 1, -25)
    lines = format_step(s).splitlines()
    assert lines[-1] == "308 + (-498) + 164 + 1 = -25"
    assert lines[0] == (
        "channel 0: (0×(-1)) + (0×(-1)) + (0×1) + (0×0) + (156×1) + (155×(-1)) + (0×0) "
        "+ (153×1) + (154×1) = 308"
    )
    assert lines[1].startswith("channel 1: (0×1) + ") and lines[1].endswith(" = -498")
    assert lines[2].endswith(" = 164") and len(lines) == 4
    named = format_step(s, channel_names=("R", "G", "B")).splitlines()
    assert [ln[:2] for ln in named[:3]] == ["R:", "G:", "B:"]


def test_rgb_without_bias():
    s = rgb_trace(bias=(0,)).step(0)
    assert format_step(s).splitlines()[-1] == "308 + (-498) + 164 + 0 = -26"
    x = [RGB_PATCHES[c] for c in ("red", "green", "blue")]
    s = trace_conv2d(x, [RGB_WEIGHTS], padding=1).step(0)
    assert s.bias is None
    assert format_step(s).splitlines()[-1] == "308 + (-498) + 164 = -26"


def test_lecture_pool_forms():
    x = [[3, -1, 12, -1], [-3, 1, 0, 1], [2, -3, 0, 1], [3, -2, 4, -1]]
    assert format_step(trace_pool2d(x, 2).step(0)) == "max(3, -1, -3, 1) = 3"
    assert format_step(trace_pool2d(x, 2, method="avg").step(0)) == "(3 + (-1) + (-3) + 1) / 4 = 0"
    assert format_step(trace_pool2d(x, 2, method="avg").step(1)) == "(12 + (-1) + 0 + 1) / 4 = 3"
    assert format_step(trace_pool2d(x, 2, method="avg").step(3)) == "(0 + 1 + 4 + (-1)) / 4 = 1"


@pytest.mark.parametrize(
    ("x", "k", "kwargs", "expected"),
    [
        ([[0.25]], [[1]], {}, "(0.25×1) = 0.25"),
        ([[1 / 3]], [[1]], {}, "(0.333×1) = 0.333"),
        ([[1 / 3]], [[1]], {"decimals": 1}, "(0.3×1) = 0.3"),
        ([[2.0]], [[0.5]], {}, "(2×0.5) = 1"),
        ([[-0.0001]], [[1]], {}, "(0×1) = 0"),
        ([[1.5]], [[-2]], {}, "(1.5×(-2)) = -3"),
        ([[-1]], [[-2]], {}, "(-1×(-2)) = 2"),
        ([[7]], [[3]], {}, "(7×3) = 21"),
    ],
)
def test_number_forms(x, k, kwargs, expected):
    assert format_step(trace_correlate2d(x, k).step(0), **kwargs) == expected


def test_float_bias_form():
    t = trace_correlate2d([[0.5, 1.0], [0.25, 2.0]], [[1, 0], [0, -0.5]], bias=0.1)
    assert (
        format_step(t.step(0))
        == "(0.5×1) + (1×0) + (0.25×0) + (2×(-0.5)) = -0.5; -0.5 + 0.1 = -0.4"
    )


def test_parts():
    t = trace_correlate2d([[1, -2], [3, 4]], [[1, 0], [-1, 2]], bias=5)
    p = format_step_parts(t.step(0))
    assert p.kind == "sum"
    assert p.factors == ((("1", "1"), ("-2", "0"), ("3", "-1"), ("4", "2")),)
    assert p.terms == (("(1×1)", "(-2×0)", "(3×(-1))", "(4×2)"),)
    assert (p.channel_sums, p.total, p.bias, p.divisor, p.value) == (("6",), "6", "5", None, "11")
    rgb = format_step_parts(rgb_trace().step(0))
    assert rgb.channel_sums == ("308", "-498", "164") and rgb.value == "-25"
    pool = format_step_parts(trace_pool2d([[1, 2], [3, 4]], 2, method="avg").step(0))
    assert (pool.kind, pool.terms, pool.total, pool.divisor, pool.value) == (
        "avg",
        (("1", "2", "3", "4"),),
        "10",
        "4",
        "2.5",
    )


def test_scatter_form():
    t = trace_conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)
    assert format_step(t.step(1)) == (
        "2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output rows 0, 1; cols 2, 3"
    )
    cropped = trace_conv_transpose2d([[1, 2], [3, 4]], [[1, -1], [2, 0]], stride=2, padding=1)
    assert format_step(cropped.step(0)) == (
        "1 × [[1, -1], [2, 0]] = [[1, -1], [2, 0]] → output rows -1 (cropped), 0; "
        "cols -1 (cropped), 0"
    )
    multi = trace_conv_transpose2d(np.ones((1, 1, 1), int) * 3, np.arange(8).reshape(1, 2, 2, 2))
    lines = format_step(multi.step(0)).splitlines()
    assert lines == [
        "out channel 0: 3 × [[0, 1], [2, 3]] = [[0, 3], [6, 9]]",
        "out channel 1: 3 × [[4, 5], [6, 7]] = [[12, 15], [18, 21]]",
        "→ output rows 0, 1; cols 0, 1",
    ]


def test_format_rejects_other_objects():
    with pytest.raises(TypeError, match="Step"):
        format_step("not a step")


# ---------------------------------------------------------------------------------------
# every step of every traced operation against brute force


def check_gather_steps(t, x3, w4_applied, bias, stride, pads, dilation, kind):
    """Each step's window, flags, products and sums, against the arrays themselves."""
    (top, _), (left, _) = pads
    _, n_h, n_w = x3.shape
    xp = brute_pad(x3, pads, t.config["padding_mode"])
    flat_output = t.output.reshape(-1)  # steps run in the output's own (C-)order
    for i, step in enumerate(t):
        assert isinstance(step, Step) and step.index == i
        assert step.value == flat_output[i]
        c, r, q = step.out_index
        assert t.step_index(c, r, q) == i
        k_h, k_w = w4_applied.shape[2:]
        assert step.rows.tolist() == [r * stride[0] + a * dilation[0] for a in range(k_h)]
        assert step.cols.tolist() == [q * stride[1] + b * dilation[1] for b in range(k_w)]
        for rr, ro in zip(step.rows, step.rows_orig, strict=True):
            assert ro == (rr - top if 0 <= rr - top < n_h else -1)
        for cc, co in zip(step.cols, step.cols_orig, strict=True):
            assert co == (cc - left if 0 <= cc - left < n_w else -1)
        assert np.array_equal(
            step.pad_mask, (step.rows_orig[:, None] < 0) | (step.cols_orig[None, :] < 0)
        )
        patch = step.patch.reshape(len(step.in_channels), k_h, k_w)
        for j, ch in enumerate(step.in_channels):
            assert np.array_equal(patch[j], xp[ch][np.ix_(step.rows, step.cols)])
            inside = ~step.pad_mask
            orig = x3[ch][np.ix_(np.maximum(step.rows_orig, 0), np.maximum(step.cols_orig, 0))]
            assert np.array_equal(patch[j][inside], orig[inside])
        kernel = step.kernel_applied.reshape(patch.shape)
        assert np.array_equal(kernel, w4_applied[c])
        products = step.products.reshape(patch.shape)
        assert np.array_equal(products, patch * kernel)
        if kind in ("int", "dyadic"):  # exact arithmetic: any order gives the same sums
            assert step.total == products.sum()
            assert step.channel_sums.tolist() == products.reshape(len(patch), -1).sum(1).tolist()
        else:
            assert math.isclose(step.total, float(products.sum()), rel_tol=1e-5, abs_tol=1e-4)
        expected_value = step.total if bias is None else step.total + bias[c].item()
        if kind == "float32":
            assert math.isclose(step.value, expected_value, rel_tol=1e-6, abs_tol=1e-5)
        else:
            assert step.value == expected_value
        assert step.bias == (None if bias is None else bias[c].item())


@given(
    seed=st.integers(0, 2**32 - 1),
    x_hw=st.tuples(st.integers(1, 8), st.integers(1, 8)),
    k_hw=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=pairs13,
    dilation=pairs13,
    padding=padding_specs,
    mode=st.sampled_from(CONV_PADDING_MODES),
    kind=st.sampled_from(KINDS),
    flip=st.booleans(),
    with_bias=st.booleans(),
)
def test_correlate_and_convolve2d_match_brute_force(
    seed, x_hw, k_hw, stride, dilation, padding, mode, kind, flip, with_bias
):
    rng = np.random.default_rng(seed)
    x, k = make_array(rng, x_hw, kind), make_array(rng, k_hw, kind)
    bias = make_array(rng, (1,), kind) if with_bias else None
    pads = resolve_padding(padding, x_hw, k_hw, stride, dilation)
    fn, op = (trace_convolve2d, convolve2d) if flip else (trace_correlate2d, correlate2d)
    call = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    b = None if bias is None else bias[0].item()
    failure = _expected_failure(x_hw, k_hw, pads, dilation, mode)
    if failure:
        for f in (fn, op):
            with pytest.raises(ArgumentError, match=failure):
                f(x, k, **call)
        return
    t = fn(x, k, bias=b, **call)
    applied = k[::-1, ::-1] if flip else k
    assert np.array_equal(t.kernel_applied, applied)
    expected = brute_conv(x[None], applied[None, None], bias, stride, pads, dilation, 1, mode)
    assert_matches(t.output, expected[0], kind)
    assert t.output.shape == expected.shape[1:] and len(t) == expected.size
    check_gather_steps(t, x[None], applied[None, None], bias, stride, pads, dilation, kind)
    if kind == "int":  # the compact form rebuilds every step (ints: exactly)
        replay_gather(json.loads(json.dumps(to_compact(t))))
    # conv_core's own operation
    shift = 0 if b is None else b
    assert_same_as_conv_core(
        t.output, op(x, k, **call) + shift, op(x, k, method="direct", **call) + shift, kind, True
    )


@given(
    seed=st.integers(0, 2**32 - 1),
    x_hw=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    k_hw=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    groups=st.sampled_from([1, 2, 3]),
    c_in_per_group=st.integers(1, 2),
    c_out_per_group=st.integers(1, 2),
    stride=pairs13,
    dilation=pairs13,
    padding=padding_specs,
    mode=st.sampled_from(CONV_PADDING_MODES),
    kind=st.sampled_from(KINDS),
    with_bias=st.booleans(),
)
def test_conv2d_matches_brute_force(
    seed, x_hw, k_hw, groups, c_in_per_group, c_out_per_group, stride, dilation, padding, mode,
    kind, with_bias,
):  # fmt: skip
    c_in, c_out = groups * c_in_per_group, groups * c_out_per_group
    assume(c_in <= 4 and c_out <= 4)
    rng = np.random.default_rng(seed)
    x = make_array(rng, (c_in, *x_hw), kind)
    w = make_array(rng, (c_out, c_in_per_group, *k_hw), kind)
    bias = make_array(rng, (c_out,), kind) if with_bias else None
    pads = resolve_padding(padding, x_hw, k_hw, stride, dilation)
    call = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode)
    failure = _expected_failure(x_hw, k_hw, pads, dilation, mode)
    if failure:
        with pytest.raises(ArgumentError, match=failure):
            trace_conv2d(x, w, bias, **call)
        return
    t = trace_conv2d(x, w, bias, **call)
    expected = brute_conv(x, w, bias, stride, pads, dilation, groups, mode)
    assert_matches(t.output, expected, kind)
    # conv_core's conv2d: one channel in and out per group takes its sequential direct
    # path; several channels per group go through im2col and a matmul (BLAS order).
    sequential = c_in_per_group == 1 and c_out_per_group == 1
    assert_same_as_conv_core(
        t.output, conv2d(x, w, bias, **call), conv2d(x, w, bias, method="direct", **call), kind,
        sequential,
    )  # fmt: skip
    check_gather_steps(t, x, w, bias, stride, pads, dilation, kind)
    if kind == "int":
        replay_gather(json.loads(json.dumps(to_compact(t))))
    # channel-major, then row-major; each step knows its output channel and group
    assert [s.out_index for s in t] == [
        (c, r, q) for c in range(c_out) for r in range(t.rows.size) for q in range(t.cols.size)
    ]
    per_group = c_out // groups
    for s in t:
        g = s.out_index[0] // per_group
        assert s.in_channels == tuple(range(g * c_in_per_group, (g + 1) * c_in_per_group))


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.one_of(
        st.integers(0, 3),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
        st.sampled_from(["valid", "same", "full"]),
    ),
    mode=st.sampled_from(CONV_PADDING_MODES),
    kind=st.sampled_from(KINDS),
    flip=st.booleans(),
)
def test_1d_matches_brute_force(seed, n, k, stride, dilation, padding, mode, kind, flip):
    rng = np.random.default_rng(seed)
    x, kern = make_array(rng, (n,), kind), make_array(rng, (k,), kind)
    pads = resolve_padding(
        padding if isinstance(padding, (str, int)) else ((0, 0), padding), (1, n), (1, k),
        (1, stride), (1, dilation),
    )  # fmt: skip
    pads = ((0, 0), pads[1])
    fn, op = (trace_convolve1d, convolve1d) if flip else (trace_correlate1d, correlate1d)
    call = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    failure = _expected_failure((1, n), (1, k), pads, (1, dilation), mode)
    if failure:
        for f in (fn, op):
            with pytest.raises(ArgumentError, match=failure):
                f(x, kern, **call)
        return
    t = fn(x, kern, **call)
    assert_same_as_conv_core(
        t.output, op(x, kern, **call), op(x, kern, method="direct", **call), kind, True
    )
    applied = kern[::-1] if flip else kern
    assert np.array_equal(t.kernel_applied, applied)
    expected = brute_conv(
        x[None, None], applied[None, None, None], None, (1, stride), pads, (1, dilation), 1, mode
    )
    assert_matches(t.output, expected[0, 0], kind)
    flat = t.output.reshape(-1)
    for s in t:
        assert s.out_index[:2] == (0, 0) and s.patch.shape == (k,) and s.products.shape == (k,)
        assert s.rows.tolist() == [0] and s.value == flat[s.index]
        assert s.pad_mask.tolist() == (s.cols_orig < 0).tolist()
        assert np.array_equal(s.products, s.patch * s.kernel_applied)


@given(
    seed=st.integers(0, 2**32 - 1),
    c=st.integers(1, 2),
    x_hw=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.one_of(st.none(), pairs13),
    dilation=pairs13,
    pad=st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
    method=st.sampled_from(["max", "avg"]),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    kind=st.sampled_from(KINDS),
)
def test_pool2d_matches_brute_force_and_pool2d(
    seed, c, x_hw, k, stride, dilation, pad, method, ceil_mode, count_include_pad, kind
):
    if method == "avg":
        dilation = (1, 1)
    pads = ((min(pad[0], k[0] // 2), min(pad[1], k[0] // 2)),
            (min(pad[2], k[1] // 2), min(pad[3], k[1] // 2)))  # fmt: skip
    s = k if stride is None else stride
    for axis in (0, 1):
        assume(x_hw[axis] + sum(pads[axis]) >= dilation[axis] * (k[axis] - 1) + 1)
    rng = np.random.default_rng(seed)
    x = make_array(rng, (c, *x_hw), kind)
    call = dict(
        kernel_size=k, stride=stride, padding=pads, method=method, ceil_mode=ceil_mode,
        count_include_pad=count_include_pad, dilation=dilation,
    )  # fmt: skip
    try:
        expected = pool2d(x, **call)
    except ArgumentError as err:  # a dilated window wholly in the padding: refused by both
        assert err.key == "pool_window_in_padding"
        with pytest.raises(ArgumentError, match="only padding"):
            trace_pool2d(x, **call)
        return
    t = trace_pool2d(x, **call)
    # conv_core's pool2d: the same numbers, bit for bit (max is exact; avg adds in its order)
    if kind == "float32" and method == "avg":
        np.testing.assert_allclose(t.output, expected, rtol=1e-6)
    else:
        assert np.array_equal(t.output, expected)
    dtypes = {"int": np.int64, "float32": np.float32, "float64": np.float64, "dyadic": np.float64}
    expected_dtype = np.float64 if method == "avg" and kind == "int" else dtypes[kind]
    assert t.output.dtype == expected_dtype
    if kind == "int":
        replay_pool(json.loads(json.dumps(to_compact(t))))
    (oh, ow), cells = brute_pool(x[0], k, s, pads, dilation, method, ceil_mode, count_include_pad)
    assert t.out_shape == (oh, ow) and len(t) == c * oh * ow
    for step in t:
        assert isinstance(step, PoolStep)
        assert step.value == t.output.reshape(-1)[step.index]
        ch, r, q = step.out_index
        if ch != 0:
            continue
        value, winner, total, count = cells[r, q]
        assert step.window.shape == k
        assert np.array_equal(
            step.pad_mask, (step.rows_orig[:, None] < 0) | (step.cols_orig[None, :] < 0)
        )
        if method == "max":
            assert step.value == value and step.winner == winner
            a, b = step.winner_tap
            assert step.window[a, b] == value and step.counted[a, b]
            assert step.total is None and step.divisor is None
        else:
            assert step.divisor == count and step.winner is None
            assert math.isclose(step.total, total, rel_tol=1e-5, abs_tol=1e-4)
            assert math.isclose(step.value, value, rel_tol=1e-5, abs_tol=1e-4)
            assert step.counted.sum() == count


@given(
    seed=st.integers(0, 2**32 - 1),
    x_hw=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    k_hw=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=pairs13,
    dilation=pairs13,
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    output_padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    groups=st.sampled_from([1, 2]),
    c_in_per_group=st.integers(1, 2),
    c_og=st.integers(1, 2),
    single=st.booleans(),
    kind=st.sampled_from(KINDS),
    with_bias=st.booleans(),
)
def test_conv_transpose2d_matches_brute_force_and_conv_transpose2d(
    seed, x_hw, k_hw, stride, dilation, padding, output_padding, groups, c_in_per_group, c_og,
    single, kind, with_bias,
):  # fmt: skip
    for a in (0, 1):
        assume(output_padding[a] < max(stride[a], dilation[a]))
        full = (x_hw[a] - 1) * stride[a] + dilation[a] * (k_hw[a] - 1) + 1 + output_padding[a]
        assume(full - 2 * padding[a] >= 1)
    if single:
        groups, c_in_per_group, c_og = 1, 1, 1
    c_in = groups * c_in_per_group
    rng = np.random.default_rng(seed)
    x = make_array(rng, (c_in, *x_hw), kind)
    w = make_array(rng, (c_in, c_og, *k_hw), kind)
    bias = make_array(rng, (c_og * groups,), kind) if with_bias else None
    args = (stride, padding, output_padding, groups, dilation)
    if single:
        t = trace_conv_transpose2d(x[0], w[0, 0], bias, *args)
        theirs = conv_transpose2d(x[0], w[0, 0], bias, *args)[None]
    else:
        t = trace_conv_transpose2d(x, w, bias, *args)
        theirs = conv_transpose2d(x, w, bias, *args)
    expected = brute_transpose(x, w, bias, stride, padding, output_padding, groups, dilation)
    out = t.output if not single else t.output[None]
    if kind in ("int", "dyadic"):
        assert np.array_equal(out, expected.astype(float)) and np.array_equal(out, theirs)
    elif single and kind == "float64":  # the same tap-by-tap order as conv_transpose2d
        assert np.array_equal(out, theirs)
        np.testing.assert_allclose(out, expected.astype(float), rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_allclose(out, theirs, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(out, expected.astype(float), rtol=1e-5, atol=1e-4)
    # steps: input cells in order, products = value * kernel, landing where the loops put them
    oh, ow = out.shape[1:]
    for step in t:
        assert isinstance(step, ScatterStep)
        ci, r, q = step.in_index
        assert step.value == x[ci, r, q].item()
        kernel = step.kernel.reshape(len(step.out_channels), *k_hw)
        assert np.array_equal(kernel, w[ci])
        assert np.array_equal(step.products.reshape(kernel.shape), x[ci, r, q] * w[ci])
        assert step.rows.tolist() == [r * stride[0] + a * dilation[0] for a in range(k_hw[0])]
        assert step.rows_out.tolist() == [v - padding[0] for v in step.rows.tolist()]
        assert step.cols_out.tolist() == [v - padding[1] for v in step.cols.tolist()]
        outside_r = (step.rows_out < 0) | (step.rows_out >= oh)
        outside_c = (step.cols_out < 0) | (step.cols_out >= ow)
        assert np.array_equal(step.cropped, outside_r[:, None] | outside_c[None, :])
    if kind == "int":
        replay_scatter(json.loads(json.dumps(to_compact(t))))
    # after the last step, the running output plus the bias is the output
    final = t.running_output(len(t) - 1)
    final = final if not single else final[None]
    if bias is not None:
        final = final + np.asarray(bias)[:, None, None]
    np.testing.assert_allclose(final, out, rtol=1e-5, atol=1e-4)
    if kind == "int":
        assert np.array_equal(final, out)


def test_running_output_grows_step_by_step():
    x = np.array([[1, 2], [3, 4]])
    k = np.array([[1, 10], [100, 1000]])
    t = trace_conv_transpose2d(x, k)
    previous = np.zeros((3, 3), dtype=np.int64)
    for step in t:
        now = t.running_output(step.index)
        added = now - previous
        expected = np.zeros((3, 3), dtype=np.int64)
        r, q = step.in_index[1:]
        expected[r : r + 2, q : q + 2] = step.value * k
        assert np.array_equal(added, expected)
        previous = now
    assert np.array_equal(previous, t.output)
    assert t.running_output(0, cropped=False).shape == (3, 3)


def test_running_output_buffer_and_crop():
    t = trace_conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2, padding=1)
    assert t.buffer_shape == (4, 4) and t.output.shape == (2, 2)
    full = t.running_output(-1, cropped=False)
    assert full.tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert t.running_output(-1).tolist() == [[1, 2], [3, 4]]


# ---------------------------------------------------------------------------------------
# padding coordinates and flags, by hand


def test_padding_cells_are_flagged_with_original_coordinates():
    x = np.arange(1, 10).reshape(3, 3)
    t = trace_correlate2d(x, np.ones((3, 3), int), padding=1)
    s = t.step(0)
    assert s.rows.tolist() == [0, 1, 2] and s.rows_orig.tolist() == [-1, 0, 1]
    assert s.cols_orig.tolist() == [-1, 0, 1]
    assert s.pad_mask.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert s.patch.tolist() == [[0, 0, 0], [0, 1, 2], [0, 4, 5]]
    assert t.pad_mask.sum() == 16 and t.padded.shape == (5, 5)
    assert t.source_rows.tolist() == [-1, 0, 1, 2, -1]


@pytest.mark.parametrize(
    ("mode", "sources"),
    [
        ("zeros", [-1, -1, 0, 1, 2, -1, -1]),
        ("replicate", [0, 0, 0, 1, 2, 2, 2]),
        ("reflect", [2, 1, 0, 1, 2, 1, 0]),
        ("symmetric", [1, 0, 0, 1, 2, 2, 1]),
        ("circular", [1, 2, 0, 1, 2, 0, 1]),
    ],
)
def test_source_of_each_padded_cell(mode, sources):
    x = np.array([[10, 20, 30]])
    t = trace_correlate2d(x, [[1]], padding=((0, 0), (2, 2)), padding_mode=mode)
    assert t.source_cols.tolist() == sources
    for col, src in enumerate(sources):
        if src >= 0:
            assert t.padded[0, col] == x[0, src]


def test_convolve_applies_the_flipped_kernel():
    k = np.array([[1, 2, 3], [4, 5, 6]])
    t = trace_convolve2d(np.arange(12).reshape(3, 4), k)
    assert t.kernel_applied.tolist() == [[6, 5, 4], [3, 2, 1]]
    assert t.step(0).kernel_applied.tolist() == [[6, 5, 4], [3, 2, 1]]
    assert trace_convolve1d([1, 2, 3], [1, 2, 3]).kernel_applied.tolist() == [3, 2, 1]


def test_pool_mask_marks_ceil_mode_overhang():
    x = np.arange(25).reshape(5, 5)
    t = trace_pool2d(x, 2, ceil_mode=True)
    assert t.out_shape == (3, 3)
    assert t.mask.shape == (6, 6)
    assert t.mask[5].tolist() == [2] * 6 and t.mask[:5, 5].tolist() == [2] * 5
    s = t.step(8)  # bottom-right: one input cell, three beyond
    assert s.counted.tolist() == [[True, False], [False, False]]
    assert format_step(s) == "max(24) = 24"
    a = trace_pool2d(x, 2, ceil_mode=True, method="avg").step(8)
    assert (a.divisor, a.value) == (1, 24.0)  # PyTorch: cells beyond the padding never count


def test_pool_padding_counts_for_avg_when_asked():
    x = np.array([[4, 8], [12, 16]])
    inc = trace_pool2d(x, 2, stride=1, padding=1, method="avg").step(0)
    exc = trace_pool2d(x, 2, stride=1, padding=1, method="avg", count_include_pad=False).step(0)
    assert format_step(inc) == "(0 + 0 + 0 + 4) / 4 = 1"
    assert format_step(exc) == "(4) / 1 = 4"
    mx = trace_pool2d(x, 2, stride=1, padding=1).step(0)
    assert format_step(mx) == "max(4) = 4" and mx.winner == (0, 0) and mx.winner_tap == (1, 1)


def test_max_pool_ties_go_to_the_first_cell():
    s = trace_pool2d([[5, 5], [5, 1]], 2).step(0)
    assert s.winner == (0, 0) and s.winner_tap == (0, 0)


# ---------------------------------------------------------------------------------------
# compact form


def replay_gather(c):
    """What the browser does: rebuild every step from the compact dict alone."""
    n_out = len(c["output"])
    oh, ow = len(c["row_starts"]), len(c["col_starts"])
    k_h, k_w = len(c["tap_rows"]), len(c["tap_cols"])
    top, left = c["input_origin"]
    taps = len(c["in_channels"][0]) * k_h * k_w
    assert len(c["products"]) == c["n_steps"] * taps == n_out * oh * ow * taps
    for i in range(c["n_steps"]):
        co, rest = divmod(i, oh * ow)
        r, q = divmod(rest, ow)
        products = c["products"][i * taps : (i + 1) * taps]
        t = 0
        for j, ci in enumerate(c["in_channels"][co]):
            for a, tr in enumerate(c["tap_rows"]):
                for b, tc in enumerate(c["tap_cols"]):
                    pr, pc = c["row_starts"][r] + tr, c["col_starts"][q] + tc
                    assert products[t] == c["padded"][ci][pr][pc] * c["kernel"][co][j][a][b]
                    if c["mask"][pr][pc] == 0:
                        assert c["source_rows"][pr] == pr - top
                        assert c["source_cols"][pc] == pc - left
                    t += 1
        assert sum(products) == c["sums"][i]
        bias = 0 if c["bias"] is None else c["bias"][co]
        assert c["output"][co][r][q] == c["sums"][i] + bias


def test_compact_round_trips_and_replays():
    x = np.random.default_rng(1).integers(0, 256, (9, 11))
    t = trace_correlate2d(x, LECTURE_K, stride=2, padding=1, dilation=(1, 2), bias=3)
    c = to_compact(t)
    text = json.dumps(c, separators=(",", ":"), allow_nan=False)
    back = json.loads(text)
    assert back == json.loads(json.dumps(c))  # plain types only: nothing lost in JSON
    assert back["schema_version"] == SCHEMA_VERSION == 1
    assert back["op"] == "correlate2d" and back["view"] == "gather" and back["dtype"] == "int64"
    assert back["config"]["stride"] == [2, 2] and back["config"]["dilation"] == [1, 2]
    assert back["config"]["padding"] == [[1, 1], [1, 1]]
    assert back["sizes"]["rows"]["formula"] == t.rows.formula()
    assert back["sizes"]["cols"]["size"] == t.cols.size
    assert back["output"] == [t.output.tolist()]
    replay_gather(back)


def test_compact_multichannel_replays():
    rng = np.random.default_rng(2)
    t = trace_conv2d(rng.integers(-9, 9, (4, 5, 6)), rng.integers(-3, 3, (4, 2, 2, 3)),
                     rng.integers(-5, 5, 4), padding="same", groups=2,
                     padding_mode="reflect")  # fmt: skip
    c = json.loads(json.dumps(to_compact(t)))
    replay_gather(c)
    assert c["in_channels"] == [[0, 1], [0, 1], [2, 3], [2, 3]]
    assert len(c["channel_sums"]) == c["n_steps"] * 2
    for i in range(c["n_steps"]):
        assert sum(c["channel_sums"][2 * i : 2 * i + 2]) == c["sums"][i]


def replay_pool(c):
    """The browser's pool step: the window from the grid, the winner or sum / divisor."""
    oh, ow = len(c["row_starts"]), len(c["col_starts"])
    k_w = len(c["tap_cols"])
    for i in range(c["n_steps"]):
        ch, rest = divmod(i, oh * ow)
        r, q = divmod(rest, ow)
        cells = [
            (c["mask"][c["row_starts"][r] + tr][c["col_starts"][q] + tc],
             c["padded"][ch][c["row_starts"][r] + tr][c["col_starts"][q] + tc])
            for tr in c["tap_rows"] for tc in c["tap_cols"]
        ]  # fmt: skip
        if c["config"]["method"] == "max":
            real = [v for m, v in cells if m == 0]
            t = c["winners"][i]
            assert cells[t][0] == 0 and cells[t][1] == max(real) == c["output"][ch][r][q]
            assert all(v < max(real) for m, v in cells[:t] if m == 0)  # the first maximum
            assert 0 <= t < len(cells) and t // k_w < len(c["tap_rows"])
        else:
            counted = [
                v for m, v in cells if m == 0 or (m == 1 and c["config"]["count_include_pad"])
            ]
            assert c["divisors"][i] == len(counted) and c["sums"][i] == sum(counted)
            assert c["sums"][i] / c["divisors"][i] == c["output"][ch][r][q]


def replay_scatter(c):
    """The browser's scatter steps: add each step's products into the buffer, crop, add bias."""
    c_out = max(max(o) for o in c["out_channels"]) + 1
    buf = np.zeros((c_out, *c["buffer_shape"]), dtype=np.int64)
    k_h, k_w = len(c["tap_rows"]), len(c["tap_cols"])
    n_h, n_w = len(c["row_starts"]), len(c["col_starts"])
    per_step = len(c["out_channels"][0]) * k_h * k_w
    for i in range(c["n_steps"]):
        ci, rest = divmod(i, n_h * n_w)
        r, q = divmod(rest, n_w)
        products = c["products"][i * per_step : (i + 1) * per_step]
        for o, co in enumerate(c["out_channels"][ci]):
            for a in range(k_h):
                for b in range(k_w):
                    value = products[(o * k_h + a) * k_w + b]
                    assert value == c["input"][ci][r][q] * c["kernel"][ci][o][a][b]
                    buf[co, c["row_starts"][r] + c["tap_rows"][a],
                        c["col_starts"][q] + c["tap_cols"][b]] += value  # fmt: skip
    top, left = c["crop"]
    oh, ow = c["sizes"]["rows"]["size"], c["sizes"]["cols"]["size"]
    out = buf[:, top : top + oh, left : left + ow]
    if c["bias"] is not None:
        out = out + np.array(c["bias"])[:, None, None]
    assert out.tolist() == c["output"]


def test_compact_pool_and_scatter_replay():
    x = np.random.default_rng(3).integers(-9, 9, (2, 5, 5))
    for method in ("max", "avg"):
        t = trace_pool2d(x, 2, padding=1, method=method, ceil_mode=True)
        c = json.loads(json.dumps(to_compact(t)))
        assert c["view"] == "pool" and c["config"]["method"] == method
        # a last window starting in the right padding is dropped (PyTorch's rule): no extra row
        assert c["sizes"]["rows"]["formula"] == "(5 + 1 + 1 - 2) / 2 + 1 = 7/2 → 3"
        replay_pool(c)
        c = json.loads(json.dumps(to_compact(trace_pool2d(x, 2, method=method, ceil_mode=True))))
        assert c["sizes"]["rows"]["formula"] == "(5 + 0 + 0 - 2) / 2 + 1 = 5/2 → 2; ceil_mode → 3"
        assert c["sizes"]["rows"]["size"] == 3 and c["mask"][5] == [2] * 6
        replay_pool(c)
    t = trace_conv_transpose2d(np.arange(1, 7).reshape(1, 2, 3), np.arange(8).reshape(1, 2, 2, 2),
                               bias=[1, -1], stride=2, padding=1)  # fmt: skip
    c = json.loads(json.dumps(to_compact(t)))
    assert c["view"] == "scatter" and c["buffer_shape"] == list(t.buffer_shape)
    replay_scatter(c)
    assert c["output"] == t.output.tolist()
    assert c["sizes"]["rows"]["formula"] == "(2 - 1)*2 - 2*1 + 1*(2 - 1) + 0 + 1 = 2"


def test_compact_floats_exact_output_rounded_display():
    x = np.array([[0.1, 0.2, 0.3], [1 / 3, 2.0, -1e-9]])
    k = np.array([[1 / 7, 1.0]])
    t = trace_correlate2d(x, k)
    c = json.loads(json.dumps(to_compact(t, digits=4), allow_nan=False))
    assert c["dtype"] == "float64"
    assert c["output"] == t.output[None].tolist()  # exact: JSON keeps float64 round-trip repr
    assert c["products"][0] == 0.01429  # 0.1/7 to 4 significant digits
    assert c["products"][1] == 0.2 and isinstance(c["padded"][0][1][1], int)  # 2.0 -> 2
    x32 = x.astype(np.float32)
    c32 = to_compact(trace_correlate2d(x32, k.astype(np.float32)))
    assert c32["dtype"] == "float32"
    back = np.array(c32["output"], dtype=np.float32)
    assert np.array_equal(back[0], trace_correlate2d(x32, k.astype(np.float32)).output)
    assert json.dumps(c32["output"]).count("0000000") == 0  # shortest float32 decimals


@pytest.mark.parametrize(
    ("kernel", "bound"),
    [
        (LECTURE_K, 150),
        ([[1, 0, -1], [2, 0, -2], [1, 0, -1]], 150),
    ],
)
def test_compact_size_per_step(kernel, bound):
    """About 100 bytes per step for a 32x32 grid of 0-255 values and a 3x3 kernel."""
    x = np.random.default_rng(0).integers(0, 256, (32, 32))
    for padding in (0, 1):
        t = trace_correlate2d(x, kernel, padding=padding)
        size = len(json.dumps(to_compact(t), separators=(",", ":")))
        assert size / len(t) < bound, size / len(t)


def test_compact_refuses_unknown_objects():
    with pytest.raises(TypeError, match="trace"):
        to_compact("nope")


# ---------------------------------------------------------------------------------------
# bad arguments


X6, K3, Z = np.array(LECTURE_X), np.array(LECTURE_K), np.zeros


@pytest.mark.parametrize(
    ("traced", "operation", "match"),
    [
        ((trace_correlate2d, X6, K3), dict(stride=0), "stride must be a positive"),
        ((trace_correlate2d, X6, K3), dict(dilation=(1, 0)), "dilation must be a positive"),
        ((trace_correlate2d, X6, Z((7, 1))), {}, "output would be empty"),
        ((trace_correlate2d, X6, K3), dict(padding=-1), "padding must not be negative"),
        ((trace_correlate2d, X6, K3), dict(padding="half"), "padding must be an integer"),
        ((trace_correlate2d, X6, K3), dict(padding_mode="constant"), "padding_mode must be one"),
        ((trace_correlate2d, X6, K3), dict(padding=6, padding_mode="reflect"), "reflect padding"),
        ((trace_correlate2d, [1, 2, 3], K3), {}, "x must be a 2D"),
        ((trace_correlate2d, X6, [[np.nan]]), {}, "kernel must contain only finite"),
        ((trace_convolve2d, X6, K3), dict(stride=(1, -1)), "stride must be a positive"),
        ((trace_conv2d, Z((3, 4, 4)), Z((2, 2, 3, 3))), {}, "x has 3 channels but weight"),
        ((trace_conv2d, Z((3, 4, 4)), Z((2, 3, 3, 3))), dict(groups=2), "groups must divide"),
        ((trace_conv2d, Z((4, 4)), Z((1, 1, 3, 3))), {}, "weight must be a 2D array"),
        ((trace_conv2d, Z((1, 4, 4)), Z((3, 3))), {}, "weight must be a 4D array"),
        ((trace_conv2d, Z((1, 4, 4)), Z((2, 1, 3, 3))), dict(bias=[1, 2, 3]), r"shape \(2,\)"),
        ((trace_conv2d, Z((1, 4, 4)), Z((2, 1, 3, 3))), dict(bias=1), "bias must be a 1D"),
        ((trace_correlate1d, [1, 2, 3], [1, 2, 3, 4]), {}, "output would be empty"),
        ((trace_correlate1d, [1, 2, 3], [1]), dict(stride=(1, 2)), "stride must be"),
        ((trace_pool2d, X6, 2), dict(padding=2), "at most half of kernel_size"),
        ((trace_pool2d, X6, 2), dict(method="min"), "method must be one of"),
        ((trace_pool2d, X6, 2), dict(method="avg", dilation=2), "dilation is only"),
        ((trace_pool2d, X6, 2), dict(stride=0), "stride must be a positive"),
        ((trace_pool2d, X6, 9), {}, "output would be empty"),
        ((trace_pool2d, X6, 2), dict(ceil_mode="yes"), "ceil_mode must be True or False"),
        ((trace_pool2d, Z((2, 2)), 2), dict(padding=1, dilation=3), "covers only padding"),
        ((trace_conv_transpose2d, X6, K3), dict(stride=0), "stride must be a positive"),
        ((trace_conv_transpose2d, X6, K3), dict(output_padding=1), "output_padding must be"),
        ((trace_conv_transpose2d, [[1]], [[1]]), dict(padding=1), "output would be empty"),
        ((trace_conv_transpose2d, X6, K3), dict(padding="same"), "padding must be an integer"),
        ((trace_conv_transpose2d, Z((2, 2, 2)), Z((3, 1, 2, 2))), {}, "in_channels = 2"),
        ((trace_conv_transpose2d, Z((2, 2)), Z((2, 2))), dict(bias=[1, 2]), r"shape \(1,\)"),
    ],
)
def test_bad_arguments_refused_as_the_operation_refuses_them(traced, operation, match):
    """The trace refuses what conv_core's operation refuses, with the same message."""
    fn, *args = traced
    ops = {
        trace_correlate2d: correlate2d,
        trace_convolve2d: convolve2d,
        trace_conv2d: conv2d,
        trace_correlate1d: correlate1d,
        trace_pool2d: pool2d,
        trace_conv_transpose2d: conv_transpose2d,
    }
    with pytest.raises(ArgumentError, match=match) as traced_error:
        fn(*args, **operation)
    with pytest.raises(ArgumentError) as op_error:
        ops[fn](*args, **operation)
    assert str(traced_error.value) == str(op_error.value)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: trace_correlate2d(Z((66, 66)), [[1, 1], [1, 1]]),
            r"4225 steps \(1 channel\(s\) of 65x65 cells\).*max_steps=4096",
        ),
        (
            lambda: trace_correlate2d(Z((8, 8)), [[1]], max_steps=63),
            r"64 steps \(1 channel\(s\) of 8x8 cells\).*max_steps=63",
        ),
        (
            lambda: trace_correlate2d(Z((40, 40)), np.ones((20, 20)), max_terms=10_000),
            r"441 steps × 400 products each = 176400 products.*max_terms=10000",
        ),
        (
            lambda: trace_conv2d(Z((2, 40, 40)), Z((3, 2, 3, 3))),
            r"4332 steps \(3 channel\(s\) of 38x38 cells\)",
        ),
        (lambda: trace_pool2d(Z((130, 130)), 2), r"4225 steps \(1 channel\(s\) of 65x65 cells\)"),
        (
            lambda: trace_conv_transpose2d(Z((70, 70)), K3),
            r"4900 steps \(1 channel\(s\) of 70x70 cells\).*max_steps=4096",
        ),
        (lambda: trace_correlate2d(X6, K3, bias=[1, 2]), "bias must be a 0D"),
        (lambda: trace_correlate2d(X6, K3, max_steps=0), "max_steps must be a positive"),
        (lambda: format_step_parts(trace_correlate2d(X6, K3).step(0), decimals=-1), "decimals"),
        (lambda: to_compact(trace_correlate2d(X6, K3), digits=0), "digits"),
    ],
)
def test_bad_arguments_of_the_trace_itself(call, match):
    with pytest.raises(ArgumentError, match=match):
        call()


def test_step_index_out_of_range():
    t = trace_correlate2d(LECTURE_X, LECTURE_K)
    assert t.step(-1).index == 15 and t.step(-1).out_index == (0, 3, 3)
    for bad in (16, -17, 1.5, True):
        with pytest.raises(ArgumentError, match=r"step must be an integer from 0 to 15"):
            t.step(bad)
    with pytest.raises(ArgumentError, match="row must be an integer from 0 to 3"):
        t.step_index(0, 4, 0)


def test_default_cap_is_a_64x64_output():
    assert MAX_STEPS == 64 * 64
    t = trace_correlate2d(np.zeros((66, 66), int), np.ones((3, 3), int))
    assert len(t) == 4096 and isinstance(t, ConvTrace)


def test_natural_shapes_and_repr():
    t = trace_correlate2d(LECTURE_X, LECTURE_K, padding=1)
    assert t.padded.shape == (8, 8) and t.pad_mask.shape == (8, 8)
    assert t.kernel_applied.shape == (3, 3) and t.output.shape == (6, 6) and t.bias is None
    c = trace_conv2d(np.zeros((2, 4, 4), int), np.zeros((3, 2, 3, 3), int))
    assert c.padded.shape == (2, 4, 4) and c.kernel_applied.shape == (3, 2, 3, 3)
    assert c.output.shape == (3, 2, 2) and c.step(0).patch.shape == (2, 3, 3)
    one = trace_correlate1d([1, 2, 3, 4], [1, 1], padding=1)
    assert one.padded.tolist() == [0, 1, 2, 3, 4, 0] and one.pad_mask.tolist()[0] is True
    assert "correlate2d" in repr(t) and "PoolTrace" in repr(trace_pool2d(LECTURE_X, 2))
    assert "TransposedTrace" in repr(trace_conv_transpose2d([[1]], [[1]]))


@pytest.mark.parametrize(
    ("x", "kernel", "kwargs"),
    [
        (np.ones(4), np.ones((2, 2)), {}),
        (np.ones((4, 4)), np.ones((2, 2)), {"stride": 0}),
        (np.ones((4, 4)), np.ones((2, 2)), {"dilation": -1}),
        (np.ones((4, 4)), np.ones((2, 2)), {"padding": "half"}),
        (np.ones((4, 4)), np.ones((2, 2)), {"padding_mode": "wrap"}),
        (np.ones((2, 2)), np.ones((3, 3)), {}),
    ],
)
def test_correlate2d_and_its_trace_refuse_alike(x, kernel, kwargs):
    """One parser (conv.parse_correlate2d_args) behind both: the same key, the same numbers."""
    with pytest.raises(ArgumentError) as direct:
        conv_core.correlate2d(x, kernel, **kwargs)
    with pytest.raises(ArgumentError) as traced:
        conv_core.trace_correlate2d(x, kernel, **kwargs)
    assert (direct.value.key, direct.value.params) == (traced.value.key, traced.value.params)


@pytest.mark.parametrize(
    ("x", "kernel", "kwargs"),
    [
        (np.ones((2, 2)), np.ones(2), {}),
        (np.ones(4), np.ones(2), {"stride": 0}),
        (np.ones(4), np.ones(2), {"padding": "half"}),
        (np.ones(2), np.ones(3), {}),
    ],
)
def test_correlate1d_and_its_trace_refuse_alike(x, kernel, kwargs):
    with pytest.raises(ArgumentError) as direct:
        conv_core.correlate1d(x, kernel, **kwargs)
    with pytest.raises(ArgumentError) as traced:
        conv_core.trace_correlate1d(x, kernel, **kwargs)
    assert (direct.value.key, direct.value.params) == (traced.value.key, traced.value.params)
