"""Shared widgets: the kernel editor, padding/stride/dilation controls and the image picker.

Each widget takes a ``prefix`` (the page's namespace, such as ``"studio"``), keeps its
state under ``<prefix>.kernel.*``, ``<prefix>.conv.*`` or ``<prefix>.image.*``, and
returns a small frozen dataclass. Every string comes from ``assets/i18n`` through
:func:`ui.i18n.t`; a conv_core error is shown with ``st.error(te(err))`` and returned,
never raised.

State is set in one way only: before the widget is drawn in a run (``set_kernel``,
``set_conv_settings``, ``set_image_sample``, or the widget's ``default`` on the first
run) or from a callback. A widget is never given both a value and a session-state key.

The pure helpers (grid of strings <-> matrix, editor deltas, resizing, padding spec <->
controls, labels) are plain functions, tested without Streamlit.

Session-state keys (``p`` = prefix):

=======================  =====================================================
``p.kernel.preset``      selectbox: a ``conv_core.KERNELS`` name or ``'custom'``
``p.kernel.rows/cols``   selectboxes 1..7 (KH, KW)
``p.kernel.grid.v<n>``   the data editor (a new ``n`` resets it; see below)
``p.kernel.divide``      toggle "divide by the sum"
``p.kernel.bias``        number input
``p.kernel.random``      button
``p.conv.padding_kind``  ``'number' | 'valid' | 'same' | 'full'``
``p.conv.padding``       cells on every side (``padding_split`` off)
``p.conv.padding_split`` toggle; then ``p.conv.padding_rows`` / ``padding_cols``
``p.conv.padding_mode``  one of ``conv_core.CONV_PADDING_MODES``
``p.conv.stride_rows``   ... ``stride_cols``, ``dilation_rows``, ``dilation_cols``
``p.image.source``       ``'sample' | 'upload'`` (``| 'camera' | 'draw'`` when offered)
``p.image.sample``       a ``ui.samples.SAMPLES`` name
``p.image.upload``       the file uploader
``p.image.camera``       the camera (``st.camera_input``; see :func:`image_camera`)
``p.image.draw``         the drawing grid (``ui.drawn_input.image_draw``)
=======================  =====================================================

Why the data editor's key carries a version: ``st.data_editor`` keeps the cells a
person typed in the browser; replacing the table under the same key leaves the old
edits on screen (seen in Chromium with Streamlit 1.67). A preset, a size change or the
random button therefore store the new cells and bump the version, which mounts a fresh
editor. The editor sits in ``st.container(key="<p>.kernel.grid")``, so a browser test
finds it as ``.st-key-<p>-kernel-grid`` whatever the version.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from conv_core import (
    CONV_PADDING_MODES,
    KERNELS,
    PADDING_MODES,
    ArgumentError,
    ConvLabError,
    ImageInfo,
    ImageLoadError,
    downscale,
    get_kernel,
    load_image_with_info,
    normalise_kernel,
    parse_kernel,
    random_kernel,
)
from conv_core.kernels import MAX_EDITOR_SIZE
from ui import url_state
from ui.i18n import current_language, t, te, translate
from ui.samples import SAMPLES, load_sample_with_info

__all__ = [
    "CUSTOM",
    "UPLOAD_TYPES",
    "ConvSettings",
    "ImagePick",
    "KernelChoice",
    "apply_edits",
    "camera_blocked",
    "cells_to_frame",
    "controls_from_padding",
    "conv_controls",
    "format_cell",
    "format_total",
    "frame_to_cells",
    "image_camera",
    "image_picker",
    "kernel_editor",
    "kernel_from_cells",
    "kernel_grid_key",
    "match_kernel_name",
    "matrix_to_cells",
    "padding_from_controls",
    "padding_mode_label",
    "resize_cells",
    "set_conv_settings",
    "set_image_sample",
    "set_kernel",
    "show_url_notices",
    "sync_query_params",
]

#: The kernel picker's option for typed weights.
CUSTOM = "custom"
#: File extensions the uploader offers (conv_core checks the bytes, not the name).
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")
#: Display text of a cell holding a long float: rounded for the eye only (see kernel_editor).
_CELL_DIGITS = 6
_MAX_CELL_TEXT = 9
# Pixels per grid column: a 7x7 kernel and its row numbers fit in about 450 px.
_CELL_WIDTH = 56
# Pixels of the bias input: room for "-12.5" and the +/- buttons.
_BIAS_WIDTH = 170
# Pixels of the kernel picker (the longest title, "Laplacian (8 neighbours)", fits) and
# of each size picker (label "Columns (KW)" and its help icon).
_PRESET_WIDTH = 280
_SIZE_WIDTH = 130

Cells = list[list[str]]
PaddingSpec = url_state.PaddingSpec
PaddingKind = Literal["number", "valid", "same", "full"]
PADDING_KINDS: tuple[str, ...] = ("number", "valid", "same", "full")
# Widget values outlive a page switch and a hidden input (Streamlit drops them otherwise).
#: ``persist_state`` for widgets that must keep their value in runs that do not draw them
#: (Streamlit otherwise drops a widget's key after such a run).
KEEP_STATE = "session"
_KEEP = KEEP_STATE


# --------------------------------------------------------------------------------------
# Pure helpers (no Streamlit)


def init_state(keys: Mapping[str, str], defaults: Mapping[str, Any]) -> None:
    """Give each setting its default on a session's first run (``keys``: name -> state key).

    Settings already in session state (from a link, or set before) are left alone.
    """
    for name, value in defaults.items():
        st.session_state.setdefault(keys[name], value)


def grid_frame(values: npt.ArrayLike, decimals: int = 3) -> pd.DataFrame:
    """A 2D grid as a table for ``st.table`` or ``st.dataframe``: whole numbers without
    ``.0``, others rounded to ``decimals`` (``-1.75``, ``0.333``); columns named ``"0"``,
    ``"1"``, ...

    >>> grid_frame([[1.0, 0.3333], [-2, 7]]).values.tolist()
    [['1', '0.333'], ['-2', '7']]
    """
    arr = np.asarray(values, dtype=np.float64)
    cells = [[f"{round(float(v), decimals):g}" for v in row] for row in arr.tolist()]
    return pd.DataFrame(cells, columns=[str(c) for c in range(arr.shape[1])])


def format_cell(value: float | int) -> str:
    """A kernel weight as the editor shows it: exact and short, else 6 significant digits.

    >>> format_cell(2), format_cell(1 / 9), format_cell(0.5), format_cell(-2 / 16)
    ('2', '1/9', '0.5', '-1/8')
    >>> format_cell(0.07511360795411207)
    '0.0751136'
    """
    text = url_state.format_number(value)
    if len(text) <= _MAX_CELL_TEXT:
        return text
    return f"{float(value):.{_CELL_DIGITS}g}"


def format_total(value: float) -> str:
    """A sum of weights for a caption: float noise below 1e-9 removed, 6 significant digits.

    >>> format_total(1.0000000000000002), format_total(0), format_total(-0.5), format_total(1/3)
    ('1', '0', '-0.5', '0.333333')
    """
    x = float(value)
    if abs(x - round(x)) < 1e-9:
        return str(round(x))
    return f"{x:.6g}"


def matrix_to_cells(matrix: npt.ArrayLike) -> Cells:
    """The editor's strings for a kernel matrix (:func:`format_cell` per weight)."""
    arr = np.asarray(matrix)
    return [[format_cell(v) for v in row] for row in arr.tolist()]


def cells_to_frame(cells: Sequence[Sequence[str]]) -> pd.DataFrame:
    """The editor's table: strings, columns ``'1'..'KW'``, rows ``'1'..'KH'``."""
    n_cols = len(cells[0]) if cells else 0
    return pd.DataFrame(
        [list(row) for row in cells],
        columns=[str(c + 1) for c in range(n_cols)],
        index=[str(r + 1) for r in range(len(cells))],
        dtype="object",
    )


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def frame_to_cells(frame: pd.DataFrame) -> Cells:
    """The table's cells as strings; a cleared cell (None or NaN) becomes ``''``."""
    return [[_cell_text(v) for v in row] for row in frame.itertuples(index=False)]


def apply_edits(cells: Sequence[Sequence[str]], editor_state: Mapping[str, Any] | None) -> Cells:
    """``cells`` with a data editor's ``edited_rows`` applied (what the person typed).

    ``editor_state`` is ``st.session_state[<editor key>]``:
    ``{"edited_rows": {row: {column label: value}}, ...}``; row positions may be ints or
    strings, column labels are ``'1'..'KW'``. Unknown rows or columns are ignored.

    >>> apply_edits([["1", "2"], ["3", "4"]], {"edited_rows": {1: {"2": "x"}, "0": {"1": None}}})
    [['', '2'], ['3', 'x']]
    """
    out = [list(row) for row in cells]
    if not editor_state:
        return out
    for row_key, changes in (editor_state.get("edited_rows") or {}).items():
        try:
            r = int(row_key)
        except (TypeError, ValueError):
            continue
        if not 0 <= r < len(out):
            continue
        for col_label, value in changes.items():
            try:
                c = int(col_label) - 1
            except (TypeError, ValueError):
                continue
            if 0 <= c < len(out[r]):
                out[r][c] = _cell_text(value)
    return out


def _resize_axis(n_old: int, n_new: int) -> tuple[int, int]:
    """(offset into the old axis, offset into the new axis) keeping the centre."""
    if n_new >= n_old:
        return 0, (n_new - n_old) // 2
    return (n_old - n_new) // 2, 0


def resize_cells(cells: Sequence[Sequence[str]], rows: int, cols: int, fill: str = "0") -> Cells:
    """``cells`` cut or padded to ``rows`` x ``cols`` around the centre; new cells get ``fill``.

    An odd difference puts the extra row/column after (bottom/right), as 'same' padding does.

    >>> resize_cells([["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]], 1, 1)
    [['5']]
    >>> resize_cells([["5"]], 3, 2)
    [['0', '0'], ['5', '0'], ['0', '0']]
    """
    old_rows = len(cells)
    old_cols = len(cells[0]) if old_rows else 0
    out = [[fill] * cols for _ in range(rows)]
    src_r, dst_r = _resize_axis(old_rows, rows)
    src_c, dst_c = _resize_axis(old_cols, cols)
    for i in range(min(old_rows, rows)):
        for j in range(min(old_cols, cols)):
            out[dst_r + i][dst_c + j] = cells[src_r + i][src_c + j]
    return out


def kernel_from_cells(
    cells: Sequence[Sequence[str]],
    base_cells: Sequence[Sequence[str]] | None = None,
    base_matrix: npt.ArrayLike | None = None,
) -> npt.NDArray[Any]:
    """The kernel the editor's cells hold; raises ``conv_core.ArgumentError`` for a bad cell.

    While the cells are exactly ``base_cells`` (what a preset, the random button or a
    page filled in), the exact ``base_matrix`` is returned: a Gaussian shown rounded to
    six digits is still computed with its full-precision weights.
    """
    if base_matrix is not None and base_cells is not None:
        if [list(r) for r in cells] == [list(r) for r in base_cells]:
            return np.array(base_matrix)
    return parse_kernel([list(r) for r in cells])


def match_kernel_name(matrix: npt.ArrayLike) -> str | None:
    """The name of the ``conv_core.KERNELS`` entry equal to ``matrix``, or None.

    >>> match_kernel_name([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), match_kernel_name([[1, 2]])
    ('identity', None)
    """
    arr = np.asarray(matrix)
    for name, kernel in KERNELS.items():
        if kernel.matrix.shape == arr.shape and np.array_equal(kernel.matrix, arr):
            return name
    return None


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
# Option labels


_TRANSLATED_CHOICES = "app.translated_choices"


def translated_choice(key: str) -> str:
    """Note that the selectbox or radio under ``key`` shows translated option labels.

    Streamlit's browser side keeps a selectbox's or radio's value as the *label* text, and
    a keyed widget keeps its identity when its labels change: after a language switch it
    would show the old language's label (a radio: nothing selected) and send that text
    back. :func:`resync_translated_choices` (the language switch's callback) re-sends
    these widgets' values. Returns ``key``, to wrap the ``key=`` argument in place.
    (Segmented controls send indices and need none of this.)
    """
    st.session_state.setdefault(_TRANSLATED_CHOICES, set()).add(key)
    return key


def resync_translated_choices() -> None:
    """Re-send every :func:`translated_choice` widget's value (call on a language change).

    Assigning a widget's own value through ``st.session_state`` makes Streamlit send it
    to the browser again, formatted with the new labels.
    """
    ss = st.session_state
    for key in ss.get(_TRANSLATED_CHOICES, ()):
        if key in ss:
            ss[key] = ss[key]


def labels(key_of: Callable[[Any], str]) -> Callable[[Any], str]:
    """A ``format_func`` translating ``key_of(option)`` in the language of this run.

    The language is read once, here: Streamlit may call a ``format_func`` later and
    outside the script run (AppTest does), where the session's language is not at hand.
    """
    lang = current_language()
    return lambda option: translate(lang, key_of(option))


def choice_buttons(
    label_key: str,
    options: Sequence[Any],
    *,
    key: str,
    option_key: Callable[[Any], str],
    help_key: str | None = None,
    keep: bool = True,
    **kwargs: Any,
) -> Any:
    """One of a few options as a row of buttons (``st.segmented_control``, one always
    chosen), labelled in the session's language: ``t(label_key)`` above, each option
    ``t(option_key(option))``, help ``t(help_key)``. ``keep`` keeps the choice while the
    buttons are not drawn (:data:`KEEP_STATE`); other keyword arguments go to Streamlit.

    Example::

        source = choice_buttons(
            "pooling.input.source", SOURCES, key="pooling.src",
            option_key=lambda s: f"pooling.input.sources.{s}",
        )
    """
    return st.segmented_control(
        t(label_key),
        options,
        key=key,
        format_func=labels(option_key),
        required=True,
        help=t(help_key) if help_key else None,
        persist_state=_KEEP if keep else None,
        **kwargs,
    )


def _mode_labels() -> Callable[[str], str]:
    """``format_func`` of the padding-mode picker: title and picture (see padding_mode_label)."""
    title = labels(lambda m: f"padding_modes.{m}.title")
    return lambda mode: padding_mode_label(mode, title(mode))


# --------------------------------------------------------------------------------------
# URL helpers (for pages)


def sync_query_params(schema: url_state.Schema, settings: Mapping[str, Any]) -> None:
    """Write ``settings`` into the address bar: non-defaults set, defaults removed.

    Only the schema's own parameters are touched, so ``lang`` and other pages'
    parameters stay. Writes happen only when the text changes (each write is a message
    to the browser).
    """
    wanted = url_state.encode(schema, settings)
    for name in schema.names:
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def show_url_notices(notices: Sequence[url_state.Notice]) -> None:
    """One warning per link parameter that was invalid and fell back to its default."""
    lang = current_language()
    for notice in notices:
        st.warning(notice.text(lang), icon=":material/link_off:")


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
            persist_state=_KEEP,
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
                    persist_state=_KEEP,
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
                persist_state=_KEEP,
                wrap=True,
            )
        if show_bias:
            bias_value = st.number_input(
                t("kernel.bias"),
                step=1.0,
                format="%g",
                key=_k(prefix, "bias"),
                persist_state=_KEEP,
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


# --------------------------------------------------------------------------------------
# Padding, stride, dilation


@dataclass(frozen=True)
class ConvSettings:
    """Padding, padding mode, stride and dilation, in conv_core's argument names.

    ``padding`` is an int, a ``(rows, cols)`` pair or ``'valid'``/``'same'``/``'full'``;
    ``stride`` and ``dilation`` are ``(rows, cols)``.
    """

    padding: PaddingSpec = 0
    padding_mode: str = "zeros"
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)

    def kwargs(self) -> dict[str, Any]:
        """``padding``, ``padding_mode``, ``stride``, ``dilation`` for conv_core calls."""
        return {
            "padding": self.padding,
            "padding_mode": self.padding_mode,
            "stride": self.stride,
            "dilation": self.dilation,
        }

    @property
    def padding_text(self) -> str:
        """The padding as a link holds it (``'1'``, ``'1,2'``, ``'same'``)."""
        return url_state.format_padding_spec(self.padding)


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
    default: ConvSettings = ConvSettings(),
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
            persist_state=_KEEP,
            wrap=True,
            help=t("conv.padding_help"),
        )
    split = False
    if kind == "number":
        if allow_split:
            split = st.toggle(
                t("conv.padding_split"),
                key=_c(prefix, "padding_split"),
                persist_state=_KEEP,
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
                    persist_state=_KEEP,
                )
            with cols[1]:
                cols_pad = st.number_input(
                    t("conv.padding_cols"),
                    0,
                    max_padding,
                    step=1,
                    key=_c(prefix, "padding_cols"),
                    persist_state=_KEEP,
                )
            padding = padding_from_controls("number", split=True, rows=rows_pad, cols=cols_pad)
        else:
            amount = st.number_input(
                t("conv.padding_amount"),
                0,
                max_padding,
                step=1,
                key=_c(prefix, "padding"),
                persist_state=_KEEP,
            )
            padding = padding_from_controls("number", amount)
    else:
        padding = padding_from_controls(kind)

    mode = st.selectbox(
        t("conv.padding_mode"),
        options=list(modes),
        format_func=_mode_labels(),
        key=translated_choice(_c(prefix, "padding_mode")),
        persist_state=_KEEP,
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
                            persist_state=_KEEP,
                            help=t(f"conv.{what}_help"),
                        )
                    )
                )
        pairs[what] = (values[0], values[1])
    return pairs


# --------------------------------------------------------------------------------------
# Image picker


@dataclass(frozen=True)
class ImagePick:
    """The chosen image.

    Attributes
    ----------
    array : ndarray of shape (H, W) or (H, W, 3) and dtype float32
        0-255 values, at most ``max_side`` pixels on the longer side.
    info : conv_core.ImageInfo
        What the file was (format, mode, original ``size`` as (width, height), notes).
    name : str
        The sample's name, or the uploaded file's name (cut to 80 characters; show it
        as plain text only: it is whatever the person's file was called).
    source : {'sample', 'upload', 'camera', 'draw'}
    digest : str
        A content key for caching downstream: ``'sample:<name>'``, the upload's or the
        photo's SHA-256, or ``'draw:...'`` (the drawing's bits).
    """

    array: npt.NDArray[np.float32]
    info: ImageInfo
    name: str
    source: Literal["sample", "upload", "camera", "draw"]
    digest: str

    @property
    def downscaled(self) -> bool:
        """The array is smaller than the file."""
        return (self.array.shape[1], self.array.shape[0]) != tuple(self.info.size)


def _i(prefix: str, name: str) -> str:
    return f"{prefix}.image.{name}"


def _fit(image: npt.NDArray[np.float32], max_side: int | None) -> npt.NDArray[np.float32]:
    return image if max_side is None else downscale(image, max_side)


@st.cache_data(max_entries=24, show_spinner=False)
def _cached_sample(
    name: str, as_gray: bool, max_side: int | None
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    image, info = load_sample_with_info(name, as_gray)
    return _fit(image, max_side), info


# Keyed by the content hash; the bytes themselves are not hashed again (leading _).
# One entry per photo a class is working on: with 8, thirty students uploading their own
# photos missed the cache on almost every lab rerun (110 misses, 14 hits in the classroom
# benchmark) and decoded again; 40 working-size images are about 130 MB.
@st.cache_data(max_entries=40, ttl=3600, show_spinner=False)
def _cached_upload(
    digest: str, as_gray: bool, max_side: int | None, _data: bytes
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    image, info = load_image_with_info(_data, as_gray)
    return _fit(image, max_side), info


def set_image_sample(prefix: str, name: str) -> None:
    """Choose a sample; call before :func:`image_picker` in a run, or in a callback."""
    if name not in SAMPLES:
        raise KeyError(f"unknown sample {name!r}; known: {', '.join(SAMPLES)}")
    st.session_state[_i(prefix, "source")] = "sample"
    st.session_state[_i(prefix, "sample")] = name


def _upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def image_upload(
    prefix: str, *, as_gray: bool = False, max_side: int | None = 1024
) -> ImagePick | None:
    """The person's own image file: the uploader, decoded safely and cached by content.

    Keys ``<prefix>.image.upload`` (the uploader) and ``<prefix>.image.digest``. Returns
    None while no file is chosen, or when the file cannot be used (the reason is shown
    with ``st.error``); see :func:`image_picker` for ``as_gray`` and ``max_side``.
    """
    limit = _upload_limit_mb()
    uploaded = st.file_uploader(
        t("image.upload"),
        type=list(UPLOAD_TYPES),
        key=_i(prefix, "upload"),
        help=t("image.upload_help", limit=limit),
    )
    if uploaded is None:
        st.caption(t("image.upload_prompt"))
        return None
    decoded = _decode_file(uploaded, _i(prefix, "digest"), as_gray, max_side)
    if decoded is None:
        return None
    array, info, digest = decoded
    pick = ImagePick(array, info, str(uploaded.name)[:80], "upload", digest)
    return pick


def _decode_file(
    file: Any, memo_key: str, as_gray: bool, max_side: int | None
) -> tuple[npt.NDArray[np.float32], ImageInfo, str] | None:
    """An uploaded or captured file decoded safely (conv_core) and cached by its content.

    ``memo_key`` keeps ``(file_id, sha256)``, so a file is hashed once, not on every rerun
    (a 25 MB file takes ~20 ms). None, with the reason shown, when the file cannot be used.
    """
    data = file.getvalue()
    memo = st.session_state.get(memo_key)
    if memo is None or memo[0] != file.file_id:
        memo = (file.file_id, hashlib.sha256(data).hexdigest())
        st.session_state[memo_key] = memo
    try:
        array, info = _cached_upload(memo[1], as_gray, max_side, data)
    except (ImageLoadError, ArgumentError) as err:
        st.error(te(err))
        return None
    return array, info, memo[1]


#: The capture height asked of the camera (a request: the browser picks the nearest it has).
CAMERA_RESOLUTION = "720p"
#: Hosts a browser treats as a secure context over plain http (the camera works there).
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def camera_blocked(url: str | None) -> bool:
    """Whether a browser will refuse the camera on a page at ``url``.

    Browsers give a page the camera only in a secure context: ``https://``, or ``http://``
    from the same machine (``localhost``, ``127.0.0.1``, ``[::1]``, ``*.localhost``).
    An unknown address (None) is not called blocked.

    >>> camera_blocked("http://192.168.0.7:8501/lab"), camera_blocked("https://x.org/lab")
    (True, False)
    >>> camera_blocked("http://localhost:8501/lab"), camera_blocked("http://127.0.0.1:8501")
    (False, False)
    """
    if not url:
        return False
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "http":
        return False
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1].lower()
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.split(":", 1)[0]
    return not (host in _LOCAL_HOSTS or host.endswith(".localhost"))


def image_camera(
    prefix: str, *, as_gray: bool = False, max_side: int | None = 1024
) -> ImagePick | None:
    """A photo from the person's camera (``st.camera_input``), decoded like an upload.

    Keys ``<prefix>.image.camera`` (the camera) and ``<prefix>.image.camera_digest``. The
    photo goes through the same safe decoding (``conv_core.load_image_with_info``) and the
    same content-hash cache as an upload. Above the camera the page says that browsers
    allow cameras only on https or localhost, and what to do otherwise; when the address
    is plain http to another machine it says so as a warning. Returns None while no photo
    is taken or when it cannot be used.
    """
    if camera_blocked(st.context.url):
        st.warning(t("image.camera_blocked"), icon=":material/no_photography:")
    else:
        st.caption(t("image.camera_note"))
    # 720p: enough for the 640-pixel preview, and one photo stays near 100-300 KB (without
    # it, Chromium's fake camera gave 3840 x 2160 frames), so a class taking photos at once
    # does not fill the server's memory.
    photo = st.camera_input(
        t("image.camera"),
        key=_i(prefix, "camera"),
        help=t("image.camera_help"),
        resolution=CAMERA_RESOLUTION,
    )
    if photo is None:
        st.caption(t("image.camera_prompt"))
        return None
    decoded = _decode_file(photo, _i(prefix, "camera_digest"), as_gray, max_side)
    if decoded is None:
        return None
    array, info, digest = decoded
    return ImagePick(array, info, t("image.camera_name"), "camera", digest)


def image_picker(
    prefix: str,
    *,
    as_gray: bool = False,
    max_side: int | None = 1024,
    default_sample: str = "camera",
    samples: Sequence[str] | None = None,
    allow_upload: bool = True,
    allow_camera: bool = False,
    allow_draw: bool = False,
) -> ImagePick | None:
    """A sample image or the person's own upload, decoded safely and cached.

    Parameters
    ----------
    prefix : str
        The page's namespace for session-state keys.
    as_gray : bool, optional
        Return one channel (BT.601 luma), shape (H, W) (default False: grey files stay
        (H, W), colour files are (H, W, 3)).
    max_side : int or None, optional
        Shrink the image (area average) so its longer side is at most this many pixels
        (default 1024); None keeps the file's size. The cache holds the shrunk image.
    default_sample : str, optional
        The sample chosen on the session's first run (default ``"camera"``).
    samples : sequence of str, optional
        The samples to offer (default: all of ``ui.samples.SAMPLES``).
    allow_upload : bool, optional
        Offer the uploader (default True).
    allow_camera : bool, optional
        Offer a photo from the camera (:func:`image_camera`; default False).
    allow_draw : bool, optional
        Offer a 28x28 drawing (``ui.drawn_input.image_draw``; default False).

    Returns
    -------
    ImagePick or None
        None while no file is chosen, or when the file cannot be used (the reason is
        shown with ``st.error``).
    """
    ss = st.session_state
    names = list(samples or SAMPLES)
    ss.setdefault(_i(prefix, "sample"), default_sample if default_sample in names else names[0])
    if ss[_i(prefix, "sample")] not in names:
        ss[_i(prefix, "sample")] = names[0]
    ss.setdefault(_i(prefix, "source"), "sample")

    source = "sample"
    offered = ["sample"] + [
        name
        for name, on in (("upload", allow_upload), ("camera", allow_camera), ("draw", allow_draw))
        if on
    ]
    if ss[_i(prefix, "source")] not in offered:
        ss[_i(prefix, "source")] = "sample"
    if len(offered) > 1:
        source = st.segmented_control(
            t("image.source"),
            options=offered,
            format_func=labels(lambda s: f"image.source_{s}"),
            required=True,
            key=_i(prefix, "source"),
            persist_state=_KEEP,
            wrap=True,
        )
    if source == "sample":
        name = st.selectbox(
            t("image.sample"),
            options=names,
            format_func=labels(lambda n: SAMPLES[n].title_key),
            key=translated_choice(_i(prefix, "sample")),
            persist_state=_KEEP,
        )
        st.caption(t(SAMPLES[name].description_key))
        array, info = _cached_sample(name, as_gray, max_side)
        pick = ImagePick(array, info, name, "sample", f"sample:{name}")
    else:
        if source == "camera":
            chosen = image_camera(prefix, as_gray=as_gray, max_side=max_side)
        elif source == "draw":
            from ui.drawn_input import image_draw  # it builds on this module

            chosen = image_draw(prefix)
        else:
            chosen = image_upload(prefix, as_gray=as_gray, max_side=max_side)
        if chosen is None:
            return None
        pick = chosen

    height, width = pick.array.shape[:2]
    channels = t("image.gray") if pick.array.ndim == 2 else t("image.color")
    st.caption(t("image.summary", width=width, height=height, channels=channels))
    if pick.downscaled:
        orig_width, orig_height = pick.info.size
        st.caption(
            t(
                "image.downscaled",
                width=width,
                height=height,
                orig_width=orig_width,
                orig_height=orig_height,
            )
        )
    for note in pick.info.notes:
        st.info(t(f"image_notes.{note.key}", **note.params), icon=":material/info:")
    return pick


#: Largest side of a table alternative; bigger grids are shown every ``step``-th row/column.
TABLE_ALT_MAX = 40


def table_alt_frame(
    values: npt.ArrayLike, decimals: int = 3, max_side: int = TABLE_ALT_MAX
) -> tuple[pd.DataFrame, int]:
    """The table behind :func:`table_alternative` and its step (1: every cell).

    A grid wider or taller than ``max_side`` keeps every ``step``-th row and column
    (``step = ceil(longest side / max_side)``); the row and column labels are the
    original indices.

    >>> frame, step = table_alt_frame(np.arange(100.0).reshape(10, 10), max_side=4)
    >>> step, list(frame.columns), list(frame.index)
    (3, ['0', '3', '6', '9'], ['0', '3', '6', '9'])
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    step = max(1, math.ceil(max(arr.shape) / max_side))
    frame = grid_frame(arr[::step, ::step], decimals)
    frame.columns = [str(c) for c in range(0, arr.shape[1], step)]
    frame.index = [str(r) for r in range(0, arr.shape[0], step)]
    return frame, step


def lazy_expander(label: str, *, key: str, icon: str | None = None) -> Any:
    """A collapsed expander whose content is built only while it is open: its container
    while open, else None. Opening it reruns the page (``on_change="rerun"``) and it stays
    open for the session, so a page builds and sends what is inside only for someone who
    looks at it.
    """
    expander = st.expander(label, key=key, icon=icon, on_change="rerun")
    return expander if expander.open else None


def table_expander(what: str, *, key: str) -> Any:
    """The collapsed "Numbers of <what> as a table" expander (key ``key``), lazy
    (:func:`lazy_expander`: a table costs ~16 ms per rerun): its container while it is
    open, to build the table in, else None.
    """
    return lazy_expander(t("table_alt.label", what=what), key=key)


def table_alternative(
    values: npt.ArrayLike,
    *,
    label: str,
    key: str,
    decimals: int = 3,
    max_side: int = TABLE_ALT_MAX,
) -> None:
    """The numbers of a heatmap as a table a screen reader can read (issue 8, accessibility).

    A collapsed expander ("Numbers of <label> as a table", key ``<key>.alt``) holding a
    static HTML table (``st.table``, named ``label`` for assistive technology: a screen
    reader reads every cell, where ``st.dataframe``'s canvas grid exposes only the cells in
    view); a grid larger than ``max_side`` shows every ``step``-th cell, and a caption says
    so (every value is on the figure's hover).

    The table is built only while the expander is open (opening it reruns the page, and it
    stays open for the session): building and sending it cost ~16 ms a table on every rerun
    (three on a lab rerun), for a table most people never open.
    """
    expander = table_expander(label, key=f"{key}.alt")
    if expander is None:
        return
    frame, step = table_alt_frame(values, decimals, max_side)
    with expander:
        if step > 1:
            shape = np.shape(values)
            st.caption(t("table_alt.downsampled", rows=shape[0], cols=shape[-1], step=step))
        st.table(frame, alt=label)
