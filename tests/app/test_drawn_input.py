"""AppTest of "draw your own input" (ui/widgets/drawn_input.py) on the studio and the lab.

The drawing component is not rendered under AppTest; a drawing is simulated as the browser
reports it (the component's state ``{"bitmap": {"bits": hex, "token": the payload's
token}}``, as tests/app/test_draw_grid.py does). What the page then computes is checked
against conv_core: the studio's stepper trace (grid 1 = ink, 0 = paper) against
``conv_core.correlate2d``; the lab's result figure against ``conv_core.run_pipeline`` on the
28x28 image (ink 255 on 0). The studio's link carries the drawing (``draw=<side>:<hex>``):
a round trip through a new session, a resize, and bad values falling back with a notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
import ui.widgets.drawn_input as di
from tests.app.apptest_helpers import assert_translated, component_payload, rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.test_lab import _array, _assert_map_figure, _expected, _final, _shapes, _spec
from tests.app.test_studio import _grid, _output, _query, _trace
from ui.components.draw_grid import COMPONENT_NAME as DRAW_GRID
from ui.components.draw_grid import decode_bitmap, encode_bitmap
from ui.frame.i18n import LANG_KEY, translate

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "pages" / "studio.py"
LAB = ROOT / "pages" / "lab.py"
TIMEOUT = 60
LECTURE_KERNEL = np.asarray(cc.PRESETS["feature_map_6x6"].inputs["kernel"])
SOBEL_X = cc.KERNELS["sobel_x"].matrix.astype(float)


def _open(page: Path, query: dict[str, str] | None = None, lang: str = "en", **state: Any):
    at = AppTest.from_file(str(page), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    for name, value in state.items():
        at.session_state[name] = value
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return rerun(at)


def _drawing_payload(at: AppTest) -> dict[str, Any]:
    payload = component_payload(at, DRAW_GRID)
    assert payload is not None, "no drawing grid on the page"
    return payload


def _draw(at: AppTest, key: str, bitmap: np.ndarray) -> AppTest:
    """What the browser's setStateValue("bitmap", ...) does after a stroke, then the rerun."""
    token = _drawing_payload(at)["token"]
    at.session_state[key] = {"bitmap": {"bits": encode_bitmap(bitmap), "token": token}}
    return rerun(at)


def _seven(side: int) -> np.ndarray:
    """A "7" drawn on a side x side grid (a bar and a diagonal stem)."""
    b = np.zeros((side, side), dtype=bool)
    top = side // 5
    b[top, side // 5 : side - side // 5] = True
    for r in range(top, side - side // 6):
        c = side - side // 5 - 1 - (r - top) * (side // 2) // (side - side // 6 - top)
        b[r, c] = True
    return b


# --------------------------------------------------------------------------------------
# Studio


def test_studio_draw_starts_as_an_empty_12x12_grid() -> None:
    at = _open(STUDIO, {"src": "draw"})
    assert at.slider(key="studio.draw_size").value == di.DEFAULT_SIDE
    payload = _drawing_payload(at)
    assert (payload["rows"], payload["cols"]) == (12, 12)
    assert not decode_bitmap(payload["bits"], 12, 12).any()
    assert translate("en", "drawn_input.empty") in [i.value for i in at.info]
    grid = _grid(at)
    assert grid.shape == (12, 12) and not grid.any()
    label = translate("en", "studio.input.sources.draw")
    assert label in at.button_group(key="studio.src").options
    assert "draw" not in _query(at)  # an empty 12x12 drawing is the default


def test_studio_drawing_is_the_input_grid_of_ones_and_zeros() -> None:
    at = _open(STUDIO, {"src": "draw"})
    seven = _seven(12)
    _draw(at, "studio.draw", seven)
    grid = _grid(at)
    np.testing.assert_array_equal(grid, seven.astype(np.int64))
    assert set(np.unique(grid)) == {0, 1}
    # the numbers the stepper shows are conv_core's on that grid
    np.testing.assert_array_equal(_output(at), cc.correlate2d(grid, LECTURE_KERNEL))
    assert _trace(at)["n_steps"] == 100
    assert not at.info  # no "empty" note any more
    assert _query(at)["draw"] == f"12:{encode_bitmap(seven)}"


def test_studio_drawing_link_round_trip() -> None:
    at = _open(STUDIO, {"src": "draw"})
    _set(at, "slider", "studio.draw_size", 16)
    seven = _seven(16)
    _draw(at, "studio.draw", seven)
    _set(at, "number_input", "studio.conv.padding", 1)
    query = _query(at)
    assert query["src"] == "draw" and query["draw"].startswith("16:")
    # a new session opens the link: the same drawing, size, grid and numbers
    again = _open(STUDIO, query)
    assert again.slider(key="studio.draw_size").value == 16
    np.testing.assert_array_equal(decode_bitmap(_drawing_payload(again)["bits"], 16, 16), seven)
    np.testing.assert_array_equal(_grid(again), seven.astype(np.int64))
    np.testing.assert_array_equal(_output(again), _output(at))
    np.testing.assert_array_equal(
        _output(again), cc.correlate2d(seven.astype(np.int64), LECTURE_KERNEL, padding=1)
    )
    assert not again.warning
    # and the learner draws on from there: the browser's report on the link's token wins
    more = seven.copy()
    more[15, :] = True
    _draw(again, "studio.draw", more)
    np.testing.assert_array_equal(_grid(again), more.astype(np.int64))


def test_studio_size_change_redraws_the_drawing_on_the_new_grid() -> None:
    at = _open(STUDIO, {"src": "draw"})
    seven = _seven(12)
    _draw(at, "studio.draw", seven)
    token = _drawing_payload(at)["token"]
    _set(at, "slider", "studio.draw_size", 24)
    payload = _drawing_payload(at)
    assert (payload["rows"], payload["cols"]) == (24, 24) and payload["token"] != token
    resized = di.resize_bitmap(seven, 24)
    np.testing.assert_array_equal(decode_bitmap(payload["bits"], 24, 24), resized)
    np.testing.assert_array_equal(_grid(at), resized.astype(np.int64))
    assert _query(at)["draw"] == f"24:{encode_bitmap(resized)}"
    _set(at, "slider", "studio.draw_size", 8)
    np.testing.assert_array_equal(_grid(at), di.resize_bitmap(resized, 8).astype(np.int64))


def test_studio_drawing_survives_another_source_and_back() -> None:
    at = _open(STUDIO, {"src": "draw"})
    seven = _seven(12)
    _draw(at, "studio.draw", seven)
    _set(at, "button_group", "studio.src", "random")
    assert _query(at)["draw"] == f"12:{encode_bitmap(seven)}"  # still in the link
    _set(at, "button_group", "studio.src", "draw")
    np.testing.assert_array_equal(decode_bitmap(_drawing_payload(at)["bits"], 12, 12), seven)
    np.testing.assert_array_equal(_grid(at), seven.astype(np.int64))


@pytest.mark.parametrize("bad", ["12:zz", "40:" + "0" * 400, "12:" + "f" * 30, "hello"])
def test_studio_bad_drawing_in_link_falls_back_with_a_notice(bad: str) -> None:
    at = _open(STUDIO, {"src": "draw", "draw": bad})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "draw=" in warnings[0], warnings
    assert "a drawing: its side from 8 to 28" in warnings[0]
    assert at.slider(key="studio.draw_size").value == 12
    assert not _grid(at).any() and _grid(at).shape == (12, 12)
    assert not at.exception


def test_studio_draw_in_korean() -> None:
    at = _open(STUDIO, {"src": "draw"}, lang="ko")
    assert at.slider(key="studio.draw_size").label == translate("ko", "drawn_input.size")
    assert translate("ko", "drawn_input.studio_help") in [c.value for c in at.caption]
    assert "직접 그리기" in at.button_group(key="studio.src").options
    assert _drawing_payload(at)["strings"]["clear"] == translate("ko", "draw_grid.clear")
    assert_translated(at, "drawn_input")


# --------------------------------------------------------------------------------------
# Lab


def test_lab_draw_is_a_28x28_white_on_black_image_through_the_filters() -> None:
    at = _open(LAB)
    _set(at, "button_group", "lab.image.source", "draw")
    payload = _drawing_payload(at)
    assert (payload["rows"], payload["cols"]) == (28, 28)
    assert _shapes(at) is None  # nothing computed on an empty drawing
    assert translate("en", "drawn_input.image_prompt") in [c.value for c in at.caption]
    assert not at.exception and not at.error
    seven = _seven(28)
    _draw(at, "lab.image.draw", seven)
    assert _shapes(at).startswith("Input: 28 × 28 × 1 → Convolution: 26 × 26 × 1")
    image = np.where(seven, 255.0, 0.0).astype(np.float32)
    original = _array(_spec(at, "lab.original")["data"][0]["z"])
    np.testing.assert_array_equal(original, image.astype(np.uint8))
    _assert_map_figure(at, "lab.result", _final(_expected(image, SOBEL_X, "gray")), "abs")
    # another colour mode and filters run on the same drawing
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "selectbox", "lab.activation", "relu")
    rgb = np.repeat(image[:, :, None], 3, axis=2)
    expected = _final(_expected(rgb, SOBEL_X, "cnn", activation="relu"))
    _assert_map_figure(at, "lab.result", expected, "abs")
    assert not at.exception and not at.error


def test_lab_drawing_survives_a_sample_and_back() -> None:
    at = _open(LAB)
    _set(at, "button_group", "lab.image.source", "draw")
    seven = _seven(28)
    _draw(at, "lab.image.draw", seven)
    _set(at, "button_group", "lab.image.source", "sample")
    assert _shapes(at).startswith("Input: 512 × 512 × 1")
    _set(at, "button_group", "lab.image.source", "draw")
    assert _shapes(at).startswith("Input: 28 × 28 × 1")
    np.testing.assert_array_equal(decode_bitmap(_drawing_payload(at)["bits"], 28, 28), seven)


def test_lab_draw_in_korean() -> None:
    at = _open(LAB, lang="ko")
    _set(at, "button_group", "lab.image.source", "draw")
    assert "그리기" in at.button_group(key="lab.image.source").options
    assert translate("ko", "drawn_input.image_help", side=28) in [c.value for c in at.caption]
    assert_translated(at, "drawn_input")
