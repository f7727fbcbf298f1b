"""Padding, padding mode, stride and dilation controls, and their padding-spec helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import streamlit as st

from conv_core import (
    CONV_PADDING_MODES,
    PADDING_MODES,
)
from ui.frame import url_state
from ui.frame.i18n import t
from ui.frame.settings import ConvSettings
from ui.widgets.state import KEEP_STATE, labels, translated_choice

Cells = list[list[str]]
PaddingSpec = url_state.PaddingSpec
PaddingKind = Literal["number", "valid", "same", "full"]
PADDING_KINDS: tuple[str, ...] = ("number", "valid", "same", "full")
# Widget values outlive a page switch and a hidden input (Streamlit drops them otherwise).


def padding_from_controls(
    kind: str, amount: int = 0, split: bool = False, rows: int = 0, cols: int = 0
) -> PaddingSpec:
    """The padding spec the controls describe (what conv_core's ``padding=`` takes).

    >>> padding_from_controls("same"), padding_from_controls("number", 2)
    ('same', 2)
    >>> padding_from_controls("number", 2, split=True, rows=1, cols=3)
    (1, 3)
    """
    if kind != "number":
        return kind
    return (int(rows), int(cols)) if split else int(amount)


def controls_from_padding(spec: PaddingSpec) -> dict[str, Any]:
    """The control values for a padding spec (the inverse of :func:`padding_from_controls`).

    Returns a dict with ``kind``, ``amount``, ``split``, ``rows``, ``cols``. A
    ``((top, bottom), (left, right))`` spec is accepted when top == bottom and
    left == right; otherwise ``ValueError`` (the controls pad rows and columns
    symmetrically).

    >>> controls_from_padding((1, 2))
    {'kind': 'number', 'amount': 1, 'split': True, 'rows': 1, 'cols': 2}
    """
    if isinstance(spec, str):
        return {"kind": spec, "amount": 0, "split": False, "rows": 0, "cols": 0}
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        p = int(spec)
        return {"kind": "number", "amount": p, "split": False, "rows": p, "cols": p}
    first, second = spec
    if isinstance(first, (tuple, list)):
        (top, bottom), (left, right) = first, second
        if top != bottom or left != right:
            raise ValueError(f"the controls pad symmetrically, but got padding={spec!r}")
        first, second = top, left
    rows, cols = int(first), int(second)
    return {"kind": "number", "amount": rows, "split": True, "rows": rows, "cols": cols}


def padding_mode_label(mode: str, title: str) -> str:
    """A padding-mode option: its title and conv_core's picture of it.

    >>> padding_mode_label("replicate", "replicate")
    'replicate · a a | a b c d | d d'
    """
    return f"{title} · {PADDING_MODES[mode].picture}"


# --------------------------------------------------------------------------------------
# Padding, stride, dilation


#: The controls' default: no padding, zeros, stride and dilation 1.
_NO_CHANGE = ConvSettings()


def _c(prefix: str, name: str) -> str:
    return f"{prefix}.conv.{name}"


def set_conv_settings(prefix: str, settings: ConvSettings) -> None:
    """Set the controls; call before :func:`conv_controls` in a run, or in a callback."""
    ss = st.session_state
    controls = controls_from_padding(settings.padding)
    ss[_c(prefix, "padding_kind")] = controls["kind"]
    ss[_c(prefix, "padding")] = controls["amount"]
    ss[_c(prefix, "padding_split")] = controls["split"]
    ss[_c(prefix, "padding_rows")] = controls["rows"]
    ss[_c(prefix, "padding_cols")] = controls["cols"]
    ss[_c(prefix, "padding_mode")] = settings.padding_mode
    ss[_c(prefix, "stride_rows")], ss[_c(prefix, "stride_cols")] = settings.stride
    ss[_c(prefix, "dilation_rows")], ss[_c(prefix, "dilation_cols")] = settings.dilation
    ss[_c(prefix, "initialised")] = True


def conv_controls(
    prefix: str,
    *,
    default: ConvSettings = _NO_CHANGE,
    max_padding: int = 8,
    max_stride: int = 8,
    max_dilation: int = 4,
    padding_words: bool = True,
    allow_split: bool = True,
    modes: Sequence[str] = CONV_PADDING_MODES,
    show_dilation: bool = True,
    side_by_side: bool = False,
) -> ConvSettings:
    """Padding (cells, or valid/same/full), padding mode, stride and dilation, rows and columns.

    Parameters
    ----------
    prefix : str
        The page's namespace for session-state keys.
    default : ConvSettings, optional
        The settings on the session's first run (later runs keep the person's; use
        :func:`set_conv_settings` to change them from a page).
    max_padding, max_stride, max_dilation : int, optional
        Upper bounds of the number inputs (their lower bounds are 0, 1, 1: the controls
        cannot produce a stride or dilation of 0; conv_core checks again anyway).
    padding_words : bool, optional
        Offer 'valid', 'same' and 'full' besides a number of cells (default True).
    allow_split : bool, optional
        Offer different padding for rows and columns (default True).
    modes : sequence of str, optional
        The padding modes to offer (default ``conv_core.CONV_PADDING_MODES``).
    show_dilation : bool, optional
        Draw the dilation inputs (default True); hidden means (1, 1).
    side_by_side : bool, optional
        Padding in a left column, stride and dilation in a right one (for a full-width
        area such as a tab); default False: one column, for a sidebar or a narrow column.

    Returns
    -------
    ConvSettings
    """
    ss = st.session_state
    if not ss.get(_c(prefix, "initialised")):
        set_conv_settings(prefix, default)
    kinds = list(PADDING_KINDS if padding_words else ("number",))
    if ss.get(_c(prefix, "padding_kind")) not in kinds:
        ss[_c(prefix, "padding_kind")] = "number"
    if ss.get(_c(prefix, "padding_mode")) not in modes:
        ss[_c(prefix, "padding_mode")] = modes[0]

    pad_area, pair_area = (
        st.columns(2, gap="large") if side_by_side else (st.container(), st.container())
    )
    with pad_area:
        padding, mode = _padding_controls(prefix, kinds, modes, max_padding, allow_split)
    with pair_area:
        pairs = _pair_controls(prefix, max_stride, max_dilation if show_dilation else None)
    return ConvSettings(
        padding=padding,
        padding_mode=mode,
        stride=pairs["stride"],
        dilation=pairs.get("dilation", (1, 1)),
    )


def _padding_controls(
    prefix: str, kinds: list[str], modes: Sequence[str], max_padding: int, allow_split: bool
) -> tuple[PaddingSpec, str]:
    """The padding kind, its amount (one or per axis) and the padding mode."""
    kind = "number"
    if len(kinds) > 1:
        kind = st.segmented_control(
            t("conv.padding"),
            options=kinds,
            format_func=labels(lambda k: f"conv.padding_kinds.{k}"),
            required=True,
            key=_c(prefix, "padding_kind"),
            persist_state=KEEP_STATE,
            wrap=True,
            help=t("conv.padding_help"),
        )
    split = False
    if kind == "number":
        if allow_split:
            split = st.toggle(
                t("conv.padding_split"),
                key=_c(prefix, "padding_split"),
                persist_state=KEEP_STATE,
                wrap=True,
            )
        if split:
            cols = st.columns(2)
            with cols[0]:
                rows_pad = st.number_input(
                    t("conv.padding_rows"),
                    0,
                    max_padding,
                    step=1,
                    key=_c(prefix, "padding_rows"),
                    persist_state=KEEP_STATE,
                )
            with cols[1]:
                cols_pad = st.number_input(
                    t("conv.padding_cols"),
                    0,
                    max_padding,
                    step=1,
                    key=_c(prefix, "padding_cols"),
                    persist_state=KEEP_STATE,
                )
            padding = padding_from_controls("number", split=True, rows=rows_pad, cols=cols_pad)
        else:
            amount = st.number_input(
                t("conv.padding_amount"),
                0,
                max_padding,
                step=1,
                key=_c(prefix, "padding"),
                persist_state=KEEP_STATE,
            )
            padding = padding_from_controls("number", amount)
    else:
        padding = padding_from_controls(kind)

    mode = st.selectbox(
        t("conv.padding_mode"),
        options=list(modes),
        format_func=_mode_labels(),
        key=translated_choice(_c(prefix, "padding_mode")),
        persist_state=KEEP_STATE,
        help=t("conv.padding_mode_help"),
    )
    st.caption(t(f"padding_modes.{mode}.explain"))
    return padding, mode


def _pair_controls(
    prefix: str, max_stride: int, max_dilation: int | None
) -> dict[str, tuple[int, int]]:
    """Stride and (unless ``max_dilation`` is None) dilation, rows and columns."""
    pairs: dict[str, tuple[int, int]] = {}
    groups = [("stride", max_stride)] + ([("dilation", max_dilation)] if max_dilation else [])
    for what, top in groups:
        cols = st.columns(2)
        values = []
        for column, axis in zip(cols, ("rows", "cols"), strict=True):
            with column:
                values.append(
                    int(
                        st.number_input(
                            t(f"conv.{what}_{axis}"),
                            1,
                            top,
                            step=1,
                            key=_c(prefix, f"{what}_{axis}"),
                            persist_state=KEEP_STATE,
                            help=t(f"conv.{what}_help"),
                        )
                    )
                )
        pairs[what] = (values[0], values[1])
    return pairs


def _mode_labels() -> Callable[[str], str]:
    """``format_func`` of the padding-mode picker: title and picture (see padding_mode_label)."""
    title = labels(lambda m: f"padding_modes.{m}.title")
    return lambda mode: padding_mode_label(mode, title(mode))
