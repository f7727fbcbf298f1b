"""Network stack: a stack of conv / pool / ReLU layers, its shapes, parameters and receptive field.

Top to bottom like the screen: a preset picker (the lecture's Keras model, LeNet-5, AlexNet,
VGG-16) that fills the input size and the layer editor (st.data_editor: type, kernel,
stride, padding, filters); the layer table (output shape, parameters, receptive field,
dense comparison) with totals; and the receptive field of one output unit drawn over a
sample image, with a layer slider. The numbers are conv_core.shapes' (ui/teaching/network_stack.py).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures.network import rf_figure
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching import network_stack as ns
from ui.teaching.samples import SAMPLES, load_sample

leave_legacy_pages()

P = "network"
KEEP = widgets.KEEP_STATE
PRESET_NAMES = tuple(ns.PRESETS)
KEYS = {
    n: f"{P}.{n}"
    for n in ("preset", "height", "width", "channels", "sample", "layer", "unit_row", "unit_col")
}
RECORDS = f"{P}.records"
EDITOR = f"{P}.editor"


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(name: str, h: int, w: int):
    return ns.resize_gray(load_sample(name), (h, w))


def _apply_preset() -> None:
    ss = st.session_state
    net = ns.PRESETS[ss[KEYS["preset"]]]
    ss[KEYS["height"]], ss[KEYS["width"]], ss[KEYS["channels"]] = net.input_hwc
    ss[RECORDS] = ns.layers_to_records(net.layers)
    ss.pop(EDITOR, None)  # the editor's edits belong to the old layers
    ss[KEYS["layer"]] = len(net.layers)
    ss.pop(KEYS["unit_row"], None)
    ss.pop(KEYS["unit_col"], None)


def _init_state() -> None:
    ss = st.session_state
    ss.setdefault(KEYS["preset"], "lecture")
    if RECORDS not in ss:
        _apply_preset()
    net = ns.PRESETS[ss[KEYS["preset"]]]
    for key, value in zip(("height", "width", "channels"), net.input_hwc, strict=True):
        ss.setdefault(KEYS[key], value)
    ss.setdefault(KEYS["sample"], "digit")


def layer_editor() -> tuple[tuple[int, int, int], list[ns.Layer] | None]:
    """Preset, input size and the layer editor; the layers (None while a cell is bad)."""
    st.selectbox(
        t("network.editor.preset"),
        PRESET_NAMES,
        key=widgets.translated_choice(KEYS["preset"]),
        format_func=widgets.labels(lambda n: ns.PRESETS[n].title_key),
        on_change=_apply_preset,
        persist_state=KEEP,
    )
    st.caption(t(f"network.notes.{st.session_state[KEYS['preset']]}"))
    c1, c2, c3 = st.columns(3)
    h = c1.number_input(t("network.editor.height"), 1, ns.MAX_INPUT, key=KEYS["height"])
    w = c2.number_input(t("network.editor.width"), 1, ns.MAX_INPUT, key=KEYS["width"])
    c = c3.number_input(t("network.editor.channels"), 1, 512, key=KEYS["channels"])
    st.caption(t("network.editor.help"))
    frame = pd.DataFrame(st.session_state[RECORDS], columns=list(ns.COLUMNS))
    for col in ns.COLUMNS[1:]:
        numbers = pd.to_numeric(frame[col], errors="coerce")
        whole = numbers.isna() | (numbers == numbers.round())
        frame[col] = numbers.astype("Int64" if whole.all() else "Float64")
    cfg = {
        "type": st.column_config.SelectboxColumn(
            t("network.editor.type"), options=list(ns.KINDS), required=True
        ),
        **{
            col: st.column_config.NumberColumn(
                t(f"network.editor.{col}"), min_value=low, max_value=high, step=1
            )
            for col, (low, high) in ns.LIMITS.items()
        },
    }
    edited = st.data_editor(
        frame, key=EDITOR, num_rows="dynamic", column_config=cfg, width="stretch"
    )
    records = edited.astype(object).where(edited.notna(), None).to_dict("records")
    layers, problems = ns.records_to_layers(records)
    for p in problems:
        st.error(
            t(
                f"network.editor.{p.reason}",
                row=p.row + 1,
                column=t(f"network.editor.{p.column}"),
                low=p.low,
                high=p.high,
            )
        )
    if len(layers) > ns.MAX_LAYERS:
        st.error(t("network.editor.too_many", n=len(layers), max=ns.MAX_LAYERS))
        return (int(h), int(w), int(c)), None
    return (int(h), int(w), int(c)), (None if problems else layers)


def _shape(hwc: tuple[int, int, int]) -> str:
    return f"{hwc[0]} × {hwc[1]} × {hwc[2]}"


def _layer_name(lay: ns.Layer) -> str:
    return t(
        f"network.table.kinds.{lay.kind}",
        k=lay.kernel,
        s=lay.stride,
        p=lay.padding,
        f=lay.filters,
    )


def layer_table(input_hwc: tuple[int, int, int], rows: list[ns.Row]) -> None:
    """The per-layer table and the totals."""
    table = [
        {
            t("network.table.index"): 0,
            t("network.table.layer"): t("network.table.input"),
            t("network.table.output"): _shape(input_hwc),
            t("network.table.params"): "0",
            t("network.table.rf"): "1 × 1",
            t("network.table.jump"): "1",
            t("network.table.dense"): "",
        }
    ]
    for r in rows:
        table.append(
            {
                t("network.table.index"): r.index + 1,
                t("network.table.layer"): _layer_name(r.layer),
                t("network.table.output"): _shape(r.out_hwc),
                t("network.table.params"): f"{r.params:,}",
                t("network.table.rf"): f"{r.rf_size[0]} × {r.rf_size[1]}",
                t("network.table.jump"): str(r.rf.jump[0]) if r.rf else "1",
                t("network.table.dense"): "" if r.dense_params is None else f"{r.dense_params:,}",
            }
        )
    st.dataframe(pd.DataFrame(table), hide_index=True, key=f"{P}.table", width="stretch")
    st.caption(t("network.table.help"))
    total = ns.total_params(rows)
    dense = ns.total_dense(rows)
    out = rows[-1].out_hwc if rows else input_hwc
    c1, c2, c3 = st.columns(3)
    c1.metric(t("network.totals.params"), f"{total:,}")
    c2.metric(t("network.totals.dense"), ns.short_count(dense), help=f"{dense:,}")
    c3.metric(t("network.totals.output"), _shape(out))
    if total and dense:
        st.markdown(t("network.totals.ratio", ratio=f"{dense / total:,.0f}"))
    st.caption(
        t(
            "network.totals.sizes",
            n_in=f"{input_hwc[0] * input_hwc[1] * input_hwc[2]:,}",
            n_out=f"{out[0] * out[1] * out[2]:,}",
        )
    )


def _centre_unit() -> None:
    """A new layer: look at its centre unit again."""
    st.session_state.pop(KEYS["unit_row"], None)
    st.session_state.pop(KEYS["unit_col"], None)


def _clamp(key: str, high: int, default: int) -> None:
    ss = st.session_state
    ss[key] = min(max(int(ss.get(key, default)), 0), high)


def receptive_field_view(input_hwc: tuple[int, int, int], rows: list[ns.Row]) -> None:
    """The receptive field of one output unit of a chosen layer over a sample image."""
    st.subheader(t("network.rf.header"))
    spatial = [r for r in rows if r.rf is not None]
    if not spatial:
        st.info(t("network.rf.no_layers"))
        return
    ss = st.session_state
    sample = st.selectbox(
        t("network.rf.sample"),
        tuple(SAMPLES),
        key=widgets.translated_choice(KEYS["sample"]),
        format_func=widgets.labels(lambda n: SAMPLES[n].title_key),
        persist_state=KEEP,
    )
    n = len(rows)
    ss[KEYS["layer"]] = min(max(int(ss.get(KEYS["layer"], n)), 1), n)
    if n > 1:
        layer = st.slider(t("network.rf.layer"), 1, n, key=KEYS["layer"], on_change=_centre_unit)
    else:
        layer = 1
    row = rows[layer - 1]
    rf = row.rf
    if rf is None:  # only ReLU rows so far: the input pixel itself
        st.info(t("network.rf.no_layers"))
        return
    oh, ow = rf.output_hw or (1, 1)
    _clamp(KEYS["unit_row"], oh - 1, oh // 2)
    _clamp(KEYS["unit_col"], ow - 1, ow // 2)
    c1, c2 = st.columns(2)
    ur = c1.number_input(t("network.rf.unit_row"), 0, oh - 1, key=KEYS["unit_row"])
    uc = c2.number_input(t("network.rf.unit_col"), 0, ow - 1, key=KEYS["unit_col"])
    top, left, rh, rw = ns.unit_rect(rf, (int(ur), int(uc)))
    centre = (top + (rh - 1) / 2, left + (rw - 1) / 2)
    rects, labels = [], []
    seen: set[int] = set()
    for r in spatial:
        if r.index >= row.index + 1 or id(r.rf) in seen:
            continue
        seen.add(id(r.rf))
        unit = (int(ur), int(uc)) if r.rf is rf else ns.nearest_unit(r.rf, centre)
        rects.append(ns.unit_rect(r.rf, unit))
        labels.append(str(r.index + 1))
    st.markdown(
        t(
            "network.rf.summary",
            layer=layer,
            name=_layer_name(row.layer),
            row=int(ur),
            col=int(uc),
            size_r=rh,
            size_c=rw,
            top=top,
            left=left,
            bottom=top + rh - 1,
            right=left + rw - 1,
            jump=rf.jump[0],
        )
    )
    h, w = input_hwc[:2]
    if top < 0 or left < 0 or top + rh > h or left + rw > w:
        st.caption(t("network.rf.padding_note"))
    image = _sample(sample, h, w)
    fig = rf_figure(image, rects, labels)
    st.plotly_chart(fig, key=f"{P}.rf_chart", config={"displayModeBar": False})
    widgets.table_alternative(image, label=t("network.rf.sample"), key=f"{P}.rf_chart.table")
    st.caption(t("network.rf.help"))


# ----------------------------------------------------------------------------- the page

_init_state()
st.title(t("network.title"))
st.caption(t("network.intro"))

st.subheader(t("network.editor.header"))
input_hwc, layers = layer_editor()

st.subheader(t("network.table.header"))
rows: list[ns.Row] | None = None
if layers is not None:
    if not layers:
        st.info(t("network.editor.empty"))
    else:
        try:
            rows = ns.layer_rows(input_hwc, layers)
        except cc.ArgumentError as err:
            bad = ns.first_bad_layer(input_hwc, layers)
            st.error(t("network.table.bad_layer", n=bad + 1, error=te(err)))
            st.caption(t("network.table.impossible"))
if rows:
    layer_table(input_hwc, rows)
    receptive_field_view(input_hwc, rows)
