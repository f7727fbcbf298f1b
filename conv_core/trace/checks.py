"""Trace limits, their messages, and the checks every trace shares."""

from __future__ import annotations

from .._checks import (
    check_int,
)
from ..errors import ArgumentError, register_messages

#: Default cap on the number of steps: a 64x64 output. Beyond it a page would hang.
MAX_STEPS = 64 * 64
#: Default cap on the number of products a trace stores (steps times kernel taps).
MAX_TERMS = 1_000_000
#: Version of :func:`to_compact`'s schema; bumped when a key changes meaning.
SCHEMA_VERSION = 1

register_messages(
    {
        "trace_too_many_steps": (
            "a trace of {steps} steps ({channels} channel(s) of {rows}x{cols} cells) is too "
            "long to step through: at most max_steps={max_steps}; use a smaller input, a "
            "larger stride or fewer channels"
        ),
        "trace_too_many_terms": (
            "a trace of {steps} steps × {taps} products each = {terms} products is too large: "
            "at most max_terms={max_terms}; use a smaller kernel or input"
        ),
        "trace_index_out_of_range": (
            "{arg} must be an integer from 0 to {last}, but got {arg}={value!r}"
        ),
    }
)

# Mask codes of padded cells.
_INPUT, _PADDING, _BEYOND = 0, 1, 2


# --------------------------------------------------------------------------- checks


def _check_steps(grid: tuple[int, int, int], taps: int, max_steps: int, max_terms: int) -> int:
    """The number of steps of a ``(channels, rows, cols)`` grid, within the caps."""
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    max_terms = check_int(max_terms, "max_terms", minimum=1)
    channels, rows, cols = grid
    steps = channels * rows * cols
    if steps > max_steps:
        raise ArgumentError(
            "trace_too_many_steps", steps=steps, channels=channels, rows=rows, cols=cols,
            max_steps=max_steps,
        )  # fmt: skip
    if steps * taps > max_terms:
        raise ArgumentError(
            "trace_too_many_terms", steps=steps, taps=taps, terms=steps * taps, max_terms=max_terms
        )
    return steps
