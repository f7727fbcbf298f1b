"""AppTest of the padding-mode cross-walk page (pages/padding_modes.py).

Every mode's padded grid is compared with conv_core.pad2d (both inputs, every padding
amount, the constant's value), the name table with conv_core.PADDING_MODES (the table the code
snippets use), and the page is checked in English and Korean.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from conv_core import PADDING_LIBRARIES as LIBRARIES
from conv_core import PADDING_MODES as PADDING_NAMES
from tests.app.apptest_helpers import assert_translated, open_page, page_text, set_widget
from ui.frame.i18n import load_strings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "padding_modes.py"
MODES = tuple(cc.PADDING_MODES)
INPUTS = {"row": np.array([[1, 2, 3, 4, 5]]), "grid": np.arange(1, 17).reshape(4, 4)}


def grids(at: AppTest) -> list[np.ndarray]:
    """The padded grids, in the page's order (every table but the name table)."""
    return [np.asarray(tb.value.to_numpy()) for tb in at.table[:-1]]


def check_grids(at: AppTest, name: str, pad: int, value: int) -> None:
    x = INPUTS[name]
    rows = 0 if name == "row" else pad
    shown = grids(at)
    assert len(shown) == len(MODES)
    for mode, grid in zip(MODES, shown, strict=True):
        expected = cc.pad2d(x, ((rows, rows), (pad, pad)), mode, value)
        np.testing.assert_array_equal(grid, expected, err_msg=mode)


def marked_padding(table: object) -> set[tuple[int, int]]:
    """The cells the table's CSS draws as padding (grey, italic)."""
    cells = set()
    for rule in table.proto.arrow_data.styler.styles.splitlines():
        if "italic" in rule:
            cells |= {(int(r), int(c)) for r, c in re.findall(r"_row(\d+)_col(\d+)", rule)}
    return cells


def test_padding_cells_are_marked() -> None:
    at = open_page(PAGE)
    set_widget(at, "segmented_control", "padding_modes.input", "grid")
    for table in at.table[:-1]:
        mask = np.ones((8, 8), dtype=bool)  # 4 x 4 grid, 2 cells of padding on every side
        mask[2:6, 2:6] = False
        assert marked_padding(table) == {tuple(map(int, rc)) for rc in np.argwhere(mask)}


def test_opens_with_the_row_and_every_mode() -> None:
    at = open_page(PAGE)
    check_grids(at, "row", 2, 9)
    text = page_text(at)
    for mode in MODES:
        assert cc.PADDING_MODES[mode].picture in text
    # The classic traps, with the names from the table.
    warning = at.warning[0].value
    assert "SciPy's 'reflect' (scipy.ndimage) is NumPy's 'symmetric'" in warning
    assert "NumPy's and PyTorch's 'reflect' is SciPy's 'mirror'" in warning


@pytest.mark.parametrize(("name", "pad", "value"), [("grid", 1, 9), ("grid", 3, -4), ("row", 3, 0)])
def test_inputs_padding_and_value(name: str, pad: int, value: int) -> None:
    at = open_page(PAGE)
    set_widget(at, "segmented_control", "padding_modes.input", name)
    set_widget(at, "slider", "padding_modes.pad", pad)
    set_widget(at, "number_input", "padding_modes.value", value)
    check_grids(at, name, pad, value)


def test_name_table_is_the_shared_table() -> None:
    at = open_page(PAGE)
    table = at.table[-1].value
    assert list(table.iloc[:, 0]) == list(MODES)
    for _, label in LIBRARIES:
        column = list(table[label])
        attr = next(a for a, lb in LIBRARIES if lb == label)
        assert column == [getattr(PADDING_NAMES[m], attr) or "—" for m in MODES]
    # Each mode's one-line names under its grid come from the same table.
    captions = [c.value for c in at.caption]
    assert any("scipy.ndimage `mirror`" in c and "numpy.pad `reflect`" in c for c in captions)
    assert any("nn.Conv2d padding_mode —" in c and "scipy.ndimage `reflect`" in c for c in captions)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_languages(lang: str) -> None:
    at = open_page(PAGE, lang=lang)
    assert_translated(at, "padding_modes")
    strings = load_strings(lang)
    assert at.title[0].value == strings["padding_modes.title"]
    if lang == "ko":
        assert "자주 헷갈리는 이름" in [h.value for h in at.header]
        assert "'reflect'는 NumPy의 'symmetric'" in at.warning[0].value
    check_grids(at, "row", 2, 9)
