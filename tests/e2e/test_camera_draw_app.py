"""Webcam and drawing as a person uses them: the real app in Debian's Chromium.

* The lab's camera, in a browser of its own launched with Chromium's fake camera
  (``--use-fake-device-for-media-stream``: a moving test pattern) and its fake permission
  prompt (``--use-fake-ui-for-media-stream``: "allow"). Only this test's browser gets these
  flags. Take a photo; the result figure must appear with the photo's size in the shapes
  line and no error.
* The studio's "draw" source: draw a stroke with the mouse on the 12x12 grid, then step with
  the arrow keys; the arithmetic shown must be conv_core's on the drawn grid (1 = ink).

Screenshots: test-artifacts/camera-*.png and studio-draw-*.png.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.local_server import CHROMIUM_ARGS
from scripts.stepper_dom import arith
from ui.components.draw_grid import decode_bitmap
from ui.teaching.grid_sources import grid_presets

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
LECTURE_KERNEL = grid_presets()["feature_map_6x6"].kernel


def _idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def _no_error(page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


@pytest.fixture
def camera_page(browser_type, browser_type_launch_args):
    """A page in a browser of its own, with the fake camera allowed."""
    args = {**browser_type_launch_args, "args": [*CHROMIUM_ARGS, *FAKE_CAMERA]}
    browser = browser_type.launch(**args)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    browser.close()


def test_lab_camera_photo_gives_a_result(camera_page, app_url, st_wait_idle, artifacts_dir):
    page = camera_page
    page.goto(f"{app_url}/lab")
    st_wait_idle(page)
    page.locator(".st-key-lab-image-source").get_by_text("Camera", exact=True).click()
    _idle(page)
    camera = page.locator(".st-key-lab-image-camera")
    expect(camera).to_be_visible()
    expect(
        page.get_by_text("Browsers turn on a camera only for pages opened over https")
    ).to_be_visible()
    # the fake device streams into the widget's video; then the capture button works
    page.wait_for_function(
        """() => { const v = document.querySelector('.st-key-lab-image-camera video');
                   return v && v.readyState >= 2 && v.videoWidth > 0; }"""
    )
    page.screenshot(path=artifacts_dir / "camera-0-live.png")
    camera.get_by_role("button", name=re.compile("Take Photo", re.I)).click()
    result = page.locator(".st-key-lab-result")
    expect(result.locator(".main-svg").first).to_be_visible(timeout=30_000)
    _idle(page)
    _no_error(page)
    shapes = page.locator('[data-testid="stMarkdownContainer"]', has_text="Input: ").first
    expect(shapes).to_contain_text(re.compile(r"Input: \d+ × \d+ × 1 → Convolution: "))
    height, width = (
        int(v) for v in re.search(r"Input: (\d+) × (\d+)", shapes.inner_text()).groups()
    )
    assert 100 <= width <= 640 and 100 <= height <= 640, (width, height)
    summary = page.get_by_text(re.compile(rf"{width} × {height} pixels, colour"))
    expect(summary.first).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.wait_for_timeout(600)
    page.screenshot(path=artifacts_dir / "camera-1-result.png")


def _to_xy(page, r: float, c: float, n: int) -> tuple[float, float]:
    box = page.locator(".dg-canvas").bounding_box()
    s = (box["width"] - 4) / n  # 2 px border each side
    return box["x"] + 2 + (c + 0.5) * s, box["y"] + 2 + (r + 0.5) * s


def test_studio_draw_then_step(page, app_url, st_wait_idle, artifacts_dir):
    n = 12
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/studio?src=draw")
    st_wait_idle(page)
    page.wait_for_selector('.dg[data-ready="1"]')
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 100")
    # an "L": down column 3, then along row 9 (brush 2: two cells wide)
    page.mouse.move(*_to_xy(page, 2, 3, n))
    page.mouse.down()
    page.mouse.move(*_to_xy(page, 9, 3, n), steps=8)
    page.mouse.move(*_to_xy(page, 9, 9, n), steps=8)
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('draw=12')")
    _idle(page)
    drawn = decode_bitmap(page.locator(".dg").get_attribute("data-bits"), n, n)
    assert drawn[2:10, 3].all() and drawn[9, 3:10].all(), drawn.astype(int)
    grid = drawn.astype(np.int64)
    trace = cc.trace_correlate2d(grid, LECTURE_KERNEL)
    # step with the arrow keys to the first window that holds ink
    first_ink = next(i for i in range(trace.n_steps) if trace.step(i).value != 0)
    page.locator(".stp-stage").focus()
    for _ in range(first_ink):
        page.keyboard.press("ArrowRight")
    expect(page.locator(".stp-readout")).to_have_text(f"step {first_ink + 1} / 100")
    assert arith(page) == cc.format_step(trace.step(first_ink))
    assert "1×1" in arith(page)
    _no_error(page)
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.wait_for_timeout(600)
    page.screenshot(path=artifacts_dir / "studio-draw-1-stepped.png")


def test_lab_draw_in_korean(page, app_url, st_wait_idle, artifacts_dir):
    """The lab's drawing (28x28, white ink on black) in Korean: one stroke, then the result."""
    n = 28
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/lab?lang=ko")
    st_wait_idle(page)
    page.locator(".st-key-lab-image-source").get_by_text("그리기", exact=True).click()
    page.wait_for_selector('.dg[data-ready="1"]')
    _idle(page)
    expect(page.get_by_text("격자에 그림을 그려 시작하세요.")).to_be_visible()
    page.mouse.move(*_to_xy(page, 4, 8, n))
    page.mouse.down()
    page.mouse.move(*_to_xy(page, 4, 20, n), steps=10)
    page.mouse.move(*_to_xy(page, 24, 11, n), steps=16)
    page.mouse.up()
    result = page.locator(".st-key-lab-result")
    expect(result.locator(".main-svg").first).to_be_visible(timeout=30_000)
    _idle(page)
    _no_error(page)
    shapes = page.locator('[data-testid="stMarkdownContainer"]', has_text="28 × 28 × 1").first
    expect(shapes).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.wait_for_timeout(600)
    page.screenshot(path=artifacts_dir / "lab-draw-ko.png")
