"""Draw your own input: a bitmap the learner paints in the browser (mouse, touch, pen, keys).

A Streamlit ``st.components.v2.component`` (``frontend/draw_grid.js``, an ES module mounted in
a shadow root; ``draw_grid.html`` and ``draw_grid.css`` beside it; no build step, nothing
fetched from another site). ``frontend/`` is the component's asset folder (``asset_dir`` in
pyproject.toml): Streamlit serves the JS and CSS from there, once per page, and a rerun sends
the data and the small HTML skeleton only (as for the stepper, :mod:`ui.components.stepper`).
Painting, erasing, the brush, undo and the keyboard cursor all run in the browser. The server
hears from it only when a stroke ends (pointer up) or on Clear, Undo or a keyboard toggle: one
stroke is one rerun, never one per pointer move.

What crosses the wire is the bitmap packed one bit per cell (row-major, most significant bit
first, as ``np.packbits``) and written in hex: :func:`encode_bitmap` / :func:`decode_bitmap`.
A 32x32 bitmap is 256 characters. Whatever the browser reports is decoded defensively: text
that is not a bitmap of the expected size is ignored (the page keeps its last good bitmap).

With ``block`` the grid shows its ``block x block`` tiles and, live while drawing, how many
cells of each tile are on (:func:`block_counts`): a 32x32 drawing with ``block=4`` becomes
the 8x8 grid of counts 0..16 that the UCI optical digits dataset was made of.

Examples
--------
In a page::

    bitmap = draw_grid(key="tinycnn.draw", block=4, value=example)   # (32, 32) bool
    counts = block_counts(bitmap, 4)                                   # (8, 8) ints 0..16
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import streamlit as st

from ui.components.assets import asset_component
from ui.components.draw_grid.payload import (
    BRUSHES,
    COMPONENT_NAME,
    FRONTEND,
    MAX_SIDE,
    STRINGS_PREFIX,
    _check_shape,
    block_counts,
    decode_bitmap,
    draw_grid_data,
    draw_grid_strings,
    encode_bitmap,
    next_seen,
    resolve_bitmap,
    value_token,
)
from ui.frame.i18n import current_language

__all__ = [
    "BRUSHES",
    "COMPONENT_NAME",
    "FRONTEND",
    "MAX_SIDE",
    "STRINGS_PREFIX",
    "block_counts",
    "decode_bitmap",
    "draw_grid",
    "draw_grid_data",
    "draw_grid_strings",
    "encode_bitmap",
    "next_seen",
    "resolve_bitmap",
    "value_token",
]


def _component() -> Callable[..., Any]:
    return asset_component(COMPONENT_NAME, FRONTEND, "draw_grid")


def _noop() -> None:
    return None


def _check_value(value: Any, rows: int, cols: int) -> np.ndarray | None:
    if value is None:
        return None
    arr = np.asarray(value).astype(bool)
    if arr.shape != (rows, cols):
        raise ValueError(f"value must have shape ({rows}, {cols}), but got {arr.shape}")
    return arr


def _seen_key(key: str) -> str:
    return f"{key}.value_seen"


def draw_grid(
    *,
    key: str,
    rows: int = 32,
    cols: int = 32,
    value: np.ndarray | None = None,
    block: int | None = None,
    height_px: int = 320,
    value_id: str | None = None,
    strings: Mapping[str, str] | None = None,
    brush: int = 2,
    on_change: Callable[[], None] | None = None,
) -> np.ndarray:
    """Mount the drawing grid and return the bitmap the learner has drawn so far.

    Parameters
    ----------
    key : str
        Widget key, namespaced per page (``"tinycnn.draw"``); CSS class ``st-key-<key>``.
        The wrapper also keeps ``f"{key}.value_seen"`` in session state.
    rows, cols : int, optional
        Grid size (1 .. :data:`MAX_SIDE`), 32x32 by default.
    value : array_like of bool, shape (rows, cols), optional
        A bitmap from the page (e.g. "load example"): it replaces the drawing whenever it
        changes from the previous run's value. None leaves the drawing alone.
    block : int, optional
        Show ``block x block`` tiles and their live on-cell counts; must divide rows and cols.
    height_px : int, optional
        Height of the drawing area in CSS pixels (cells are square; it shrinks on narrow
        screens).
    value_id : str, optional
        Identifies ``value`` instead of its content: a new id replaces the drawing even with
        the same bitmap (a "load example" button pressed again after the learner edited it).
    strings : mapping, optional
        UI strings without the ``draw_grid.`` prefix; default the session language's.
    brush : int, optional
        Initial brush size in cells (1, 2 or 3).
    on_change : callable, optional
        Streamlit callback run (before the rerun) when the browser reports a new bitmap.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        All False at first (or ``value``); then what the browser last reported.
    """

    rows, cols = _check_shape(rows, cols)
    passed = _check_value(value, rows, cols)
    if strings is None:
        strings = draw_grid_strings(current_language())
    seen = next_seen(st.session_state.get(_seen_key(key)), passed, rows, cols, value_id)
    st.session_state[_seen_key(key)] = seen
    token = value_token(seen, rows, cols)
    previous = st.session_state.get(key)
    reported = previous.get("bitmap") if isinstance(previous, Mapping) else None
    bitmap = resolve_bitmap(reported, seen, rows, cols)
    data = draw_grid_data(bitmap, token, strings, block=block, height_px=height_px, brush=brush)
    result = _component()(
        key=key,
        data=data,
        default={"bitmap": None},
        height="content",
        on_bitmap_change=on_change or _noop,
    )
    reported = result.get("bitmap") if isinstance(result, Mapping) else None
    return resolve_bitmap(reported, seen, rows, cols)
