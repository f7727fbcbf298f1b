"""The MNIST page in Chromium (`streamlit run app.py`): open /mnist, pick a test digit, check
the prediction, click a map of the overview and see its explanation and stepper; draw a digit.
Screenshot: test-artifacts/mnist-en.png."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from conv_core import tinyvgg as tv
from conv_core.mnist import load_mnist, mnist_preprocess
from ui.components.draw_grid import decode_bitmap
from ui.figures.cnn import percent_text

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 2400}
RERUN_MS = 30_000
OVERVIEW = ".st-key-mnist-chart"
NO_EXCEPTION = '[data-testid="stException"]'


def heading(page):
    return page.locator("h3").filter(has_text=re.compile("The network says")).first


def says(probs: np.ndarray) -> str:
    d = int(np.argmax(probs))
    return f"The network says {d} ({percent_text(float(probs[d]))} sure)"


def wait_idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def test_pick_digit_open_map_draw(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/mnist")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_contain_text("MNIST", timeout=RERUN_MS)
    page.wait_for_selector(f"{OVERVIEW} .heatmaplayer image")
    model, split = tv.load_tinyvgg(), load_mnist()

    # 1. pick test digit 123: the answer is conv_core's
    box = page.locator(".st-key-mnist-sample input")
    box.fill("123")
    box.press("Enter")
    probs = tv.forward(model, split.test_images[123]).probs
    expect(heading(page)).to_have_text(says(probs), timeout=RERUN_MS)
    wait_idle(page)

    # 2. the overview: the input row, then 10 maps in each of the 10 layer rows
    images = page.locator(f"{OVERVIEW} .heatmaplayer image")
    expect(images).to_have_count(1 + 10 * 10, timeout=RERUN_MS)
    # click map 3 of conv_2_1 (row 6 of the overview: input, conv_1_1, ..., max_pool_1, conv_2_1)
    tops = sorted({round(im.bounding_box()["y"]) for im in images.all()})
    row = [im.bounding_box() for im in images.all() if round(im.bounding_box()["y"]) == tops[6]]
    target = sorted(row, key=lambda b: b["x"])[2]
    page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_contain_text("Map 3 of conv_2_1 reads all 10 maps", timeout=RERUN_MS)
    expect(page.get_by_role("combobox", name="Layer")).to_have_value(re.compile("conv_2_1"))
    wait_idle(page)
    picked = page.locator(".st-key-mnist-map button[role='radio'][aria-checked='true']")
    expect(picked).to_have_text("3", timeout=RERUN_MS)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=artifacts_dir / "mnist-en.png")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "mnist-en-explain.png")
    page.locator(".st-key-mnist-feat_patches").scroll_into_view_if_needed()
    page.wait_for_selector(".st-key-mnist-feat_patches .heatmaplayer image")
    page.screenshot(path=artifacts_dir / "mnist-en-features.png")

    # 3. draw a vertical stroke: the answer follows the preprocessed drawing
    page.locator(".st-key-mnist-source").get_by_text("Draw", exact=True).click()
    page.wait_for_selector('.dg[data-ready="1"]')
    wait_idle(page)
    canvas = page.locator(".dg-canvas").bounding_box()
    s = (canvas["width"] - 4) / 28
    page.mouse.move(canvas["x"] + 2 + 14 * s, canvas["y"] + 2 + 4 * s)
    page.mouse.down()
    page.mouse.move(canvas["x"] + 2 + 14 * s, canvas["y"] + 2 + 24 * s, steps=8)
    page.mouse.up()
    wait_idle(page)
    bits = decode_bitmap(page.locator(".dg").get_attribute("data-bits"), 28, 28)
    assert bits.any()
    probs = tv.forward(model, mnist_preprocess(bits)).probs
    expect(heading(page)).to_have_text(says(probs), timeout=RERUN_MS)
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)

    # 4. your own network: TinyVGG's layers, trained here for 2 epochs through the job queue
    page.get_by_role("button", name="Start from TinyVGG's layers").click()
    wait_idle(page)
    expect(main).to_contain_text("Your network: input 28×28×1", timeout=RERUN_MS)
    page.get_by_role("button", name="Train it").click()
    expect(main).to_contain_text("Your network gets", timeout=180_000)
    wait_idle(page)
    page.locator(".st-key-mnist-mine_chart").scroll_into_view_if_needed()
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=artifacts_dir / "mnist-en-own.png")

    # 5. Korean: the same page, its words translated
    page.goto(f"{app_url}/mnist?lang=ko")
    st_wait_idle(page)
    expect(page.locator("h3").filter(has_text="네트워크의 답:").first).to_be_visible(
        timeout=RERUN_MS
    )
    page.wait_for_selector(f"{OVERVIEW} .heatmaplayer image")
    expect(page.locator(NO_EXCEPTION)).to_have_count(0)
    page.screenshot(path=artifacts_dir / "mnist-ko.png")
