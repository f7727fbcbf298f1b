"""The drawing grid as a learner uses it: tests/e2e/draw_grid_page.py in Debian's Chromium.

Draw a "7" with two mouse strokes, and check after each that the server got exactly the
browser's bitmap (the page prints it) with ONE script run and ONE WebSocket frame per stroke
(none while hovering or mid-stroke). Then erase (Erase mode and the right button), undo,
clear, the keyboard (cursor, Space, Delete, Ctrl+Z, live region), "load example" (a value
from Python replaces the drawing), a fast stroke without gaps, a touch tap, and Korean.
Screenshots go to test-artifacts/draw_grid-*.png.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from ui.components.draw_grid import block_counts, decode_bitmap

pytestmark = pytest.mark.e2e

SCRIPT = "tests/e2e/draw_grid_page.py"
VIEWPORT = {"width": 1100, "height": 1000}
N = 32
SETTLE_S = 0.8  # after a run: let any late frame arrive before counting


@pytest.fixture(scope="module")
def draw_url(streamlit_server) -> str:
    return streamlit_server(SCRIPT)


@pytest.fixture
def grid_page(page, draw_url, st_wait_idle, sent_frames):
    """The test page, loaded and idle, with the frame counter attached before loading."""

    def open_(query: str = ""):
        page.set_viewport_size(VIEWPORT)
        page.set_default_timeout(20_000)
        page.goto(f"{draw_url}/{query}")
        st_wait_idle(page)
        page.wait_for_selector('.dg[data-ready="1"]')
        expect(readout(page)).to_contain_text("runs: 1")
        time.sleep(SETTLE_S)
        return page

    return open_


def readout(page):
    return page.locator(".st-key-dgtest-readout")


def server_bits(page, n: int = N) -> np.ndarray:
    text = readout(page).inner_text()
    found = re.search(r"bits: ([0-9a-f]+)", text)
    assert found, text
    return decode_bitmap(found.group(1), n, n)


def browser_bits(page, n: int = N) -> np.ndarray:
    return decode_bitmap(page.locator(".dg").get_attribute("data-bits"), n, n)


def runs(page) -> int:
    return int(re.search(r"runs: (\d+)", readout(page).inner_text()).group(1))


def to_xy(page, r: float, c: float) -> tuple[float, float]:
    """Page coordinates of the centre of cell (r, c) (fractions allowed)."""
    box = page.locator(".dg-canvas").bounding_box()
    inner = box["width"] - 4  # 2px border each side
    s = inner / N
    return box["x"] + 2 + (c + 0.5) * s, box["y"] + 2 + (r + 0.5) * s


def stroke(page, points, *, button: str = "left", steps: int = 6) -> None:
    x, y = to_xy(page, *points[0])
    page.mouse.move(x, y)
    page.mouse.down(button=button)
    for r, c in points[1:]:
        x, y = to_xy(page, r, c)
        page.mouse.move(x, y, steps=steps)
    page.mouse.up(button=button)


class Reruns:
    """Checks that one action made exactly one script run and sent exactly one frame."""

    def __init__(self, page, sent_frames, n: int = N):
        self.page, self.sent, self.n = page, sent_frames, n

    def __enter__(self):
        self.runs, self.frames = runs(self.page), len(self.sent)
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        expect(readout(self.page)).to_contain_text(f"runs: {self.runs + 1}")
        time.sleep(SETTLE_S)
        assert runs(self.page) == self.runs + 1, "more than one run for one action"
        assert len(self.sent) - self.frames == 1, f"{len(self.sent) - self.frames} frames sent"
        np.testing.assert_array_equal(
            server_bits(self.page, self.n), browser_bits(self.page, self.n)
        )
        return False


def test_draw_a_seven_one_rerun_per_stroke(grid_page, sent_frames, artifacts_dir):
    page = grid_page()
    assert not server_bits(page).any() and not browser_bits(page).any()
    page.screenshot(path=artifacts_dir / "draw_grid-0-empty.png")

    # hovering talks to nobody
    frames = len(sent_frames)
    for c in range(0, N, 3):
        page.mouse.move(*to_xy(page, 10, c))
    time.sleep(SETTLE_S)
    assert len(sent_frames) == frames, "hover sent frames"

    with Reruns(page, sent_frames):  # the bar of the 7
        stroke(page, [(5, 6), (5, 25)])
    bar = server_bits(page)
    assert bar[5, 7:25].all() and bar.sum() == 2 * 21  # brush 2: two rows of 21 cells
    with Reruns(page, sent_frames):  # the stem
        stroke(page, [(5, 25), (16, 18), (27, 12)])
    seven = server_bits(page)
    counts = block_counts(seven, 4)
    assert counts[1, 1:7].all(), counts  # the bar's blocks
    assert counts[6:, :2].sum() == 0 and counts[6:, 2:4].sum() > 0, counts  # stem bottom-left
    assert counts[2:, 7].sum() == 0, counts
    expect(readout(page)).to_contain_text(f"on: {int(seven.sum())}")
    assert page.locator(".dg").get_attribute("data-on") == str(int(seven.sum()))
    page.screenshot(path=artifacts_dir / "draw_grid-1-seven.png")

    # erase mode: a stroke across the bar takes cells off
    page.locator(".dg-erase").click()
    expect(page.locator(".dg-erase")).to_have_attribute("aria-pressed", "true")
    with Reruns(page, sent_frames):
        stroke(page, [(2, 14), (9, 14)])
    erased = server_bits(page)
    assert (
        erased.sum() < seven.sum() and not erased[5:7, 14:16].any()
    )  # brush 2 on column 14: 14 and 15
    page.locator(".dg-draw").click()
    page.screenshot(path=artifacts_dir / "draw_grid-2-erased.png")

    # the right button erases too, in draw mode
    with Reruns(page, sent_frames):
        stroke(page, [(5, 6), (5, 9)], button="right")
    right = server_bits(page)
    assert right.sum() < erased.sum() and not right[5:7, 6:11].any()

    # undo twice: back to the 7
    with Reruns(page, sent_frames):
        page.locator(".dg-undo").click()
    np.testing.assert_array_equal(server_bits(page), erased)
    with Reruns(page, sent_frames):
        page.locator(".dg-undo").click()
    np.testing.assert_array_equal(server_bits(page), seven)

    # clear
    with Reruns(page, sent_frames):
        page.locator(".dg-clear").click()
    assert not server_bits(page).any()
    expect(readout(page)).to_contain_text("on: 0")
    expect(page.locator(".dg-clear")).to_be_disabled()


def test_keyboard(grid_page, sent_frames, artifacts_dir):
    page = grid_page()
    canvas = page.locator(".dg-canvas")
    canvas.focus()
    frames = len(sent_frames)
    for key in ["ArrowRight"] * 4 + ["ArrowDown"] * 2:
        page.keyboard.press(key)
    expect(page.locator(".dg-live")).to_have_text("row 3, column 5, off. Its block has 0 of 16 on.")
    assert len(sent_frames) == frames, "moving the cursor sent frames"
    with Reruns(page, sent_frames):
        page.keyboard.press("Space")
    bits = server_bits(page)
    assert bits[2, 4] and bits.sum() == 1
    expect(page.locator(".dg-live")).to_have_text("row 3, column 5, on. Its block has 1 of 16 on.")
    page.keyboard.press("Shift+ArrowDown")  # a block down
    with Reruns(page, sent_frames):
        page.keyboard.press("Enter")
    assert server_bits(page)[6, 4] and server_bits(page).sum() == 2
    page.screenshot(path=artifacts_dir / "draw_grid-3-keyboard.png")
    with Reruns(page, sent_frames):
        page.keyboard.press("Delete")
    assert not server_bits(page).any()
    with Reruns(page, sent_frames):
        page.keyboard.press("Control+z")
    assert server_bits(page).sum() == 2
    # the focus ring is there (projector: visible from the back)
    outline = canvas.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"


def test_load_example_replaces_drawing_then_edits_stick(grid_page, sent_frames):
    page = grid_page()
    with Reruns(page, sent_frames):
        stroke(page, [(20, 20), (28, 28)])
    page.locator(".st-key-dgtest-load button").click()
    expect(readout(page)).to_contain_text("on: 16")
    example = np.zeros((N, N), bool)
    example[:4, :4] = True
    page.wait_for_function("() => document.querySelector('.st-key-dgtest-grid') !== null")
    expect(page.locator(".dg")).to_have_attribute("data-on", "16")
    np.testing.assert_array_equal(browser_bits(page), example)
    time.sleep(SETTLE_S)
    with Reruns(page, sent_frames):  # draw on the example: both stay
        stroke(page, [(10, 10), (10, 12)])
    bits = server_bits(page)
    assert bits[:4, :4].all() and bits.sum() > 16
    # undo returns to the example
    with Reruns(page, sent_frames):
        page.locator(".dg-undo").click()
    np.testing.assert_array_equal(server_bits(page), example)
    with Reruns(page, sent_frames):
        stroke(page, [(14, 14), (14, 16)])
    assert server_bits(page).sum() > 16
    # "load example" again (a new value_id): the example replaces the edits
    page.locator(".st-key-dgtest-load button").click()
    expect(readout(page)).to_contain_text("on: 16")
    expect(page.locator(".dg")).to_have_attribute("data-on", "16")
    np.testing.assert_array_equal(browser_bits(page), example)


def test_fast_stroke_has_no_gaps_and_brush_sizes(grid_page, sent_frames):
    page = grid_page()
    page.locator('.dg-brush[data-size="1"]').click()
    with Reruns(page, sent_frames):  # one jump across the grid: a single move event
        stroke(page, [(3, 1), (3, 30)], steps=1)
    bits = server_bits(page)
    assert bits[3, 1:31].all() and bits.sum() == 30
    with Reruns(page, sent_frames):  # a diagonal jump stays 8-connected
        stroke(page, [(8, 2), (30, 24)], steps=1)
    diag = server_bits(page) & ~bits
    assert diag.sum() >= 23
    for r in range(9, 31):
        prev, cur = np.flatnonzero(diag[r - 1]), np.flatnonzero(diag[r])
        assert len(cur) and abs(cur.min() - prev.max()) <= 1, r
    page.locator('.dg-brush[data-size="3"]').click()
    with Reruns(page, sent_frames):  # a dab of 3x3
        stroke(page, [(20, 5)])
    assert server_bits(page)[19:22, 4:7].all()


def test_touch_tap_draws(browser, draw_url, st_wait_idle, artifacts_dir):
    context = browser.new_context(has_touch=True, viewport={"width": 420, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(draw_url)
        st_wait_idle(page)
        page.wait_for_selector('.dg[data-ready="1"]')
        box = page.locator(".dg-canvas").bounding_box()
        assert box["width"] <= 420  # shrinks to a phone's width
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(readout(page)).to_contain_text("on: 4")  # brush 2: a 2x2 dab
        page.screenshot(path=artifacts_dir / "draw_grid-5-phone.png")
    finally:
        context.close()


def test_korean(grid_page, artifacts_dir):
    page = grid_page("?lang=ko")
    expect(page.locator(".dg-clear")).to_contain_text("모두 지우기")
    expect(page.locator(".dg-undo")).to_contain_text("실행 취소")
    assert page.locator(".dg-canvas").get_attribute("aria-label").startswith("그리기 격자, 32행")
    stroke(page, [(6, 8), (6, 24), (26, 12)])
    expect(readout(page)).to_contain_text("runs: 2")
    page.locator(".dg-canvas").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".dg-live")).to_contain_text("2행 1열, 꺼짐.")
    # after drawing with the mouse, the keyboard still brings the focus ring back
    assert page.locator(".dg-canvas").evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.screenshot(path=artifacts_dir / "draw_grid-4-korean.png")


PEN_STROKE = """(el, args) => {
    const [x0, y0, x1, y1, button, buttons] = args;
    const opts = (type, x, y) => ({
        bubbles: true, cancelable: true, composed: true, pointerId: 7, pointerType: "pen",
        isPrimary: true, clientX: x, clientY: y,
        button: type === "pointermove" ? -1 : button,
        buttons: type === "pointerup" ? 0 : buttons,
    });
    el.dispatchEvent(new PointerEvent("pointerdown", opts("pointerdown", x0, y0)));
    el.dispatchEvent(new PointerEvent("pointermove", opts("pointermove", x1, y1)));
    el.dispatchEvent(new PointerEvent("pointerup", opts("pointerup", x1, y1)));
}"""


def test_pen_tip_draws_and_eraser_end_erases(grid_page, sent_frames):
    """Synthetic pen events (Playwright has no pen): the tip draws, the eraser end erases."""
    page = grid_page()
    canvas = page.locator(".dg-canvas")
    a, b = to_xy(page, 12, 4), to_xy(page, 12, 27)
    with Reruns(page, sent_frames):  # tip: button 0, buttons 1
        canvas.evaluate(PEN_STROKE, [*a, *b, 0, 1])
    drawn = server_bits(page)
    assert drawn[12:14, 5:27].all()
    c, d = to_xy(page, 12, 10), to_xy(page, 12, 20)
    with Reruns(page, sent_frames):  # eraser end: button 5, buttons 32
        canvas.evaluate(PEN_STROKE, [*c, *d, 5, 32])
    erased = server_bits(page)
    assert not erased[12:14, 10:21].any() and erased[12:14, 5:9].all()


def test_28x28_without_blocks_big_for_a_projector(grid_page, sent_frames, artifacts_dir):
    page = grid_page("?size=28&height=560")
    expect(page.locator(".dg-blocks")).to_be_hidden()
    box = page.locator(".dg-canvas").bounding_box()
    assert box["width"] == pytest.approx(28 * 20 + 1 + 4, abs=1)  # 20 px cells, square
    assert box["height"] == pytest.approx(box["width"], abs=1)
    inner = box["width"] - 4
    at = lambda r, c: (box["x"] + 2 + (c + 0.5) * inner / 28, box["y"] + 2 + (r + 0.5) * inner / 28)  # noqa: E731
    with Reruns(page, sent_frames, n=28):
        page.mouse.move(*at(4, 14))
        page.mouse.down()
        page.mouse.move(*at(23, 14), steps=5)
        page.mouse.up()
    bits = server_bits(page, 28)
    assert bits[4:25, 14:16].all() and bits.sum() == 42  # brush 2 at 14.5: columns 14-15
    page.mouse.move(*at(10, 5))  # the brush outline follows the mouse
    page.screenshot(path=artifacts_dir / "draw_grid-6-28x28.png")
