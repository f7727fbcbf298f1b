"""MNIST: a deeper network (TinyVGG) on real 28x28 digits, the whole network in view.

Reads top to bottom like the screen: the input digit (drawn and preprocessed as MNIST was,
a test digit, or a photo); the network's answer; the overview of every layer's feature
maps for this digit, in order, with shapes (click a map, or pick it, to explain it); the
chosen map explained (a convolution's input maps each with its own kernel, the
intermediate maps, their sum plus the bias, stepped through in the stepper for the chosen
output pixel; ReLU; max pooling); the flatten, dense and softmax layers with their
numbers; the training digits and patches each filter of block 1 and block 2 answers most;
how the shipped weights were trained. The numbers all come from conv_core.tinyvgg.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from conv_core import stacknet as sn
from conv_core.mnist import mnist_preprocess, photo_to_mnist
from conv_core.networks import lenet5, network_to_records, records_to_network
from conv_core.tinyvgg import CONV_LAYERS, TinyVGGForward, tinyvgg_layers
from ui import widgets
from ui.components.draw_grid import draw_grid
from ui.figures.cnn import bars_figure, percent_text, vector_figure
from ui.figures.tinyvgg import MapRow, clicked_map, overview_figure, strip_figure
from ui.frame.i18n import t, te
from ui.frame.jobs import TRAINING_JOBS, TRAINING_WAIT_S, JobTimeout
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching.mnist_cache import forward_digit
from ui.teaching.mnist_models import (
    BLOCK_LAYERS,
    MAP_LAYERS,
    conv_parts,
    data,
    layer_shape,
    output_window,
    shipped,
    top_examples,
)
from ui.teaching.traces import PoolSettings, TraceSettings, compact_trace
from ui.widgets.links import page_link
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "mnist"
KEEP = widgets.KEEP_STATE
SOURCES = ("sample", "draw", "upload")
DRAW_SIDE = 28
#: The layers one can explain (every map row but the input).
EXPLAINED = MAP_LAYERS[1:]
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "source", "draw", "sample", "layer", "map", "row", "col", "step", "chart", "block",
        "t_epochs", "t_lr", "t_seed", "mine",
    )
}  # fmt: skip
#: Where the Network page keeps its layers (all rows, and the rows last checked good).
NETWORK_RECORDS, NETWORK_BUILT, NETWORK_EDITOR = (
    "network.records",
    "network.built",
    "network.editor",
)
MAX_EPOCHS = 5
LEARNING_RATES = (0.001, 0.003, 0.005, 0.01, 0.03)
DEFAULTS = {
    "source": "sample",
    # The first test digit that is a 7.
    "sample": int(np.flatnonzero(data().test_labels == 7)[0]),
    "layer": "conv_1_2",
    "map": 1,
    "row": 12,
    "col": 12,
    "block": 1,
    "t_epochs": 2,
    "t_lr": 0.005,
    "t_seed": 0,
}


def row_tables(rows: list[MapRow], key: str) -> None:
    """A figure's numbers for screen readers: one collapsed expander per row of grids, each
    grid a table (built only while open)."""
    for i, row in enumerate(rows):
        expander = widgets.table_expander(row.title, key=f"{key}.numbers.{i}")
        if expander is None:
            continue
        with expander:
            for j, grid in enumerate(row.maps):
                frame, _ = widgets.table_alt_frame(grid)
                st.table(frame, alt=f"{row.title} {j + 1}")


def _grid_kind(layer: str) -> str:
    return "signed" if layer.startswith("conv") else "ink"


# ----------------------------------------------------------------------------- input


def _random_sample() -> None:
    st.session_state[KEYS["sample"]] = int(
        np.random.default_rng().integers(len(data().test_labels))
    )


def input_digit() -> tuple[np.ndarray | None, int | None]:
    """The 28x28 grey digit (uint8) the network reads, and its label when known."""
    source = widgets.choice_buttons(
        "mnist.input.source",
        SOURCES,
        key=KEYS["source"],
        option_key=lambda s: f"mnist.input.sources.{s}",
    )
    if source == "sample":
        split = data()
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        index = int(
            c1.number_input(
                t("mnist.input.sample"),
                0,
                len(split.test_labels) - 1,
                key=KEYS["sample"],
                help=t("mnist.input.sample_help"),
                persist_state=KEEP,
            )
        )
        c2.button(t("mnist.input.random"), key=f"{P}.random", on_click=_random_sample)
        label = int(split.test_labels[index])
        st.caption(t("mnist.input.sample_label", label=label))
        return np.asarray(split.test_images[index]), label
    if source == "draw":
        st.caption(t("mnist.input.draw_help"))
        bitmap = draw_grid(key=KEYS["draw"], rows=DRAW_SIDE, cols=DRAW_SIDE, height_px=340)
        if not bitmap.any():
            st.info(t("mnist.input.empty"), icon=":material/draw:")
        return mnist_preprocess(bitmap), None
    st.caption(t("mnist.input.upload_help"))
    pick = widgets.image_upload(P, as_gray=True, max_side=512)
    if pick is None:
        return None, None
    try:
        digit = photo_to_mnist(pick.array)
    except cc.ConvLabError as err:
        st.error(te(err))
        return None, None
    if not digit.any():
        st.warning(t("mnist.input.upload_bad"))
    return digit, None


def answer(fwd: TinyVGGForward, label: int | None) -> None:
    """The prediction, its probability, the shipped weights' accuracy and training time."""
    net = shipped()
    probs = fwd.probs
    digit = fwd.prediction
    st.markdown(
        "### " + t("mnist.answer.says", digit=digit, percent=percent_text(float(probs[digit])))
    )
    if label is not None:
        ok = label == digit
        (st.success if ok else st.warning)(
            t("mnist.answer.right" if ok else "mnist.answer.wrong", label=label)
        )
    meta = net.meta
    st.caption(
        t(
            "mnist.answer.accuracy",
            accuracy=percent_text(net.test_accuracy),
            right=net.right,
            total=len(data().test_labels),
            seconds=f"{meta['training_seconds']:.0f}",
            epochs=meta["epochs"],
            per_epoch=f"{np.median(meta['epoch_seconds']):.1f}",
        )
    )
    st.plotly_chart(
        bars_figure(
            probs,
            highlight=digit,
            percent=True,
            title=t("mnist.answer.probs_title"),
            axis_label=t("mnist.answer.digit"),
            height=260,
        ),
        key=f"{P}.probs",
        config={"displayModeBar": False},
    )


# ----------------------------------------------------------------------------- overview


def _on_map_click() -> None:
    picked = clicked_map(st.session_state.get(KEYS["chart"]))
    if picked is not None and picked[0] >= 1:
        st.session_state[KEYS["layer"]] = MAP_LAYERS[picked[0]]
        st.session_state[KEYS["map"]] = picked[1] + 1


def overview(fwd: TinyVGGForward, layer: str, f: int) -> None:
    """Every layer's maps for this digit, one row per layer, with shapes; clickable."""
    summary = shipped().summary
    stages = " → ".join(f"{info.id} {layer_shape(summary, info.id)}" for info in summary)
    st.markdown(t("mnist.overview.shapes", stages=stages))
    rows = [
        MapRow(
            t("mnist.overview.row", layer=name, shape=layer_shape(summary, name)),
            list(fwd.layers[name]),
            "signed" if name.startswith("conv") else "ink",
        )
        for name in MAP_LAYERS
    ]
    st.plotly_chart(
        overview_figure(
            rows, selected=(MAP_LAYERS.index(layer), f), hover_map=t("mnist.overview.map")
        ),
        key=KEYS["chart"],
        config={"displayModeBar": False},
        on_select=_on_map_click,
        selection_mode="points",
    )
    name = MAP_LAYERS[MAP_LAYERS.index(layer)]
    widgets.table_alternative(
        fwd.layers[name][f],
        label=t("mnist.overview.chosen", layer=name, f=f + 1),
        key=f"{P}.chart.chosen",
    )
    tail = " → ".join(
        f"{name} {layer_shape(summary, name)}" for name in ("flatten", "output", "softmax")
    )
    st.caption(t("mnist.overview.tail", tail=tail, params=f"{summary.trainable:,}"))


# ----------------------------------------------------------------------------- explanation


def _pixel(out_hw: tuple[int, int]) -> tuple[int, int]:
    """The output pixel row/col inputs, clamped to this map."""
    h, w = out_hw
    for key, top in (("row", h - 1), ("col", w - 1)):
        st.session_state[KEYS[key]] = min(max(int(st.session_state[KEYS[key]]), 0), top)
    c1, c2 = st.columns(2)
    r = int(c1.number_input(t("mnist.explain.row"), 0, h - 1, key=KEYS["row"]))
    c = int(c2.number_input(t("mnist.explain.col"), 0, w - 1, key=KEYS["col"]))
    return r, c


def _step_to(index: int, what: tuple) -> None:
    """Point the stepper at ``index`` when the explained pixel changed (else keep its step)."""
    if st.session_state.get(f"{P}.step_for") != what:
        st.session_state[f"{P}.step_for"] = what
        st.session_state[KEYS["step"]] = index


def _n(v: float) -> str:
    return f"{v:.3f}"


def _sum_text(values: list[float]) -> str:
    """``0.120 + 0.004 − 0.031``: the terms of a sum, each sign written once."""
    text = _n(values[0])
    for v in values[1:]:
        text += f" − {_n(-v)}" if v < 0 else f" + {_n(v)}"
    return text


def explain_conv(fwd: TinyVGGForward, layer: str, f: int) -> None:
    model = shipped().model
    parts = conv_parts(model, fwd, layer, f)
    prev = MAP_LAYERS[MAP_LAYERS.index(layer) - 1]
    c_in = len(parts.inputs)
    st.markdown(t("mnist.explain.conv_intro", layer=layer, f=f + 1, c=c_in, prev=prev))
    total = sum(parts.partials)
    rows = [
        MapRow(t("mnist.explain.inputs_row", prev=prev), parts.inputs, _grid_kind(prev)),
        MapRow(t("mnist.explain.kernels_row"), parts.kernels, "signed"),
        MapRow(t("mnist.explain.partials_row"), parts.partials, "signed"),
    ]
    st.plotly_chart(
        strip_figure(rows, panel_px=64 if c_in > 1 else 120, hover_map=t("mnist.overview.map")),
        key=f"{P}.parts",
        config={"displayModeBar": False},
    )
    row_tables(rows, f"{P}.parts")
    sums = [
        MapRow(t("mnist.explain.sum_row", c=c_in), [total], "signed"),
        MapRow(
            t("mnist.explain.out_row", bias=_n(parts.bias), layer=layer), [parts.output], "signed"
        ),
    ]
    st.plotly_chart(
        strip_figure(sums, panel_px=150), key=f"{P}.sum", config={"displayModeBar": False}
    )
    row_tables(sums, f"{P}.sum")
    r, c = _pixel(parts.output.shape)
    terms = _sum_text([float(p[r, c]) for p in parts.partials])
    st.markdown(
        t(
            "mnist.explain.conv_line",
            layer=layer,
            f=f + 1,
            r=r,
            c=c,
            terms=terms,
            bias=_n(parts.bias),
            out=_n(float(parts.output[r, c])),
        )
    )
    top, left, bh, bw = output_window(parts.output.shape, r, c)
    x = np.stack(parts.inputs)[:, top : top + bh + 2, left : left + bw + 2]
    st.markdown("#### " + t("mnist.explain.step_header"))
    st.caption(
        t("mnist.explain.step_help", top=top, bottom=top + bh - 1, left=left, right=left + bw - 1)
    )
    settings = TraceSettings(
        json.dumps(x.tolist()),
        json.dumps(np.stack(parts.kernels).tolist()),
        parts.bias,
        "conv2d",
        0,
        "zeros",
        (1, 1),
        (1, 1),
    )
    try:
        compact = compact_trace(settings)
    except cc.ArgumentError as err:
        st.error(te(err))
        return
    _step_to((r - top) * bw + (c - left), (layer, f, r, c))
    step_through(
        compact,
        key=f"{P}.stepper",
        step_key=KEYS["step"],
        url_param=None,
        channel_names=[str(k + 1) for k in range(c_in)],
    )


def explain_relu(fwd: TinyVGGForward, layer: str, f: int) -> None:
    conv = layer.replace("relu", "conv")
    before, after = fwd.layers[conv][f], fwd.layers[layer][f]
    st.markdown(t("mnist.explain.relu_intro", conv=conv, f=f + 1))
    rows = [MapRow(conv, [before], "signed"), MapRow(layer, [after], "ink")]
    st.plotly_chart(
        strip_figure(rows, panel_px=150), key=f"{P}.relu", config={"displayModeBar": False}
    )
    row_tables(rows, f"{P}.relu")
    r, c = _pixel(after.shape)
    st.markdown(
        t(
            "mnist.explain.relu_line",
            r=r,
            c=c,
            z=_n(float(before[r, c])),
            out=_n(float(after[r, c])),
        )
    )


def explain_pool(fwd: TinyVGGForward, layer: str, f: int) -> None:
    block = layer[-1]
    source = f"relu_{block}_2"
    grid, out = fwd.layers[source][f], fwd.layers[layer][f]
    st.markdown(t("mnist.explain.pool_intro", source=source, f=f + 1))
    r, c = _pixel(out.shape)
    window = grid[2 * r : 2 * r + 2, 2 * c : 2 * c + 2]
    st.markdown(
        t(
            "mnist.explain.pool_line",
            r=r,
            c=c,
            values=", ".join(_n(float(v)) for v in window.ravel()),
            out=_n(float(out[r, c])),
        )
    )
    settings = PoolSettings(json.dumps(grid.tolist()), 2, 2, 0, "max", False, True)
    compact = compact_trace(settings)
    _step_to(r * out.shape[1] + c, (layer, f, r, c))
    step_through(compact, key=f"{P}.pool_stepper", step_key=KEYS["step"], url_param=None)


def explanation(fwd: TinyVGGForward) -> tuple[str, int]:
    """The map chooser (the same choice a click on the overview makes) and its explanation."""
    n = shipped().model.n_filters
    summary = shipped().summary
    c1, c2 = st.columns([1, 2])
    layer = c1.selectbox(
        t("mnist.explain.layer"),
        EXPLAINED,
        key=KEYS["layer"],
        format_func=lambda name: f"{name} ({layer_shape(summary, name)})",
    )
    f = (
        int(
            c2.segmented_control(
                t("mnist.explain.map"), list(range(1, n + 1)), key=KEYS["map"], required=True
            )
        )
        - 1
    )
    return layer, f


def dense_views(fwd: TinyVGGForward) -> None:
    """Flatten, the dense layer and softmax, each with its numbers."""
    model = shipped().model
    summary = shipped().summary
    flat, scores, probs = fwd.layers["flatten"], fwd.layers["output"], fwd.probs
    n = model.n_filters
    st.markdown("#### " + t("mnist.dense.flatten_header", n=flat.size))
    st.caption(t("mnist.dense.flatten_help", f=n, shape=layer_shape(summary, "max_pool_2")))
    st.plotly_chart(
        vector_figure(
            flat,
            flat.size // n,
            group_label=t("mnist.overview.map"),
            value_label=t("mnist.dense.value"),
        ),
        key=f"{P}.flat",
        config={"displayModeBar": False},
    )
    widgets.table_alternative(flat.reshape(n, -1), label="flatten", key=f"{P}.flat.table")
    digit = fwd.prediction
    st.markdown("#### " + t("mnist.dense.dense_header", n=flat.size))
    contrib = model.fc_weight[digit] * flat
    order = np.argsort(-np.abs(contrib))[:5]
    terms = " + ".join(f"({_n(model.fc_weight[digit, i])}·{_n(flat[i])})" for i in order)
    st.markdown(
        t(
            "mnist.dense.dense_line",
            d=digit,
            terms=terms,
            rest=_n(float(contrib.sum() - contrib[order].sum())),
            bias=_n(float(model.fc_bias[digit])),
            score=_n(float(scores[digit])),
        )
    )
    st.markdown("#### " + t("mnist.dense.softmax_header"))
    exps = np.exp(scores - scores.max())
    table = pd.DataFrame(
        {
            t("mnist.answer.digit"): list(range(10)),
            t("mnist.dense.score"): np.round(scores, 3),
            t("mnist.dense.exp"): np.round(exps, 4),
            t("mnist.dense.prob"): [percent_text(float(p)) for p in probs],
        }
    )
    st.caption(t("mnist.dense.softmax_help", total=_n(float(exps.sum()))))
    st.dataframe(table, hide_index=True, key=f"{P}.softmax")


# ----------------------------------------------------------------------------- features


def features() -> None:
    """For each filter of a block, its strongest training digits and their patches."""
    block = int(
        st.segmented_control(
            t("mnist.features.block"),
            [1, 2],
            key=KEYS["block"],
            required=True,
            format_func=lambda b: t(f"mnist.features.block_{b}"),
        )
    )
    layer = BLOCK_LAYERS[block]
    summary = shipped().summary
    rf = summary[layer].receptive_field
    st.caption(t("mnist.features.help", layer=layer, size=rf.size[0]))
    with st.spinner(t("mnist.features.computing")):
        examples = top_examples(layer)
    digits = data().train_images
    c1, c2 = st.columns(2)
    rows = [
        MapRow(
            t("mnist.features.filter", f=f + 1),
            [np.asarray(digits[i], dtype=np.float64) for i in ex.indices],
            "ink",
            boxes=ex.boxes,
        )
        for f, ex in enumerate(examples)
    ]
    c1.markdown("**" + t("mnist.features.digits") + "**")
    c1.plotly_chart(
        strip_figure(rows, panel_px=52), key=f"{P}.feat_digits", config={"displayModeBar": False}
    )
    patches = [
        MapRow(t("mnist.features.filter", f=f + 1), ex.patches, "ink")
        for f, ex in enumerate(examples)
    ]
    c2.markdown("**" + t("mnist.features.patches", size=rf.size[0]) + "**")
    c2.plotly_chart(
        strip_figure(patches, panel_px=52),
        key=f"{P}.feat_patches",
        config={"displayModeBar": False},
    )
    with c2:
        row_tables(patches, f"{P}.feat_patches")


# ----------------------------------------------------------------------------- your own


def _start_from(layers: tuple) -> None:
    """Put these layers into the Network page's editor (and mark them checked)."""
    records = network_to_records(layers)
    st.session_state[NETWORK_RECORDS] = records
    st.session_state[NETWORK_BUILT] = records
    st.session_state.pop(NETWORK_EDITOR, None)


def run_training(net: sn.StackNet, records: list, epochs: int, lr: float, seed: int) -> None:
    """Train ``net`` through the server's job queue, with a progress bar; keep it in the session."""
    note = st.empty()
    bar = st.progress(0.0)

    def waiting(place: int) -> None:
        note.info(t("mnist.own.queued", n=place), icon=":material/hourglass_top:")

    def job() -> tuple[sn.StackNet, list[sn.StackProgress]]:
        note.empty()
        ends = []
        for model, p in sn.train_stack(net, data(), epochs=epochs, lr=lr, seed=seed):
            done = (p.epoch - 1 + p.batch / p.batches) / p.epochs
            bar.progress(
                min(1.0, done),
                text=t("mnist.own.progress", epoch=p.epoch, epochs=p.epochs, loss=f"{p.loss:.3f}"),
            )
            if p.test_accuracy is not None:
                ends.append(p)
                trained = model
        return trained, ends

    started = time.monotonic()
    try:
        model, ends = TRAINING_JOBS.run(job, on_wait=waiting, timeout_s=TRAINING_WAIT_S)
    except JobTimeout:
        note.warning(t("mnist.own.busy"))
        return
    st.session_state[KEYS["mine"]] = {
        "records": records,
        "model": model,
        "accuracy": ends[-1].test_accuracy,
        "seconds": time.monotonic() - started,
        "epochs": epochs,
    }
    bar.progress(1.0)


def own_network(digit: np.ndarray | None) -> None:
    """Train a stack built on the Network page; its answer and maps for the current digit."""
    st.caption(
        t("mnist.own.help", params=f"{sn.MAX_PARAMS:,}", macs=f"{sn.MAX_MACS:,}", epochs=MAX_EPOCHS)
    )
    c1, c2, c3 = st.columns(3)
    c1.button(t("mnist.own.tinyvgg"), key=f"{P}.own.tinyvgg", on_click=_start_from,
              args=(tinyvgg_layers(10),))  # fmt: skip
    c2.button(t("mnist.own.lenet5"), key=f"{P}.own.lenet5", on_click=_start_from,
              args=(lenet5(),))  # fmt: skip
    with c3:
        page_link("network", t("mnist.own.open_network"))
    records = st.session_state.get(NETWORK_BUILT)
    if not records:
        st.info(t("mnist.own.none"), icon=":material/account_tree:")
        return
    layers, problems = records_to_network(records)
    try:
        if problems:
            raise cc.ConvLabError(problems[0].key, **problems[0].params)
        net = sn.build_stack(layers, seed=int(st.session_state[KEYS["t_seed"]]))
    except cc.ConvLabError as err:
        st.error(te(err))
        return
    summary = net.summary
    stages = " → ".join(f"{i.id} {layer_shape(summary, i.id)}" for i in summary)
    st.markdown(
        t(
            "mnist.own.summary",
            stages=stages,
            params=f"{summary.trainable:,}",
            macs=f"{summary.macs:,}",
        )
    )
    c1, c2, c3 = st.columns(3)
    epochs = int(
        c1.slider(t("mnist.own.epochs"), 1, MAX_EPOCHS, key=KEYS["t_epochs"], persist_state=KEEP)
    )
    lr = float(
        c2.select_slider(t("mnist.own.lr"), LEARNING_RATES, key=KEYS["t_lr"], persist_state=KEEP)
    )
    seed = int(
        c3.number_input(t("mnist.own.seed"), 0, 9999, key=KEYS["t_seed"], persist_state=KEEP)
    )
    if st.button(t("mnist.own.train"), key=f"{P}.own.train", type="primary"):
        run_training(net, records, epochs, lr, seed)
    mine = st.session_state.get(KEYS["mine"])
    if not mine:
        return
    if mine["records"] != records:
        st.caption(t("mnist.own.changed"))
        return
    st.success(
        t(
            "mnist.own.done",
            accuracy=percent_text(mine["accuracy"]),
            seconds=f"{mine['seconds']:.0f}",
            epochs=mine["epochs"],
        )
    )
    if digit is None:
        return
    out = sn.forward_stack(mine["model"], digit)
    probs = out["probs"]
    guess = int(np.argmax(probs))
    st.markdown(
        "### " + t("mnist.own.says", digit=guess, percent=percent_text(float(probs[guess])))
    )
    rows = [
        MapRow(
            t("mnist.overview.row", layer=i.id, shape=layer_shape(summary, i.id)),
            list(out[i.id]),
            "signed" if i.kind == "conv2d" else "ink",
        )
        for i in summary.layers[1:]
        if len(i.output_shape) == 3
    ]
    if rows:
        st.plotly_chart(
            strip_figure(
                rows, panel_px=max(30, min(70, 760 // max(len(r.maps) for r in rows) - 8))
            ),
            key=f"{P}.mine_chart",
            config={"displayModeBar": False},
        )


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("mnist.title"))
st.caption(t("mnist.intro"))
page_link("tiny_cnn", t("mnist.smaller"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("mnist.input.header"))
    digit, label = input_digit()
    if digit is not None:
        st.plotly_chart(
            strip_figure(
                [MapRow(t("mnist.input.reads"), [digit.astype(np.float64)], "ink")], panel_px=200
            ),
            key=f"{P}.digit",
            config={"displayModeBar": False},
        )
        widgets.table_alternative(
            digit, label=t("mnist.input.reads"), key=f"{P}.digit.table", decimals=0
        )
fwd = forward_digit(digit.tobytes()) if digit is not None else None
with right:
    st.subheader(t("mnist.answer.header"))
    if fwd is not None:
        answer(fwd, label)

if fwd is not None:
    st.subheader(t("mnist.overview.header"))
    st.caption(t("mnist.overview.help"))
    n_maps = shipped().model.n_filters
    st.session_state[KEYS["map"]] = min(max(int(st.session_state[KEYS["map"]]), 1), n_maps)
    if st.session_state[KEYS["layer"]] not in EXPLAINED:
        st.session_state[KEYS["layer"]] = DEFAULTS["layer"]
    chosen = (st.session_state[KEYS["layer"]], int(st.session_state[KEYS["map"]]) - 1)
    overview(fwd, *chosen)

    st.subheader(t("mnist.explain.header"))
    layer, f = explanation(fwd)
    if layer in CONV_LAYERS:
        explain_conv(fwd, layer, f)
    elif layer.startswith("relu"):
        explain_relu(fwd, layer, f)
    else:
        explain_pool(fwd, layer, f)

    st.subheader(t("mnist.dense.header"))
    dense_views(fwd)

st.subheader(t("mnist.features.header"))
features()

st.subheader(t("mnist.own.header"))
own_network(digit)
