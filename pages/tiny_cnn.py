"""Tiny CNN: a whole network on handwritten digits, every stage shown, trainable here.

Reads top to bottom like the screen: the input digit (drawn, a test image or an upload,
turned into the 8x8 counts the network reads); the network's answer with its softmax
probabilities; every stage side by side (filters, feature maps, ReLU, pooling, the
flattened vector, the scores); one filter stepped through in the browser stepper; the
learned filters beside hand-designed ones; the filters before and after training;
training a network of one's own (through the server-wide job queue); parameter counts.
The numbers all come from conv_core.nn; this page only lays them out.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.components.draw_grid import draw_grid
from ui.figures.cnn import (
    BankRow,
    bars_figure,
    clicked_column,
    grid_bank_figure,
    percent_text,
    training_figure,
    vector_figure,
)
from ui.frame.i18n import t, te
from ui.frame.jobs import FULL_RES_JOBS, JobTimeout
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching.cnn_models import (
    HAND_DESIGNED,
    ModelInfo,
    closest_filters,
    digits,
    model_info,
    shipped,
)
from ui.teaching.traces import TraceSettings, compact_trace
from ui.widgets.links import page_link
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "tiny_cnn"
KEEP = widgets.KEEP_STATE
SOURCES = ("draw", "sample", "upload")
MODELS = ("shipped", "mine")
#: Side of the drawing: the dataset's own 32x32 bitmaps, counted in 4x4 blocks.
DRAW_SIDE = 32
BLOCK = 4
MAX_EPOCHS = 10
MAX_FILTERS = 16
LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.3)
BATCH_SIZE = 32
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "source",
        "draw",
        "centre",
        "sample",
        "model",
        "filter",
        "chart",
        "t_filters",
        "t_epochs",
        "t_lr",
        "t_seed",
        "mine",
        "step",
    )
}
DEFAULTS = {
    "source": "sample",
    "centre": True,
    # The first test image of a 7: the digit the lecture's example draws.
    "sample": int(np.flatnonzero(digits().test_labels == 7)[0]),
    "model": "shipped",
    "filter": 1,
    "t_filters": 8,
    "t_epochs": 3,
    "t_lr": 0.03,
    "t_seed": 0,
}


# ----------------------------------------------------------------------------- input


def bank_chart(
    rows: list[BankRow],
    titles: list[str],
    key: str,
    *,
    panel_px: int = 150,
    selected: int | None = None,
    clickable_row: int | None = None,
    on_select: Any = "ignore",
) -> Any:
    """A :func:`grid_bank_figure` with this page's hover words, drawn without a mode bar;
    clickable (one point selected at a time) when ``on_select`` is a callback."""
    figure = grid_bank_figure(
        rows,
        titles,
        panel_px=panel_px,
        selected=selected,
        clickable_row=clickable_row,
        hover_row=t("tiny_cnn.stages.row"),
        hover_col=t("tiny_cnn.stages.col"),
    )
    select = {} if on_select == "ignore" else {"selection_mode": "points"}
    return st.plotly_chart(
        figure, key=key, config={"displayModeBar": False}, on_select=on_select, **select
    )


def bank_numbers(rows: list[BankRow], titles: list[str], key: str) -> None:
    """A bank chart's numbers for screen readers: one collapsed expander per column, each
    holding that column's grids (one table per row)."""
    for j, title in enumerate(titles):
        expander = widgets.table_expander(title, key=f"{key}.numbers.{j}")
        if expander is None:
            continue
        with expander:
            for row in rows:
                st.markdown(f"**{row.title}**")
                st.table(widgets.grid_frame(row.grids[j]), alt=f"{row.title}: {title}")


def _random_sample() -> None:
    n = len(digits().test_labels)
    st.session_state[KEYS["sample"]] = int(np.random.default_rng().integers(n))


def input_digit() -> tuple[np.ndarray | None, int | None]:
    """The 8x8 counts the network reads, and the right answer when it is known."""
    source = widgets.choice_buttons(
        "tiny_cnn.input.source",
        SOURCES,
        key=KEYS["source"],
        option_key=lambda s: f"tiny_cnn.input.sources.{s}",
    )
    if source == "draw":
        st.caption(t("tiny_cnn.input.draw_help"))
        bitmap = draw_grid(
            key=KEYS["draw"], rows=DRAW_SIDE, cols=DRAW_SIDE, block=BLOCK, height_px=400
        )
        centre = st.toggle(
            t("tiny_cnn.input.centre"),
            key=KEYS["centre"],
            help=t("tiny_cnn.input.centre_help"),
            persist_state=KEEP,
        )
        if not bitmap.any():
            st.info(t("tiny_cnn.input.empty"), icon=":material/draw:")
        if centre:
            bitmap = cc.normalise_bitmap(bitmap)
        return cc.bitmap_to_counts(bitmap), None
    if source == "sample":
        data = digits()
        n = len(data.test_labels)
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        index = int(
            c1.number_input(
                t("tiny_cnn.input.sample"),
                0,
                n - 1,
                key=KEYS["sample"],
                help=t("tiny_cnn.input.sample_help"),
                persist_state=KEEP,
            )
        )
        c2.button(t("tiny_cnn.input.random"), key=f"{P}.random", on_click=_random_sample)
        label = int(data.test_labels[index])
        st.caption(t("tiny_cnn.input.sample_label", label=label))
        return np.asarray(data.test_images[index]), label
    st.caption(t("tiny_cnn.input.upload_help"))
    pick = widgets.image_upload(P, as_gray=True, max_side=512)
    if pick is None:
        return None, None
    try:
        counts = cc.image_to_digit(pick.array)
    except cc.ConvLabError as err:
        st.error(te(err))
        return None, None
    if not counts.any():
        st.warning(t("tiny_cnn.input.upload_bad"))
    return counts, None


# ----------------------------------------------------------------------------- model


def current_model() -> ModelInfo:
    """The network the page shows: the shipped one, or the one trained in this session."""
    mine: ModelInfo | None = st.session_state.get(KEYS["mine"])
    if mine is None:
        st.session_state[KEYS["model"]] = "shipped"
        return shipped()
    if st.session_state.pop(f"{P}.show_mine", False):
        st.session_state[KEYS["model"]] = "mine"
    choice = widgets.choice_buttons(
        "tiny_cnn.answer.weights",
        MODELS,
        key=KEYS["model"],
        option_key=lambda m: f"tiny_cnn.answer.models.{m}",
        help_key="tiny_cnn.answer.weights_help",
        keep=False,
    )
    return mine if choice == "mine" else shipped()


def answer(info: ModelInfo, fwd: cc.Forward, label: int | None) -> None:
    """What the network says, its probabilities and its scores."""
    probs = np.asarray(fwd.probs)
    digit = int(np.argmax(probs))
    st.markdown("### " + t("tiny_cnn.answer.says", digit=digit, percent=percent_text(probs[digit])))
    if label is not None:
        key = "tiny_cnn.answer.true_label" if label == digit else "tiny_cnn.answer.wrong"
        (st.success if label == digit else st.warning)(t(key, label=label))
    total = len(digits().test_labels)
    st.caption(
        t(
            "tiny_cnn.answer.accuracy",
            accuracy=percent_text(info.test_accuracy),
            right=info.right,
            total=total,
        )
    )
    st.plotly_chart(
        bars_figure(
            probs,
            highlight=digit,
            percent=True,
            title=t("tiny_cnn.answer.probs_title"),
            axis_label=t("tiny_cnn.answer.digit"),
        ),
        key=f"{P}.probs",
        config={"displayModeBar": False},
    )


# ----------------------------------------------------------------------------- stages


def _on_filter_click() -> None:
    column = clicked_column(st.session_state.get(KEYS["chart"]))
    if column is not None:
        st.session_state[KEYS["filter"]] = column + 1


def stages(model: cc.TinyCNN, fwd: cc.Forward, selected: int) -> None:
    """Filters, feature maps, ReLU, pooling; the flattened vector; the scores."""
    n = model.n_filters
    titles = [t("tiny_cnn.stages.filter", f=f + 1) for f in range(n)]
    weights = np.asarray(model.conv_weight)[:, 0]
    rows = [
        BankRow(t("tiny_cnn.stages.weights_row"), list(weights), "signed", numbers=True),
        BankRow(t("tiny_cnn.stages.conv_row"), list(fwd.conv), "signed"),
        BankRow(t("tiny_cnn.stages.relu_row"), list(fwd.relu), "ink"),
        BankRow(t("tiny_cnn.stages.pool_row"), list(fwd.pool), "ink", scale=0.5),
    ]
    bank_chart(
        rows,
        titles,
        KEYS["chart"],
        panel_px=150 if n <= 8 else 110,
        selected=selected,
        clickable_row=0,
        on_select=_on_filter_click,
    )
    with st.expander(t("tiny_cnn.stages.numbers", f=selected + 1)):
        cols = st.columns(4)
        for col, (key, grid) in zip(
            cols,
            (
                ("weights_row", weights[selected]),
                ("conv_row", fwd.conv[selected]),
                ("relu_row", fwd.relu[selected]),
                ("pool_row", fwd.pool[selected]),
            ),
            strict=True,
        ):
            col.markdown(f"**{t(f'tiny_cnn.stages.{key}')}**")
            col.dataframe(widgets.grid_frame(grid), key=f"{P}.table_{key}")
    flat = np.asarray(fwd.flat)
    st.plotly_chart(
        vector_figure(
            flat,
            flat.size // n,
            group_label=t("tiny_cnn.stages.flat_group"),
            value_label=t("tiny_cnn.stages.flat_value"),
            title=t("tiny_cnn.stages.flat_title", n=flat.size),
        ),
        key=f"{P}.flat",
        config={"displayModeBar": False},
    )
    widgets.table_alternative(
        flat.reshape(n, -1),
        label=t("tiny_cnn.stages.flat_title", n=flat.size),
        key=f"{P}.flat.table",
    )
    st.caption(t("tiny_cnn.stages.fc_help", n=flat.size))
    scores = np.asarray(fwd.scores)
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        bars_figure(
            scores,
            highlight=int(np.argmax(scores)),
            title=t("tiny_cnn.answer.scores_title"),
            axis_label=t("tiny_cnn.answer.digit"),
        ),
        key=f"{P}.scores",
        config={"displayModeBar": False},
    )
    c2.plotly_chart(
        bars_figure(
            fwd.probs,
            highlight=int(np.argmax(scores)),
            percent=True,
            title=t("tiny_cnn.answer.probs_title"),
            axis_label=t("tiny_cnn.answer.digit"),
        ),
        key=f"{P}.probs_again",
        config={"displayModeBar": False},
    )


def step_filter(model: cc.TinyCNN, counts: np.ndarray, f: int) -> None:
    """Filter f's convolution over the digit in the browser stepper."""
    weight = np.asarray(model.conv_weight)[f, 0]
    bias = float(np.asarray(model.conv_bias)[f])
    st.caption(t("tiny_cnn.step.bias", f=f + 1, bias=f"{bias:.3f}"))
    settings = TraceSettings(
        json.dumps(np.asarray(counts).tolist()),
        json.dumps(weight.tolist()),
        bias,
        "correlate",
        1,
        "zeros",
        (1, 1),
        (1, 1),
    )
    try:
        compact = compact_trace(settings)
    except cc.ArgumentError as err:
        st.error(te(err))
        return
    step_through(compact, key=f"{P}.stepper", step_key=KEYS["step"], url_param=None)


def compare(model: cc.TinyCNN, fwd: cc.Forward) -> None:
    """Hand-designed filters and their maps on the same digit, each above the learned filter
    most like it and that filter's map."""
    st.caption(t("tiny_cnn.compare.help"))
    kernels = {key: np.asarray(cc.get_kernel(name).matrix) for key, name in HAND_DESIGNED}
    learned = np.asarray(model.conv_weight)[:, 0]
    closest = closest_filters(learned, kernels)
    best = [closest[key][0] for key in kernels]
    titles = [
        t(
            "tiny_cnn.compare.column",
            name=t(f"tiny_cnn.compare.{key}"),
            f=closest[key][0] + 1,
            similarity=f"{closest[key][1]:.2f}",
        )
        for key in kernels
    ]
    maps = [cc.correlate2d(fwd.input, k, padding=1) for k in kernels.values()]
    rows = [
        BankRow(t("tiny_cnn.compare.hand_row"), list(kernels.values()), "signed", numbers=True),
        BankRow(t("tiny_cnn.compare.map_row"), maps, "signed", shared=False),
        BankRow(t("tiny_cnn.compare.learned_row"), [learned[f] for f in best], numbers=True),
        BankRow(t("tiny_cnn.compare.learned_map_row"), [fwd.conv[f] for f in best], shared=False),
    ]
    bank_chart(
        rows,
        titles,
        f"{P}.compare",
        panel_px=190,
    )
    bank_numbers(rows, titles, f"{P}.compare")
    st.caption(t("tiny_cnn.compare.similarity_help"))


def before_after(info: ModelInfo) -> None:
    """The filters training started from beside the trained ones."""
    st.caption(
        t(
            "tiny_cnn.init.help",
            before=percent_text(info.initial_accuracy),
            after=percent_text(info.test_accuracy),
        )
    )
    n = info.model.n_filters
    before = np.asarray(info.initial.conv_weight)[:, 0]
    after = np.asarray(info.model.conv_weight)[:, 0]
    rows = [
        BankRow(t("tiny_cnn.init.init_row"), list(before), "signed", numbers=True),
        BankRow(t("tiny_cnn.init.trained_row"), list(after), "signed", numbers=True),
        # The weights are small numbers: the change itself shows what training did.
        BankRow(t("tiny_cnn.init.change_row"), list(after - before), "signed", numbers=True),
    ]
    titles = [t("tiny_cnn.stages.filter", f=f + 1) for f in range(n)]
    bank_chart(
        rows,
        titles,
        f"{P}.before_after",
        panel_px=150 if n <= 8 else 110,
    )
    bank_numbers(rows, titles, f"{P}.before_after")


# ----------------------------------------------------------------------------- training


def _history_figure(history: list[cc.TrainProgress]) -> object:
    loss_x = [p.epoch - 1 + p.batch / p.batches for p in history]
    ends = [p for p in history if p.test_accuracy is not None]
    return training_figure(
        loss_x,
        [p.loss for p in history],
        [p.epoch for p in ends],
        [float(p.train_accuracy) for p in ends],
        [float(p.test_accuracy) for p in ends],
        labels={
            name: t(f"tiny_cnn.train.{name}")
            for name in ("loss", "accuracy", "epoch", "train", "test")
        },
    )


def _forget_mine() -> None:
    st.session_state.pop(KEYS["mine"], None)
    st.session_state.pop(f"{P}.history", None)
    st.session_state[KEYS["model"]] = "shipped"


def train_panel() -> None:
    """Filters, epochs, learning rate and seed; Train runs through the server's job queue."""
    data = digits()
    st.caption(t("tiny_cnn.train.help", n=len(data.train_labels), batch=BATCH_SIZE))
    c1, c2, c3, c4 = st.columns(4)
    n_filters = int(
        c1.slider(
            t("tiny_cnn.train.filters"),
            1,
            MAX_FILTERS,
            key=KEYS["t_filters"],
            help=t("tiny_cnn.train.filters_help"),
            persist_state=KEEP,
        )
    )
    epochs = int(
        c2.slider(
            t("tiny_cnn.train.epochs"),
            1,
            MAX_EPOCHS,
            key=KEYS["t_epochs"],
            help=t("tiny_cnn.train.epochs_help", max=MAX_EPOCHS),
            persist_state=KEEP,
        )
    )
    lr = float(
        c3.select_slider(
            t("tiny_cnn.train.lr"),
            LEARNING_RATES,
            key=KEYS["t_lr"],
            help=t("tiny_cnn.train.lr_help"),
            persist_state=KEEP,
        )
    )
    seed = int(
        c4.number_input(
            t("tiny_cnn.train.seed"),
            0,
            9999,
            key=KEYS["t_seed"],
            help=t("tiny_cnn.train.seed_help"),
            persist_state=KEEP,
        )
    )
    chart = st.empty()
    if st.button(t("tiny_cnn.train.button"), key=f"{P}.train", type="primary"):
        run_training(n_filters, epochs, lr, seed, chart)
    elif st.session_state.get(f"{P}.history"):
        history, settings = st.session_state[f"{P}.history"]
        st.caption(t("tiny_cnn.train.history", **settings))
        chart.plotly_chart(
            _history_figure(history), key=f"{P}.history_chart", config={"displayModeBar": False}
        )
    if note := st.session_state.pop(f"{P}.trained_note", None):
        st.success(note)
    if st.session_state.get(KEYS["mine"]) is not None:
        st.button(t("tiny_cnn.train.forget"), key=f"{P}.forget", on_click=_forget_mine)


def run_training(n_filters: int, epochs: int, lr: float, seed: int, chart: object) -> None:
    """Train a fresh network, showing progress and the loss as it goes; keep it in the session."""
    note = st.empty()
    bar = st.progress(0.0)
    started = time.monotonic()

    def waiting(place: int) -> None:
        note.info(t("tiny_cnn.train.queued", n=place), icon=":material/hourglass_top:")

    def job() -> tuple[cc.TinyCNN, cc.TinyCNN, list[cc.TrainProgress]]:
        note.empty()
        initial = cc.init_tiny_cnn(n_filters, seed=seed)
        model = initial.copy()
        history: list[cc.TrainProgress] = []
        shown = 0.0
        for progress in cc.train_steps(
            model, digits(), epochs=epochs, lr=lr, batch_size=BATCH_SIZE, seed=seed
        ):
            history.append(progress)
            done = (progress.epoch - 1 + progress.batch / progress.batches) / progress.epochs
            bar.progress(
                min(1.0, done),
                text=t(
                    "tiny_cnn.train.progress",
                    epoch=progress.epoch,
                    epochs=progress.epochs,
                    batch=progress.batch,
                    batches=progress.batches,
                    loss=f"{progress.loss:.3f}",
                ),
            )
            # Redraw the chart at most ~4 times a second: each redraw is a message.
            now = time.monotonic()
            if progress.test_accuracy is not None or now - shown > 0.25:
                chart.plotly_chart(_history_figure(history), config={"displayModeBar": False})
                shown = now
        return progress.model, initial, history

    try:
        model, initial, history = FULL_RES_JOBS.run(job, on_wait=waiting, timeout_s=120)
    except JobTimeout:
        note.warning(t("tiny_cnn.train.busy"))
        return
    except cc.ArgumentError as err:
        note.error(te(err))
        return
    info = model_info(model, initial)
    st.session_state[KEYS["mine"]] = info
    st.session_state[f"{P}.history"] = (
        history,
        {"filters": n_filters, "epochs": epochs, "lr": lr, "seed": seed},
    )
    # The weights control may already be drawn in this run: switch it on the next one.
    st.session_state[f"{P}.show_mine"] = True
    bar.progress(1.0)
    # Shown by the next run (train_panel): this run's elements go with the rerun.
    st.session_state[f"{P}.trained_note"] = t(
        "tiny_cnn.train.done",
        seconds=time.monotonic() - started,
        accuracy=percent_text(info.test_accuracy),
        filters=n_filters,
    )
    # Everything above the panel still shows the old network: draw the page again.
    st.rerun()


# ----------------------------------------------------------------------------- parameters


def param_table(model: cc.TinyCNN) -> None:
    """Each layer's parameters beside a network with a dense layer in the convolution's place."""
    n = model.n_filters
    maps = n * 8 * 8
    conv = cc.conv_param_count(3, 1, n)
    dense = cc.dense_param_count(64, maps)
    fc = cc.dense_param_count(n * 16, 10)
    st.caption(t("tiny_cnn.params.help", maps=maps))
    rows = [
        (t("tiny_cnn.params.conv", f=n, maps=maps), conv, dense),
        (t("tiny_cnn.params.relu"), 0, 0),
        (t("tiny_cnn.params.pool"), 0, 0),
        (t("tiny_cnn.params.fc", n=n * 16), fc, fc),
        (t("tiny_cnn.params.total"), conv + fc, dense + fc),
    ]
    frame = pd.DataFrame([{"0": a, "1": f"{b:,}", "2": f"{c:,}"} for a, b, c in rows]).rename(
        columns={
            "0": t("tiny_cnn.params.layer"),
            "1": t("tiny_cnn.params.cnn"),
            "2": t("tiny_cnn.params.dense"),
        }
    )
    st.dataframe(frame, hide_index=True, key=f"{P}.params")
    st.markdown(
        t(
            "tiny_cnn.params.ratio",
            conv=f"{conv:,}",
            dense=f"{dense:,}",
            ratio=f"{dense / conv:,.0f}",
        )
    )


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("tiny_cnn.title"))
st.caption(t("tiny_cnn.intro"))
page_link("mnist", t("tiny_cnn.deeper"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("tiny_cnn.input.header"))
    st.caption(t("tiny_cnn.input.help"))
    counts, label = input_digit()
    if counts is not None:
        bank_chart(
            [BankRow(t("tiny_cnn.input.counts_title"), [counts], "ink", numbers=True)],
            [""],
            f"{P}.counts",
            panel_px=320,
        )
        widgets.table_alternative(
            counts, label=t("tiny_cnn.input.counts_title"), key=f"{P}.counts.table"
        )
with right:
    st.subheader(t("tiny_cnn.answer.header"))
    info = current_model()
    model = info.model
    if counts is not None:
        fwd = cc.forward(model, counts)
        answer(info, fwd, label)

if counts is not None:
    n = model.n_filters
    selected = min(max(int(st.session_state[KEYS["filter"]]), 1), n) - 1
    st.session_state[KEYS["filter"]] = selected + 1
    st.markdown(
        t(
            "tiny_cnn.architecture",
            stages=f"8×8×1 → 8×8×{n} → 8×8×{n} → 4×4×{n} → {16 * n} → 10 → 10",
        )
    )
    st.subheader(t("tiny_cnn.stages.header"))
    st.caption(t("tiny_cnn.stages.help"))
    if info.silent:
        st.warning(
            t("tiny_cnn.stages.silent", filters=", ".join(str(f + 1) for f in info.silent)),
            icon=":material/power_off:",
        )
    stages(model, fwd, selected)

    st.subheader(t("tiny_cnn.step.header", f=selected + 1))
    st.segmented_control(
        t("tiny_cnn.step.pick"),
        list(range(1, n + 1)),
        key=KEYS["filter"],
        required=True,
        help=t("tiny_cnn.step.pick_help"),
    )
    step_filter(model, counts, selected)

    st.subheader(t("tiny_cnn.compare.header"))
    compare(model, fwd)

st.subheader(t("tiny_cnn.init.header"))
before_after(info)

st.subheader(t("tiny_cnn.train.header"))
train_panel()

st.subheader(t("tiny_cnn.params.header"))
param_table(model)
