"""The small input grid the studio and the pooling page step through, as widgets: its size,
random whole numbers, or a grid the learner types.

The grids themselves come from :mod:`ui.teaching.grid_sources` (pure functions); this module
holds the Streamlit side both pages share. Widget keys are ``<prefix>.<name>`` (``rows``, ``cols``,
``low``, ``high``, ``seed``, ``new_random``, ``grid_editor``), and ``<prefix>.typed`` keeps the
last typed grid whose every cell was whole, so a page switch or a half-typed cell never loses
it. Strings are ``grid_input.*`` (``assets/i18n/*/widgets.toml``).

Typed cells are whole numbers in ``TYPED_LOW..TYPED_HIGH``: the range a shared link carries
(:class:`ui.frame.url_state.GridParam` on the studio), and far inside what the editor's table can
hold. The table is float64, never int64: pandas fails inside ``st.data_editor`` when an edit
just beyond int64 (``1e19``) lands in an int64 column, before the page could say anything.

Example
-------
In a page::

    rows, cols = grid_input.grid_size("pooling")
    grid = grid_input.typed_grid("pooling", rows, cols, start=LECTURE)
    if grid is None:  # a cell is not a whole number in range: the message is on the page
        st.stop()
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from ui.frame.i18n import t
from ui.teaching.grid_sources import MAX_GRID, TYPED_HIGH, TYPED_LOW, blank_grid, random_grid
from ui.widgets.state import KEEP_STATE

__all__ = ["grid_size", "random_input", "typed_grid", "typed_problem"]

#: The random grid's value range inputs (the lecture's grids are 0-255 or small signed).
RANDOM_LOW, RANDOM_HIGH = -99, 255


def _k(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


def grid_size(prefix: str) -> tuple[int, int]:
    """Rows and columns (1..MAX_GRID), side by side; kept while the inputs are not drawn."""
    c1, c2 = st.columns(2)
    rows = c1.number_input(
        t("grid_input.rows"), 1, MAX_GRID, key=_k(prefix, "rows"), persist_state=KEEP_STATE
    )
    cols = c2.number_input(
        t("grid_input.cols"), 1, MAX_GRID, key=_k(prefix, "cols"), persist_state=KEEP_STATE
    )
    return int(rows), int(cols)


def _new_seed(prefix: str) -> None:
    st.session_state[_k(prefix, "seed")] = int(np.random.default_rng().integers(0, 99_999))


def random_input(prefix: str, rows: int, cols: int) -> npt.NDArray[np.int64]:
    """Random whole numbers: the range, the seed and a "new random grid" button."""
    c1, c2, c3 = st.columns(3)
    low, high, seed = (
        int(column.number_input(t(f"grid_input.{name}"), lo, hi, key=_k(prefix, name),
                                persist_state=KEEP_STATE))
        for column, name, lo, hi in (
            (c1, "low", RANDOM_LOW, RANDOM_HIGH),
            (c2, "high", RANDOM_LOW, RANDOM_HIGH),
            (c3, "seed", 0, 99_999),
        )
    )  # fmt: skip
    st.button(
        t("grid_input.new_random"),
        key=_k(prefix, "new_random"),
        on_click=_new_seed,
        args=(prefix,),
        icon=":material/casino:",
    )
    return random_grid(rows, cols, low, high, seed)


def typed_problem(values: npt.NDArray[np.float64]) -> tuple[str, int, int] | None:
    """The first cell that is not a whole number in range, as ``(kind, row, col)``; kind is
    ``"empty"``, ``"not_whole"`` or ``"range"``. None when every cell is fine.

    >>> typed_problem(np.array([[1.0, 2.0], [np.nan, 2.5]]))
    ('empty', 1, 0)
    >>> typed_problem(np.array([[1.0, 1e19]]))
    ('range', 0, 1)
    >>> typed_problem(np.array([[0.0, -999.0]])) is None
    True
    """
    finite = np.isfinite(values)
    whole = finite & (values == np.round(values))
    bad = ~whole | (values < TYPED_LOW) | (values > TYPED_HIGH)
    if not bad.any():
        return None
    r, c = (int(v) for v in np.argwhere(bad)[0])
    value = float(values[r, c])
    if np.isnan(value):
        kind = "empty"
    elif np.isfinite(value) and value != round(value):
        kind = "not_whole"
    else:
        kind = "range"  # whole but too large or small, or infinite
    return kind, r, c


def _cell_text(edited: pd.DataFrame, r: int, c: int) -> str:
    value = edited.iat[r, c]
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def typed_grid(
    prefix: str, rows: int, cols: int, *, start: npt.ArrayLike
) -> npt.NDArray[np.int64] | None:
    """The grid typed into a table (``start`` until the person types; resized to rows x
    cols, keeping what fits and filling with 0). None, with a message naming the cell,
    while a cell is empty, not whole, or outside ``TYPED_LOW..TYPED_HIGH``.
    """
    ss = st.session_state
    typed_key, editor_key = _k(prefix, "typed"), _k(prefix, "grid_editor")
    grid = np.asarray(ss.get(typed_key, start), dtype=np.int64)
    if grid.shape != (rows, cols):
        resized = blank_grid(rows, cols)
        r, c = min(rows, grid.shape[0]), min(cols, grid.shape[1])
        resized[:r, :c] = grid[:r, :c]
        ss[typed_key] = grid = resized
        ss.pop(editor_key, None)  # the editor's edits belong to the old shape
    st.caption(t("grid_input.typed_help", low=TYPED_LOW, high=TYPED_HIGH))
    names = [str(c) for c in range(cols)]
    frame = pd.DataFrame(grid.astype(np.float64), columns=names)
    edited = st.data_editor(
        frame,
        key=editor_key,
        hide_index=False,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(
                name, min_value=TYPED_LOW, max_value=TYPED_HIGH, step=1
            )
            for name in names
        },
    )
    # Streamlit parses each edit into the float64 column (text that is no number: empty).
    values = edited.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problem = typed_problem(values)
    if problem is not None:
        kind, r, c = problem
        st.error(
            t(
                f"grid_input.typed_{kind}",
                row=r,
                col=c,
                value=_cell_text(edited, r, c),
                low=TYPED_LOW,
                high=TYPED_HIGH,
            )
        )
        return None
    typed = values.astype(np.int64)
    ss[typed_key] = typed
    return typed
