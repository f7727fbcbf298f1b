"""Dilated and transposed convolution: the cases of Dumoulin & Visin's convolution arithmetic.

A case picker (the guide's small examples: no padding, arbitrary padding, half and full
padding, strides with and without padding, dilation) sets the free controls (input size,
kernel size, stride, padding, dilation). The direct convolution is stepped on a grid of
small integers with the size rule and its numbers (conv_core.conv_output_size_detail).
The transposed counterpart (same kernel, input of the direct output's size, output_padding
the direct case's remainder so it maps back to the input size) is shown both as the
scatter stepper (each input value times the kernel) and as the stepper of the ordinary
convolution of the zero-inserted, padded input with the flipped kernel, and the page checks
that the two views give the same output.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.components.stepper import stepper
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching.grid_sources import random_grid
from ui.teaching.traces import TraceSettings, TransposeSettings, as_convolution, compact_trace

leave_legacy_pages()

P = "arithmetic"
KEEP = widgets.KEEP_STATE
#: The guide's cases: (input size, kernel size, stride, padding, dilation).
CASES: dict[str, tuple[int, int, int, int, int]] = {
    "no_padding": (4, 3, 1, 0, 1),
    "padding": (5, 4, 1, 2, 1),
    "half": (5, 3, 1, 1, 1),
    "full": (5, 3, 1, 2, 1),
    "stride": (5, 3, 2, 0, 1),
    "stride_padding": (5, 3, 2, 1, 1),
    "dilation": (7, 3, 1, 0, 2),
}
FIELDS = ("n", "k", "stride", "padding", "dilation")
LIMITS = {"n": (1, 9), "k": (1, 5), "stride": (1, 3), "padding": (0, 4), "dilation": (1, 3)}
DIRECTIONS = ("direct", "transposed")
KEYS = {name: f"{P}.{name}" for name in ("case", "direction", *FIELDS)}


def _apply_case() -> None:
    ss = st.session_state
    for field, value in zip(FIELDS, CASES[ss[KEYS["case"]]], strict=True):
        ss[KEYS[field]] = value


def _init_state() -> None:
    ss = st.session_state
    ss.setdefault(KEYS["case"], "no_padding")
    ss.setdefault(KEYS["direction"], "direct")
    for field, value in zip(FIELDS, CASES[ss[KEYS["case"]]], strict=True):
        ss.setdefault(KEYS[field], value)


def input_values(n: int) -> np.ndarray:
    """The n x n input: small integers 0..3 (the same every time)."""
    return random_grid(n, n, 0, 3, seed=1)


def kernel_values(k: int) -> np.ndarray:
    """The k x k kernel: small integers -1..2 (the same every time)."""
    return random_grid(k, k, -1, 2, seed=2)


def controls() -> tuple[str, int, int, int, int, int]:
    st.radio(
        t("arithmetic.case"),
        tuple(CASES),
        key=widgets.translated_choice(KEYS["case"]),
        format_func=widgets.labels(lambda c: f"arithmetic.cases.{c}"),
        on_change=_apply_case,
        persist_state=KEEP,
    )
    st.caption(t("arithmetic.case_help"))
    direction = st.radio(
        t("arithmetic.direction"),
        DIRECTIONS,
        key=widgets.translated_choice(KEYS["direction"]),
        format_func=widgets.labels(lambda d: f"arithmetic.directions.{d}"),
        horizontal=True,
        persist_state=KEEP,
    )
    values = []
    for col, field in zip(st.columns(len(FIELDS)), FIELDS, strict=True):
        low, high = LIMITS[field]
        values.append(
            int(
                col.number_input(
                    t(f"arithmetic.fields.{field}"),
                    low,
                    high,
                    key=KEYS[field],
                    persist_state=KEEP,
                )
            )
        )
    n, k, s, p, d = values
    return direction, n, k, s, p, d


def direct_section(n: int, k: int, s: int, p: int, d: int) -> None:
    detail = cc.conv_output_size_detail(n, k, s, p, d)
    st.subheader(t("arithmetic.direct.header"))
    st.markdown(t("arithmetic.direct.rule"))
    st.markdown(
        t(
            "arithmetic.direct.numbers",
            formula=detail.formula(),
            n=n,
            k=k,
            s=s,
            p=p,
            d=d,
            span=detail.span,
            out=detail.size,
        )
    )
    if detail.remainder:
        st.caption(t("arithmetic.direct.remainder", r=detail.remainder))
    settings = TraceSettings(
        json.dumps(input_values(n).tolist()),
        json.dumps(kernel_values(k).tolist()),
        0.0,
        "correlate",
        p,
        "zeros",
        (s, s),
        (d, d),
    )
    compact = compact_trace(settings)
    st.caption(t("arithmetic.direct.stepper_help", n=n, out=detail.size))
    stepper(compact, key=f"{P}.direct_stepper", url_param=None)


def transposed_section(n: int, k: int, s: int, p: int, d: int) -> None:
    detail = cc.conv_output_size_detail(n, k, s, p, d)
    i = detail.size
    a = detail.remainder
    out = cc.conv_transpose_output_size(i, k, s, p, a, d)
    st.subheader(t("arithmetic.transposed.header"))
    st.markdown(t("arithmetic.transposed.intro", n=n, i=i, a=a))
    st.markdown(t("arithmetic.transposed.rule"))
    st.markdown(
        t(
            "arithmetic.transposed.numbers",
            i=i,
            s=s,
            p=p,
            d=d,
            k=k,
            a=a,
            out=out,
        )
    )
    settings = TransposeSettings(
        json.dumps(input_values(i).tolist()),
        json.dumps(kernel_values(k).tolist()),
        s,
        p,
        a,
        d,
    )
    scatter = compact_trace(settings)
    inserted, padded, flipped, pads = as_convolution(settings)
    conv_settings = TraceSettings(
        json.dumps(padded), json.dumps(flipped), 0.0, "correlate", 0, "zeros", (1, 1), (d, d)
    )
    gather = compact_trace(conv_settings)

    st.markdown(t("arithmetic.transposed.scatter_header"))
    st.caption(t("arithmetic.transposed.scatter_help", s=s, p=p))
    stepper(scatter, key=f"{P}.scatter_stepper", url_param=None)

    st.markdown(t("arithmetic.transposed.gather_header"))
    (before_r, after_r), _ = pads
    st.caption(
        t(
            "arithmetic.transposed.gather_help",
            i=i,
            s=s,
            z=len(inserted),
            before=before_r,
            after=after_r,
            padded=len(padded),
            d=d,
            k=k,
            p=p,
            a=a,
        )
    )
    stepper(gather, key=f"{P}.gather_stepper", url_param=None)

    same = np.array_equal(np.asarray(scatter["output"][0]), np.asarray(gather["output"][0]))
    if same:
        st.success(t("arithmetic.transposed.same", out=out))
    else:  # pragma: no cover - conv_core guarantees the two agree
        st.error(t("arithmetic.transposed.differ"))


# ----------------------------------------------------------------------------- the page

_init_state()
st.title(t("arithmetic.title"))
st.caption(t("arithmetic.intro"))
direction, n, k, s, p, d = controls()
try:
    if direction == "direct":
        direct_section(n, k, s, p, d)
    else:
        transposed_section(n, k, s, p, d)
except cc.ArgumentError as err:
    st.error(te(err))
    st.caption(t("arithmetic.impossible"))
