"""Channels and filters: an RGB input, a 3-channel filter, N filters, parameter counts, 1x1 conv.

Reads top to bottom like the screen: the RGB input (the lecture's one position, or a random
3-channel image with N random filters) shown as three stacked grids beside the chosen
filter's three channels; the browser-side stepper on conv_core's conv2d trace of that one
filter; the per-channel partial sums plus the bias at a chosen output position; the N
feature maps (the output depth) and the "Show code" panel computing them (all N filters
with their biases); the parameter count of a convolution beside the dense
layer that would do the same job; and a 1x1 convolution reducing 4 channels to 2.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching import shape_text as shapes
from ui.teaching.grid_sources import random_grid
from ui.teaching.traces import TraceSettings, compact_trace
from ui.widgets import code_panel, formula_panel
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "channels"
SOURCES = ("lecture", "random")
CHANNELS = ("R", "G", "B")
LECTURE = cc.PRESETS["rgb_one_position"]
PARAMS = cc.PRESETS["param_count_3x3_3_to_128"]
#: The 1x1 convolution's weights: 2 output channels x 4 input channels (x 1 x 1).
ONE_BY_ONE = np.array([[1, 0, -1, 2], [1, 1, 1, 1]], dtype=np.int64)
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "src",
        "size",
        "filters",
        "seed",
        "filter",
        "row",
        "col",
        "k",
        "c_in",
        "c_out",
        "h",
        "w",
        "one_row",
        "one_col",
        "one_seed",
    )
}
DEFAULTS = {
    "src": "lecture",
    "size": 5,
    "filters": 2,
    "seed": 1,
    "filter": 1,
    "row": 0,
    "col": 0,
    "k": int(PARAMS.inputs["kernel_size"]),
    "c_in": int(PARAMS.inputs["in_channels"]),
    "c_out": int(PARAMS.inputs["out_channels"]),
    "h": 32,
    "w": 32,
    "one_row": 0,
    "one_col": 0,
    "one_seed": 1,
}


def _num(value: int) -> str:
    """A whole number for a sum written out: negative ones in brackets, ``(-498)``."""
    value = int(value)
    return f"({value})" if value < 0 else str(value)


def random_layer(size: int, n_filters: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A (3, size, size) input in 0..9, n_filters (3, 3, 3) filters in -1..1, biases in -2..2."""
    x = np.stack([random_grid(size, size, 0, 9, seed + c) for c in range(3)])
    rng = np.random.default_rng(seed)
    weight = rng.integers(-1, 2, size=(n_filters, 3, 3, 3))
    bias = rng.integers(-2, 3, size=n_filters)
    return x, weight, bias


def layer() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input (3, H, W), the filters (N, 3, K, K) and the biases (N,) from the chosen source."""
    source = widgets.choice_buttons(
        "channels.input.source",
        SOURCES,
        key=KEYS["src"],
        option_key=lambda s: f"channels.input.sources.{s}",
    )
    if source == "lecture":
        st.caption(t("channels.input.lecture_help"))
        args = LECTURE.arguments
        return (
            np.asarray(args["x"], dtype=np.int64),
            np.asarray(args["weight"], dtype=np.int64),
            np.asarray(args["bias"], dtype=np.int64),
        )
    c1, c2, c3 = st.columns(3)
    size = c1.number_input(t("channels.input.size"), 3, 7, key=KEYS["size"])
    n = c2.number_input(
        t("channels.input.filters"),
        1,
        4,
        key=KEYS["filters"],
        help=t("channels.input.filters_help"),
    )
    seed = c3.number_input(t("channels.input.seed"), 0, 99_999, key=KEYS["seed"])
    return random_layer(int(size), int(n), int(seed))


def show_stacked(x: np.ndarray, weight: np.ndarray, f: int) -> None:
    """The input's three channels stacked, beside filter f's three channels."""
    st.markdown(
        t(
            "channels.stack.shapes",
            x=shapes.hwc(x.shape),
            n=weight.shape[0],
            w=shapes.one_filter(weight.shape[1:]),
            b=shapes.bias(weight.shape[0]),
        )
    )
    for c, name in enumerate(CHANNELS):
        c1, c2 = st.columns([3, 2])
        c1.markdown(t("channels.stack.input", channel=name))
        c1.dataframe(widgets.grid_frame(x[c]), key=f"{P}.input_{name}")
        c2.markdown(t("channels.stack.filter", channel=name, f=f + 1))
        c2.dataframe(widgets.grid_frame(weight[f, c]), key=f"{P}.filter_{name}")


def partial_sums(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, f: int) -> None:
    """Filter f at one output position: each channel's sum, the bias, the output value."""
    out = np.asarray(cc.conv2d(x, weight, bias))
    oh, ow = out.shape[1:]
    st.subheader(t("channels.sums.header"))
    c1, c2 = st.columns(2)
    r = int(c1.number_input(t("channels.sums.row"), 0, oh - 1, key=KEYS["row"]))
    c = int(c2.number_input(t("channels.sums.col"), 0, ow - 1, key=KEYS["col"]))
    sums = [
        int(np.asarray(cc.conv2d(x[ch : ch + 1], weight[f : f + 1, ch : ch + 1]))[0, r, c])
        for ch in range(x.shape[0])
    ]
    rows = [
        {t("channels.sums.part"): t("channels.sums.channel", channel=name), "=": s}
        for name, s in zip(CHANNELS, sums, strict=True)
    ]
    rows.append({t("channels.sums.part"): t("channels.sums.bias"), "=": int(bias[f])})
    rows.append({t("channels.sums.part"): t("channels.sums.output"), "=": int(out[f, r, c])})
    st.dataframe(pd.DataFrame(rows), key=f"{P}.sums_table", hide_index=True)
    terms = " + ".join(_num(s) for s in sums)
    st.markdown(
        t(
            "channels.sums.line",
            f=f + 1,
            r=r,
            c=c,
            terms=terms,
            bias=_num(bias[f]),
            out=int(out[f, r, c]),
        )
    )


def feature_maps(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> None:
    """Every filter's feature map: N filters make an output of depth N."""
    out = np.asarray(cc.conv2d(x, weight, bias))
    n = out.shape[0]
    st.subheader(t("channels.maps.header"))
    st.markdown(t("channels.maps.shapes", x=shapes.hwc(x.shape), out=shapes.hwc(out.shape)))
    cols = st.columns(n)
    for i in range(n):
        cols[i].markdown(t("channels.maps.map", f=i + 1, bias=int(bias[i])))
        cols[i].dataframe(widgets.grid_frame(out[i]), key=f"{P}.map_{i}")


def param_panel() -> None:
    """K, C_in, C_out, H, W: the convolution's parameters beside a dense layer's, and the ratio."""
    st.subheader(t("channels.params.header"))
    st.caption(t("channels.params.help"))
    cols = st.columns(5)
    k = int(cols[0].number_input("K", 1, 11, key=KEYS["k"], help=t("channels.params.k_help")))
    c_in = int(cols[1].number_input("C_in", 1, 2048, key=KEYS["c_in"]))
    c_out = int(cols[2].number_input("C_out", 1, 2048, key=KEYS["c_out"]))
    h = int(cols[3].number_input("H", 1, 512, key=KEYS["h"]))
    w = int(cols[4].number_input("W", 1, 512, key=KEYS["w"]))
    try:
        conv = cc.conv_param_count(k, c_in, c_out)
        oh, ow = cc.conv_output_size(h, k), cc.conv_output_size(w, k)
        dense = cc.dense_param_count(h * w * c_in, oh * ow * c_out)
    except cc.ArgumentError as err:
        st.error(te(err))
        return
    st.markdown(
        t(
            "channels.params.conv",
            k=k,
            c_in=c_in,
            c_out=c_out,
            weights=f"{k * k * c_in * c_out:,}",
            total=f"{conv:,}",
        )
    )
    st.markdown(
        t(
            "channels.params.dense",
            h=h,
            w=w,
            c_in=c_in,
            oh=oh,
            ow=ow,
            c_out=c_out,
            total=f"{dense:,}",
        )
    )
    st.markdown(t("channels.params.ratio", ratio=f"{dense / conv:,.0f}"))


def one_by_one() -> None:
    """A 1x1 convolution from 4 channels to 2: a weighted sum across channels at each pixel."""
    st.subheader(t("channels.one.header"))
    st.caption(t("channels.one.help"))
    c1, c2, c3 = st.columns(3)
    seed = int(c1.number_input(t("channels.input.seed"), 0, 99_999, key=KEYS["one_seed"]))
    r = int(c2.number_input(t("channels.sums.row"), 0, 2, key=KEYS["one_row"]))
    c = int(c3.number_input(t("channels.sums.col"), 0, 2, key=KEYS["one_col"]))
    x = np.stack([random_grid(3, 3, 0, 9, seed + i) for i in range(4)])
    weight = ONE_BY_ONE[:, :, np.newaxis, np.newaxis]
    out = np.asarray(cc.conv2d(x, weight))
    st.markdown(
        t(
            "channels.one.shapes",
            x=shapes.hwc(x.shape),
            w=shapes.filters(weight.shape),
            out=shapes.hwc(out.shape),
        )
    )
    cols = st.columns(4)
    for i in range(4):
        cols[i].markdown(t("channels.one.in_channel", i=i + 1))
        cols[i].dataframe(widgets.grid_frame(x[i]), key=f"{P}.one_in_{i}")
    for o in range(2):
        terms = " + ".join(
            f"{_num(ONE_BY_ONE[o, i])}·{_num(x[i, r, c])}" for i in range(ONE_BY_ONE.shape[1])
        )
        st.markdown(t("channels.one.pixel", o=o + 1, r=r, c=c, terms=terms, out=int(out[o, r, c])))
    cols = st.columns(2)
    for o in range(2):
        cols[o].markdown(t("channels.one.out_channel", o=o + 1))
        cols[o].dataframe(widgets.grid_frame(out[o]), key=f"{P}.one_out_{o}")


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("channels.title"))
st.caption(t("channels.intro"))

st.subheader(t("channels.input.header"))
x, weight, bias = layer()
n_filters = weight.shape[0]
f = 0
if n_filters > 1:
    f = (
        int(
            st.number_input(
                t("channels.input.filter"),
                1,
                n_filters,
                key=KEYS["filter"],
                help=t("channels.input.filter_help"),
            )
        )
        - 1
    )
show_stacked(x, weight, f)

st.subheader(t("channels.step.header"))
st.caption(t("channels.step.help"))
settings = TraceSettings(
    json.dumps(x.tolist()),
    json.dumps(weight[f].tolist()),
    float(bias[f]),
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
else:
    state = step_through(
        compact, key=f"{P}.stepper", step_key=f"{P}.step", channel_names=CHANNELS, url_param=None
    )
    formula_panel.show_neuron(
        settings.trace(), state.step, key=f"{P}.formula", filter_index=f, n_filters=n_filters,
        input_shape=x.shape, weight_shape=weight.shape, channel_names=CHANNELS,
    )  # fmt: skip
    partial_sums(x, weight, bias, f)
    feature_maps(x, weight, bias)
    code_panel.show_channels_code(x, weight, bias, key=f"{P}.code")

param_panel()
one_by_one()
