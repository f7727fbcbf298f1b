"""A one-widget page for tests/app/test_draw_grid.py: the drawing grid and what it returned.

Session state it reads: ``dgapp.value`` (a bitmap to pass as ``value``), ``dgapp.rows`` /
``dgapp.cols`` / ``dgapp.block`` (grid size). It stores the returned bitmap in ``dgapp.out``.
"""

import streamlit as st

from ui.components.draw_grid import block_counts, draw_grid

rows = st.session_state.get("dgapp.rows", 32)
cols = st.session_state.get("dgapp.cols", 32)
block = st.session_state.get("dgapp.block", 4)
bitmap = draw_grid(
    key="dgapp.grid", rows=rows, cols=cols, block=block, value=st.session_state.get("dgapp.value")
)
st.session_state["dgapp.out"] = bitmap
st.text(f"on: {int(bitmap.sum())}")
if block:
    st.text(f"blocks: {block_counts(bitmap, block).sum()}")
