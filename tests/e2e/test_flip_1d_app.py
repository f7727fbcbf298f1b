"""The flip_1d page as a person uses it: the real app (`streamlit run app.py`) in Chromium.

Open /flip_1d (the lecture's 1D smoothing, convolution: the stepper draws the original
kernel beside the flipped one), step once, switch to the asymmetric example and to
cross-correlation, and look at the smoothing chart and the FFT section.
Screenshots go to test-artifacts/flip_1d-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.stepper_dom import arith

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def test_flip_1d_step_and_toggle(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/flip_1d")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator("h1").first).to_have_text("Convolution vs cross-correlation, and 1D")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_contain_text("Original kernel")
    expect(main).to_contain_text("is symmetric")

    trace = cc.trace_convolve1d(**cc.PRESETS["smoothing_1d"].arguments)
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 3")
    assert arith(page) == cc.format_step(trace.step(0))
    page.screenshot(path=artifacts_dir / "flip_1d-1-open.png")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "flip_1d-2-stepper.png")
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("step 2 / 3")
    assert arith(page) == cc.format_step(trace.step(1))

    # the asymmetric example, cross-correlation: the kernel as is
    # type into the selectbox's combobox and take the match (robust to a dropdown that
    # opens off screen or late)
    combo = page.locator(".st-key-flip_1d-example input")
    combo.click()
    combo.fill("Asymmetric")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    st_wait_idle(page)
    expect(combo).to_have_value("Asymmetric kernel [1, 0, −1]")
    page.locator(".st-key-flip_1d-op").get_by_text("Cross-correlation").click()
    st_wait_idle(page)
    x, k = [3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1]
    ctrace = cc.trace_correlate1d(x, k)
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 7")
    expect(page.locator(".stp-arith")).to_have_text(cc.format_step(ctrace.step(0)))
    expect(main).to_contain_text("is not symmetric")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "flip_1d-3-correlate.png")

    chart = page.locator(".st-key-flip_1d-smooth_chart")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".main-svg").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "flip_1d-4-smoothing.png")
    fft = page.locator(".st-key-flip_1d-fft_chart")
    fft.scroll_into_view_if_needed()
    expect(main).to_contain_text("Largest difference")
    page.screenshot(path=artifacts_dir / "flip_1d-5-fft.png", full_page=False)
