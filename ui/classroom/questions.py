"""What a question to the class asks, read from the studio's compact trace (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_int_trace", "output_size", "step_value"]


def step_value(compact: Mapping[str, Any], step: int) -> float | int:
    """The output value step ``step`` computes (steps run over channels, rows, columns, as
    the stepper's ``cellOf`` orders them).

    >>> step_value({"output": [[[3, 1], [4, 1]]], "n_steps": 4}, 2)
    4
    """
    output = compact["output"]
    rows, cols = len(output[0]), len(output[0][0])
    step = max(0, min(int(step), int(compact["n_steps"]) - 1))
    c, rest = divmod(step, rows * cols)
    return output[c][rest // cols][rest % cols]


def output_size(compact: Mapping[str, Any]) -> tuple[int, int]:
    """The output's (rows, columns).

    >>> output_size({"sizes": {"rows": {"size": 4}, "cols": {"size": 5}}})
    (4, 5)
    """
    sizes = compact["sizes"]
    return int(sizes["rows"]["size"]), int(sizes["cols"]["size"])


def is_int_trace(compact: Mapping[str, Any]) -> bool:
    """Whether the trace computes in whole numbers (then answers are whole numbers).

    >>> is_int_trace({"dtype": "int64"}), is_int_trace({"dtype": "float64"})
    (True, False)
    """
    return str(compact.get("dtype", "")).startswith("int")
