"""Pooling: step through max and average pooling, and see why a network pools.

Reads top to bottom like the screen: the input grid (the lecture's 4x4 example, random
integers or a typed grid), the pooling settings (method, kernel size, stride, padding,
ceil_mode, count_include_pad), the output size with its formula, the browser-side
stepper on conv_core's pooling trace (max: the winning cell highlighted), the "Show code"
panel (NumPy, PyTorch and TensorFlow/Keras code printing the same output), and the "why
pooling" panel: the reduction in values, and the same input shifted by one pixel (zero
fill) pooled again, with how many pooled values stayed the same.
"""

from __future__ import annotations

import json
import math

import numpy as np
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching.grid_sources import square_setting
from ui.teaching.traces import PoolSettings, compact_trace, pooled
from ui.widgets import code_panel, grid_input
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "pooling"
PRESET_NAMES = tuple(cc.preset_names("pool2d"))
LECTURE = np.asarray(cc.PRESETS["max_pool_2x2"].inputs["x"], dtype=np.int64)
SOURCES = ("preset", "random", "typed")
METHODS = cc.POOL_METHODS  # ("max", "avg")
SHIFTS = ("right", "down", "left", "up")
KEEP = widgets.KEEP_STATE
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "src",
        "preset",
        "rows",
        "cols",
        "low",
        "high",
        "seed",
        "method",
        "kernel",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "shift",
    )
}
DEFAULTS = {
    "src": "preset",
    "preset": "max_pool_2x2",
    "rows": 6,
    "cols": 6,
    "low": -9,
    "high": 9,
    "seed": 1,
    "method": "max",
    "kernel": 2,
    "stride": 2,
    "padding": 0,
    "ceil_mode": False,
    "count_include_pad": True,
    "shift": "right",
}


def _init_state() -> None:
    widgets.init_state(KEYS, DEFAULTS)


def _apply_preset() -> None:
    """The chosen lecture preset's method, kernel size and stride (no padding)."""
    ss = st.session_state
    preset = cc.PRESETS[ss[KEYS["preset"]]]
    config = preset.config
    ss[KEYS["method"]] = config["method"]
    ss[KEYS["kernel"]] = square_setting(config["kernel_size"], "kernel_size")
    ss[KEYS["stride"]] = square_setting(config.get("stride", config["kernel_size"]), "stride")
    ss[KEYS["padding"]] = 0
    ss[KEYS["ceil_mode"]] = False
    ss[KEYS["count_include_pad"]] = True


def input_grid() -> np.ndarray | None:
    """The input grid from the chosen source (None while a typed cell is not whole)."""
    ss = st.session_state
    source = widgets.choice_buttons(
        "pooling.input.source",
        SOURCES,
        key=KEYS["src"],
        option_key=lambda s: f"pooling.input.sources.{s}",
    )
    if source == "preset":
        st.selectbox(
            t("pooling.input.preset"),
            PRESET_NAMES,
            key=widgets.translated_choice(KEYS["preset"]),
            format_func=widgets.labels(lambda n: cc.PRESETS[n].title_key),
            on_change=_apply_preset,
            persist_state=KEEP,
        )
        st.caption(t("pooling.input.preset_help"))
        return np.asarray(cc.PRESETS[ss[KEYS["preset"]]].inputs["x"], dtype=np.int64)
    rows, cols = grid_input.grid_size(P)
    if source == "random":
        return grid_input.random_input(P, rows, cols)
    return grid_input.typed_grid(P, rows, cols, start=LECTURE)


def pool_settings_controls() -> tuple[str, int, int, int, bool, bool]:
    """Method, kernel size, stride, padding, ceil_mode and count_include_pad."""
    method = st.radio(
        t("pooling.settings.method"),
        METHODS,
        key=widgets.translated_choice(KEYS["method"]),
        format_func=widgets.labels(lambda m: f"pooling.settings.methods.{m}"),
        horizontal=True,
    )
    c1, c2, c3 = st.columns(3)
    kernel = c1.number_input(
        t("pooling.settings.kernel"),
        1,
        8,
        key=KEYS["kernel"],
        help=t("pooling.settings.kernel_help"),
    )
    stride = c2.number_input(
        t("pooling.settings.stride"),
        1,
        8,
        key=KEYS["stride"],
        help=t("pooling.settings.stride_help"),
    )
    padding = c3.number_input(
        t("pooling.settings.padding"),
        0,
        4,
        key=KEYS["padding"],
        help=t("pooling.settings.padding_help"),
    )
    c1, c2 = st.columns(2)
    ceil_mode = c1.checkbox(
        t("pooling.settings.ceil_mode"), key=KEYS["ceil_mode"], help=t("pooling.settings.ceil_help")
    )
    count_include_pad = c2.checkbox(
        t("pooling.settings.count_include_pad"),
        key=KEYS["count_include_pad"],
        help=t("pooling.settings.count_help"),
    )
    if method != "avg" or padding == 0:
        c2.caption(t("pooling.settings.count_unused"))
    return method, int(kernel), int(stride), int(padding), bool(ceil_mode), bool(count_include_pad)


def size_line(axis: str, n: int, k: int, s: int, p: int, ceil_mode: bool) -> tuple[int, str]:
    """The output size along one axis (conv_core.pool_output_size) and its formula in words."""
    out = cc.pool_output_size(n, k, s, p, ceil_mode=ceil_mode)
    rounding = math.ceil if ceil_mode else math.floor
    raw = rounding((n + 2 * p - k) / s) + 1
    text = t(
        "pooling.size.ceil_line" if ceil_mode else "pooling.size.floor_line",
        axis=t(f"pooling.size.{axis}"),
        n=n,
        p=p,
        k=k,
        s=s,
        inner=n + 2 * p - k,
        out=out,
    )
    if out < raw:
        text += " " + t("pooling.size.dropped", raw=raw, out=out)
    return out, text


def shifted(grid: np.ndarray, direction: str) -> np.ndarray:
    """The grid moved one pixel in ``direction``; the cell that comes in is 0 (no wrap-around)."""
    out = np.zeros_like(grid)
    if direction == "right":
        out[:, 1:] = grid[:, :-1]
    elif direction == "left":
        out[:, :-1] = grid[:, 1:]
    elif direction == "down":
        out[1:, :] = grid[:-1, :]
    else:
        out[:-1, :] = grid[1:, :]
    return out


def why_pooling(grid: np.ndarray, settings: PoolSettings, output: np.ndarray) -> None:
    """Fewer values, and small shifts tolerated: the same input shifted one pixel, pooled again."""
    st.subheader(t("pooling.why.header"))
    h, w = grid.shape
    oh, ow = output.shape
    st.markdown(
        t(
            "pooling.why.reduction",
            h=h,
            w=w,
            n=h * w,
            oh=oh,
            ow=ow,
            m=oh * ow,
            percent=f"{100 * oh * ow / (h * w):.0f}",
        )
    )
    direction = st.segmented_control(
        t("pooling.why.shift"),
        SHIFTS,
        key=KEYS["shift"],
        format_func=widgets.labels(lambda d: f"pooling.why.shifts.{d}"),
        required=True,
    )
    st.caption(t("pooling.why.shift_help"))
    moved = shifted(grid, direction)
    moved_settings = settings._replace(grid_json=json.dumps(moved.tolist()))
    moved_out = pooled(moved_settings)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(t("pooling.why.original"))
        st.dataframe(widgets.grid_frame(grid), key=f"{P}.why_input")
        st.markdown(t("pooling.why.pooled"))
        st.dataframe(widgets.grid_frame(output), key=f"{P}.why_output")
    with c2:
        st.markdown(t("pooling.why.moved", direction=t(f"pooling.why.shifts.{direction}")))
        st.dataframe(widgets.grid_frame(moved), key=f"{P}.why_moved_input")
        st.markdown(t("pooling.why.pooled_moved"))
        st.dataframe(widgets.grid_frame(moved_out), key=f"{P}.why_moved_output")
    same = int(np.sum(np.isclose(output, moved_out)))
    st.markdown(t("pooling.why.same", same=same, total=output.size))
    st.caption(t(f"pooling.why.note_{settings.method}"))


# ----------------------------------------------------------------------------- the page

_init_state()
st.title(t("pooling.title"))
st.caption(t("pooling.intro"))

col_input, col_settings = st.columns(2, gap="large")
with col_input:
    st.subheader(t("pooling.input.header"))
    grid = input_grid()
with col_settings:
    st.subheader(t("pooling.settings.header"))
    method, kernel, stride, padding, ceil_mode, count_include_pad = pool_settings_controls()

st.subheader(t("pooling.result.header"))
compact = None
settings = None
if grid is not None:
    settings = PoolSettings(
        json.dumps(grid.tolist()), kernel, stride, padding, method, ceil_mode, count_include_pad
    )
    try:
        compact = compact_trace(settings)
    except cc.ArgumentError as err:
        st.error(te(err))
        st.caption(t("pooling.result.impossible"))

if compact is not None and grid is not None and settings is not None:
    h, w = grid.shape
    oh, rows_text = size_line("rows", h, kernel, stride, padding, ceil_mode)
    ow, cols_text = size_line("cols", w, kernel, stride, padding, ceil_mode)
    st.markdown(t("pooling.size.header"))
    st.markdown(f"- {rows_text}\n- {cols_text}")
    st.caption(t("pooling.size.shape", h=h, w=w, oh=oh, ow=ow, n=compact["n_steps"]))
    if method == "max":
        st.caption(t("pooling.result.max_help"))
    else:
        st.caption(t("pooling.result.avg_help"))
    state = step_through(compact, key=f"{P}.stepper", step_key=f"{P}.step", url_param=None)
    code_panel.show_pool_code(settings, key=f"{P}.code")
    output = np.asarray(compact["output"][0])
    why_pooling(grid, settings, output)
