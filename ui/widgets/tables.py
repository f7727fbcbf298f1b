"""Table alternatives to figures (a screen reader reads each cell) and the lazy expander."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from ui.frame.i18n import t
from ui.widgets.cells import grid_frame

#: Largest side of a table alternative; bigger grids are shown every ``step``-th row/column.
TABLE_ALT_MAX = 40


def table_alt_frame(
    values: npt.ArrayLike, decimals: int = 3, max_side: int = TABLE_ALT_MAX
) -> tuple[pd.DataFrame, int]:
    """The table behind :func:`table_alternative` and its step (1: every cell).

    A grid wider or taller than ``max_side`` keeps every ``step``-th row and column
    (``step = ceil(longest side / max_side)``); the row and column labels are the
    original indices.

    >>> frame, step = table_alt_frame(np.arange(100.0).reshape(10, 10), max_side=4)
    >>> step, list(frame.columns), list(frame.index)
    (3, ['0', '3', '6', '9'], ['0', '3', '6', '9'])
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    step = max(1, math.ceil(max(arr.shape) / max_side))
    frame = grid_frame(arr[::step, ::step], decimals)
    frame.columns = [str(c) for c in range(0, arr.shape[1], step)]
    frame.index = [str(r) for r in range(0, arr.shape[0], step)]
    return frame, step


def lazy_expander(label: str, *, key: str, icon: str | None = None) -> Any:
    """A collapsed expander whose content is built only while it is open: its container
    while open, else None. Opening it reruns the page (``on_change="rerun"``) and it stays
    open for the session, so a page builds and sends what is inside only for someone who
    looks at it.
    """
    expander = st.expander(label, key=key, icon=icon, on_change="rerun")
    return expander if expander.open else None


def table_expander(what: str, *, key: str) -> Any:
    """The collapsed "Numbers of <what> as a table" expander (key ``key``), lazy
    (:func:`lazy_expander`: a table costs ~16 ms per rerun): its container while it is
    open, to build the table in, else None.
    """
    return lazy_expander(t("table_alt.label", what=what), key=key)


def table_alternative(
    values: npt.ArrayLike,
    *,
    label: str,
    key: str,
    decimals: int = 3,
    max_side: int = TABLE_ALT_MAX,
) -> None:
    """The numbers of a heatmap as a table a screen reader can read (issue 8, accessibility).

    A collapsed expander ("Numbers of <label> as a table", key ``<key>.alt``) holding a
    static HTML table (``st.table``, named ``label`` for assistive technology: a screen
    reader reads every cell, where ``st.dataframe``'s canvas grid exposes only the cells in
    view); a grid larger than ``max_side`` shows every ``step``-th cell, and a caption says
    so (every value is on the figure's hover).

    The table is built only while the expander is open (opening it reruns the page, and it
    stays open for the session): building and sending it cost ~16 ms a table on every rerun
    (three on a lab rerun), for a table most people never open.
    """
    table_alternatives([(label, values)], label=label, key=key, decimals=decimals,
                       max_side=max_side)  # fmt: skip


def table_alternatives(
    grids: Sequence[tuple[str, npt.ArrayLike]],
    *,
    label: str,
    key: str,
    decimals: int = 3,
    max_side: int = TABLE_ALT_MAX,
) -> None:
    """Several small heatmaps' numbers in one "Numbers of <label> as a table" expander
    (key ``<key>.alt``), each grid under its own name: for a row of figures that belong
    together (a filter, its input and output), one expander instead of one per figure.
    """
    expander = table_expander(label, key=f"{key}.alt")
    if expander is None:
        return
    with expander:
        for name, values in grids:
            frame, step = table_alt_frame(values, decimals, max_side)
            if len(grids) > 1:
                st.markdown(f"**{name}**")
            if step > 1:
                shape = np.shape(values)
                st.caption(t("table_alt.downsampled", rows=shape[0], cols=shape[-1], step=step))
            st.table(frame, alt=name)


def padded_cell_styles(mask: np.ndarray) -> np.ndarray:
    """CSS for each cell of a padded grid: padding grey and italic, the input bold on blue."""
    pad = "background-color: #e6e6e6; color: #6b6b6b; font-style: italic"
    cell = "background-color: #cfe3f5; color: #000000; font-weight: 700"
    return np.where(mask, pad, cell)
