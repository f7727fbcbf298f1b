"""Padding modes across libraries: one small input padded under every mode, side by side.

Reads top to bottom like the screen: the input (a row of five or a 4 × 4 grid), how many
cells to pad and the constant's value, then every mode's padded grid (conv_core.pad2d;
padding cells grey and italic) with its name in NumPy, SciPy, PyTorch and TensorFlow, the
name table ("—": the library has none; from conv_core (PADDING_MODES), the table the code snippets
use too) and the classic mix-ups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.widgets.tables import padded_cell_styles

leave_legacy_pages()

P = "padding_modes"
KEEP = widgets.KEEP_STATE
INPUTS = {
    "row": np.array([[1, 2, 3, 4, 5]]),
    "grid": np.arange(1, 17).reshape(4, 4),
}
KEYS = {name: f"{P}.{name}" for name in ("input", "pad", "value")}
DEFAULTS = {"input": "row", "pad": 2, "value": 9}
MODES = tuple(cc.PADDING_MODES)
PER_ROW = 3


def pads_for(x: np.ndarray, pad: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """A single row is padded left and right only; a grid on every side."""
    rows = 0 if x.shape[0] == 1 else pad
    return ((rows, rows), (pad, pad))


def name_line(mode: str) -> str:
    """Every library's name for one mode, on one line ("—": none)."""
    names = cc.PADDING_MODES[mode]
    parts = []
    for attr, label in cc.PADDING_LIBRARIES:
        name = getattr(names, attr)
        parts.append(f"{label} `{name}`" if name else f"{label} —")
    return " · ".join(parts)


def mode_grid(x: np.ndarray, mode: str, pad: int, value: int) -> None:
    """One mode: its name, picture, padded grid (padding marked) and its names elsewhere."""
    st.markdown(f"**{t(f'padding_modes.modes.{mode}')}** · `{mode}`")
    st.caption(f"`{cc.PADDING_MODES[mode].picture}` — {t(f'padding_modes.explain.{mode}')}")
    try:
        values, mask = cc.pad2d_with_mask(x, pads_for(x, pad), mode, value)
    except cc.ArgumentError as err:
        st.error(te(err))
        return
    frame = pd.DataFrame(values)
    styled = frame.style.apply(lambda _: padded_cell_styles(mask), axis=None)
    with st.container(key=f"{P}.grid.{mode}"):
        st.table(styled, hide_index=True, hide_header=True, width="content")
    st.caption(name_line(mode))


def names_table() -> pd.DataFrame:
    """The cross-walk: one row per mode, one column per library ("—": none)."""
    rows = []
    for mode in MODES:
        row = {t("padding_modes.table.mode"): mode}
        for attr, label in cc.PADDING_LIBRARIES:
            row[label] = getattr(cc.PADDING_MODES[mode], attr) or "—"
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("padding_modes.title"))
st.caption(t("padding_modes.intro"))

c1, c2, c3 = st.columns(3)
with c1:
    choice = st.segmented_control(
        t("padding_modes.input.label"),
        tuple(INPUTS),
        key=KEYS["input"],
        format_func=widgets.labels(lambda n: f"padding_modes.input.{n}"),
        required=True,
        persist_state=KEEP,
    )
with c2:
    pad = int(
        st.slider(
            t("padding_modes.pad"),
            1,
            3,
            key=KEYS["pad"],
            help=t("padding_modes.pad_help"),
            persist_state=KEEP,
        )
    )
with c3:
    value = int(
        st.number_input(
            t("padding_modes.value"),
            -99,
            99,
            key=KEYS["value"],
            help=t("padding_modes.value_help"),
            persist_state=KEEP,
        )
    )
x = INPUTS[choice]
st.caption(t("padding_modes.legend"))

for start in range(0, len(MODES), PER_ROW):
    cols = st.columns(PER_ROW, gap="medium")
    for column, mode in zip(cols, MODES[start : start + PER_ROW], strict=False):
        with column, st.container(border=True):
            mode_grid(x, mode, pad, value)

st.header(t("padding_modes.table.header"))
st.caption(t("padding_modes.table.note"))
with st.container(key=f"{P}.names"):
    st.table(names_table(), hide_index=True)

st.header(t("padding_modes.traps.header"))
sym, ref, rep = (
    cc.PADDING_MODES["symmetric"],
    cc.PADDING_MODES["reflect"],
    cc.PADDING_MODES["replicate"],
)
with st.container(key=f"{P}.traps"):
    st.warning(
        "\n".join(
            [
                "- " + t("padding_modes.traps.scipy_reflect", nd=sym.ndimage, np=sym.numpy),
                "- " + t("padding_modes.traps.mirror", np=ref.numpy, nd=ref.ndimage),
                "- " + t("padding_modes.traps.same", np=rep.numpy, nd=rep.ndimage),
                "- " + t("padding_modes.traps.missing"),
                "- " + t("padding_modes.traps.wrap"),
            ]
        ),
        icon=":material/warning:",
    )
