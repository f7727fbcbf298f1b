"""Networks: whole architectures layer by layer, and why residual units, factorised
convolutions and fully convolutional heads work.

Tabs, top to bottom like the screen:

* Build: the depth timeline (AlexNet 8, VGG 19, GoogLeNet 22, ResNet 152 layers, each
  loading its preset), the network picker (LeNet-5, AlexNet and its variants, VGG-16/19,
  an Inception module, ResNet-34/152, the lecture's MNIST model), the layer editor (one row
  per layer: id, kind, inputs, the kind's parameters), the drawing, the per-layer table
  (output shape, weights, biases, BatchNorm's non-trainable values, MACs, receptive field,
  jump) with totals, and one output unit's receptive field over an image.
* Residual learning: one unit x + F(x) stepped through on a small grid, then the gradient
  reaching each layer of a 20-layer plain stack against the same stack with skips.
* Factorised convolution: 3×3 against 1×1 → 1×3 → 3×1, and Sobel as two 1-D passes.
* Dense = convolution: a dense layer as a 7×7 convolution, then slid over a larger input.

Every number is conv_core.networks' (network_summary and the demos); the drawing plan is
ui/teaching/architectures.py's, the figures ui/figures/network.py's.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from conv_core import networks as nets
from ui import widgets
from ui.figures import maps as map_figures
from ui.figures.network import (
    flattened_strip_figure,
    gradient_figure,
    network_figure,
    rf_figure,
)
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching import architectures as arch
from ui.teaching.samples import SAMPLES, load_sample
from ui.teaching.traces import TraceSettings, compact_trace
from ui.widgets.links import page_link
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "network"
KEEP = widgets.KEEP_STATE
PRESET_NAMES = tuple(nets.NETWORK_PRESETS)
KEYS = {n: f"{P}.{n}" for n in ("preset", "sample", "layer", "unit_row", "unit_col")}
RECORDS = f"{P}.records"
#: The editor's rows as last checked without a problem (read by the MNIST page).
BUILT = f"{P}.built"
EDITOR = f"{P}.editor"
ALEXNETS = ("alexnet", "alexnet_grouped", "alexnet_torchvision")
EDITOR_TEXT = tuple(c for c in nets.RECORD_COLUMNS if c not in ("kind", "bias", "activation"))


# ----------------------------------------------------------------------------- cached numbers


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(name: str, h: int, w: int) -> np.ndarray:
    return arch.resize_gray(load_sample(name), (h, w))


@st.cache_data(max_entries=32, show_spinner=False)
def _network(records_json: str) -> tuple[tuple[nets.Layer, ...], list[nets.RecordProblem]]:
    layers, problems = nets.records_to_network(json.loads(records_json))
    return tuple(layers), problems


@st.cache_data(max_entries=32, show_spinner=False)
def _summary(layers: tuple[nets.Layer, ...]) -> nets.NetworkSummary:
    return nets.network_summary(layers)


@st.cache_data(max_entries=1, show_spinner=False)
def _preset_total(name: str) -> int:
    return nets.network_summary(nets.NETWORK_PRESETS[name].layers).trainable


@st.cache_data(max_entries=1, show_spinner=False)
def _gradients() -> nets.ResidualGradients:
    return nets.residual_gradients()


# ----------------------------------------------------------------------------- state


def _load(name: str) -> None:
    ss = st.session_state
    ss[KEYS["preset"]] = name
    ss[RECORDS] = nets.network_to_records(nets.NETWORK_PRESETS[name].layers)
    ss.pop(EDITOR, None)  # the editor's edits belong to the old layers
    for key in ("layer", "unit_row", "unit_col"):
        ss.pop(KEYS[key], None)


def _init_state() -> None:
    ss = st.session_state
    ss.setdefault(KEYS["preset"], "lecture_mnist")
    if RECORDS not in ss:
        _load(ss[KEYS["preset"]])
    ss.setdefault(KEYS["sample"], "digit")


# ----------------------------------------------------------------------------- build tab


def depth_timeline() -> None:
    """AlexNet 8, VGG 19, GoogLeNet 22, ResNet 152 layers: each button loads its network."""
    st.markdown(t("network.timeline.header"))
    columns = st.columns(len(nets.DEPTH_TIMELINE))
    for column, milestone in zip(columns, nets.DEPTH_TIMELINE, strict=True):
        column.button(
            t(
                "network.timeline.button",
                name=milestone.name,
                year=milestone.year,
                depth=milestone.depth,
            ),
            key=f"{P}.timeline.{milestone.preset}",
            on_click=_load,
            args=(milestone.preset,),
            width="stretch",
        )
    st.caption(t("network.timeline.help"))


def layer_editor() -> tuple[nets.Layer, ...] | None:
    """The network picker and the layer editor; the layers (None while a row is bad)."""
    ss = st.session_state
    st.selectbox(
        t("network.editor.preset"),
        PRESET_NAMES,
        key=widgets.translated_choice(KEYS["preset"]),
        format_func=widgets.labels(lambda n: nets.NETWORK_PRESETS[n].title_key),
        on_change=lambda: _load(ss[KEYS["preset"]]),
        persist_state=KEEP,
    )
    name = ss[KEYS["preset"]]
    st.caption(t(nets.NETWORK_PRESETS[name].description_key))
    if name in ALEXNETS:
        st.info(
            t(
                "network.notes.alexnet",
                one_tower=f"{_preset_total('alexnet'):,}",
                grouped=f"{_preset_total('alexnet_grouped'):,}",
                torchvision=f"{_preset_total('alexnet_torchvision'):,}",
            )
        )
    if name == "lecture_mnist":
        st.info(t("network.notes.lecture_mnist"))
    with st.expander(t("network.editor.header"), expanded=False):
        st.caption(t("network.editor.help"))
        frame = arch.records_frame(ss[RECORDS])
        kinds = sorted(nets.LAYER_TYPES)
        config = {
            "kind": st.column_config.SelectboxColumn(
                t("network.columns.kind"), options=kinds, required=True
            ),
            "bias": st.column_config.CheckboxColumn(t("network.columns.bias")),
            "activation": st.column_config.SelectboxColumn(
                t("network.columns.activation"), options=list(nets.ACTIVATION_FUNCTIONS)
            ),
            **{c: st.column_config.TextColumn(t(f"network.columns.{c}")) for c in EDITOR_TEXT},
        }
        edited = st.data_editor(
            frame, key=EDITOR, num_rows="dynamic", column_config=config, width="stretch"
        )
    records = arch.frame_records(edited)
    if not records:
        st.info(t("network.editor.empty"))
        return None
    if len(records) > arch.MAX_LAYERS:
        st.error(t("network.editor.too_many", n=len(records), max=arch.MAX_LAYERS))
        return None
    layers, problems = _network(json.dumps(records, default=str))
    for p in problems:
        column = t(f"network.columns.{p.column}") if p.column else ""
        error = cc.ConvLabError(p.key, **p.params)
        st.error(
            t(
                "network.editor.problem",
                row=p.row + 1,
                id=records[p.row].get("id") or "",
                column=column,
                error=te(error),
            )
        )
    # The MNIST page trains a network built here: it reads the last good layers from here.
    ss[BUILT] = None if problems else records
    return None if problems else layers


def network_drawing(summary: nets.NetworkSummary) -> None:
    st.subheader(t("network.drawing.header"))
    texts = [
        (info.kind, arch.layer_title(info, t), arch.shape_text(info.output_shape))
        for info in summary
    ]
    plan = arch.network_diagram(summary)
    fig = network_figure(plan, texts, identity_label=t("network.drawing.identity"))
    st.plotly_chart(
        fig,
        key=f"{P}.drawing",
        width="content",
        config={"displayModeBar": False, "staticPlot": True},
    )
    st.caption(t("network.drawing.help"))


def layer_table(summary: nets.NetworkSummary) -> None:
    """The per-layer table and the totals under it."""
    st.subheader(t("network.table.header"))
    rows = []
    for info in summary:
        rf = info.receptive_field
        spatial = rf.output_hw is not None
        rows.append(
            {
                t("network.table.index"): info.index,
                t("network.table.id"): info.id,
                t("network.table.layer"): arch.layer_title(info, t)
                if info.index
                else t("network.kinds.input"),
                t("network.table.inputs"): ", ".join(info.inputs),
                t("network.table.output"): arch.shape_text(info.output_shape),
                t("network.table.weights"): f"{info.weights:,}",
                t("network.table.biases"): f"{info.biases:,}",
                t("network.table.non_trainable"): f"{info.non_trainable:,}",
                t("network.table.macs"): f"{info.macs:,}",
                t("network.table.rf"): f"{rf.size[0]} × {rf.size[1]}" if spatial else "",
                t("network.table.jump"): arch.pair_text(rf.jump) if spatial else "",
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        key=f"{P}.table",
        width="stretch",
        height=min(38 + 35 * len(rows), 460),
    )
    st.caption(t("network.table.help"))
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(t("network.totals.trainable"), f"{summary.trainable:,}")
    c2.metric(t("network.totals.non_trainable"), f"{summary.non_trainable:,}")
    c3.metric(t("network.totals.total"), f"{summary.total:,}")
    c4.metric(t("network.totals.macs"), f"{summary.macs:,}")
    c5.metric(t("network.totals.depth"), summary.depth)
    preset = nets.NETWORK_PRESETS[st.session_state[KEYS["preset"]]]
    if (
        summary.trainable == preset.expected_trainable
        and summary.non_trainable == preset.expected_non_trainable
    ):
        st.success(
            t(
                "network.totals.matches",
                name=t(preset.title_key),
                n=f"{preset.expected_trainable:,}",
            )
        )
    else:
        st.caption(
            t("network.totals.edited", name=t(preset.title_key), n=f"{preset.expected_trainable:,}")
        )


def _clamp(key: str, high: int, default: int) -> None:
    ss = st.session_state
    ss[key] = min(max(int(ss.get(key, default)), 0), high)


def _centre_unit() -> None:
    st.session_state.pop(KEYS["unit_row"], None)
    st.session_state.pop(KEYS["unit_col"], None)


def receptive_field_view(summary: nets.NetworkSummary) -> None:
    """One output unit of a chosen layer and the receptive fields before it, over an image."""
    st.subheader(t("network.rf.header"))
    maps = [info for info in summary.layers[1:] if info.receptive_field.output_hw is not None]
    if not maps:
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
    choices = [info.index for info in maps]
    if ss.get(KEYS["layer"]) not in choices:
        ss[KEYS["layer"]] = choices[-1]
    if len(choices) > 1:
        index = st.select_slider(
            t("network.rf.layer"),
            choices,
            key=KEYS["layer"],
            format_func=lambda i: f"{i}: {summary[i].id}",
            on_change=_centre_unit,
        )
    else:
        index = choices[0]
    info = summary[index]
    rf = info.receptive_field
    oh, ow = rf.output_hw
    _clamp(KEYS["unit_row"], oh - 1, oh // 2)
    _clamp(KEYS["unit_col"], ow - 1, ow // 2)
    c1, c2 = st.columns(2)
    ur = int(c1.number_input(t("network.rf.unit_row"), 0, oh - 1, key=KEYS["unit_row"]))
    uc = int(c2.number_input(t("network.rf.unit_col"), 0, ow - 1, key=KEYS["unit_col"]))
    top, left, rh, rw = arch.unit_rect(rf, (ur, uc))
    centre = (top + (rh - 1) / 2, left + (rw - 1) / 2)
    rects, labels, seen = [], [], set()
    for other in maps:
        key = (other.receptive_field.size, other.receptive_field.jump, other.receptive_field.start)
        if other.index >= index or key in seen:
            continue
        seen.add(key)
        rects.append(
            arch.unit_rect(other.receptive_field, arch.nearest_unit(other.receptive_field, centre))
        )
        labels.append(str(other.index))
    rects.append((top, left, rh, rw))
    labels.append(str(index))
    st.markdown(
        t(
            "network.rf.summary",
            layer=index,
            name=arch.layer_title(info, t),
            row=ur,
            col=uc,
            size_r=rh,
            size_c=rw,
            top=top,
            left=left,
            bottom=top + rh - 1,
            right=left + rw - 1,
            jump=arch.pair_text(rf.jump),
        )
    )
    h, w = summary.input_shape[:2]
    if top < 0 or left < 0 or top + rh > h or left + rw > w:
        st.caption(t("network.rf.padding_note"))
    image = _sample(sample, h, w)
    st.plotly_chart(
        rf_figure(image, rects, labels), key=f"{P}.rf_chart", config={"displayModeBar": False}
    )
    widgets.table_alternative(image, label=t("network.rf.sample"), key=f"{P}.rf_chart.table")
    st.caption(t("network.rf.help"))


def build_tab() -> None:
    depth_timeline()
    layers = layer_editor()
    if layers is None:
        return
    try:
        summary = _summary(layers)
    except cc.ConvLabError as err:  # records_to_network reports these first; kept as a guard
        st.error(te(err))
        return
    network_drawing(summary)
    layer_table(summary)
    receptive_field_view(summary)
    # Last on the tab, so that it never moves the elements above between runs.
    page_link("mnist", t("network.mnist.train"))


# ----------------------------------------------------------------------------- residual tab


def _grid(values: np.ndarray, key: str) -> None:
    """A small integer grid, every cell in view (a static table: no scrolling to clip it)."""
    with st.container(key=key):
        st.table(widgets.grid_frame(values))


def residual_tab() -> None:
    st.markdown(t("network.residual.intro"))
    ex = nets.residual_unit_example()
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(t("network.residual.x"))
        _grid(ex.x, f"{P}.res.x")
    with c2:
        st.markdown(t("network.residual.w1"))
        _grid(ex.weight1, f"{P}.res.w1")
    with c3:
        st.markdown(t("network.residual.w2"))
        _grid(ex.weight2, f"{P}.res.w2")
    first, second = ex.conv_arguments()
    for step, args, name in ((1, first, "conv1"), (2, second, "conv2")):
        st.markdown(t(f"network.residual.step{step}"))
        settings = TraceSettings(
            json.dumps(np.asarray(args["x"]).tolist()),
            json.dumps(np.asarray(args["weight"]).tolist()),
            0.0,
            "correlate",
            args["padding"],
            "zeros",
            (1, 1),
            (1, 1),
        )
        step_through(
            compact_trace(settings),
            key=f"{P}.res.{name}",
            step_key=f"{P}.res.{name}.step",
            url_param=None,
        )
        if step == 1:
            st.markdown(t("network.residual.relu"))
            _grid(ex.activated, f"{P}.res.relu")
    st.markdown(t("network.residual.sum"))
    c1, c2, c3 = st.columns(3)
    for column, values, label, key in (
        (c1, ex.x, "network.residual.x", "sum_x"),
        (c2, ex.residual, "network.residual.f", "sum_f"),
        (c3, ex.output, "network.residual.y", "sum_y"),
    ):
        with column:
            st.markdown(t(label))
            _grid(values, f"{P}.res.{key}")

    st.subheader(t("network.residual.gradients_header"))
    g = _gradients()
    st.markdown(
        t(
            "network.residual.gradients_setup",
            depth=g.depth,
            channels=g.channels,
            size=g.size,
            seed=g.seed,
            std=f"{g.weight_std:.4f}",
            scale=f"{g.branch_scale:.3f}",
        )
    )
    st.plotly_chart(
        gradient_figure(
            g.plain,
            g.residual,
            names=(t("network.residual.plain"), t("network.residual.with_skips")),
            x_title=t("network.residual.layer_axis"),
            y_title=t("network.residual.norm_axis"),
        ),
        key=f"{P}.res.gradients",
        config={"displayModeBar": False},
    )
    c1, c2 = st.columns(2)
    c1.metric(t("network.residual.plain_ratio"), f"{g.plain_ratio:.2e}")
    c2.metric(t("network.residual.residual_ratio"), f"{g.residual_ratio:.2f}")
    st.markdown(t("network.residual.why"))


# ----------------------------------------------------------------------------- factorised tab


def _rf_text(size: tuple[int, int]) -> str:
    return f"{size[0]} × {size[1]}"


def factorised_tab() -> None:
    f = nets.factorised_convolution()
    st.markdown(t("network.factorised.intro"))
    steps = f.step_weights
    table = pd.DataFrame(
        {
            t("network.factorised.layer"): [
                t("network.factorised.full"),
                t("network.factorised.one_by_one"),
                t("network.factorised.one_by_three"),
                t("network.factorised.three_by_one"),
                t("network.factorised.total"),
            ],
            t("network.factorised.weights"): [
                f"{f.full_weights:,}",
                f"{steps[0]:,}",
                f"{steps[1]:,}",
                f"{steps[2]:,}",
                f"{f.factorised_weights:,}",
            ],
            t("network.factorised.rf"): [
                _rf_text(f.full_rf),
                *(_rf_text(info.receptive_field.size) for info in f.factorised.layers[1:]),
                _rf_text(f.factorised_rf),
            ],
        }
    )
    st.dataframe(table, hide_index=True, key=f"{P}.fact.table")
    c1, c2 = st.columns(2)
    c1.metric(t("network.factorised.full"), f"{f.full_weights:,}")
    c2.metric(
        t("network.factorised.total"),
        f"{f.factorised_weights:,}",
        delta=f"-{f.full_weights - f.factorised_weights:,}",
        delta_color="inverse",
    )
    st.markdown(t("network.factorised.full_pair", n=f"{f.full_pair_weights[0]:,}"))

    st.subheader(t("network.factorised.sobel_header"))
    grid = np.array([[0, 0, 0, 9, 9, 9]] * 3 + [[0, 0, 9, 9, 9, 9]] * 3)
    s = nets.separable_filter(grid)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(t("network.factorised.input"))
        _grid(grid, f"{P}.fact.grid")
        st.markdown(t("network.factorised.kernel"))
        _grid(s.kernel, f"{P}.fact.kernel")
    with c2:
        st.markdown(t("network.factorised.after_column"))
        _grid(s.after_column, f"{P}.fact.after_column")
        st.markdown(t("network.factorised.two_pass"))
        _grid(s.two_pass, f"{P}.fact.two_pass")
    with c3:
        st.markdown(t("network.factorised.direct"))
        _grid(s.direct, f"{P}.fact.direct")
    same = bool(np.array_equal(s.direct, s.two_pass))
    direct, two = s.multiplications
    (st.success if same else st.error)(
        t(
            "network.factorised.equal" if same else "network.factorised.differ",
            direct=direct,
            two=two,
        )
    )


# ----------------------------------------------------------------------------- dense tab


def dense_tab() -> None:
    d = nets.dense_as_convolution()
    c, k, _ = d.block.shape
    n = d.weight.shape[0]
    st.markdown(t("network.dense.intro", c=c, k=k, n=n, inputs=c * k * k))
    scores = pd.DataFrame(
        {
            t("network.dense.class"): list(range(n)),
            t("network.dense.matrix"): [f"{v:g}" for v in d.dense_scores],
            t("network.dense.convolution", k=k): [f"{v:g}" for v in d.conv_scores],
        }
    )
    st.dataframe(scores, hide_index=True, key=f"{P}.dense.scores")
    same = bool(np.array_equal(d.dense_scores, d.conv_scores))
    (st.success if same else st.error)(t("network.dense.equal" if same else "network.dense.differ"))
    side = d.large.shape[1]
    st.markdown(t("network.dense.sliding", side=side, k=k, out=d.score_map.shape[1], n=n))
    columns = st.columns(n)
    for i, column in enumerate(columns):
        with column:
            st.markdown(t("network.dense.map", i=i))
            _grid(d.score_map[i], f"{P}.dense.map{i}")
    same_map = bool(np.array_equal(d.score_map, d.window_scores))
    (st.success if same_map else st.error)(
        t("network.dense.map_equal" if same_map else "network.dense.map_differ")
    )


# ------------------------------------------------------------------------ why convolution


@st.cache_data(max_entries=2, show_spinner=False)
def _flattened_digit() -> nets.FlattenedShift:
    digit = np.rint(load_sample("digit", as_gray=True)).astype(np.int64)
    return nets.flattened_shift(digit, cc.get_kernel("sobel_x").matrix, shift=(0, 1))


def why_convolution_tab() -> None:
    """The notes' opening: a flattened digit against a convolution, for a one-pixel move."""
    f = _flattened_digit()
    h, w = f.image.shape
    st.markdown(t("network.why.intro", h=h, w=w, n=h * w))
    small = {"config": {"displayModeBar": False}, "width": "content"}
    cols = st.columns(4)
    for col, image, key in ((cols[0], f.image, "digit"), (cols[1], f.shifted, "shifted")):
        col.plotly_chart(
            map_figures.image_figure(
                np.clip(image, 0, 255).astype(np.uint8),
                title=t(f"network.why.{key}"),
                height=240,
            ),
            key=f"{P}.why.{key}",
            **small,
        )
    for col, values, key in (
        (cols[2], f.feature_map, "map"),
        (cols[3], f.shifted_map, "shifted_map"),
    ):
        col.plotly_chart(
            map_figures.feature_map_figure(
                values, "symmetric", title=t(f"network.why.{key}"), height=240, colorbar=False
            ),
            key=f"{P}.why.{key}",
            **small,
        )
    # a pixel of the stroke with ink below it: neighbours in the picture, 28 apart in the vector
    ink = np.argwhere((f.image[:-1] > 0) & (f.image[1:] > 0))
    r, c = (int(v) for v in ink[len(ink) // 2])
    p = r * w + c
    st.plotly_chart(
        flattened_strip_figure(
            [f.vector, f.shifted_vector],
            [t("network.why.digit"), t("network.why.shifted")],
            marks=[(p, f"({r}, {c})"), (p + w, f"({r + 1}, {c})")],
            changed=f.vector != f.shifted_vector,
            changed_label=t("network.why.changed_row"),
        ),
        key=f"{P}.why.strip",
        config={"displayModeBar": False},
    )
    st.markdown(
        t(
            "network.why.vector",
            n=h * w,
            changed=f.changed,
            r=r,
            c=c,
            p=p,
            q=p + w,
            gap=f.neighbour_gap,
        )
    )
    (st.success if f.maps_match else st.error)(
        t("network.why.maps_match" if f.maps_match else "network.why.maps_differ")
    )
    st.markdown(t("network.why.assumptions"))
    widgets.table_alternatives(
        [
            (t("network.why.digit"), f.image),
            (t("network.why.shifted"), f.shifted),
            (t("network.why.map"), f.feature_map),
            (t("network.why.shifted_map"), f.shifted_map),
            (t("network.why.vectors"), np.vstack([f.vector, f.shifted_vector])),
            (t("network.why.changed_row"), (f.vector != f.shifted_vector).astype(int)[None]),
        ],
        label=t("network.why.tables"),
        key=f"{P}.why",
    )


# ----------------------------------------------------------------------------- the page

_init_state()
st.title(t("network.title"))
st.caption(t("network.intro"))
build, residual, factorised, dense, why = st.tabs(
    [
        t("network.tabs.build"),
        t("network.tabs.residual"),
        t("network.tabs.factorised"),
        t("network.tabs.dense"),
        t("network.tabs.why"),
    ]
)
with build:
    build_tab()
with residual:
    residual_tab()
with factorised:
    factorised_tab()
with dense:
    dense_tab()
with why:
    why_convolution_tab()
