"""The dimensions page as a person uses it: the real app (`streamlit run app.py`) in Chromium.

Open /dimensions (a 3 x 3 x 3 filter in 5 slices of 5 x 5), check the first step's sum,
press the step's "+" once and check the second step's numbers (the window one column to
the right), then take a screenshot: test-artifacts/dimensions-en.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc
from ui.teaching.volumes import demo_filter, demo_volume, slice_sums, sum_of_slices

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def test_dimensions_step_once(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/dimensions")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("1D, 2D and 3D convolution")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    trace = cc.trace_conv3d(demo_volume(), demo_filter(3, 3))

    first = trace.step(0)
    expect(main).to_contain_text("Step 1 of 27")
    expect(main).to_contain_text(sum_of_slices(slice_sums(first), first.value))

    step = page.locator(".st-key-dimensions-step")
    step.locator('[data-testid="stNumberInputStepUp"]').click()
    st_wait_idle(page)
    second = trace.step(1)
    expect(main).to_contain_text("Step 2 of 27")
    expect(main).to_contain_text("(slice 0, row 0, col 1)")
    expect(main).to_contain_text("cols 1, 2, 3")
    expect(main).to_contain_text(sum_of_slices(slice_sums(second), second.value))
    expect(step.locator("input")).to_have_value("2")

    chart = page.locator(".st-key-dimensions-volume")
    expect(chart.locator(".main-svg").first).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    # the step, the slices with the window and the products in view
    step.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / "dimensions-en.png")
