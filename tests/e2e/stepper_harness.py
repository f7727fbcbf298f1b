"""A tiny Streamlit script mounting the stepper on a trace chosen by query params (tests only).

``streamlit run tests/e2e/stepper_harness.py`` then open ``/?case=lecture``. Query params:

* ``case``: one of :data:`CASES` (default ``lecture``);
* ``practice=1``: start in practice mode; ``lang=ko``: Korean strings;
* ``names=1``: label the input channels R, G, B; ``step=N``: initial step;
* ``write_qp=1``: the script writes ``st.query_params["step"]`` from the stepper's state on
  every run, as a page with URL state might (to see that it does not fight the browser).

``build_case(name)`` is importable without Streamlit: the tests compare the browser with it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import conv_core as cc  # noqa: E402

LECTURE_X = [
    [1, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
]
LECTURE_K = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
GAUSS = (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist()


def _trace(name: str) -> Any:
    rng = np.random.default_rng(7)
    p = cc.PRESETS
    if name == "lecture":
        return cc.trace_correlate2d(LECTURE_X, LECTURE_K)
    if name == "stride":
        # (6 - 3) / 2 + 1 = 5/2 -> 2: the last row and column are never under a window
        return cc.trace_correlate2d(LECTURE_X, LECTURE_K, stride=2)
    if name == "float":
        # Float kernel with ties at the 4th decimal (0.0625): Python rounds them to even.
        x = rng.integers(0, 10, (5, 5)).astype(float)
        return cc.trace_correlate2d(x, GAUSS, padding=1, padding_mode="replicate")
    if name == "float_bias":
        return cc.trace_correlate2d([[0.5, 1.0], [0.25, 2.0]], [[1, 0], [0, -0.5]], bias=0.1)
    if name == "bias":
        return cc.trace_conv2d(**p["bias_diagonal"].arguments)
    if name == "pool":
        return cc.trace_pool2d(**p["max_pool_2x2"].arguments)
    if name == "avgpool":
        return cc.trace_pool2d(**p["avg_pool_2x2"].arguments)
    if name == "ceil":
        x = rng.integers(-9, 10, (5, 6))
        return cc.trace_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
    if name == "rgb":
        x = rng.integers(0, 256, (3, 5, 5))
        w = rng.integers(-1, 2, (2, 3, 3, 3))
        return cc.trace_conv2d(x, w, bias=[1, -2], padding=1)
    if name == "big":
        x = rng.integers(0, 256, (32, 32))
        k = rng.integers(-2, 3, (3, 3))
        return cc.trace_correlate2d(x, k, padding=1)
    if name == "dilated":
        x = rng.integers(0, 10, (7, 7))
        return cc.trace_correlate2d(x, LECTURE_K, dilation=2, padding=1)
    if name == "replicate":
        x = rng.integers(0, 10, (4, 4))
        return cc.trace_correlate2d(x, LECTURE_K, padding=1, padding_mode="replicate")
    if name == "convolve":
        x = rng.integers(0, 10, (5, 5))
        return cc.trace_convolve2d(x, [[1, 2, 0], [0, 0, 0], [0, -1, -2]], padding=1)
    if name == "oned":
        return cc.trace_correlate1d([3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1], stride=2, padding=1)
    if name == "scatter":
        return cc.trace_conv_transpose2d(
            [[1, 2, -1], [0, 3, 1], [2, -2, 1]], [[1, 0, -1], [2, 1, 0], [0, 1, 1]],
            bias=[5], stride=2, padding=1,
        )  # fmt: skip
    raise KeyError(f"unknown case {name!r}; known: {', '.join(CASES)}")


CASES = (
    "lecture", "stride", "float", "float_bias", "bias", "pool", "avgpool", "ceil", "rgb", "big",
    "dilated", "replicate", "convolve", "oned", "scatter",
)  # fmt: skip


def build_trace(name: str) -> Any:
    """The conv_core trace of a case (for the tests' own computations)."""
    return _trace(name)


def build_case(name: str) -> dict[str, Any]:
    """The compact trace of a case, as the page would hand it to the stepper."""
    return cc.to_compact(_trace(name))


def main() -> None:
    import streamlit as st

    from ui.components.stepper import stepper

    st.set_page_config(page_title="stepper harness", layout="wide")
    qp = st.query_params
    case = qp.get("case", "lecture")
    st.session_state["app.lang"] = qp.get("lang", "en")
    runs = st.session_state["harness.runs"] = st.session_state.get("harness.runs", 0) + 1
    compact = st.cache_data(max_entries=32)(build_case)(case)
    try:
        step = int(qp.get("step", "0"))
    except ValueError:
        step = 0
    names = ("R", "G", "B") if qp.get("names") == "1" else None
    state = stepper(
        compact, key="harness.stepper", step=step, practice=qp.get("practice") == "1",
        channel_names=names,
    )  # fmt: skip
    with st.container(key="harness.state"):
        st.text(
            f"state step={state.step} right={state.score_right} total={state.score_total} "
            f"runs={runs} qp_step={qp.get('step')}"
        )
    st.button("rerun", key="harness.rerun")
    if qp.get("write_qp") == "1":
        st.query_params["step"] = str(state.step)


if __name__ == "__main__":
    main()
