"""Tests for conv_core.shapes: sizes, padding specs, receptive fields, parameter counts."""

from fractions import Fraction
from math import ceil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv_core import (
    ArgumentError,
    conv_output_size,
    conv_output_size_detail,
    conv_param_count,
    dense_param_count,
    pool_output_size,
    receptive_field,
    resolve_padding,
    resolve_padding_1d,
)


def brute_window_starts(padded: int, span: int, stride: int) -> list[int]:
    """Every start position whose whole window fits in the padded input."""
    return [s for s in range(0, padded, stride) if s + span <= padded]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4, 3, 1, 1, 1), 4),  # the lecture: (4 + 2*1 - 3)/1 + 1
        ((5, 3, 2, 1, 1), 3),
        ((6, 3, 1, 0, 1), 4),  # the lecture's 6x6 with a 3x3 filter
        ((3, 2, 1, 0, 1), 2),
        ((3, 2, 1, 1, 1), 4),
        ((7, 3, 1, 0, 2), 3),  # dilation 2: span 5
        ((13, 6, 5, "same", 1), 3),  # TensorFlow 'SAME': ceil(13 / 5)
        ((13, 6, 5, "valid", 1), 2),
        ((5, 3, 1, "full", 1), 7),
    ],
)
def test_conv_output_size_table(args, expected):
    assert conv_output_size(*args) == expected


@given(
    n=st.integers(1, 40),
    k=st.integers(1, 7),
    s=st.integers(1, 5),
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    d=st.integers(1, 3),
)
def test_detail_matches_brute_force(n, k, s, before, after, d):
    span = d * (k - 1) + 1
    padded = n + before + after
    starts = brute_window_starts(padded, span, s)
    if not starts:
        with pytest.raises(ArgumentError, match="output would be empty"):
            conv_output_size_detail(n, k, s, (before, after), d)
        return
    det = conv_output_size_detail(n, k, s, (before, after), d)
    assert det.size == len(starts)
    assert det.exact == Fraction(padded - span, s) + 1
    last_covered = starts[-1] + span - 1
    assert det.remainder == padded - 1 - last_covered
    # trailing real input cells (padded index before .. before+n-1) past the last window
    trailing_input = [i for i in range(before, before + n) if i > last_covered]
    assert det.unvisited == len(trailing_input)
    assert det.is_exact == (det.remainder == 0)


def test_formula_text():
    assert conv_output_size_detail(4, 3, 1, 1).formula() == "(4 + 1 + 1 - 3) / 1 + 1 = 4"
    assert conv_output_size_detail(7, 3, 3).formula() == "(7 + 0 + 0 - 3) / 3 + 1 = 7/3 → 2"


@given(n=st.integers(1, 60), k=st.integers(1, 7), s=st.integers(1, 6), d=st.integers(1, 3))
def test_same_padding_follows_tensorflow(n, k, s, d):
    (top, bottom), (left, right) = resolve_padding("same", (n, n), k, s, d)
    assert (top, bottom) == (left, right)
    assert bottom - top in (0, 1)  # the odd cell goes after
    span = d * (k - 1) + 1
    out = ceil(n / s)
    assert top + bottom == max((out - 1) * s + span - n, 0)
    assert conv_output_size(n, k, s, (top, bottom), d) == out


@given(n=st.integers(1, 30), k=st.integers(1, 7), d=st.integers(1, 3))
def test_full_padding_sees_every_overlap(n, k, d):
    span = d * (k - 1) + 1
    assert resolve_padding_1d("full", n, k, 1, d) == (span - 1, span - 1)
    assert conv_output_size(n, k, 1, "full", d) == n + span - 1


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (0, ((0, 0), (0, 0))),
        (2, ((2, 2), (2, 2))),
        ((1, 3), ((1, 1), (3, 3))),
        (((0, 1), (2, 3)), ((0, 1), (2, 3))),
        ([[0, 1], [2, 3]], ((0, 1), (2, 3))),
        ("valid", ((0, 0), (0, 0))),
    ],
)
def test_resolve_padding_forms(spec, expected):
    assert resolve_padding(spec, (5, 5), 3) == expected


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (-1, "padding must not be negative, but got padding=-1"),
        ((1, -2), r"padding must not be negative, but got padding=\(1, -2\)"),
        ("SAME", "padding must be an integer.*'valid', 'same' or 'full', but got padding='SAME'"),
        (1.5, "but got padding=1.5"),
        ((1, 2, 3), r"but got padding=\(1, 2, 3\)"),
    ],
)
def test_resolve_padding_rejects(spec, match):
    with pytest.raises(ArgumentError, match=match):
        resolve_padding(spec, (5, 5), 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 5, "kernel_size": 3, "stride": 0}, "stride must be a positive integer.*stride=0"),
        ({"n": 5, "kernel_size": 0}, "kernel_size must be a positive integer.*kernel_size=0"),
        ({"n": 5, "kernel_size": 3, "dilation": 0}, "dilation must be a positive.*dilation=0"),
        ({"n": 0, "kernel_size": 3}, "n must be a positive integer"),
        ({"n": 5, "kernel_size": 3, "stride": True}, "stride must be a positive integer"),
        (
            {"n": 2, "kernel_size": 5},
            r"padded input has 2 cells \(2 \+ 0 \+ 0 padding\) but the kernel spans 5",
        ),
        ({"n": 4, "kernel_size": 3, "dilation": 2}, "kernel spans 5"),
    ],
)
def test_conv_output_size_rejects(kwargs, match):
    with pytest.raises(ArgumentError, match=match) as info:
        conv_output_size(**kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.key


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((4, 2), {}, 2),
        ((5, 2), {}, 2),
        ((5, 2), {"ceil_mode": True}, 3),
        ((6, 3, 2), {"ceil_mode": True}, 3),
        ((5, 2, 2, 1), {"ceil_mode": True}, 3),  # last window would start in the right padding
        ((4, 2, 2, 1), {"ceil_mode": True}, 3),
        ((7, 3, 2, 1), {}, 4),
        ((8, 3), {"dilation": 2}, 2),
    ],
)
def test_pool_output_size_table(args, kwargs, expected):
    # Values checked against torch.nn.MaxPool1d's documented rule by hand.
    assert pool_output_size(*args, **kwargs) == expected


@given(
    n=st.integers(1, 30),
    k=st.integers(1, 5),
    s=st.integers(1, 5),
    p=st.integers(0, 2),
    ceil_mode=st.booleans(),
)
def test_pool_ceil_mode_windows_start_inside(n, k, s, p, ceil_mode):
    if p > k // 2 or n + 2 * p < k:
        return
    floor_size = pool_output_size(n, k, s, p)
    size = pool_output_size(n, k, s, p, ceil_mode=ceil_mode)
    assert floor_size <= size <= floor_size + 1
    # every window starts inside the input or the left padding
    assert (size - 1) * s < n + p
    if ceil_mode:
        # ceil mode keeps every start that is inside the input or the left padding and
        # whose window reaches at least one cell of the padded input beyond the floor windows
        starts = [i * s for i in range(size)]
        assert all(st_ < n + p for st_ in starts)


def _rf_backward(layers, index=0):
    """Receptive field of output unit `index` along one axis, by walking back layer by layer."""
    lo = hi = index
    for k, s, d, p in reversed(layers):
        span = d * (k - 1) + 1
        lo, hi = lo * s - p, hi * s - p + span - 1
    return lo, hi


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2)),
        min_size=1,
        max_size=5,
    )
)
def test_receptive_field_matches_backward_walk(layers):
    records = receptive_field(layers)
    for depth, rec in enumerate(records, start=1):
        lo0, hi0 = _rf_backward(layers[:depth], 0)
        lo1, _ = _rf_backward(layers[:depth], 1)
        assert rec.size == (hi0 - lo0 + 1,) * 2
        assert rec.start == (lo0, lo0)
        assert rec.jump == (lo1 - lo0,) * 2


def test_receptive_field_forms_and_output_sizes():
    vgg_block = [
        {"kernel_size": 3, "padding": 1},
        {"kernel_size": 3, "padding": 1},
        {"kernel_size": 2, "stride": 2},
    ]
    rf = receptive_field(vgg_block, input_hw=(32, 32))
    assert [r.size for r in rf] == [(3, 3), (5, 5), (6, 6)]
    assert [r.output_hw for r in rf] == [(32, 32), (32, 32), (16, 16)]
    rf = receptive_field([((3, 1), (1, 1), 1, "same")], input_hw=(8, 8))
    assert rf[0].size == (3, 1) and rf[0].output_hw == (8, 8)
    assert rf[0].center == (0.0, 0.0)
    with pytest.raises(ArgumentError, match="pass input_hw"):
        receptive_field([(3, 1, 1, "same")])
    with pytest.raises(ArgumentError, match="layer 1"):
        receptive_field([(3, 1, 1, 0), (3, 1)])


def test_param_counts():
    assert conv_param_count(3, 3, 128, bias=False) == 3456
    assert conv_param_count(3, 3, 128) == 3584
    assert conv_param_count(1, 64, 32) == 64 * 32 + 32  # 1x1 convolution
    assert conv_param_count((3, 5), 4, 6, groups=2) == 3 * 5 * 2 * 6 + 6
    assert dense_param_count(784, 10) == 7850
    assert dense_param_count(784, 10, bias=False) == 7840
    with pytest.raises(ArgumentError, match="groups must divide.*groups=3"):
        conv_param_count(3, 4, 6, groups=3)
