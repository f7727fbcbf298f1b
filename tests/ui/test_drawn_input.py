"""ui/widgets/drawn_input.py's pure parts (the drawing's link value, resizing, grid and image) and
ui/widgets.camera_blocked (when a browser refuses the camera)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import conv_core as cc
import ui.widgets.drawn_input as di
from ui.components.draw_grid import encode_bitmap
from ui.frame import url_state as us
from ui.frame.i18n import translate
from ui.widgets import camera_blocked

PARAM = di.BitmapParam("draw", di.empty())
SCHEMA = us.Schema(us.IntParam("rows", 8, 1, 32), PARAM)


def test_doctests() -> None:
    failed, tried = doctest.testmod(di)
    assert tried > 0 and failed == 0


def _bitmaps(min_side: int = di.MIN_SIDE, max_side: int = di.MAX_SIDE):
    return st.integers(min_side, max_side).flatmap(lambda n: arrays(bool, (n, n)))


@settings(max_examples=60, deadline=None)
@given(_bitmaps())
def test_link_round_trip(bitmap: np.ndarray) -> None:
    settings_, notices = us.decode(SCHEMA, us.encode(SCHEMA, {"rows": 8, "draw": bitmap}))
    assert notices == []
    np.testing.assert_array_equal(settings_["draw"], bitmap)
    assert settings_["draw"].dtype == bool


def test_link_text_is_side_colon_hex_and_blank_default_is_left_out() -> None:
    b = di.empty(28)
    b[0, :8] = True
    text = PARAM.format(b)
    assert text == "28:ff" + "0" * (196 - 2)  # 28*28 bits = 98 bytes
    assert us.encode(SCHEMA, {"rows": 8, "draw": di.empty()}) == {}
    assert us.encode(SCHEMA, {"rows": 8, "draw": di.empty(9)}) == {"draw": "9:" + "0" * 22}
    np.testing.assert_array_equal(PARAM.parse(text.upper()), b)  # any letter case


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12",
        "12:",
        "7:" + "0" * 14,  # side below 8
        "29:" + "0" * 212,  # side above 28
        "12:" + "0" * 35,  # one digit short
        "12:" + "0" * 38,  # one byte long
        "12:" + "0" * 35 + "f",  # bits set past the last cell (144 bits = 18 bytes exactly)
        "9:" + "0" * 21 + "1",  # 81 bits: the 7 padding bits of the last byte must be 0
        "12:" + "g" * 36,
        "12:" + "0" * 34 + "-1",
        "x:00",
        "012:" + "0" * 36,
        "<script>",
    ],
)
def test_bad_link_value_falls_back_with_a_notice(bad: str) -> None:
    got, notices = us.decode(SCHEMA, {"draw": bad})
    if bad == "12:" + "0" * 35 + "f":
        # 144 cells fill 18 bytes exactly: no padding bits, so this is a valid drawing
        assert notices == [] and got["draw"][11, 8:].all()
        return
    np.testing.assert_array_equal(got["draw"], di.empty())
    assert [n.name for n in notices] == ["draw"]
    for lang in ("en", "ko"):
        text = notices[0].text(lang)
        assert "{" not in text and "12:" in text
    assert "from 8 to 28" in notices[0].text("en")


def test_resize_keeps_a_thin_stroke_and_grows_by_repeating() -> None:
    b = di.empty(28)
    b[3:25, 13] = True  # a one-cell-wide vertical stroke
    small = di.resize_bitmap(b, 8)
    assert small.shape == (8, 8) and small[1:7, 3].all() and small.sum() == small[:, 3].sum()
    big = di.resize_bitmap(np.eye(8, dtype=bool), 16)
    np.testing.assert_array_equal(big, np.kron(np.eye(8, dtype=bool), np.ones((2, 2), bool)))


@settings(max_examples=60, deadline=None)
@given(_bitmaps(), st.integers(di.MIN_SIDE, di.MAX_SIDE))
def test_resize_properties(bitmap: np.ndarray, side: int) -> None:
    out = di.resize_bitmap(bitmap, side)
    assert out.shape == (side, side) and out.dtype == bool
    assert out.any() == bitmap.any()  # no ink lost, none made up
    if side == bitmap.shape[0]:
        np.testing.assert_array_equal(out, bitmap)
    # every ink cell of the source lands in an ink cell of the result
    n = bitmap.shape[0]
    for r, c in np.argwhere(bitmap):
        assert out[r * side // n, c * side // n]


def test_studio_grid_is_ones_and_zeros_and_steps_like_conv_core() -> None:
    b = di.empty(12)
    b[2:10, 5:7] = True
    grid = di.bitmap_grid(b)
    assert grid.dtype == np.int64 and set(np.unique(grid)) == {0, 1}
    kernel = np.ones((3, 3), dtype=np.int64)
    out = cc.correlate2d(grid, kernel)
    assert out.max() == 6  # a 2-wide stroke: at most 3 rows x 2 columns of ink under the ones
    np.testing.assert_array_equal(out, cc.correlate2d(b.astype(np.int64), kernel))


def test_lab_image_is_white_ink_on_black_and_a_gray_pick() -> None:
    b = di.empty(28)
    b[4:24, 14] = True
    pick = di.drawing_pick(b, "Your drawing")
    assert pick.array.dtype == np.float32 and pick.array.shape == (28, 28)
    assert set(np.unique(pick.array)) == {0.0, 255.0}
    np.testing.assert_array_equal(pick.array == 255, b)
    assert pick.source == "draw" and not pick.downscaled and pick.info.gray
    assert pick.digest == f"draw:28x28:{encode_bitmap(b)}"
    assert di.drawing_pick(b, "x").digest == pick.digest
    b[0, 0] = True
    assert di.drawing_pick(b, "x").digest != pick.digest


@pytest.mark.parametrize(
    ("url", "blocked"),
    [
        (None, False),
        ("", False),
        ("https://convlab.example.org/lab", False),
        ("http://localhost:8501/lab", False),
        ("http://LOCALHOST/lab", False),
        ("http://127.0.0.1:8501", False),
        ("http://[::1]:8501/lab", False),
        ("http://class.localhost:8501/lab", False),
        ("http://192.168.0.7:8501/lab", True),
        ("http://convlab.example.org/lab", True),
        ("http://localhost.evil.org/lab", True),
        ("http://[2001:db8::1]:8501/lab", True),
    ],
)
def test_camera_blocked(url: str | None, blocked: bool) -> None:
    assert camera_blocked(url) is blocked


def test_strings_exist_in_both_languages() -> None:
    for lang in ("en", "ko"):
        assert translate(lang, "studio.input.sources.draw")
        assert translate(lang, "image.source_camera") and translate(lang, "image.source_draw")
        note = translate(lang, "image.camera_note")
        assert "https" in note and "localhost" in note
