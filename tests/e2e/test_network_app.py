"""The Networks page in the real app (`streamlit run app.py`) in Chromium, at 1280 × 720.

Open /network (the lecture's MNIST model), load ResNet-34 and the Inception module from
the picker, and check the drawing as a person sees it: every label at 14 px or more, none
cut off by the chart, no two overlapping; then the same in Korean, and a timeline button.
Screenshots: test-artifacts/network-*.png (the ResNet-34 and Inception drawings in both
languages among them).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from ui.frame.i18n import translate

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 720}


# The drawing as now drawn: during a rerun Streamlit keeps the old element too, marked stale.
DRAWING = '.st-key-network-drawing:not([data-stale="true"])'


def _wait_idle(page) -> None:
    page.wait_for_timeout(400)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def _choose(page, name: str, lang: str) -> None:
    """Pick a network in the picker (scrolled into view first: a select opened while the
    page scrolls closes again, so the click is retried until the list is there)."""
    select = page.locator('.st-key-network-preset [data-testid="stSelectbox"]')
    title = translate(lang, f"architectures.presets.{name}.title")
    option = page.get_by_role("option").get_by_text(title, exact=True)
    for _ in range(5):
        select.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        select.locator("[data-react-aria-pressable]").first.click()
        try:
            option.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:  # the list did not open: click again
            page.keyboard.press("Escape")
    option.click()
    _wait_idle(page)


def _drawing_labels(page) -> list[dict]:
    """Every text of the drawing: its font size and box on screen, and the chart's box."""
    return page.evaluate(
        """(drawing) => {
        const chart = document.querySelector(drawing + ' .js-plotly-plot');
        const frame = chart.getBoundingClientRect();
        return [...chart.querySelectorAll('.annotation-text')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                    left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                    fl: frame.left, fr: frame.right, ft: frame.top, fb: frame.bottom};
        });
    }""",
        DRAWING,
    )


def _check_drawing(page) -> int:
    page.wait_for_selector(f"{DRAWING} .annotation-text")
    labels = _drawing_labels(page)
    assert labels
    column = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    for lab in labels:
        assert lab["size"] >= 14, lab
        # inside the chart and inside the page's column: nothing cut off
        assert lab["left"] >= lab["fl"] - 0.5 and lab["right"] <= lab["fr"] + 0.5, lab
        assert lab["top"] >= lab["ft"] - 0.5 and lab["bottom"] <= lab["fb"] + 0.5, lab
        assert lab["right"] <= column["x"] + column["width"] + 0.5, lab
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["right"] <= b["left"] + 1
                or b["right"] <= a["left"] + 1
                or a["bottom"] <= b["top"] + 1
                or b["bottom"] <= a["top"] + 1
            )
            assert apart, (a, b)
    return len(labels)


def _shoot(page, artifacts_dir, name: str) -> None:
    page.locator(DRAWING).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / f"network-{name}.png")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_network_drawings_are_readable(page, app_url, st_wait_idle, artifacts_dir, lang):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/network?lang={lang}")
    st_wait_idle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(page.locator("h1").first).to_have_text("Networks" if lang == "en" else "네트워크")
    expect(main).to_contain_text("1,413,834")
    assert _check_drawing(page) > 10
    _shoot(page, artifacts_dir, f"lecture-{lang}")

    _choose(page, "resnet34", lang)
    expect(main).to_contain_text("21,797,672")
    expect(main).to_contain_text("17,024")
    assert _check_drawing(page) > 30
    _shoot(page, artifacts_dir, f"resnet34-{lang}")

    # GoogLeNet's timeline button loads the Inception module.
    label = translate(lang, "network.timeline.button", name="GoogLeNet", year=2014, depth=22)
    page.get_by_role("button", name=label).click()
    _wait_idle(page)
    expect(main).to_contain_text("163,696")
    expect(main.locator(DRAWING)).to_contain_text("28 × 28 × 256")
    _check_drawing(page)
    _shoot(page, artifacts_dir, f"inception-{lang}")


def test_timeline_and_tabs(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/network?lang=en")
    st_wait_idle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    page.get_by_role("button", name="2015 ResNet: 152").click()
    _wait_idle(page)
    expect(main).to_contain_text("60,192,808")
    expect(main.locator(DRAWING)).to_contain_text("× 35")
    page.screenshot(path=artifacts_dir / "network-timeline-resnet152.png")

    page.get_by_role("tab", name="Residual learning").click()
    expect(main).to_contain_text("y = x + F(x)")
    stepper = main.locator(".st-key-network-res-conv1")
    stepper.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "network-residual.png")
    page.get_by_role("tab", name="Factorised convolution").click()
    expect(main).to_contain_text("1,152")
    expect(main).to_contain_text("6 multiplications per output instead of 9")
    page.screenshot(path=artifacts_dir / "network-factorised.png")
    page.get_by_role("tab", name="Dense = convolution").click()
    expect(main).to_contain_text("the dense layer is a convolution")
    page.screenshot(path=artifacts_dir / "network-dense.png")
    page.get_by_role("tab", name="Why convolution").click()
    expect(main).to_contain_text("111 of the 784")
    expect(main).to_contain_text("local connectivity")
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "network-why.png")
    main.locator(".st-key-network-why-strip").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "network-why-vector.png")
