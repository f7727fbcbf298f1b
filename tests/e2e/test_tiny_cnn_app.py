"""The Tiny CNN page as a new user meets it: the real app (`streamlit run app.py`) in Chromium.

Open /tiny_cnn, choose "Draw" and draw a 7 with the mouse (a bar across the top, a diagonal
down): the network says 7 and draws its probabilities. Click filter 3's weights in the
stages chart: the stepper now steps filter 3, and stepping it (buttons and arrow keys) sends
nothing to the server. Retrain with 4 filters for 1 epoch: the chart has 4 filter columns,
and the accuracy, the probabilities and the filters all change. Then Korean.
Screenshots go to test-artifacts/tiny_cnn-*.png.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Locator, expect

import conv_core as cc
from scripts.stepper_dom import arith, step_of
from ui.components.draw_grid import decode_bitmap
from ui.figures.cnn import percent_text

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 2400}
N = 32  # the drawing's side
CHART = ".st-key-tiny_cnn-chart"
NO_EXCEPTION = '[data-testid="stException"]'
#: How long a check waits for a script run to show (a busy 2-core machine: seconds).
RERUN_MS = 30_000


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def to_xy(page, r: float, c: float) -> tuple[float, float]:
    """Page coordinates of the centre of drawing cell (r, c) (as test_draw_grid_app does)."""
    box = page.locator(".dg-canvas").bounding_box()
    s = (box["width"] - 4) / N  # 2px border each side
    return box["x"] + 2 + (c + 0.5) * s, box["y"] + 2 + (r + 0.5) * s


def stroke(page, points, steps: int = 6) -> None:
    page.mouse.move(*to_xy(page, *points[0]))
    page.mouse.down()
    for r, c in points[1:]:
        page.mouse.move(*to_xy(page, r, c), steps=steps)
    page.mouse.up()


def heading(page) -> Locator:
    """The answer: "The network says 7, 93.6% sure." (an h3)."""
    return page.locator("h3").filter(has_text=re.compile("The network says|신경망의 답은")).first


def bar_labels(page, key: str = "tiny_cnn-probs") -> list[str]:
    """The text written beside each bar of a bars chart (percentages for probabilities)."""
    return page.locator(f".st-key-{key} .bartext").all_text_contents()


def panels(page, selector: str = CHART) -> list[list[dict]]:
    """The chart's heatmap images' boxes, grouped in rows (top to bottom, left to right)."""
    boxes = [im.bounding_box() for im in page.locator(f"{selector} .heatmaplayer image").all()]
    rows: dict[int, list[dict]] = {}
    for b in boxes:
        rows.setdefault(round(b["y"]), []).append(b)
    return [sorted(rows[y], key=lambda b: b["x"]) for y in sorted(rows)]


def drawn_counts(page):
    """What the network reads: the browser's drawing, centred and counted as the page does."""
    bits = decode_bitmap(page.locator(".dg").get_attribute("data-bits"), N, N)
    return cc.bitmap_to_counts(cc.normalise_bitmap(bits))


def expected_heading(page, model) -> str:
    """The answer the page must give for what is drawn in the browser now."""
    probs = cc.forward(model, drawn_counts(page)).probs
    digit = int(np.argmax(probs))
    return f"The network says {digit}, {percent_text(probs[digit])} sure."


def accuracy_text(page) -> str:
    """ "Test accuracy: 95.8% (344 of 359 test images)." """
    return page.get_by_text(re.compile(r"^Test accuracy: ")).inner_text()


#: The numbers written in row ``r`` of a bank chart (annotations inside that row's panels).
ROW_NUMBERS = """([sel, r]) => {
  const ims = [...document.querySelectorAll(sel + ' .heatmaplayer image')]
    .map(e => e.getBoundingClientRect());
  const tops = [...new Set(ims.map(b => Math.round(b.top)))].sort((a, b) => a - b);
  const row = ims.filter(b => Math.round(b.top) === tops[r]);
  const top = Math.min(...row.map(b => b.top)), bottom = Math.max(...row.map(b => b.bottom));
  return [...document.querySelectorAll(sel + ' .annotation')]
    .map(a => [a.getBoundingClientRect(), a.textContent])
    .filter(([b]) => (b.top + b.bottom) / 2 > top && (b.top + b.bottom) / 2 < bottom)
    .sort(([a], [b]) => a.left - b.left || a.top - b.top)
    .map(([, text]) => text);
}"""


def row_numbers(page, selector: str, r: int) -> list[str]:
    return page.evaluate(ROW_NUMBERS, [selector, r])


def test_draw_click_step_retrain_korean(page, app_url, st_wait_idle, sent_frames, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/tiny_cnn")
    st_wait_idle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(page.locator("h1").first).to_have_text(
        "Tiny CNN: from pixels to class probabilities", timeout=RERUN_MS
    )
    page.wait_for_selector('.stp[data-ready="1"]')
    page.wait_for_selector(f"{CHART} .heatmaplayer image")  # the charts are drawn
    page.screenshot(path=artifacts_dir / "tiny_cnn-0-open.png")

    # 1. draw a 7
    page.locator(".st-key-tiny_cnn-source").get_by_text("Draw", exact=True).click()
    page.wait_for_selector('.dg[data-ready="1"]')
    wait_idle(page)
    expect(main).to_contain_text("The drawing is empty", timeout=RERUN_MS)
    shipped = cc.load_pretrained()[0]
    stroke(page, [(5, 6), (5, 25)])  # the bar; then its rerun is done:
    expect(heading(page)).to_have_text(expected_heading(page, shipped), timeout=RERUN_MS)
    stroke(page, [(5, 25), (16, 18), (27, 12)])  # the stem
    expect(heading(page)).to_have_text(expected_heading(page, shipped), timeout=RERUN_MS)
    wait_idle(page)
    expect(heading(page)).to_contain_text("The network says 7", timeout=RERUN_MS)
    # the probabilities chart: a bar per digit, each labelled with the network's own number
    probs = cc.forward(shipped, drawn_counts(page)).probs
    expect(page.locator(".st-key-tiny_cnn-probs .bartext")).to_have_text(
        [percent_text(p) for p in probs], timeout=RERUN_MS
    )
    labels = bar_labels(page)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.wait_for_selector('.stp[data-ready="1"]')
    counts = drawn_counts(page)
    page.screenshot(path=artifacts_dir / "tiny_cnn-1-drawn-seven.png")
    before = {
        "heading": heading(page).inner_text(),
        "probs": labels,
        "accuracy": accuracy_text(page),
        "trained": row_numbers(page, ".st-key-tiny_cnn-before_after", 1),
    }

    # 2. open filter 3 by clicking its weights in the stages chart
    rows = panels(page)
    assert [len(r) for r in rows] == [8, 8, 8, 8], [len(r) for r in rows]
    box = rows[0][2]  # the top row holds the weights; the third column is filter 3
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("h3").filter(has_text="Step through filter 3")).to_be_visible(
        timeout=RERUN_MS
    )
    wait_idle(page)
    picked = page.locator(".st-key-tiny_cnn-filter button[role='radio'][aria-checked='true']")
    expect(picked).to_have_text("3", timeout=RERUN_MS)
    page.wait_for_selector('.stp[data-ready="1"]')
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "tiny_cnn-2-filter3.png")

    # 3. step through filter 3's convolution: all in the browser, nothing sent
    trace = cc.trace_correlate2d(
        counts, shipped.conv_weight[2, 0], padding=1, bias=float(shipped.conv_bias[2])
    )
    n_steps = trace.n_steps
    assert n_steps == 64
    expect(page.locator(".stp-readout")).to_have_text(f"step 1 / {n_steps}", timeout=RERUN_MS)
    first = arith(page)
    page.wait_for_timeout(1000)  # the run's own messages go out
    base = len(sent_frames)
    page.locator(".stp-next").click()
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text(f"step 3 / {n_steps}")
    assert arith(page) != first
    page.locator(".stp-prev").click()
    expect(page.locator(".stp-readout")).to_have_text(f"step 2 / {n_steps}")
    page.locator(".stp-stage").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".stp-readout")).to_have_text(f"step 5 / {n_steps}")
    assert step_of(page) == 4
    # it is filter 3 over the drawn digit: the step's result is conv_core's (shown rounded)
    assert float(arith(page).rsplit("=", 1)[1]) == pytest.approx(trace.step(4).value, abs=5e-3)
    page.keyboard.press("End")
    expect(page.locator(".stp-readout")).to_have_text(f"step {n_steps} / {n_steps}")
    assert len(sent_frames) == base, f"{len(sent_frames) - base} frame(s) sent while stepping"
    page.screenshot(path=artifacts_dir / "tiny_cnn-3-stepped.png")
    page.wait_for_timeout(2000)  # the stepper reports its step once (one rerun)
    wait_idle(page)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)

    # 4. retrain: 4 filters, 1 epoch
    for key, presses in (("t_filters", 4), ("t_epochs", 2)):
        slider = page.locator(f".st-key-tiny_cnn-{key} input[type='range']")
        slider.focus()
        for _ in range(presses):
            page.keyboard.press("ArrowLeft")
        wait_idle(page)
    expect(page.locator(".st-key-tiny_cnn-t_filters input[type='range']")).to_have_value(
        "4", timeout=RERUN_MS
    )
    expect(page.locator(".st-key-tiny_cnn-t_epochs input[type='range']")).to_have_value(
        "1", timeout=RERUN_MS
    )
    page.locator(".st-key-tiny_cnn-train button").click()
    expect(main).to_contain_text("Trained in", timeout=90_000)
    page.screenshot(path=artifacts_dir / "tiny_cnn-4-trained.png")
    wait_idle(page)
    expect(page.locator(f"{CHART} .annotation").filter(has_text="Filter 4")).to_have_count(
        1, timeout=RERUN_MS
    )
    expect(page.locator(f"{CHART} .annotation").filter(has_text="Filter 5")).to_have_count(
        0, timeout=RERUN_MS
    )
    assert [len(r) for r in panels(page)] == [4, 4, 4, 4]
    after = {
        "heading": heading(page).inner_text(),
        "probs": bar_labels(page),
        "accuracy": accuracy_text(page),
        "trained": row_numbers(page, ".st-key-tiny_cnn-before_after", 1),
    }
    for what in before:
        assert after[what] != before[what], what
    assert len(after["trained"]) == 4 * 9 and len(before["trained"]) == 8 * 9
    # and training moved the new network's filters from where they started
    assert row_numbers(page, ".st-key-tiny_cnn-before_after", 0) != after["trained"]
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.locator("h1").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "tiny_cnn-4-trained-top.png")
    page.locator(".st-key-tiny_cnn-before_after").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "tiny_cnn-4-trained-bottom.png")

    # 5. Korean
    page.locator('[data-testid="stSidebar"]').get_by_text("한국어", exact=True).click()
    expect(page.locator("h1").first).to_have_text(
        "작은 CNN: 픽셀에서 클래스 확률까지", timeout=RERUN_MS
    )
    wait_idle(page)
    expect(heading(page)).to_contain_text("신경망의 답은", timeout=RERUN_MS)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.locator("h1").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "tiny_cnn-5-korean.png")
