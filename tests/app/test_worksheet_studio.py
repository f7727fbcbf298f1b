"""AppTest: the studio's worksheet button (pages/studio.py, export panel).

The button's data is built only when clicked (a deferred download), so the test records
the callable the page registers with Streamlit's media file manager and calls it: the
bytes must equal ``ui.teaching.worksheet.worksheet_html`` of the page's own trace (the stepper's
payload) and of a trace computed here straight from conv_core with the link's settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import stepper_payload
from ui.frame.i18n import LANG_KEY, translate
from ui.teaching.grid_sources import random_grid
from ui.teaching.worksheet import too_large_reason, worksheet_html

STUDIO = Path(__file__).resolve().parents[2] / "pages" / "studio.py"
KEY = "studio.worksheet"
LECTURE = cc.PRESETS["feature_map_6x6"]


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Callable[[], Any], str]]:
    """``{file_name: (callable, mime)}`` of every deferred download a run registers."""
    seen: dict[str, tuple[Callable[[], Any], str]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        seen[file_name] = (data_callable, mimetype)
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return seen


def run(lang: str = "en", query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(STUDIO), default_timeout=60)
    at.session_state[LANG_KEY] = lang
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest) -> Any | None:
    found = [b for b in at.get("download_button") if b.proto.id.endswith(KEY)]
    assert len(found) <= 1
    return found[0] if found else None


def sheet_bytes(deferred: dict, lang: str) -> bytes:
    name = f"convlab-worksheet-{lang}.html"
    assert name in deferred, sorted(deferred)
    make, mime = deferred[name]
    assert mime == "text/html"
    data = make()
    return data.encode() if isinstance(data, str) else data


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_lecture_example_worksheet(deferred, lang: str) -> None:
    at = run(lang)
    found = button(at)
    assert found is not None
    assert found.proto.label == translate(lang, "worksheet.studio.button")
    assert translate(lang, "worksheet.studio.caption") in [c.value for c in at.caption]
    data = sheet_bytes(deferred, lang)
    # the page's own trace, and the same configuration straight from conv_core
    assert data == worksheet_html(stepper_payload(at)["trace"], lang=lang).encode()
    trace = cc.trace_correlate2d(LECTURE.inputs["x"], LECTURE.inputs["kernel"])
    assert data == worksheet_html(cc.to_compact(trace, digits=9), lang=lang).encode()
    if lang == "ko":
        assert "교차 상관 연습 문제지".encode() in data and "정답".encode() in data


def test_the_worksheet_follows_the_settings(deferred) -> None:
    query = {
        "src": "random",
        "rows": "7",
        "cols": "6",
        "seed": "42",
        "op": "convolve",
        "kernel": "1,2;3,-1",
        "bias": "2",
        "padding": "1",
        "mode": "reflect",
        "stride": "2,1",
        "dilation": "1,2",
    }
    at = run("ko", query)
    data = sheet_bytes(deferred, "ko").decode()
    trace = cc.trace_convolve2d(
        random_grid(7, 6, 0, 9, 42), [[1, 2], [3, -1]], (2, 1), 1, (1, 2), "reflect", bias=2
    )
    assert data == worksheet_html(cc.to_compact(trace, digits=9), lang="ko")
    assert data == worksheet_html(stepper_payload(at)["trace"], lang="ko")
    assert "합성곱 연습 문제지" in data


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_too_large_says_why_and_offers_no_button(deferred, lang: str) -> None:
    at = run(lang, {"src": "random", "rows": "20", "cols": "20"})  # 18 x 18 output
    assert button(at) is None
    assert not any(name.startswith("convlab-worksheet") for name in deferred)
    trace = cc.trace_correlate2d(random_grid(20, 20, 0, 9, 1), LECTURE.inputs["kernel"])
    reason = too_large_reason(trace, lang=lang)
    assert reason == translate(lang, "worksheet.too_large.output", rows=18, cols=18, max=16)
    expected = translate(lang, "worksheet.studio.unavailable", reason=reason)
    assert expected in [i.value for i in at.info]
    assert np.shape(stepper_payload(at)["trace"]["output"]) == (1, 18, 18)  # the page still works
