"""The Pooling page as a person uses it: the real app (`streamlit run app.py`) in Chromium.

Open /pooling, step through the lecture's max pooling with Next (the winning cell ringed),
switch to average pooling, look at the "why pooling" panel, and open "Show code" (the
PyTorch call, then the TensorFlow tab with the lecture's tf.nn form). Screenshots go to
test-artifacts/pooling-*.png (the code panel: pooling-code-en.png).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.stepper_dom import arith
from ui.teaching.pool_snippets import PoolConfig, tensorflow_pool_snippet

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def test_pooling_step_max_then_average(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/pooling")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator("h1").first).to_have_text("Pooling")

    trace = cc.trace_pool2d(**cc.PRESETS["max_pool_2x2"].arguments)
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 4")
    assert arith(page) == cc.format_step(trace.step(0)) == "max(3, -1, -3, 1) = 3"
    ring = page.locator(".win-ring")
    expect(ring).to_have_count(1)
    expect(ring).to_be_visible()
    ring_group = page.locator(".win-ring >> xpath=..")
    first_place = ring_group.get_attribute("transform")
    page.screenshot(path=artifacts_dir / "pooling-1-open.png")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "pooling-2-stepper.png")

    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("step 2 / 4")
    assert arith(page) == cc.format_step(trace.step(1))
    assert "= 12" in arith(page)
    assert ring_group.get_attribute("transform") != first_place  # the ring moved to the 12
    page.locator(".stp-next").click()
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("step 4 / 4")
    assert arith(page) == cc.format_step(trace.step(3))
    assert arith(page).endswith("= 4")
    page.screenshot(path=artifacts_dir / "pooling-3-max-last.png")

    # the output size formula and the why-pooling panel are on the page
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_contain_text("rows: ⌊(4 + 2·0 − 2) / 2⌋ + 1 = ⌊2 / 2⌋ + 1 = 2")
    expect(main).to_contain_text("4 of 4 pooled values stayed the same")
    expect(main).to_contain_text("16 values → 2 × 2 = 4 values (25% kept)")

    # average pooling: the radio button
    page.locator(".st-key-pooling-method").get_by_text("Average pooling").click()
    wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    avg = cc.trace_pool2d(**cc.PRESETS["avg_pool_2x2"].arguments)
    expect(page.locator(".stp-arith")).to_have_text(cc.format_step(avg.step(0)))
    expect(page.locator(".win-ring")).to_have_count(0)
    page.locator(".stp-next").click()
    expect(page.locator(".stp-arith")).to_have_text(cc.format_step(avg.step(1)))
    assert arith(page).endswith("= 3")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "pooling-4-avg.png")
    main.get_by_text("Why pooling?").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "pooling-5-why.png")

    # Show code: PyTorch first, then TensorFlow as the lecture writes it (the page's numbers)
    panel = page.locator(".st-key-pooling-code")
    panel.locator("summary").click()
    code = panel.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text(
        "F.avg_pool2d(\n    x, kernel_size=2, stride=2, padding=0, ceil_mode=False, "
        "count_include_pad=True\n)"
    )
    panel.get_by_role("tab", name="TensorFlow / Keras").click()
    tf_code = panel.locator('[data-testid="stCode"]').nth(2).locator("code")
    expect(tf_code).to_be_visible()
    expect(tf_code).to_contain_text(
        "tf.nn.avg_pool2d(x, ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')"
    )
    lecture = cc.PRESETS["avg_pool_2x2"].inputs["x"]
    expected = tensorflow_pool_snippet(PoolConfig(lecture, 2, 2, method="avg"))
    assert tf_code.inner_text().strip() == expected.strip()
    expect(panel).to_contain_text("Prints the output: the 2 × 2 numbers shown above.")
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    panel.screenshot(path=artifacts_dir / "pooling-code-en.png")
