"""The kernel editor: a preset or typed weights, the size, divide-by-sum, bias and random."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import streamlit as st

from conv_core import (
    KERNELS,
    ArgumentError,
    ConvLabError,
    get_kernel,
    normalise_kernel,
    random_kernel,
)
from conv_core.kernels import MAX_EDITOR_SIZE
from ui.frame.i18n import t, te
from ui.widgets.cells import (
    Cells,
    apply_edits,
    cells_to_frame,
    format_total,
    frame_to_cells,
    kernel_from_cells,
    match_kernel_name,
    matrix_to_cells,
    resize_cells,
)
from ui.widgets.state import KEEP_STATE, labels, translated_choice

#: The kernel picker's option for typed weights.
CUSTOM = "custom"
# Pixels per grid column: a 7x7 kernel and its row numbers fit in about 450 px.
_CELL_WIDTH = 56
# Pixels of the bias input: room for "-12.5" and the +/- buttons.
_BIAS_WIDTH = 170
# Pixels of the kernel picker (the longest title, "Laplacian (8 neighbours)", fits) and
# of each size picker (label "Columns (KW)" and its help icon).
_PRESET_WIDTH = 280
_SIZE_WIDTH = 130


# --------------------------------------------------------------------------------------
# Kernel editor


@dataclass(frozen=True)
class KernelChoice:
    """What the kernel editor holds.

    Attributes
    ----------
    matrix : ndarray of shape (KH, KW) or None
        The kernel to apply (divided by its sum when ``divided``); ``int64`` for whole
        weights, else ``float64``. None when a cell is invalid (see ``error``).
    bias : int or float
        Added to every output (an int when whole).
    name : str or None
        The ``conv_core.KERNELS`` name while the grid holds that kernel unedited, else None.
    divided : bool
        The weights were divided by their sum (the switch is on and the sum is not 0).
    error : ConvLabError or None
        The first bad cell (``kernel_cell_*``, naming its row and column), already shown.
    """

    matrix: npt.NDArray[Any] | None
    bias: float | int
    name: str | None
    divided: bool
    error: ConvLabError | None = None

    @property
    def ok(self) -> bool:
        """True when there is a kernel to apply."""
        return self.error is None and self.matrix is not None


def _k(prefix: str, name: str) -> str:
    return f"{prefix}.kernel.{name}"


def kernel_grid_key(prefix: str) -> str:
    """The data editor's current key (it changes when the grid is refilled)."""
    return f"{prefix}.kernel.grid.v{st.session_state.get(_k(prefix, 'version'), 0)}"


def _store_grid(prefix: str, cells: Cells, matrix: npt.ArrayLike | None) -> None:
    """New cells for the editor (with their exact matrix, if known): a fresh editor."""
    ss = st.session_state
    ss[_k(prefix, "cells")] = cells
    ss[_k(prefix, "matrix")] = None if matrix is None else np.array(matrix)
    ss[_k(prefix, "version")] = ss.get(_k(prefix, "version"), 0) + 1
    ss.pop(_k(prefix, "pending"), None)


def _current_cells(prefix: str) -> Cells:
    """The cells as the person sees them: stored cells plus the editor's edits."""
    ss = st.session_state
    return apply_edits(ss[_k(prefix, "cells")], ss.get(kernel_grid_key(prefix)))


def set_kernel(
    prefix: str,
    matrix: npt.ArrayLike,
    *,
    preset: str | None = None,
    bias: float | None = None,
    divide: bool | None = None,
) -> None:
    """Put a kernel into the editor; call before :func:`kernel_editor` in a run, or in a callback.

    ``preset`` defaults to the matching ``conv_core.KERNELS`` name (else ``'custom'``).
    """
    arr = np.asarray(matrix)
    rows, cols = arr.shape
    ss = st.session_state
    ss[_k(prefix, "preset")] = preset or match_kernel_name(arr) or CUSTOM
    ss[_k(prefix, "rows")] = rows
    ss[_k(prefix, "cols")] = cols
    _store_grid(prefix, matrix_to_cells(arr), arr)
    if bias is not None:
        ss[_k(prefix, "bias")] = float(bias)
    if divide is not None:
        ss[_k(prefix, "divide")] = bool(divide)


def _on_preset(prefix: str) -> None:
    name = st.session_state[_k(prefix, "preset")]
    if name == CUSTOM:
        return  # keep the weights on screen, now as the person's own
    set_kernel(prefix, KERNELS[name].matrix, preset=name)


def _on_size(prefix: str, axis: str) -> None:
    ss = st.session_state
    name = ss.get(_k(prefix, "preset"), CUSTOM)
    # A blur stays a square blur at its new size (box: any size; Gaussian, motion and
    # unsharp mask: odd sizes), so the other side follows.
    if name in KERNELS and KERNELS[name].params:
        size = int(ss[_k(prefix, axis)])
        try:
            kernel = get_kernel(name, size=size)
        except ArgumentError:
            pass
        else:
            ss[_k(prefix, "rows")] = ss[_k(prefix, "cols")] = size
            _store_grid(prefix, matrix_to_cells(kernel.matrix), kernel.matrix)
            return
    rows, cols = int(ss[_k(prefix, "rows")]), int(ss[_k(prefix, "cols")])
    _store_grid(prefix, resize_cells(_current_cells(prefix), rows, cols), None)
    ss[_k(prefix, "preset")] = CUSTOM


def _on_random(prefix: str, low: int, high: int) -> None:
    ss = st.session_state
    rows, cols = int(ss[_k(prefix, "rows")]), int(ss[_k(prefix, "cols")])
    matrix = random_kernel((rows, cols), low=low, high=high, integer=True)
    ss[_k(prefix, "preset")] = CUSTOM
    _store_grid(prefix, matrix_to_cells(matrix), matrix)


def _on_grid_edit(prefix: str) -> None:
    ss = st.session_state
    if _current_cells(prefix) != ss[_k(prefix, "cells")]:
        ss[_k(prefix, "preset")] = CUSTOM


def _init_kernel_state(prefix: str, default: str | npt.ArrayLike) -> None:
    ss = st.session_state
    if _k(prefix, "cells") not in ss:
        if isinstance(default, str):
            set_kernel(prefix, KERNELS[default].matrix, preset=default)
        else:
            set_kernel(prefix, default)
    # A page switch drops the editor's state: keep what was typed (see kernel_editor).
    pending = ss.get(_k(prefix, "pending"))
    if pending is not None and kernel_grid_key(prefix) not in ss:
        _store_grid(prefix, pending, None)
    for name, value in (("divide", False), ("bias", 0.0)):
        ss.setdefault(_k(prefix, name), value)
    ss.setdefault(_k(prefix, "preset"), CUSTOM)


def kernel_editor(
    prefix: str,
    *,
    default: str | npt.ArrayLike = "identity",
    random_range: tuple[int, int] = (-2, 2),
    show_bias: bool = True,
    show_divide: bool = True,
) -> KernelChoice:
    """The kernel editor: preset, size, a grid of weights, divide-by-sum, bias, random.

    Parameters
    ----------
    prefix : str
        The page's namespace for session-state keys (``"studio"``).
    default : str or array-like, optional
        The kernel on the session's first run: a ``conv_core.KERNELS`` name or a matrix
        (default ``"identity"``). Later runs keep what the person chose; use
        :func:`set_kernel` to change it from a page (e.g. from a link).
    random_range : (int, int), optional
        The whole numbers the "random kernel" button draws from (default -2..2, small
        enough to multiply in one's head).
    show_bias, show_divide : bool, optional
        Draw the bias input / the divide-by-sum switch (default True). Hidden ones
        count as 0 / off.

    Returns
    -------
    KernelChoice
    """
    ss = st.session_state
    _init_kernel_state(prefix, default)
    sizes = list(range(1, MAX_EDITOR_SIZE + 1))

    # Rows that wrap instead of squeezing: the editor may sit in a narrow column.
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        preset = st.selectbox(
            t("kernel.preset"),
            options=[*KERNELS, CUSTOM],
            format_func=labels(lambda n: "kernel.custom" if n == CUSTOM else KERNELS[n].title_key),
            key=translated_choice(_k(prefix, "preset")),
            persist_state=KEEP_STATE,
            help=t("kernel.preset_help"),
            on_change=_on_preset,
            args=(prefix,),
            width=_PRESET_WIDTH,
        )
        size_help = t("kernel.size_help", max=MAX_EDITOR_SIZE)
        # Rows and columns stay side by side when the row wraps.
        with st.container(horizontal=True, width="content", gap="small", wrap=False):
            for axis in ("rows", "cols"):
                st.selectbox(
                    t(f"kernel.{axis}"),
                    options=sizes,
                    key=_k(prefix, axis),
                    persist_state=KEEP_STATE,
                    help=size_help,
                    on_change=_on_size,
                    args=(prefix, axis),
                    width=_SIZE_WIDTH,
                )
    st.caption(t("kernel.custom_explain") if preset == CUSTOM else t(KERNELS[preset].explain_key))

    st.markdown(f"**{t('kernel.grid')}**", help=t("kernel.grid_help"))
    cells = ss[_k(prefix, "cells")]
    with st.container(key=_k(prefix, "grid")):
        edited = st.data_editor(
            cells_to_frame(cells),
            key=kernel_grid_key(prefix),
            num_rows="fixed",
            width="content",
            column_config={
                str(c + 1): st.column_config.TextColumn(str(c + 1), width=_CELL_WIDTH)
                for c in range(len(cells[0]))
            },
            on_change=_on_grid_edit,
            args=(prefix,),
        )
    shown = frame_to_cells(edited)
    # Remember typed cells, so they survive a page switch (which drops editor state).
    ss[_k(prefix, "pending")] = shown if shown != cells else None

    low, high = random_range
    divide, bias_value = False, 0.0
    # One row that wraps in a narrow column: button, switch, bias.
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.button(
            t("kernel.random"),
            key=_k(prefix, "random"),
            help=t("kernel.random_help", low=low, high=high),
            icon=":material/casino:",
            on_click=_on_random,
            args=(prefix, low, high),
        )
        if show_divide:
            divide = st.toggle(
                t("kernel.divide"),
                key=_k(prefix, "divide"),
                help=t("kernel.divide_help"),
                persist_state=KEEP_STATE,
                wrap=True,
            )
        if show_bias:
            bias_value = st.number_input(
                t("kernel.bias"),
                step=1.0,
                format="%g",
                key=_k(prefix, "bias"),
                persist_state=KEEP_STATE,
                help=t("kernel.bias_help"),
                width=_BIAS_WIDTH,
            )
    bias: float | int = int(bias_value) if float(bias_value).is_integer() else float(bias_value)

    try:
        matrix = kernel_from_cells(shown, cells, ss.get(_k(prefix, "matrix")))
    except ArgumentError as err:
        st.error(te(err))
        st.caption(t("kernel.fix_cell"))
        return KernelChoice(None, bias, None, False, err)

    name = preset if preset != CUSTOM and shown == cells else None
    divided = False
    if divide:
        total = float(matrix.sum())
        matrix, divided = normalise_kernel(matrix)
        if divided:
            st.caption(t("kernel.divided", total=format_total(total)))
        else:
            st.info(t("kernel.sum_zero"), icon=":material/info:")
    else:
        st.caption(t("kernel.sum", total=format_total(matrix.sum())))
    return KernelChoice(matrix, bias, name, bool(divided), None)
