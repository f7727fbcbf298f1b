"""AppTest of the drawing grid on a one-widget page (tests/app/draw_grid_page.py).

The component is not rendered under AppTest; these tests check that a page mounting it runs,
returns all False at first, hands the browser the right data, and takes what a browser
reports (simulated by writing the component's state, as the browser's setStateValue does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_helpers import open_page, rerun
from ui.components.draw_grid import decode_bitmap, encode_bitmap

PAGE = Path(__file__).resolve().parent / "draw_grid_page.py"
KEY = "dgapp.grid"


def payload(at: AppTest) -> dict[str, Any]:
    found = at.get("bidi_component")
    assert len(found) == 1
    return json.loads(found[0].proto.json)


def browser_reports(at: AppTest, bitmap: np.ndarray, token: str | None = None) -> AppTest:
    """What setStateValue("bitmap", ...) does after a stroke, then the rerun it causes."""
    token = payload(at)["token"] if token is None else token
    at.session_state[KEY] = {"bitmap": {"bits": encode_bitmap(bitmap), "token": token}}
    return rerun(at)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_runs_and_starts_all_false(lang: str) -> None:
    at = open_page(PAGE, lang=lang)
    out = at.session_state["dgapp.out"]
    assert out.shape == (32, 32) and out.dtype == bool and not out.any()
    data = payload(at)
    assert (data["rows"], data["cols"], data["block"]) == (32, 32, 4)
    assert not decode_bitmap(data["bits"], 32, 32).any()
    assert data["strings"]["clear"] == ("Clear" if lang == "en" else "모두 지우기")
    assert at.text[0].value == "on: 0"


def test_reported_drawing_is_returned_and_persists() -> None:
    at = open_page(PAGE)
    drawn = np.zeros((32, 32), bool)
    drawn[4:8, 10:20] = True
    browser_reports(at, drawn)
    np.testing.assert_array_equal(at.session_state["dgapp.out"], drawn)
    assert at.text[0].value == "on: 40"
    assert payload(at)["bits"] == encode_bitmap(drawn)  # a remount redraws it
    rerun(at)  # an unrelated rerun keeps it
    np.testing.assert_array_equal(at.session_state["dgapp.out"], drawn)


def test_value_from_page_replaces_drawing() -> None:
    at = open_page(PAGE)
    drawn = np.zeros((32, 32), bool)
    drawn[0, :] = True
    browser_reports(at, drawn)
    token_before = payload(at)["token"]
    example = np.eye(32, dtype=bool)
    at.session_state["dgapp.value"] = example
    rerun(at)
    np.testing.assert_array_equal(at.session_state["dgapp.out"], example)
    data = payload(at)
    assert data["token"] != token_before and data["bits"] == encode_bitmap(example)
    # the learner then edits the example: the edit wins while the value stays the same
    edited = example.copy()
    edited[0, 31] = True
    browser_reports(at, edited)
    np.testing.assert_array_equal(at.session_state["dgapp.out"], edited)


@pytest.mark.parametrize(
    "junk",
    [
        {"bitmap": "not a dict"},
        {"bitmap": {"bits": "zz", "token": None}},
        {"bitmap": {"bits": "f" * 9999, "token": "0-32x32-"}},
        {"bitmap": {"bits": ["ff"], "token": "0-32x32-"}},
        {"bitmap": 12},
        {"other": 1},
    ],
)
def test_hostile_report_does_not_crash(junk: dict[str, Any]) -> None:
    at = open_page(PAGE)
    at.session_state[KEY] = junk
    rerun(at)
    assert not at.session_state["dgapp.out"].any()


def test_28x28_without_blocks() -> None:
    at = open_page(PAGE, state={"dgapp.rows": 28, "dgapp.cols": 28, "dgapp.block": None})
    assert at.session_state["dgapp.out"].shape == (28, 28)
    data = payload(at)
    assert data["block"] is None and len(data["bits"]) == 2 * 98
