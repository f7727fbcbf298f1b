"""The Network stack page in the real app (`streamlit run app.py`) in Chromium.

Open /network (the lecture's Keras model), check the totals, load VGG-16, move the layer
slider and see the receptive field summary change. Screenshots: test-artifacts/network-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def test_network_lecture_then_vgg16(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/network")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Network stack")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main.locator(".st-key-network-editor")).to_be_visible()
    expect(main).to_contain_text("1,109,888")
    expect(main).to_contain_text("sees 38 × 38 input pixels")
    page.screenshot(path=artifacts_dir / "network-1-open.png", full_page=True)

    # VGG-16 from the preset picker
    page.locator(".st-key-network-preset").click()
    page.get_by_role("option", name="VGG-16 conv layers (224 × 224 × 3)").click()
    wait_idle(page)
    expect(main).to_contain_text("14,714,688")
    expect(main).to_contain_text("7 × 7 × 512")
    expect(main).to_contain_text("sees 212 × 212 input pixels")
    main.get_by_text("Conv parameters").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "network-3-vgg16-totals.png")

    # the layer slider: step back from the last layer with the keyboard
    main.locator(".st-key-network-layer").scroll_into_view_if_needed()
    slider = page.locator(".st-key-network-layer input[type='range']")
    slider.focus()
    for _ in range(13):
        page.keyboard.press("ArrowLeft")
    wait_idle(page)
    page.wait_for_timeout(1000)
    wait_idle(page)
    expect(slider).to_have_value("18")
    expect(main).to_contain_text("After layer 18")
    main.locator(".st-key-network-rf_chart").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "network-2-vgg16-rf.png")
