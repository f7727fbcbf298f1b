"""The formula panel: the notes' formula filled in with the stored step's numbers.

The LaTeX comes from :mod:`ui.teaching.formulas` (pure, from conv_core's trace); this
module only lays it out with ``st.latex`` and words the index convention in the session's
language. The stepper steps in the browser without a rerun, so a panel shows the step the
page last stored (the stepper reports it on pause, or a moment after the last step; see
:func:`ui.widgets.stepping.step_through`), and says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import conv_core as cc
from ui.frame.i18n import t
from ui.teaching import formulas
from ui.teaching import shape_text as shapes


def _panel(key: str, step: int, n_steps: int):
    box = st.container(border=True, key=key)
    box.markdown(f"**{t('formulas.header')}**")
    box.caption(t("formulas.step", step=step + 1, n=n_steps))
    return box


def _general_pair(box, general: dict[str, str], op: str) -> None:
    """Convolution beside cross-correlation, the page's current one marked."""
    cols = box.columns(2)
    for col, name in zip(cols, ("convolve", "correlate"), strict=True):
        label = t(f"formulas.general.{name}")
        if name == op:
            label += " " + t("formulas.general.current")
        col.markdown(label)
        col.latex(general[name])


def _lines(box, lines: Sequence[str]) -> None:
    for line in lines:
        box.latex(line)


def show_1d(trace: cc.ConvTrace, step: int, *, key: str) -> formulas.FilledFormula:
    """The 1D sum of ``step`` of a ``trace_correlate1d`` / ``trace_convolve1d`` trace
    (no padding, stride 1: the flip page's), under both general forms."""
    filled = formulas.formula_1d(trace, step)
    box = _panel(key, step, len(trace))
    _general_pair(box, formulas.GENERAL_1D, filled.op)
    k = len(filled.terms[0])
    (q,), (i,) = filled.cell, filled.index
    first = min(term.input_index[0] for term in filled.terms[0])
    box.markdown(
        t(
            f"formulas.one_d.convention_{filled.op}",
            last=k - 1,
            q=q,
            i=i,
            first=first,
            end=first + k - 1,
        )
    )
    _lines(box, filled.lines)
    return filled


def show_2d(trace: cc.ConvTrace, step: int, *, key: str) -> formulas.FilledFormula:
    """The 2D sum of ``step`` of a ``trace_correlate2d`` / ``trace_convolve2d`` trace on the
    padded input, under both general forms, with the index convention."""
    filled = formulas.formula_2d(trace, step)
    box = _panel(key, step, len(trace))
    _general_pair(box, formulas.GENERAL_2D, filled.op)
    hp, wp = trace.padded.shape
    k_h, k_w = trace.kernel_applied.shape
    (r, c), (i, j) = filled.cell, filled.index
    (s_h, s_w), (d_h, d_w) = trace.config["stride"], trace.config["dilation"]
    box.markdown(
        t(
            f"formulas.two_d.convention_{filled.op}",
            hp=hp,
            wp=wp,
            lm=k_h - 1,
            ln=k_w - 1,
            r=r,
            c=c,
            i=i,
            j=j,
            sh=s_h,
            sw=s_w,
            ci=r * s_h,
            cj=c * s_w,
        )
    )
    if (d_h, d_w) != (1, 1):
        box.markdown(t("formulas.two_d.dilation", dh=d_h, dw=d_w))
    if filled.bias is not None:
        box.markdown(t("formulas.two_d.bias", bias=cc.format_step_parts(trace.step(step)).bias))
    _lines(box, filled.lines)
    return filled


def show_neuron(
    trace: cc.ConvTrace,
    step: int,
    *,
    key: str,
    filter_index: int,
    n_filters: int,
    input_shape: Sequence[int],
    weight_shape: Sequence[int],
    channel_names: Sequence[str] | None = None,
) -> formulas.FilledFormula:
    """One neuron of a layer (``trace_conv2d`` of filter ``filter_index`` alone): the
    notes' form, its indices, the per-channel sums and the bias with their numbers.

    ``input_shape`` is the layer's input ``(C, H, W)`` and ``weight_shape`` its filters
    ``(FN, C, KH, KW)`` (conv_core's order); they are written as the notes' blocks.
    """
    filled = formulas.neuron_formula(
        trace, step, filter_index=filter_index, channel_names=channel_names
    )
    box = _panel(key, step, len(trace))
    box.latex(formulas.NEURON)
    box.latex(formulas.NEURON_INDICES)
    r, c, k = filled.index
    n_in, k_h, _ = trace.kernel_applied.shape[1:]
    s_h, s_w = trace.config["stride"]
    box.markdown(
        t(
            "formulas.neuron.convention",
            k=k,
            f=k + 1,
            lu=k_h - 1,
            lc=n_in - 1,
            names=", ".join(channel_names) if channel_names else "",
            i=r,
            j=c,
            sh=s_h,
            sw=s_w,
            x=shapes.hwc(input_shape),
            w=shapes.filters(weight_shape),
            b=shapes.bias(n_filters),
        )
    )
    _lines(box, filled.lines)
    return filled
