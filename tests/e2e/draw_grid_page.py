"""A tiny Streamlit script mounting the drawing grid (tests only).

``streamlit run tests/e2e/draw_grid_page.py``. Query params: ``lang=ko`` for Korean strings,
``size=28`` for a 28x28 grid without blocks (MNIST-like), ``height=N`` for the drawing height.
It shows what the server got: the number of cells on, the 8x8 block counts, and how many
times the script ran (so a test can see one rerun per stroke). "Load example" passes a
``value`` (a filled 4x4 block at the top left) with a new ``value_id`` per click, to check
that it replaces the drawing (again on each click, even over edits).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import streamlit as st

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ui.components.draw_grid import block_counts, draw_grid, encode_bitmap  # noqa: E402
from ui.frame.i18n import LANG_KEY  # noqa: E402

if st.query_params.get("lang") == "ko":
    st.session_state[LANG_KEY] = "ko"

st.session_state["dgtest.runs"] = st.session_state.get("dgtest.runs", 0) + 1


def _load_example() -> None:
    st.session_state["dgtest.example"] = st.session_state.get("dgtest.example", 0) + 1


st.button("Load example", key="dgtest.load", on_click=_load_example)
value = None
if st.session_state.get("dgtest.example"):
    value = np.zeros((32, 32), dtype=bool)
    value[:4, :4] = True

side = 28 if st.query_params.get("size") == "28" else 32
block = None if side == 28 else 4
if side == 28:
    value = None
bitmap = draw_grid(
    key="dgtest.grid",
    rows=side,
    cols=side,
    block=block,
    value=value,
    value_id=str(st.session_state.get("dgtest.example")),
    height_px=int(st.query_params.get("height", 320)),
)
counts = block_counts(bitmap, 4)
with st.container(key="dgtest.readout"):
    st.text(f"on: {int(bitmap.sum())}")
    st.text(f"runs: {st.session_state['dgtest.runs']}")
    st.text(f"bits: {encode_bitmap(bitmap)}")
    st.text("counts:\n" + "\n".join(" ".join(f"{v:2d}" for v in row) for row in counts))
