r"""The notes' formulas with the current numbers (pure): one traced step written as LaTeX.

Three forms, each filled in from conv_core's trace of one output cell (a
:class:`conv_core.Step`: its output index, the window's rows and columns, the patch, the
kernel as applied, the sums), so the numbers written out are conv_core's:

* :func:`formula_1d`: ``s(i) = Σ_m x(i + m) k(m)`` (cross-correlation) or
  ``s(n) = Σ_m x(n − m) k(m)`` (convolution), every term with its numbers;
* :func:`formula_2d`: ``S(i, j) = Σ_m Σ_n I(i ± m, j ± n) K(m, n)`` on the padded input,
  the first terms with their numbers;
* :func:`neuron_formula`: ``z(i, j, k) = b(k) + Σ_u Σ_v Σ_k' x(i', j', k') w(u, v, k', k)``
  with ``i' = i·s_h + u`` and ``j' = j·s_w + v``, the per-channel sums and the bias.

Index conventions (stated on the pages beside the formulas):

* Every index counts from 0; kernel taps ``m, n`` (``u, v``) run over ``0 … K − 1``.
* Cross-correlation: output cell ``(r, c)`` is ``S(i, j)`` at ``(i, j) = (r·s_h, c·s_w)`` on
  the padded input ``I``, reading ``I(i + d·m, j + d·n)``.
* True convolution reads ``I(i − m, j − n)``: with the whole kernel behind ``i`` a 'valid'
  convolution is defined from ``i = k − 1``, so output cell ``(r, c)`` is ``S(i, j)`` at
  ``i = r·s_h + d_h·(k_h − 1)``, ``j = c·s_w + d_w·(k_w − 1)``; the same numbers as the
  cross-correlation with the flipped kernel at ``(r·s_h, c·s_w)``.

The LaTeX is KaTeX's subset (``st.latex``) and holds no words, so it serves every
language; braces only ever hold digits, signs or primes (a page test looks for
unfilled ``{placeholders}``).

Examples
--------
>>> import conv_core as cc
>>> t = cc.trace_correlate1d([1, 1, 1, 1, 1], [0.25, 0.5, 0.25])
>>> f = formula_1d(t, 2)
>>> f.index, f.value
((2,), 1.0)
>>> print(f.lines[1])
s(2) = x(2)\,k(0) + x(3)\,k(1) + x(4)\,k(2)
>>> print(f.lines[2])
= 1 \cdot 0.25 + 1 \cdot 0.5 + 1 \cdot 0.25 = 1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import conv_core as cc

#: The general forms, by operation (LaTeX).
GENERAL_1D = {
    "convolve": r"s(i) = \sum_m x(i - m)\, k(m)",
    "correlate": r"s(i) = \sum_m x(i + m)\, k(m)",
}
GENERAL_2D = {
    "convolve": r"S(i, j) = \sum_m \sum_n I(i - m, j - n)\, K(m, n)",
    "correlate": r"S(i, j) = \sum_m \sum_n I(i + m, j + n)\, K(m, n)",
}
NEURON = r"z(i, j, k) = b(k) + \sum_u \sum_v \sum_{k'} x(i', j', k') \cdot w(u, v, k', k)"
NEURON_INDICES = r"i' = i \cdot s_h + u, \qquad j' = j \cdot s_w + v"
#: Products written out before the rest is elided (``a + b + c + ⋯ + z``).
MAX_TERMS_1D = 9
MAX_TERMS_2D = 5
MAX_TERMS_NEURON = 4
_DOTS = r"\cdots"


@dataclass(frozen=True)
class Term:
    """One product of the sum: an input element times a weight, with the formula's indices.

    Attributes
    ----------
    input_index : tuple of int
        The input element as the formula names it: ``(p,)`` for 1D, ``(row, col)`` of the
        padded input for 2D, ``(row, col, k')`` for a layer.
    kernel_index : tuple of int
        The weight as the formula names it (original, unflipped kernel): ``(m,)``,
        ``(m, n)`` or ``(u, v, k', k)``.
    input_value, kernel_value : int or float
        Their numbers, from the trace.
    input_text, kernel_text : str
        The same as conv_core writes them (:func:`conv_core.format_step_parts`).
    """

    input_index: tuple[int, ...]
    kernel_index: tuple[int, ...]
    input_value: Any
    kernel_value: Any
    input_text: str
    kernel_text: str


@dataclass(frozen=True)
class FilledFormula:
    """A formula with one step's numbers.

    Attributes
    ----------
    op : {'correlate', 'convolve', 'conv2d'}
    cell : tuple of int
        The output cell of the trace's array: ``(q,)``, ``(r, c)`` or ``(r, c)`` of feature
        map ``k`` (then ``(r, c, k)``).
    index : tuple of int
        The formula's output index: ``(i,)``, ``(i, j)`` or ``(i, j, k)`` (for true
        convolution ``i = r·s + d·(k − 1)``, see the module's conventions).
    terms : tuple of tuple of Term
        The products, per input channel (one group for single-channel ops), in the
        formula's order (``m``, then ``n``: row-major over the original kernel).
    channel_sums : tuple
        Each input channel's sum (conv_core's numbers).
    bias : int, float or None
    value : int or float
        The output value: conv_core's.
    lines : tuple of str
        LaTeX, one ``st.latex`` each: the general form with the indices filled in, the
        terms by name, the terms with their numbers and the value.
    """

    op: str
    cell: tuple[int, ...]
    index: tuple[int, ...]
    terms: tuple[tuple[Term, ...], ...]
    channel_sums: tuple[Any, ...]
    bias: Any
    value: Any
    lines: tuple[str, ...]


# --------------------------------------------------------------------------- writing


def _paren(text: str) -> str:
    """A negative number in brackets, ``(-3)``, so a product or sum reads unambiguously."""
    return f"({text})" if text.startswith("-") else text


def elide(items: Sequence[str], max_terms: int) -> list[str]:
    r"""At most ``max_terms`` items: the first ones, ``\cdots``, the last one.

    >>> elide(["a", "b", "c", "d", "e"], 4)
    ['a', 'b', '\\cdots', 'e']
    >>> elide(["a", "b"], 4)
    ['a', 'b']
    """
    if len(items) <= max_terms or max_terms < 3:
        return list(items)
    return [*items[: max_terms - 2], _DOTS, items[-1]]


def _sum(items: Sequence[str], max_terms: int) -> str:
    return " + ".join(elide(items, max_terms))


def _args(values: Sequence[Any]) -> str:
    return ", ".join(str(int(v)) for v in values)


def _plus(base: int, var: str, step: int = 1) -> str:
    """``base + var`` (or ``base - var``), with the dilation's factor when it is not 1."""
    factor = var if step == 1 else f"{step}{var}"
    return f"{base} + {factor}"


def _minus(base: int, var: str, step: int = 1) -> str:
    factor = var if step == 1 else f"{step}{var}"
    return f"{base} - {factor}"


def _op(trace: cc.ConvTrace) -> str:
    if trace.op == "conv2d":
        return "conv2d"
    return "convolve" if trace.config.get("flipped") else "correlate"


def _parts(step: cc.Step, decimals: int) -> cc.StepParts:
    return cc.format_step_parts(step, decimals=decimals)


def _products(terms: Sequence[Term], name_in: str, name_k: str) -> list[str]:
    return [
        rf"{name_in}({_args(term.input_index)})\,{name_k}({_args(term.kernel_index)})"
        for term in terms
    ]


def _numbers(terms: Sequence[Term]) -> list[str]:
    return [rf"{_paren(term.input_text)} \cdot {_paren(term.kernel_text)}" for term in terms]


def _ends(parts: cc.StepParts) -> str:
    """`` = value``, or ``+ b = total + b = value`` with a bias."""
    if parts.bias is None:
        return f" = {parts.value}"
    return f" + {_paren(parts.bias)} = {parts.total} + {_paren(parts.bias)} = {parts.value}"


# --------------------------------------------------------------------------- 1D


def formula_1d(
    trace: cc.ConvTrace,
    step: int,
    *,
    max_terms: int = MAX_TERMS_1D,
    decimals: int = 3,
) -> FilledFormula:
    r"""The 1D sum of one step: ``s(i) = x(i)k(0) + x(i+1)k(1) + … = numbers = value``.

    Parameters
    ----------
    trace : ConvTrace
        :func:`conv_core.trace_correlate1d` or :func:`conv_core.trace_convolve1d` output.
    step : int
        The step (0-based): output cell ``q``.
    max_terms : int, optional
        Products written out before the rest is elided (default 9).
    decimals : int, optional
        As :func:`conv_core.format_step`.

    Returns
    -------
    FilledFormula
        ``index`` is ``(i,)`` with ``i = q·s`` (cross-correlation) or
        ``i = q·s + d·(K − 1)`` (convolution: ``s(i)`` reads ``x(i − m)``, so a 'valid'
        convolution starts at ``i = K − 1``). ``x`` is indexed on the padded signal (the
        signal itself when there is no padding).

    Examples
    --------
    >>> import conv_core as cc
    >>> t = cc.trace_convolve1d([3, 1, 4, 1, 5], [1, 0, -1])
    >>> f = formula_1d(t, 0)
    >>> f.cell, f.index, f.value
    ((0,), (2,), 1)
    >>> print(f.lines[1])
    s(2) = x(2)\,k(0) + x(1)\,k(1) + x(0)\,k(2)
    >>> print(f.lines[2])
    = 4 \cdot 1 + 1 \cdot 0 + 3 \cdot (-1) = 1
    """
    op = _op(trace)
    s = trace.step(step)
    parts = _parts(s, decimals)
    k = int(s.patch.size)
    q = int(s.out_index[2])
    stride, dilation = trace.config["stride"][1], trace.config["dilation"][1]
    factors = parts.factors[0]
    # Tap j of the applied kernel is weight m of the original: m = j, or K - 1 - j flipped.
    order = range(k) if op == "correlate" else range(k - 1, -1, -1)
    terms = tuple(
        Term(
            (int(s.cols[j]),),
            (j if op == "correlate" else k - 1 - j,),
            s.patch[j].item(),
            s.kernel_applied[j].item(),
            factors[j][0],
            factors[j][1],
        )
        for j in order
    )
    i = q * stride + (0 if op == "correlate" else dilation * (k - 1))
    sign = _plus if op == "correlate" else _minus
    general = rf"s({i}) = \sum_{{m=0}}^{{{k - 1}}} x({sign(i, 'm', dilation)})\, k(m)"
    lines = (
        general,
        f"s({i}) = " + _sum(_products(terms, "x", "k"), max_terms),
        "= " + _sum(_numbers(terms), max_terms) + _ends(parts),
    )
    return FilledFormula(
        op, (q,), (i,), (terms,), tuple(s.channel_sums.tolist()), s.bias, s.value, lines
    )


# --------------------------------------------------------------------------- 2D


def formula_2d(
    trace: cc.ConvTrace,
    step: int,
    *,
    max_terms: int = MAX_TERMS_2D,
    decimals: int = 3,
) -> FilledFormula:
    r"""The 2D sum of one step on the padded input ``I``, its first terms with their numbers.

    Parameters
    ----------
    trace : ConvTrace
        :func:`conv_core.trace_correlate2d` or :func:`conv_core.trace_convolve2d` output.
    step : int
        The step (0-based): output cell ``(r, c)``, row-major.
    max_terms : int, optional
        Products written out before the rest is elided (default 5: four, ⋯, the last).
    decimals : int, optional
        As :func:`conv_core.format_step`.

    Returns
    -------
    FilledFormula
        ``index`` is ``(i, j) = (r·s_h, c·s_w)`` for cross-correlation and
        ``(r·s_h + d_h·(k_h − 1), c·s_w + d_w·(k_w − 1))`` for true convolution.

    Examples
    --------
    >>> import conv_core as cc
    >>> t = cc.trace_correlate2d([[1, 2, 0], [3, 4, 1]], [[1, 0], [-1, 2]], bias=5)
    >>> f = formula_2d(t, 1)
    >>> f.cell, f.index, f.value
    ((0, 1), (0, 1), 5)
    >>> print(f.lines[1])
    S(0, 1) = I(0, 1)\,K(0, 0) + I(0, 2)\,K(0, 1) + I(1, 1)\,K(1, 0) + I(1, 2)\,K(1, 1) + b
    >>> print(f.lines[2])
    = 2 \cdot 1 + 0 \cdot 0 + 4 \cdot (-1) + 1 \cdot 2 + 5 = 0 + 5 = 5
    >>> formula_2d(cc.trace_convolve2d([[1, 2, 0], [3, 4, 1]], [[1, 0], [-1, 2]]), 1).index
    (1, 2)
    """
    op = _op(trace)
    s = trace.step(step)
    parts = _parts(s, decimals)
    k_h, k_w = s.patch.shape
    _, r, c = (int(v) for v in s.out_index)
    (s_h, s_w), (d_h, d_w) = trace.config["stride"], trace.config["dilation"]
    factors = parts.factors[0]
    flip = op == "convolve"
    taps = [(a, b) for a in range(k_h) for b in range(k_w)]
    # The formula's order: the original kernel's (m, n), row-major.
    if flip:
        taps = taps[::-1]
    terms = tuple(
        Term(
            (int(s.rows[a]), int(s.cols[b])),
            (k_h - 1 - a, k_w - 1 - b) if flip else (a, b),
            s.patch[a, b].item(),
            s.kernel_applied[a, b].item(),
            *factors[a * k_w + b],
        )
        for a, b in taps
    )
    i = r * s_h + (d_h * (k_h - 1) if flip else 0)
    j = c * s_w + (d_w * (k_w - 1) if flip else 0)
    sign = _minus if flip else _plus
    bias = "" if parts.bias is None else " + b"
    general = (
        rf"S({i}, {j}) = \sum_{{m=0}}^{{{k_h - 1}}} \sum_{{n=0}}^{{{k_w - 1}}} "
        rf"I({sign(i, 'm', d_h)}, {sign(j, 'n', d_w)})\, K(m, n){bias}"
    )
    lines = (
        general,
        f"S({i}, {j}) = " + _sum(_products(terms, "I", "K"), max_terms) + bias,
        "= " + _sum(_numbers(terms), max_terms) + _ends(parts),
    )
    return FilledFormula(
        op, (r, c), (i, j), (terms,), tuple(s.channel_sums.tolist()), s.bias, s.value, lines
    )


# --------------------------------------------------------------------------- a layer


def neuron_formula(
    trace: cc.ConvTrace,
    step: int,
    *,
    filter_index: int = 0,
    channel_names: Sequence[str] | None = None,
    max_terms: int = MAX_TERMS_NEURON,
    decimals: int = 3,
) -> FilledFormula:
    r"""One neuron of a convolution layer: the bias plus one sum per input channel.

    ``z(i, j, k) = b(k) + Σ_k' Σ_u Σ_v x(i·s_h + u, j·s_w + v, k') w(u, v, k', k)``, the
    notes' form (channels last: ``x`` is H × W × C, ``w`` is KH × KW × C × FN); conv_core
    stores the same weight as ``weight[k, k', u, v]``.

    Parameters
    ----------
    trace : ConvTrace
        :func:`conv_core.trace_conv2d` output (one group).
    step : int
        The step (0-based).
    filter_index : int, optional
        The filter ``k`` the formula names when the trace holds one filter of a larger
        layer (the page traces the chosen filter alone); default 0. With several output
        channels in the trace, the step's own channel is added to it.
    channel_names : sequence of str, optional
        Labels of the input channels (``("R", "G", "B")``), written beside ``k'``.
    max_terms : int, optional
        Products per channel written out before the rest is elided (default 4).
    decimals : int, optional
        As :func:`conv_core.format_step`.

    Returns
    -------
    FilledFormula
        ``cell`` and ``index`` are ``(i, j, k)``; one group of terms per input channel;
        ``lines``: the form with the indices filled in, then per channel ``z_k'``, its
        terms by name and by numbers, then ``z = b + sums = value``.

    Examples
    --------
    >>> import conv_core as cc
    >>> x = [[[1, 2], [3, 4]], [[0, 1], [1, 0]]]            # (C, H, W) = (2, 2, 2)
    >>> w = [[[[1]], [[2]]]]                                # (FN, C, 1, 1)
    >>> f = neuron_formula(cc.trace_conv2d(x, w, [3]), 1, filter_index=0)
    >>> f.index, f.channel_sums, f.bias, f.value
    ((0, 1, 0), (2, 2), 3, 7)
    >>> print(f.lines[-1])
    z(0, 1, 0) = b(0) + z_0 + z_1 = 3 + 2 + 2 = 7
    """
    s = trace.step(step)
    parts = _parts(s, decimals)
    ch, r, c = (int(v) for v in s.out_index)
    k = int(filter_index) + ch
    n_in, k_h, k_w = s.patch.shape
    (s_h, s_w) = trace.config["stride"]
    (d_h, d_w) = trace.config["dilation"]
    i0, j0 = r * s_h, c * s_w
    groups = []
    lines = [
        rf"z({r}, {c}, {k}) = b({k}) + \sum_{{k'=0}}^{{{n_in - 1}}} \sum_{{u=0}}^{{{k_h - 1}}} "
        rf"\sum_{{v=0}}^{{{k_w - 1}}} x({_plus(i0, 'u', d_h)}, {_plus(j0, 'v', d_w)}, k') "
        rf"\cdot w(u, v, k', {k})"
    ]
    for g, in_ch in enumerate(s.in_channels):
        terms = tuple(
            Term(
                (int(s.rows[a]), int(s.cols[b]), int(in_ch)),
                (a, b, int(in_ch), k),
                s.patch[g, a, b].item(),
                s.kernel_applied[g, a, b].item(),
                *parts.factors[g][a * k_w + b],
            )
            for a in range(k_h)
            for b in range(k_w)
        )
        groups.append(terms)
        name = rf"\ (\mathrm{{{channel_names[g]}}})" if channel_names else ""
        # The sum over u and v is the line above with k' fixed: its terms by name, then numbers.
        lines.append(rf"z_{in_ch}{name} = " + _sum(_products(terms, "x", "w"), max_terms))
        lines.append("= " + _sum(_numbers(terms), max_terms) + f" = {parts.channel_sums[g]}")
    bias = "0" if parts.bias is None else parts.bias
    names = " + ".join(f"z_{v}" for v in s.in_channels)
    values = " + ".join([bias, *(_paren(v) for v in parts.channel_sums)])
    lines.append(f"z({r}, {c}, {k}) = b({k}) + {names} = {values} = {parts.value}")
    return FilledFormula(
        "conv2d",
        (r, c, k),
        (r, c, k),
        tuple(groups),
        tuple(s.channel_sums.tolist()),
        0 if s.bias is None else s.bias,
        s.value,
        tuple(lines),
    )
