"""The Channels and filters page as a person uses it: the real app in Chromium.

Open /channels, read the lecture's RGB position in the stepper (per-channel sums plus
bias = -25) and the neuron formula with its numbers (channels-formula-en.png), switch to
a random image with N filters, step once (the formula follows the reported step), and look
at the parameter-count and 1x1 panels. Screenshots go to test-artifacts/channels-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.stepper_dom import arith

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def test_channels_lecture_then_random_filters(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/channels")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator("h1").first).to_have_text("Channels and filters")
    page.screenshot(path=artifacts_dir / "channels-1-open.png")

    trace = cc.trace_conv2d(**cc.PRESETS["rgb_one_position"].arguments)
    assert arith(page) == cc.format_step(trace.step(0), channel_names=("R", "G", "B"))
    assert arith(page).endswith("= -25")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_contain_text("308 + (-498) + 164 + 1 = -25")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "channels-2-stepper.png")

    # The notes' neuron formula with the lecture's numbers, typeset by KaTeX.
    formula = page.locator(".st-key-channels-formula")
    expect(formula.locator(".katex").first).to_be_visible()
    expect(formula).to_contain_text("Index convention")
    # the form, i′ and j′, the form filled in, two lines per channel, then z
    assert formula.locator(".katex").count() == 10
    expect(formula.locator(".katex").last).to_contain_text("308")
    formula.scroll_into_view_if_needed()
    formula.screenshot(path=artifacts_dir / "channels-formula-en.png")

    page.locator(".st-key-channels-src").get_by_text("Random image, N filters").click()
    wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(main).to_contain_text("output 3 × 3 × 2")  # H × W × C
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 9")
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("step 2 / 9")
    # The stepper reports the step a moment after the last click; the formula follows it.
    expect(formula).to_contain_text("Step 2 of 9", timeout=15_000)
    expect(formula.locator(".katex").last).to_contain_text("z(0, 1, ")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "channels-3-random.png")

    expect(main).to_contain_text("= 3,584 parameters")
    main.get_by_text("1 × 1 convolution: mixing channels").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "channels-4-params-1x1.png")
