"""Running "Show code" snippets in the tests: in this process (with stand-in modules) or in
a clean Python, and reading back the numbers they print."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

#: A printed number: integers, decimals, '.5', exponents.
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")


def numbers(text: str) -> np.ndarray:
    """Every number in ``text``, in order."""
    return np.array([float(v) for v in NUMBER.findall(text)])


def run_snippet(code: str, modules: dict[str, Any] | None = None) -> str:
    """Execute ``code`` in a fresh namespace (``modules`` importable); what it printed."""
    out = io.StringIO()
    saved = {name: sys.modules.get(name) for name in modules or {}}
    try:
        sys.modules.update(modules or {})
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
    finally:
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod
    return out.getvalue()


def run_fresh(code: str, cwd: Path) -> str:
    """Run a snippet in a clean Python (-I: ConvLab not importable); what it printed."""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
