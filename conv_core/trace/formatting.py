"""A step written the lecture's way: ``(1×1) + (0×0) + … = 3``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import (
    check_int,
)
from .steps import AnyStep, PoolStep, ScatterStep, Step

# --------------------------------------------------------------------------- formatting


@dataclass(frozen=True)
class StepParts:
    """The pieces of a step's arithmetic, as strings, for a UI that lays them out itself.

    Attributes
    ----------
    kind : {'sum', 'max', 'avg', 'scatter'}
    factors : tuple of tuple of (str, str)
        sum: per input channel, the ``(input, kernel)`` pairs of each product;
        scatter: per output channel, the ``(value, kernel)`` pairs; empty for pooling.
    terms : tuple of tuple of str
        sum: per input channel, each product written ``(a×b)`` (a negative ``b`` in
        parentheses); scatter: per output channel the products; max/avg: one tuple
        with the counted window values.
    channel_sums : tuple of str
        sum: each input channel's sum (one entry for single-channel ops).
    total : str or None
        The sum of all products (sum) or of the counted cells (avg).
    bias : str or None
    divisor : str or None
        avg only.
    value : str
        The output value (scatter: the input value).
    """

    kind: str
    factors: tuple[tuple[tuple[str, str], ...], ...]
    terms: tuple[tuple[str, ...], ...]
    channel_sums: tuple[str, ...]
    total: str | None
    bias: str | None
    divisor: str | None
    value: str


def _num(v: Any, decimals: int) -> str:
    """A number as the lecture writes it: ints as ints, floats trimmed ('0.25', '2')."""
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    text = f"{f:.{decimals}f}".rstrip("0").rstrip(".") if decimals > 0 else f"{f:.0f}"
    return "0" if text in ("-0", "") else text


def _operand(text: str) -> str:
    """A number after an operator: negative ones in parentheses, ``+ (-3)``."""
    return f"({text})" if text.startswith("-") else text


def _join_sum(parts: Sequence[str]) -> str:
    """``a + b + (-c)``: every part after the first as an operand."""
    return " + ".join([parts[0], *(_operand(p) for p in parts[1:])]) if parts else "0"


def format_step_parts(step: AnyStep, *, decimals: int = 3) -> StepParts:
    """The pieces of :func:`format_step`'s text, as strings (see :class:`StepParts`).

    Parameters
    ----------
    step : Step, PoolStep or ScatterStep
    decimals : int, optional
        Floats are written with at most this many decimals, trailing zeros trimmed.

    Returns
    -------
    StepParts

    Examples
    --------
    >>> from conv_core.trace import trace_correlate2d
    >>> t = trace_correlate2d([[1, -2], [3, 4]], [[1, 0], [-1, 2]], bias=5)
    >>> p = format_step_parts(t.step(0))
    >>> p.terms, p.total, p.bias, p.value
    ((('(1×1)', '(-2×0)', '(3×(-1))', '(4×2)'),), '6', '5', '11')
    """
    decimals = check_int(decimals, "decimals", minimum=0)

    def n(v: Any) -> str:
        return _num(v, decimals)

    if isinstance(step, Step):
        patch = step.patch.reshape(len(step.channel_sums), -1)
        kernel = step.kernel_applied.reshape(patch.shape)
        factors = tuple(
            tuple((n(a), n(b)) for a, b in zip(pr, kr, strict=True))
            for pr, kr in zip(patch.tolist(), kernel.tolist(), strict=True)
        )
        terms = tuple(tuple(f"({a}×{_operand(b)})" for a, b in ch) for ch in factors)
        return StepParts(
            kind="sum",
            factors=factors,
            terms=terms,
            channel_sums=tuple(n(v) for v in step.channel_sums.tolist()),
            total=n(step.total),
            bias=None if step.bias is None else n(step.bias),
            divisor=None,
            value=n(step.value),
        )
    if isinstance(step, PoolStep):
        values = tuple(n(v) for v in step.window[step.counted].tolist())
        return StepParts(
            kind=step.method,
            factors=(),
            terms=(values,),
            channel_sums=(),
            total=None if step.total is None else n(step.total),
            bias=None,
            divisor=None if step.divisor is None else str(step.divisor),
            value=n(step.value),
        )
    if isinstance(step, ScatterStep):
        kernel = step.kernel.reshape(len(step.out_channels), -1)
        products = step.products.reshape(kernel.shape)
        v = n(step.value)
        return StepParts(
            kind="scatter",
            factors=tuple(tuple((v, n(k)) for k in row) for row in kernel.tolist()),
            terms=tuple(tuple(n(p) for p in row) for row in products.tolist()),
            channel_sums=(),
            total=None,
            bias=None,
            divisor=None,
            value=v,
        )
    raise TypeError(f"format_step_parts needs a Step, PoolStep or ScatterStep, not {type(step)!r}")


def _matrix(values: Sequence[str], n_cols: int) -> str:
    rows = [values[i : i + n_cols] for i in range(0, len(values), n_cols)]
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


def _targets_text(coords: npt.NDArray[np.int64], size: int) -> str:
    return ", ".join(f"{v}" if 0 <= v < size else f"{v} (cropped)" for v in coords.tolist())


def format_step(
    step: AnyStep,
    *,
    decimals: int = 3,
    channel_names: Sequence[str] | None = None,
) -> str:
    """A step written the way the lecture writes it.

    Parameters
    ----------
    step : Step, PoolStep or ScatterStep
    decimals : int, optional
        Floats are written with at most this many decimals, trailing zeros trimmed
        (``0.25``, not ``0.250``; ``2``, not ``2.000``). Integers stay integers.
    channel_names : sequence of str, optional
        Labels of the per-channel lines (default ``channel 0``, ``channel 1``, ...);
        e.g. ``("R", "G", "B")`` or a translation.

    Returns
    -------
    str
        * correlation/convolution, one input channel:
          ``(1×1) + (0×0) + … + (1×1) = 3``; with a bias the sum is followed by
          ``; 20 + 10 = 30`` (the sum, plus the bias, equals the value).
        * several input channels: one line per channel, ``channel 0: (…) + … = 308``,
          then ``308 + (-498) + 164 + 1 = -25`` (channel sums, then the bias).
        * max pooling: ``max(3, -1, -3, 1) = 3`` (the input cells of the window).
        * average pooling: ``(3 + (-1) + (-3) + 1) / 4 = 0`` (the counted cells).
        * transposed convolution: ``2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output
          rows 0, 1; cols 2, 3`` (one ``out channel c:`` line per output channel when
          there are several; coordinates outside the output marked ``(cropped)``).

        A negative number is parenthesised when it follows an operator
        (``+ (-498)``, ``×(-1)``).

    See Also
    --------
    format_step_parts : the same pieces, unjoined.

    Examples
    --------
    >>> from conv_core.trace import trace_correlate2d
    >>> t = trace_correlate2d([[0.5, 1.0], [0.25, 2.0]], [[1, 0], [0, -0.5]], bias=0.1)
    >>> print(format_step(t.step(0)))
    (0.5×1) + (1×0) + (0.25×0) + (2×(-0.5)) = -0.5; -0.5 + 0.1 = -0.4
    """
    parts = format_step_parts(step, decimals=decimals)
    if parts.kind == "sum":
        assert isinstance(step, Step)
        lines = []
        for i, (terms, ch_sum) in enumerate(zip(parts.terms, parts.channel_sums, strict=True)):
            text = " + ".join(terms) + f" = {ch_sum}"
            if len(parts.terms) > 1:
                name = channel_names[i] if channel_names else f"channel {step.in_channels[i]}"
                text = f"{name}: {text}"
            lines.append(text)
        if len(parts.terms) > 1:
            total = list(parts.channel_sums) + ([] if parts.bias is None else [parts.bias])
            lines.append(f"{_join_sum(total)} = {parts.value}")
        elif parts.bias is not None:
            lines[0] += f"; {parts.total} + {_operand(parts.bias)} = {parts.value}"
        return "\n".join(lines)
    if parts.kind == "max":
        return f"max({', '.join(parts.terms[0])}) = {parts.value}"
    if parts.kind == "avg":
        return f"({_join_sum(parts.terms[0])}) / {parts.divisor} = {parts.value}"
    assert isinstance(step, ScatterStep)
    n_cols = step.kernel.shape[-1]
    lines = []
    for i, (factors, products) in enumerate(zip(parts.factors, parts.terms, strict=True)):
        kernel = _matrix([k for _, k in factors], n_cols)
        text = f"{parts.value} × {kernel} = {_matrix(products, n_cols)}"
        if len(parts.factors) > 1:
            name = channel_names[i] if channel_names else f"out channel {step.out_channels[i]}"
            text = f"{name}: {text}"
        lines.append(text)
    target = (
        f"→ output rows {_targets_text(step.rows_out, step.out_hw[0])}; "
        f"cols {_targets_text(step.cols_out, step.out_hw[1])}"
    )
    if len(lines) == 1:
        return f"{lines[0]} {target}"
    return "\n".join([*lines, target])
