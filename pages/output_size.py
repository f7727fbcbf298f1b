"""Output size and padding: the size rule with your numbers, step by step.

Reads top to bottom like the screen: the lecture presets, the sizes (H, W, KH, KW) and
the shared padding/stride/dilation controls, then for rows and columns the formula with
the numbers substituted, the padded input and the output drawn to one scale (hover an
output cell for its window), PyTorch's rule beside TensorFlow's 'VALID' and 'SAME', a
warning naming the input rows/columns no window visits, and pooling's ceil_mode.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures import sizes as size_figures
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.widgets import code_panel

leave_legacy_pages()

P = "output_size"
CONV = "size"  # conv_controls' prefix: keys size.conv.*
KEEP = widgets.KEEP_STATE
MAX_N = 64
MAX_K = 11
KEYS = {
    name: f"{P}.{name}"
    for name in ("h", "w", "kh", "kw", "sel_row", "sel_col", "pool_k", "pool_s", "pool_p")
}
DEFAULTS: dict[str, int] = {
    "h": 8,
    "w": 8,
    "kh": 3,
    "kw": 3,
    "sel_row": 0,
    "sel_col": 0,
    "pool_k": 2,
    "pool_s": 2,
    "pool_p": 0,
}
DEFAULT_CONV = widgets.ConvSettings(padding=0, stride=(2, 2))
PRESET_NAMES = ("output_size_padding", "output_size_tf_same")


def apply_preset(name: str) -> None:
    """Callback: the preset's input length and kernel on both axes, its stride and padding."""
    preset = cc.PRESETS[name]
    n, k = preset.inputs["n"], preset.inputs["kernel_size"]
    s = preset.config["stride"]
    ss = st.session_state
    ss[KEYS["h"]] = ss[KEYS["w"]] = n
    ss[KEYS["kh"]] = ss[KEYS["kw"]] = k
    ss[KEYS["sel_row"]] = ss[KEYS["sel_col"]] = 0
    widgets.set_conv_settings(
        CONV, widgets.ConvSettings(padding=preset.config["padding"], stride=(s, s))
    )


def lecture_sizes() -> pd.DataFrame:
    """The sizes the notes work out, each computed by conv_core from its preset's numbers."""
    flat, depth, tf = (
        cc.PRESETS[n] for n in ("flatten_48x48_rgb", "depth_10_filters", "tf_filter_3x3x1x32")
    )
    shape = flat.inputs["shape"].tolist()
    c_out, h_out, w_out = cc.conv_output_shape(**depth.arguments)
    c_in, h_in, w_in = depth.inputs["input_shape"].tolist()
    k = int(depth.inputs["kernel_size"])
    tf_shape = cc.conv_weight_shape(**tf.arguments)
    torch_shape = cc.conv_weight_shape(**{**tf.arguments, "layout": "pytorch"})
    weights = cc.conv_param_count(
        tf.inputs["kernel_size"], tf.inputs["in_channels"], tf.inputs["out_channels"], bias=False
    )
    rows = [
        (flat, t("output_size.lecture.flatten", shape=" · ".join(map(str, shape)),
                 n=f"{cc.flatten_size(shape):,}")),
        (depth, t("output_size.lecture.depth", h=h_in, w=w_in, c=c_in, n=c_out, k=k,
                  ho=h_out, wo=w_out)),
        (tf, t("output_size.lecture.filter", tf=list(tf_shape),
               torch=" × ".join(map(str, torch_shape)), n=weights)),
    ]  # fmt: skip
    return pd.DataFrame(
        {
            t("output_size.lecture.example"): [t(p.title_key) for p, _ in rows],
            t("output_size.lecture.result"): [text for _, text in rows],
        }
    )


def axis_padding(spec: Any, axis: int) -> int | str:
    """The 1D padding of rows (axis 0) or columns (axis 1) from the controls' spec."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, (tuple, list)):
        return int(spec[axis])
    return int(spec)


def _number(label_key: str, key: str, low: int, high: int) -> int:
    return int(
        st.number_input(
            t(label_key),
            low,
            high,
            step=1,
            key=key,
            persist_state=KEEP,
            help=t(f"{label_key}_help"),
        )
    )


# ----------------------------------------------------------------------------- sections


def steps(d: cc.ConvOutputSize, axis: str) -> list[str]:
    """The formula's steps with this axis's numbers (markdown lines)."""
    before, after = d.padding
    q = d.padded - d.span
    lines = [
        t("output_size.steps.span", k=d.kernel_size, d=d.dilation, span=d.span),
        t("output_size.steps.padded", n=d.n, before=before, after=after, padded=d.padded),
        t("output_size.steps.room", padded=d.padded, span=d.span, q=q),
    ]
    if d.is_exact:
        lines.append(t("output_size.steps.divide_exact", q=q, s=d.stride, v=q // d.stride))
    else:
        lines.append(
            t(
                "output_size.steps.divide_floor",
                q=q,
                s=d.stride,
                v=q // d.stride,
                r=d.remainder,
            )
        )
    lines.append(t("output_size.steps.plus_one", v=q // d.stride, size=d.size))
    return lines


def formula_column(d: cc.ConvOutputSize, axis: str) -> None:
    with st.container(key=f"{P}.formula_{axis}"):
        st.markdown(f"**{t(f'output_size.axis.{axis}')}**")
        st.code(d.formula(), language=None)
        for i, line in enumerate(steps(d, axis), start=1):
            st.markdown(f"{i}. {line}")


def compare_table(
    n: tuple[int, int], k: tuple[int, int], s: tuple[int, int], dil: tuple[int, int], spec: Any
) -> pd.DataFrame:
    """PyTorch's floor rule with the chosen padding vs TensorFlow's 'VALID' and 'SAME'."""
    columns = [
        t(f"output_size.compare.{c}") for c in ("rule", "pad_rows", "pad_cols", "output", "how")
    ]
    rows = []
    for rule, pad in (("torch", spec), ("tf_valid", "valid"), ("tf_same", "same")):
        name = t(f"output_size.compare.{rule}")
        try:
            dr = cc.conv_output_size_detail(n[0], k[0], s[0], axis_padding(pad, 0), dil[0])
            dc = cc.conv_output_size_detail(n[1], k[1], s[1], axis_padding(pad, 1), dil[1])
        except cc.ArgumentError:
            none = t("output_size.compare.none")
            rows.append(dict(zip(columns, (name, "—", "—", none, "—"), strict=True)))
            continue
        if rule == "tf_same":
            how = t(
                "output_size.compare.how_same",
                h=n[0],
                w=n[1],
                sh=s[0],
                sw=s[1],
                tr=sum(dr.padding),
                tc=sum(dc.padding),
            )
        elif rule == "tf_valid":
            how = t("output_size.compare.how_valid", ar=dr.span, ac=dc.span, sh=s[0], sw=s[1])
        else:
            how = t("output_size.compare.how_torch")
        cells = (
            name,
            f"({dr.padding[0]}, {dr.padding[1]})",
            f"({dc.padding[0]}, {dc.padding[1]})",
            f"{dr.size} × {dc.size}",
            how,
        )
        rows.append(dict(zip(columns, cells, strict=True)))
    return pd.DataFrame(rows)


def pool_axis_text(n: int, k: int, s: int, p: int, axis: str) -> str:
    floor = cc.pool_output_size(n, k, s, p)
    ceil = cc.pool_output_size(n, k, s, p, ceil_mode=True)
    d = cc.conv_output_size_detail(n, k, s, p)
    text = t(
        "output_size.pool.line",
        axis=t(f"output_size.axis.{axis}"),
        n=n,
        p=p,
        k=k,
        s=s,
        exact=str(d.exact),
        floor=floor,
        ceil=ceil,
    )
    if d.remainder and ceil == floor:
        text += " " + t("output_size.pool.dropped", start=floor * s, limit=n + p)
    return text


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("output_size.title"))
st.caption(t("output_size.intro"))

st.markdown(f"**{t('output_size.presets.label')}**")
preset_cols = st.columns(len(PRESET_NAMES))
for column, name in zip(preset_cols, PRESET_NAMES, strict=True):
    with column:
        st.button(
            t(f"output_size.presets.{name}"),
            key=f"{P}.preset.{name}",
            on_click=apply_preset,
            args=(name,),
            width="stretch",
        )

with st.container(border=True):
    size_cols = st.columns(4)
    with size_cols[0]:
        h = _number("output_size.inputs.h", KEYS["h"], 1, MAX_N)
    with size_cols[1]:
        w = _number("output_size.inputs.w", KEYS["w"], 1, MAX_N)
    with size_cols[2]:
        kh = _number("output_size.inputs.kh", KEYS["kh"], 1, MAX_K)
    with size_cols[3]:
        kw = _number("output_size.inputs.kw", KEYS["kw"], 1, MAX_K)
    conv = widgets.conv_controls(
        CONV, default=DEFAULT_CONV, modes=("zeros",), side_by_side=True, max_stride=8
    )

stride, dilation, spec = conv.stride, conv.dilation, conv.padding
try:
    d_rows = cc.conv_output_size_detail(h, kh, stride[0], axis_padding(spec, 0), dilation[0])
    d_cols = cc.conv_output_size_detail(w, kw, stride[1], axis_padding(spec, 1), dilation[1])
except cc.ArgumentError as err:
    st.error(t("output_size.impossible"))
    st.error(te(err))
    st.stop()

with st.container(key=f"{P}.summary"):
    st.subheader(
        t(
            "output_size.summary",
            h=h,
            w=w,
            hp=d_rows.padded,
            wp=d_cols.padded,
            oh=d_rows.size,
            ow=d_cols.size,
        )
    )

st.header(t("output_size.formula.header"))
st.markdown(t("output_size.formula.rule"))
f_rows, f_cols = st.columns(2, gap="large")
with f_rows:
    formula_column(d_rows, "rows")
with f_cols:
    formula_column(d_cols, "cols")

rows_axis = size_figures.Axis(h, *d_rows.padding, d_rows.size, stride[0], dilation[0], kh)
cols_axis = size_figures.Axis(w, *d_cols.padding, d_cols.size, stride[1], dilation[1], kw)
un_rows = size_figures.unvisited_inputs(rows_axis)
un_cols = size_figures.unvisited_inputs(cols_axis)

with st.container(key=f"{P}.warnings"):
    for d, axis, unvisited in ((d_rows, "rows", un_rows), (d_cols, "cols", un_cols)):
        if not d.is_exact:
            before, after = d.padding
            text = t(
                "output_size.warn.not_divisible",
                axis=t(f"output_size.axis.{axis}"),
                n=d.n,
                pad=before + after,
                span=d.span,
                q=d.padded - d.span,
                s=d.stride,
                r=d.remainder,
            )
            if unvisited:
                text += " " + t(
                    f"output_size.warn.unvisited_{axis}",
                    which=", ".join(map(str, unvisited)),
                )
            else:
                text += " " + t("output_size.warn.only_padding")
            st.warning(text)
        elif unvisited:
            st.warning(
                t(
                    f"output_size.warn.gaps_{axis}",
                    which=", ".join(map(str, unvisited)),
                    s=d.stride,
                )
            )

st.header(t("output_size.drawing.header"))
sel = st.columns(2)
ss = st.session_state
for key, top in ((KEYS["sel_row"], d_rows.size - 1), (KEYS["sel_col"], d_cols.size - 1)):
    if ss.get(key, 0) > top:
        ss[key] = top
with sel[0]:
    sel_r = int(
        st.number_input(
            t("output_size.drawing.sel_row"),
            0,
            d_rows.size - 1,
            step=1,
            key=KEYS["sel_row"],
            persist_state=KEEP,
        )
    )
with sel[1]:
    sel_c = int(
        st.number_input(
            t("output_size.drawing.sel_col"),
            0,
            d_cols.size - 1,
            step=1,
            key=KEYS["sel_col"],
            persist_state=KEEP,
        )
    )


def kinds_table(rows: size_figures.Axis, cols: size_figures.Axis) -> None:
    """The drawing's input grid in words (padding / input / never visited), for screen readers
    (built only while its expander is open)."""
    title = t("output_size.drawing.input_title", hp=rows.padded, wp=cols.padded)
    expander = widgets.table_expander(title, key=f"{P}.figure.table.alt")
    if expander is None:
        return
    words = [t(f"output_size.table.{k}") for k in ("pad", "input", "unvisited")]

    def names(axis: size_figures.Axis) -> list[str]:
        idx = [i - axis.before for i in range(axis.padded)]
        return [str(i) if 0 <= i < axis.n else f"{i} (p)" for i in idx]

    frame = pd.DataFrame(
        [[words[k] for k in row] for row in size_figures.input_kinds(rows, cols).tolist()],
        columns=names(cols),
    )
    frame.index = names(rows)
    with expander:
        st.caption(t("output_size.table.caption"))
        st.table(frame, alt=title)


fig = size_figures.size_figure(
    rows_axis,
    cols_axis,
    {
        "padding": t("output_size.drawing.hover_padding"),
        "input": t("output_size.drawing.hover_input"),
        "output": t("output_size.drawing.hover_output"),
        "input_title": t("output_size.drawing.input_title", hp=d_rows.padded, wp=d_cols.padded),
        "output_title": t("output_size.drawing.output_title", oh=d_rows.size, ow=d_cols.size),
    },
    selected=(sel_r, sel_c),
)
st.plotly_chart(fig, key=f"{P}.figure", config={"displayModeBar": False})
st.caption(t("output_size.drawing.legend"))
kinds_table(rows_axis, cols_axis)

st.header(t("output_size.compare.header"))
with st.container(key=f"{P}.compare"):
    st.table(compare_table((h, w), (kh, kw), stride, dilation, spec), hide_index=True)
st.caption(t("output_size.compare.note"))
code_panel.show_shape_code((h, w), (kh, kw), conv, key=f"{P}.code")

st.header(t("output_size.pool.header"))
st.markdown(t("output_size.pool.intro"))
pool_cols = st.columns(3)
with pool_cols[0]:
    pk = _number("output_size.pool.k", KEYS["pool_k"], 1, 8)
with pool_cols[1]:
    ps = _number("output_size.pool.s", KEYS["pool_s"], 1, 8)
with pool_cols[2]:
    pp = _number("output_size.pool.p", KEYS["pool_p"], 0, 4)
with st.container(key=f"{P}.pool"):
    try:
        for n, axis in ((h, "rows"), (w, "cols")):
            st.markdown(pool_axis_text(n, pk, ps, pp, axis))
    except cc.ArgumentError as err:
        st.error(te(err))
    if 2 * pp > pk:
        st.info(t("output_size.pool.torch_limit", p=pp, k=pk))
st.caption(t("output_size.pool.rule"))

st.header(t("output_size.lecture.header"))
st.markdown(t("output_size.lecture.intro"))
with st.container(key=f"{P}.lecture"):
    st.table(lecture_sizes(), hide_index=True)
