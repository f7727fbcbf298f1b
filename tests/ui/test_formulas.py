"""ui.teaching.formulas: the filled-in formulas carry conv_core's numbers.

For every step of a trace, the written-out terms name the right input element and the
right (unflipped) weight with their values, the index follows the stated convention, and
the sum of the terms (plus the bias) is conv_core's output cell.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import conv_core as cc
from ui.teaching import formulas

#: What the studio's page test flags as an unfilled placeholder: none in the LaTeX.
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _sum(terms: tuple[formulas.Term, ...]) -> float:
    return sum(term.input_value * term.kernel_value for term in terms)


@pytest.mark.parametrize("op", ["correlate", "convolve"])
@pytest.mark.parametrize(
    ("x", "kernel"),
    [
        ([1, 1, 1, 1, 1], [0.25, 0.5, 0.25]),
        ([3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1]),
        ([2, -1, 0, 7], [4]),
    ],
)
def test_1d_terms_sum_to_the_output(op: str, x: list, kernel: list) -> None:
    """Each term is x(p)·k(m) with p = i + m (correlation) or i − m (convolution)."""
    trace = (cc.trace_correlate1d if op == "correlate" else cc.trace_convolve1d)(x, kernel)
    expected = (cc.correlate1d if op == "correlate" else cc.convolve1d)(x, kernel)
    k = len(kernel)
    for q in range(len(trace)):
        f = formulas.formula_1d(trace, q)
        (i,) = f.index
        assert f.cell == (q,)
        assert i == (q if op == "correlate" else q + k - 1)
        (terms,) = f.terms
        assert [t.kernel_index[0] for t in terms] == list(range(k))
        for term in terms:
            (p,), (m,) = term.input_index, term.kernel_index
            assert p == (i + m if op == "correlate" else i - m)
            assert term.input_value == x[p]
            assert term.kernel_value == kernel[m]
        assert np.isclose(_sum(terms), expected[q])
        assert f.value == pytest.approx(expected[q])
        assert not any(PLACEHOLDER.search(line) for line in f.lines)


def test_1d_lecture_line() -> None:
    """The lecture's smoothing: s(2) = x(2)k(0) + x(3)k(1) + x(4)k(2) = 1·0.25 + ... = 1."""
    f = formulas.formula_1d(cc.trace_correlate1d([1, 1, 1, 1, 1], [0.25, 0.5, 0.25]), 2)
    assert f.lines == (
        r"s(2) = \sum_{m=0}^{2} x(2 + m)\, k(m)",
        r"s(2) = x(2)\,k(0) + x(3)\,k(1) + x(4)\,k(2)",
        r"= 1 \cdot 0.25 + 1 \cdot 0.5 + 1 \cdot 0.25 = 1",
    )


def test_1d_long_kernel_is_elided() -> None:
    f = formulas.formula_1d(cc.trace_correlate1d(list(range(20)), [1] * 12), 0)
    assert r"\cdots" in f.lines[1] and f.lines[1].count(r"\,k(") == formulas.MAX_TERMS_1D - 1
    assert f.lines[2].endswith(f"= {sum(range(12))}")


CASES_2D = [
    # grid, kernel, stride, padding, dilation, bias
    (np.arange(16).reshape(4, 4), [[1, 2], [3, 4]], 1, 0, 1, None),
    (np.arange(30).reshape(5, 6) % 7 - 3, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], 2, 1, 1, 5),
    (np.arange(42).reshape(6, 7), [[1, 2, 3], [0, 1, 0]], (1, 2), 2, (2, 1), None),
    (np.linspace(0, 1, 25).reshape(5, 5), [[0.25, -0.5], [0.125, 1.0]], 1, "same", 1, 0.5),
]


@pytest.mark.parametrize("op", ["correlate", "convolve"])
@pytest.mark.parametrize(("grid", "kernel", "stride", "padding", "dilation", "bias"), CASES_2D)
def test_2d_terms_sum_to_the_output(op, grid, kernel, stride, padding, dilation, bias) -> None:
    """Each term is I(i ± d·m, j ± d·n)·K(m, n) on the padded input, K unflipped."""
    trace_fn = cc.trace_correlate2d if op == "correlate" else cc.trace_convolve2d
    conv_fn = cc.correlate2d if op == "correlate" else cc.convolve2d
    trace = trace_fn(grid, kernel, stride, padding, dilation, bias=bias)
    expected = np.asarray(conv_fn(grid, kernel, stride, padding, dilation)) + (bias or 0)
    kern = np.asarray(kernel)
    k_h, k_w = kern.shape
    (s_h, s_w), (d_h, d_w) = trace.config["stride"], trace.config["dilation"]
    padded = trace.padded
    for step in range(len(trace)):
        f = formulas.formula_2d(trace, step)
        r, c = f.cell
        i, j = f.index
        if op == "correlate":
            assert (i, j) == (r * s_h, c * s_w)
        else:
            assert (i, j) == (r * s_h + d_h * (k_h - 1), c * s_w + d_w * (k_w - 1))
        (terms,) = f.terms
        assert [t.kernel_index for t in terms] == [(m, n) for m in range(k_h) for n in range(k_w)]
        sign = 1 if op == "correlate" else -1
        for term in terms:
            (p, q), (m, n) = term.input_index, term.kernel_index
            assert (p, q) == (i + sign * d_h * m, j + sign * d_w * n)
            assert term.input_value == padded[p, q]
            assert term.kernel_value == kern[m, n]
        total = _sum(terms) + (bias or 0)
        assert np.isclose(total, expected[r, c])
        assert np.isclose(f.value, expected[r, c])
        assert f.lines[1].startswith(f"S({i}, {j}) = ")
        assert not any(PLACEHOLDER.search(line) for line in f.lines)


def test_2d_first_terms_and_bias() -> None:
    trace = cc.trace_correlate2d([[1, 2, 0], [3, 4, 1], [0, 1, 2]], np.ones((3, 3), int), bias=-2)
    f = formulas.formula_2d(trace, 0)
    assert f.lines[1] == (
        r"S(0, 0) = I(0, 0)\,K(0, 0) + I(0, 1)\,K(0, 1) + I(0, 2)\,K(0, 2) + \cdots "
        r"+ I(2, 2)\,K(2, 2) + b"
    )
    assert f.lines[2] == (
        r"= 1 \cdot 1 + 2 \cdot 1 + 0 \cdot 1 + \cdots + 2 \cdot 1 + (-2) = 14 + (-2) = 12"
    )


def test_neuron_lecture_rgb_position() -> None:
    """The notes' RGB example: channel sums 308, −498, 164 and bias 1 give −25."""
    trace = cc.trace_conv2d(**cc.PRESETS["rgb_one_position"].arguments)
    f = formulas.neuron_formula(trace, 0, channel_names=("R", "G", "B"))
    assert f.index == (0, 0, 0)
    assert f.channel_sums == (308, -498, 164) and f.bias == 1 and f.value == -25
    assert [_sum(g) for g in f.terms] == [308, -498, 164]
    assert f.lines[-1] == "z(0, 0, 0) = b(0) + z_0 + z_1 + z_2 = 1 + 308 + (-498) + 164 = -25"
    assert f.lines[3] == (
        r"z_1\ (\mathrm{G}) = x(0, 0, 1)\,w(0, 0, 1, 0) + x(0, 1, 1)\,w(0, 1, 1, 0) + \cdots "
        r"+ x(2, 2, 1)\,w(2, 2, 1, 0)"
    )
    assert f.lines[4].endswith("= -498")


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), ((1, 2), 0)])
def test_neuron_terms_name_x_and_w(stride, padding) -> None:
    """x(i', j', k')·w(u, v, k', k) with i' = i·s_h + u: conv_core's x[k', i', j'] (padded)
    and weight[k, k', u, v]; the bias plus the channel sums is conv2d's output."""
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 10, size=(3, 5, 6))
    weight = rng.integers(-2, 3, size=(2, 3, 3, 2))
    bias = np.array([4, -1])
    expected = np.asarray(cc.conv2d(x, weight, bias, stride, padding))
    for k in range(2):
        trace = cc.trace_conv2d(x, weight[k : k + 1], bias[k : k + 1], stride, padding)
        s_h, s_w = trace.config["stride"]
        padded = trace.padded
        for step in range(len(trace)):
            f = formulas.neuron_formula(trace, step, filter_index=k)
            i, j, kk = f.index
            assert kk == k
            for g, terms in enumerate(f.terms):
                for term in terms:
                    p, q, ch = term.input_index
                    u, v, ch2, k2 = term.kernel_index
                    assert ch == ch2 == g and k2 == k
                    assert (p, q) == (i * s_h + u, j * s_w + v)
                    assert term.input_value == padded[ch, p, q]
                    assert term.kernel_value == weight[k, ch, u, v]
                assert _sum(terms) == f.channel_sums[g]
            assert f.bias + sum(f.channel_sums) == f.value == expected[k, i, j]
            assert f.lines[-1].endswith(f"= {expected[k, i, j]}")
            assert not any(PLACEHOLDER.search(line) for line in f.lines)


def test_neuron_without_bias_writes_zero() -> None:
    f = formulas.neuron_formula(cc.trace_conv2d([[[1, 2], [3, 4]]], [[[[1, 1]]]]), 0)
    assert f.bias == 0
    assert f.lines[-1] == "z(0, 0, 0) = b(0) + z_0 = 0 + 3 = 3"


def test_general_forms() -> None:
    assert formulas.GENERAL_1D["convolve"] == r"s(i) = \sum_m x(i - m)\, k(m)"
    assert formulas.GENERAL_1D["correlate"] == r"s(i) = \sum_m x(i + m)\, k(m)"
    assert "I(i - m, j - n)" in formulas.GENERAL_2D["convolve"]
    assert "I(i + m, j + n)" in formulas.GENERAL_2D["correlate"]
    assert "x(i', j', k')" in formulas.NEURON and "w(u, v, k', k)" in formulas.NEURON
