"""The Dilated and transposed convolution page in the real app (Chromium).

Open /arithmetic, step the default case (no padding, 4x4 input, 3x3 kernel), pick the
stride-2-with-padding case, switch to the transposed convolution and step both views (the
scatter stepper and the zero-inserted input's convolution). Screenshots go to
test-artifacts/arithmetic-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def test_arithmetic_cases_and_both_transposed_views(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/arithmetic")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator("h1").first).to_have_text("Dilated and transposed convolution")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_contain_text("o = (4 + 0 + 0 - 3) / 1 + 1 = 2, so the output is 2 × 2")
    direct = page.locator(".st-key-arithmetic-direct_stepper")
    expect(direct.locator(".stp-readout")).to_have_text("step 1 / 4")
    direct.locator(".stp-next").click()
    expect(direct.locator(".stp-readout")).to_have_text("step 2 / 4")
    page.screenshot(path=artifacts_dir / "arithmetic-1-open.png")

    page.locator(".st-key-arithmetic-case").get_by_text("Stride 2, padding 1").click()
    wait_idle(page)
    expect(main).to_contain_text("o = (5 + 1 + 1 - 3) / 2 + 1 = 3, so the output is 3 × 3")
    expect(page.locator(".st-key-arithmetic-stride input")).to_have_value("2")
    page.locator(".st-key-arithmetic-direction").get_by_text("Transposed convolution").click()
    wait_idle(page)
    expect(main).to_contain_text("o′ = (3 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 5")
    expect(main).to_contain_text("Both views give the same 5 × 5 output.")
    scatter = page.locator(".st-key-arithmetic-scatter_stepper")
    gather = page.locator(".st-key-arithmetic-gather_stepper")
    expect(scatter.locator('.stp[data-ready="1"]')).to_have_count(1)
    expect(gather.locator('.stp[data-ready="1"]')).to_have_count(1)
    expect(scatter.locator(".stp-readout")).to_have_text("step 1 / 9")
    expect(gather.locator(".stp-readout")).to_have_text("step 1 / 25")
    scatter.locator(".stp-next").click()
    expect(scatter.locator(".stp-readout")).to_have_text("step 2 / 9")
    scatter.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "arithmetic-2-scatter.png")
    gather.locator(".stp-next").click()
    expect(gather.locator(".stp-readout")).to_have_text("step 2 / 25")
    gather.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "arithmetic-3-zero-inserted.png")
