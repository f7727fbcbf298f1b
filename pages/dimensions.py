"""1D, 2D and 3D convolution: how many directions the filter moves in.

Reads top to bottom like the screen: a k x k x d filter stepped through a volume of 5
slices of 5 x 5 (conv_core's trace_conv3d; one Streamlit rerun per step, the volume drawn
as a row of slice heatmaps with the window outlined on the slices it covers, the products
and sums of the step, the output volume and its D x H x W shape); the 2D convolution of a
3D input (conv3d with d = D equals conv2d over the channels); the 1x1 convolution (mixing
channels only); and the lecture's classification table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures.volume import Window3d, volume_figure
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching import shape_text as shapes
from ui.teaching.grid_sources import random_grid
from ui.teaching.volumes import (
    CLASSIFICATION,
    demo_filter,
    demo_volume,
    shape_text,
    slice_sums,
    sum_of_slices,
)
from ui.widgets.tables import table_alt_frame

leave_legacy_pages()

P = "dimensions"
KEYS = {n: f"{P}.{n}" for n in ("k", "d", "stride", "padding", "step")}
DEFAULTS = {"k": 3, "d": 3, "stride": 1, "padding": 0, "step": 1}
#: The 1x1 convolution's weights: 2 output channels x 4 input channels.
ONE_BY_ONE = np.array([[1, 0, -1, 2], [1, 1, 1, 1]], dtype=np.int64)


def _num(value: int) -> str:
    value = int(value)
    return f"({value})" if value < 0 else str(value)


def _coords(values: np.ndarray) -> str:
    return ", ".join(str(int(v)) for v in values)


def _hover() -> tuple[str, str, str, str]:
    return tuple(t(f"dimensions.step.hover_{w}") for w in ("slice", "row", "col", "value"))


def _tables(what: str, key: str, slices: np.ndarray, titles: list[str]) -> None:
    """The numbers of every slice of a figure, as tables (screen readers), built when opened."""
    box = widgets.table_expander(what, key=key)
    if box is None:
        return
    with box:
        for title, values in zip(titles, slices, strict=True):
            st.caption(title)
            st.table(table_alt_frame(values)[0])


def controls() -> tuple[int, int, int, int]:
    c1, c2, c3, c4 = st.columns(4)
    k = c1.number_input(
        t("dimensions.step.k"), 1, 7, key=KEYS["k"], help=t("dimensions.step.k_help")
    )
    d = c2.number_input(
        t("dimensions.step.d"), 1, 7, key=KEYS["d"], help=t("dimensions.step.d_help")
    )
    stride = c3.number_input(
        t("dimensions.step.stride"), 1, 3, key=KEYS["stride"], help=t("dimensions.step.stride_help")
    )
    padding = c4.number_input(
        t("dimensions.step.padding"),
        0,
        2,
        key=KEYS["padding"],
        help=t("dimensions.step.padding_help"),
    )
    return int(k), int(d), int(stride), int(padding)


def step_section() -> None:
    st.subheader(t("dimensions.step.header"))
    volume = demo_volume()
    depth, h, w = volume.shape
    st.caption(t("dimensions.step.help", depth=depth, h=h, w=w))
    k, d, stride, padding = controls()
    kernel = demo_filter(k, d)
    try:
        trace = cc.trace_conv3d(volume, kernel, stride=stride, padding=padding)
    except cc.ArgumentError as err:
        st.error(te(err))
        st.caption(t("dimensions.step.impossible"))
        return
    n = len(trace)
    if not 1 <= st.session_state[KEYS["step"]] <= n:  # the settings changed under it
        st.session_state[KEYS["step"]] = min(max(int(st.session_state[KEYS["step"]]), 1), n)
    i = int(
        st.number_input(
            t("dimensions.step.step"), 1, n, key=KEYS["step"], help=t("dimensions.step.step_help")
        )
    )
    step = trace.step(i - 1)
    _, z, y, x = step.out_index
    st.markdown(
        t(
            "dimensions.step.position", i=i, n=n, z=z, y=y, x=x,
            slices=_coords(step.depths), rows=_coords(step.rows), cols=_coords(step.cols),
        )
    )  # fmt: skip

    padded = trace.padded
    titles = [
        t("dimensions.step.padding_slice" if orig < 0 else "dimensions.step.slice", i=s)
        for s, orig in enumerate(_orig_slices(padded.shape[0], padding, depth))
    ]
    st.markdown(
        t(
            "dimensions.step.volume_title",
            shape=shape_text(volume.shape),
            padded=shape_text(padded.shape),
        )
    )
    window = Window3d(
        tuple(int(v) for v in step.depths),
        tuple(int(v) for v in step.rows),
        tuple(int(v) for v in step.cols),
    )
    st.plotly_chart(
        volume_figure(
            padded,
            titles=titles,
            window=window,
            input_box=(padding, padding, h, w),
            hover=_hover(),
        ),
        key=f"{P}.volume",
        config={"displayModeBar": False},
    )
    _tables(t("dimensions.step.volume_what"), f"{P}.volume.table", padded, titles)

    lines = slice_sums(step)
    st.markdown(t("dimensions.step.products"))
    for a, (zz, terms, total) in enumerate(lines):
        st.markdown(t("dimensions.step.slice_line", a=a, z=zz, terms=terms, sum=total))
    st.markdown(t("dimensions.step.total", sums=sum_of_slices(lines, step.value)))

    c1, c2 = st.columns([2, 3])
    kernel_titles = [t("dimensions.step.kernel_slice", i=a) for a in range(d)]
    c1.markdown(t("dimensions.step.kernel_title", shape=shape_text(kernel.shape)))
    with c1:
        st.plotly_chart(
            volume_figure(kernel, titles=kernel_titles, signed=True, hover=_hover(), max_cols=3),
            key=f"{P}.kernel",
            config={"displayModeBar": False},
        )
        _tables(t("dimensions.step.kernel_what"), f"{P}.kernel.table", kernel, kernel_titles)
    out = trace.output
    out_titles = [t("dimensions.step.out_slice", i=s) for s in range(out.shape[0])]
    c2.markdown(t("dimensions.step.output_title", shape=shape_text(out.shape)))
    with c2:
        st.plotly_chart(
            volume_figure(
                out,
                titles=out_titles,
                window=Window3d((z,), (y,), (x,)),
                hover=_hover(),
                max_cols=3,
            ),
            key=f"{P}.output",
            config={"displayModeBar": False},
        )
        _tables(t("dimensions.step.output_what"), f"{P}.output.table", out, out_titles)
    st.markdown(
        t(
            "dimensions.step.output_shape",
            d=out.shape[0], h=out.shape[1], w=out.shape[2],
            fd=trace.depth.formula(), fh=trace.rows.formula(), fw=trace.cols.formula(),
        )
    )  # fmt: skip
    if out.shape[0] == 1:
        st.info(t("dimensions.step.depth_one"))


def _orig_slices(n_padded: int, padding: int, depth: int) -> list[int]:
    """Each padded slice's input slice, -1 for the padding slices."""
    return [s - padding if 0 <= s - padding < depth else -1 for s in range(n_padded)]


def flat_section() -> None:
    """conv3d with a filter as deep as the input equals conv2d over the channels."""
    st.subheader(t("dimensions.flat.header"))
    c, k = 3, 3
    x = np.stack([random_grid(5, 5, 0, 9, 20 + i) for i in range(c)])
    kernel = demo_filter(k, c, seed=5)
    as_3d = np.asarray(cc.conv3d(x, kernel))  # (1, H', W'): the depth collapses
    as_2d = np.asarray(cc.conv2d(x, kernel[None]))  # (1, H', W'): one map
    st.caption(t("dimensions.flat.help", c=c))
    st.markdown(
        t(
            "dimensions.flat.shapes",
            h=x.shape[1], w=x.shape[2], c=c, k=k, oh=as_2d.shape[1], ow=as_2d.shape[2],
        )
    )  # fmt: skip
    cols = st.columns(c + 1)
    for i in range(c):
        cols[i].markdown(t("dimensions.flat.channel", i=i))
        cols[i].dataframe(widgets.grid_frame(x[i]), key=f"{P}.flat.in_{i}")
    cols[c].markdown(t("dimensions.step.kernel_title", shape=shape_text(kernel.shape)))
    cols[c].dataframe(
        widgets.grid_frame(np.concatenate(list(kernel), axis=0)), key=f"{P}.flat.kernel"
    )
    c1, c2 = st.columns(2)
    c1.markdown(t("dimensions.flat.conv3d", c=c, d=as_3d.shape[0]))
    c1.dataframe(widgets.grid_frame(as_3d[0]), key=f"{P}.flat.conv3d")
    c2.markdown(t("dimensions.flat.conv2d", c=c))
    c2.dataframe(widgets.grid_frame(as_2d[0]), key=f"{P}.flat.conv2d")
    if np.array_equal(as_3d, as_2d):
        st.success(t("dimensions.flat.equal"))
    else:  # pragma: no cover - conv_core's tests pin this
        st.error(t("dimensions.flat.differ"))


def one_by_one_section() -> None:
    """A 1x1 convolution from 4 channels to 2: a weighted sum across channels, pixel by pixel."""
    st.subheader(t("dimensions.one.header"))
    st.caption(t("dimensions.one.help"))
    x = np.stack([random_grid(3, 3, 0, 9, 40 + i) for i in range(4)])
    weight = ONE_BY_ONE[:, :, None, None]
    out = np.asarray(cc.conv2d(x, weight))
    st.markdown(
        t(
            "dimensions.one.shapes",
            x=shapes.hwc(x.shape),
            w=shapes.filters(weight.shape),
            out=shapes.hwc(out.shape),
        )
    )
    st.markdown(t("dimensions.one.weights"))
    st.dataframe(widgets.grid_frame(ONE_BY_ONE), key=f"{P}.one.weights")
    r, c = 1, 1
    for o in range(2):
        terms = " + ".join(f"{_num(ONE_BY_ONE[o, i])}·{_num(x[i, r, c])}" for i in range(4))
        st.markdown(t("dimensions.one.pixel", o=o, r=r, c=c, terms=terms, out=int(out[o, r, c])))
    cols = st.columns(2)
    for o in range(2):
        cols[o].markdown(t("dimensions.one.out_channel", o=o))
        cols[o].dataframe(widgets.grid_frame(out[o]), key=f"{P}.one.out_{o}")


def classification_table() -> None:
    st.subheader(t("dimensions.table.header"))
    rows = [
        {
            t(f"dimensions.table.{col}"): t(f"dimensions.table.rows.{row}.{col}")
            for col in ("kind", "directions", "output")
        }
        for row in CLASSIFICATION
    ]
    st.table(pd.DataFrame(rows).set_index(t("dimensions.table.kind")))


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("dimensions.title"))
st.caption(t("dimensions.intro"))
st.caption(t("dimensions.shapes"))

step_section()
flat_section()
one_by_one_section()
classification_table()
