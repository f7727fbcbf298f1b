"""Kernel cells as text: a data editor's grid of strings to and from matrices (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from conv_core import (
    KERNELS,
    parse_kernel,
)
from ui.frame import url_state

#: Display text of a cell holding a long float: rounded for the eye only (see kernel_editor).
_CELL_DIGITS = 6
_MAX_CELL_TEXT = 9
Cells = list[list[str]]


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
