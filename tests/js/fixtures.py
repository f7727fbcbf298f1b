"""What the Node tests (``tests/js/*.test.mjs``) check the stepper's modules against, from
conv_core: ``tests/js/fixtures/stepper.json``.

It holds the stepper's English strings, numbers with conv_core's display of each
(``conv_core.trace._num``), and for each case of the browser harness (but the 32x32 one) its
compact trace with ``format_step`` of every step. Regenerate it after a change to conv_core's
compact form or its formatting::

    .venv/bin/python -m tests.js.fixtures

``tests/ui/test_stepper_payload.py`` fails while the file differs from what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import conv_core as cc
from conv_core.trace.formatting import _num

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "stepper.json"
sys.path.insert(0, str(HERE.parent / "e2e"))

from stepper_harness import CASES, build_case, build_trace  # noqa: E402

from ui.components.stepper.payload import DECIMALS, stepper_strings  # noqa: E402


def _numbers() -> list[float]:
    rng = np.random.default_rng(5)
    values = [0, 1, -1, 7, 255, -498, 10**15, 0.5, -0.5, 0.25, 0.0625, 0.1875, -0.0625, 2.5]
    values += [1e-4, -0.0004, 0.0005, 0.0015, 1.0005, 123.4565, 3.1875, -3.1875, 1 / 3, 2 / 3]
    values += (rng.random(60) * 20 - 10).round(6).tolist()
    values += (rng.integers(-4096, 4096, 60) / 16).tolist()
    return values


def fixture() -> dict[str, Any]:
    """The fixture's content (what ``FIXTURE`` must hold)."""
    cases = {}
    for name in CASES:
        if name == "big":
            continue
        trace = build_trace(name)
        cases[name] = {
            "compact": build_case(name),
            "texts": [cc.format_step(trace.step(i)) for i in range(len(trace))],
        }
    return {
        "decimals": DECIMALS,
        "strings": stepper_strings("en"),
        "numbers": [[v, _num(v, DECIMALS)] for v in _numbers()],
        "cases": cases,
    }


def dumps(content: dict[str, Any]) -> str:
    """The file's text: one line per case, so a change shows which."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = ",\n".join(f" {json.dumps(k)}: {line(content[k])}" for k in content if k != "cases")
    cases = ",\n".join(f"  {json.dumps(k)}: {line(v)}" for k, v in content["cases"].items())
    return "{\n" + head + ',\n "cases": {\n' + cases + "\n }\n}\n"


if __name__ == "__main__":
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(dumps(fixture()), encoding="utf-8")
    print(f"wrote {FIXTURE.relative_to(Path.cwd())} ({FIXTURE.stat().st_size} bytes)")
