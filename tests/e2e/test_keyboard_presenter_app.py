"""Keyboard everywhere and presenter mode, in the real app (`streamlit run app.py`) in Chromium.

The stepper's keys work as soon as a page is open, without clicking the stepper first (a
document-level listener of the component), on the studio and on a concept page (pooling);
they go to a number input while it has the focus; Space plays and pauses; `?` opens the
shortcut list (a modal dialog: focus inside, Tab trapped, Esc closes); no WebSocket frame is
sent per key. Presenter mode on a 1280x720 projector-sized window hides the sidebar and draws
the cells and the arithmetic larger; screenshots go to test-artifacts/keys-*.png and
presenter-*.png.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.stepper_dom import arith, step_of
from ui.teaching.grid_sources import grid_presets

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}
LECTURE = grid_presets()["feature_map_6x6"]
SIDEBAR = '[data-testid="stSidebar"]'
#: The element that has the focus, inside shadow roots too: [tag, class].
FOCUSED = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a ? [a.tagName, String(a.className || '')] : null;
}"""


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


@pytest.fixture
def open_app(page, app_url, st_wait_idle):
    def open_(path: str, **params: str):
        page.set_viewport_size(PROJECTOR)
        page.set_default_timeout(30_000)
        query = f"?{urlencode(params)}" if params else ""
        page.goto(f"{app_url}{path}{query}")
        st_wait_idle(page)
        page.wait_for_selector('.stp[data-ready="1"]')
        wait_idle(page)
        return page

    return open_


def readout(page):
    return page.locator(".stp-readout")


def shortcut_list_opens_and_closes(page, title: str) -> None:
    """`?` opens the list as a modal dialog with the focus in it; Tab stays in; Esc closes."""
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_hidden()
    page.keyboard.press("Shift+Slash")  # "?"
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate(FOCUSED)[1].startswith("stp-btn stp-text stp-keys-close")
    expect(dialog.locator("tr")).to_have_count(9)  # every key the stepper handles
    before = step_of(page)
    for key in ("Tab", "Shift+Tab", "Tab", "ArrowRight"):  # trapped; the stepper stays put
        page.keyboard.press(key)
        assert "stp-keys-close" in page.evaluate(FOCUSED)[1], key
    assert step_of(page) == before
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED)[0] == "BODY"  # opened from the page: the focus goes back there


def test_studio_keys_without_clicking(open_app, sent_frames, artifacts_dir):
    page = open_app("/studio")
    trace = cc.trace_correlate2d(LECTURE.grid, LECTURE.kernel)
    expect(readout(page)).to_have_text("step 1 / 16")
    assert page.evaluate(FOCUSED)[0] == "BODY"  # nothing clicked, nothing focused
    # The component lives in the page's own document (a shadow root), not in an iframe.
    assert page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
             .some((h) => h.shadowRoot && h.shadowRoot.querySelector('.stp'))"""
    )
    assert len(page.frames) == 1
    page.wait_for_timeout(1000)  # the first run's own messages go out
    base = len(sent_frames)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 4 / 16")
    assert arith(page) == cc.format_step(trace.step(3))
    page.keyboard.press("ArrowLeft")
    expect(readout(page)).to_have_text("step 3 / 16")
    page.keyboard.press("End")
    expect(readout(page)).to_have_text("step 16 / 16")
    assert arith(page) == cc.format_step(trace.step(15))
    page.keyboard.press("Home")
    expect(readout(page)).to_have_text("step 1 / 16")
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 2 / 16")
    assert len(sent_frames) == base, f"{len(sent_frames) - base} frame(s) sent while stepping"
    # Space plays and pauses, still without touching the stepper
    page.keyboard.press("Space")
    expect(page.locator(".stp")).to_have_attribute("data-playing", "1")
    page.wait_for_timeout(1200)
    page.keyboard.press("Space")
    expect(page.locator(".stp")).to_have_attribute("data-playing", "0")
    assert step_of(page) >= 2
    assert page.evaluate(FOCUSED)[0] == "BODY"
    wait_idle(page)  # the pause reports the step once
    page.wait_for_timeout(2000)
    wait_idle(page)

    # the shortcut list, from the page and from its toolbar button
    page.keyboard.press("Shift+Slash")
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "keys-studio-shortcuts.png")
    page.keyboard.press("Escape")
    shortcut_list_opens_and_closes(page, "Keyboard shortcuts")
    button = page.get_by_role("button", name="Keyboard shortcuts (?)")
    button.click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    assert "stp-keys-btn" in page.evaluate(FOCUSED)[1]  # back on the button that opened it

    # a number input keeps its keys: change the stride, then the arrows move its caret
    page.get_by_role("tab", name="Padding, stride, dilation").click()
    stride = page.locator(".st-key-studio-conv-stride_cols input")
    stride.fill("2")
    stride.press("Enter")
    wait_idle(page)
    expect(readout(page)).to_contain_text(" / 8")  # the studio keeps the step it was on
    kept = step_of(page)
    assert page.evaluate(FOCUSED)[0] == "INPUT"  # the focus stayed in the input
    for key in ("ArrowRight", "ArrowLeft", "End", "Home", "ArrowRight"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert step_of(page) == kept
    expect(stride).to_have_value("2")
    # out of the input (a click on the page's text), the keys step again
    page.locator("h1").first.click()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 3 / 8")
    stepped = cc.trace_correlate2d(LECTURE.grid, LECTURE.kernel, stride=(1, 2))
    assert arith(page) == cc.format_step(stepped.step(2))


def test_pooling_keys_without_clicking(open_app, sent_frames, artifacts_dir):
    page = open_app("/pooling")
    trace = cc.trace_pool2d(**cc.PRESETS["max_pool_2x2"].arguments)
    expect(readout(page)).to_have_text("step 1 / 4")
    page.wait_for_timeout(1000)
    base = len(sent_frames)
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 2 / 4")
    assert arith(page) == cc.format_step(trace.step(1))
    page.keyboard.press("End")
    expect(readout(page)).to_have_text("step 4 / 4")
    page.keyboard.press("ArrowLeft")
    expect(readout(page)).to_have_text("step 3 / 4")
    assert arith(page) == cc.format_step(trace.step(2))
    assert len(sent_frames) == base, f"{len(sent_frames) - base} frame(s) sent while stepping"
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    expect(page.locator(".stp")).to_have_attribute("data-playing", "1")
    page.keyboard.press("Space")
    expect(page.locator(".stp")).to_have_attribute("data-playing", "0")
    wait_idle(page)
    page.wait_for_timeout(2000)
    wait_idle(page)
    shortcut_list_opens_and_closes(page, "Keyboard shortcuts")

    # after changing a number input, the keys go to the input, not to the stepper
    stride = page.locator(".st-key-pooling-stride input")
    stride.fill("1")
    stride.press("Enter")
    wait_idle(page)
    expect(readout(page)).to_contain_text(" / 9")
    kept = step_of(page)
    assert page.evaluate(FOCUSED)[0] == "INPUT"  # the focus stayed in the input
    for key in ("ArrowRight", "ArrowRight", "End", "ArrowLeft", "Home"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert step_of(page) == kept
    expect(stride).to_have_value("1")
    page.locator("h1").first.click()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 2 / 9")

    # and in Korean
    page.goto(page.url.split("?")[0] + "?lang=ko")
    page.wait_for_selector('.stp[data-ready="1"]')
    wait_idle(page)
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("2 / 4 단계")
    page.keyboard.press("Shift+Slash")
    dialog = page.get_by_role("dialog", name="키보드 단축키")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("다음 단계")
    page.screenshot(path=artifacts_dir / "keys-pooling-shortcuts-ko.png")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def _cell_and_text(page) -> tuple[float, float]:
    """The first output cell's drawn width (px) and the arithmetic's font size (px), once
    the stepper has settled (a width change redraws it after a short delay)."""

    def measure() -> tuple[float, float]:
        cell = page.locator(".out-cell").first
        # after a rerun the stepper redraws: wait for the new cell rather than read a
        # detached one (bounding_box() is None while nothing is drawn)
        expect(cell).to_be_visible(timeout=15_000)
        box = cell.bounding_box()
        for _ in range(50):
            if box is not None:
                break
            page.wait_for_timeout(200)
            box = cell.bounding_box()
        assert box is not None, "the stepper's first output cell never came back"
        font = page.locator(".stp-arith").evaluate(
            "(el) => parseFloat(getComputedStyle(el).fontSize)"
        )
        return box["width"], font

    last = measure()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        page.wait_for_timeout(400)
        now = measure()
        if now == last:
            return now
        last = now
    return last


def test_presenter_mode_on_a_projector(open_app, sent_frames, artifacts_dir):
    page = open_app("/studio")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    cell, font = _cell_and_text(page)
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "presenter-0-off.png")

    # on, from the sidebar switch
    sidebar.get_by_text("Presenter mode", exact=True).click()
    wait_idle(page)
    expect(sidebar).to_be_hidden()
    expect(page.locator('[data-testid="stExpandSidebarButton"]')).to_be_hidden()
    expect(page.locator(".stp")).to_have_attribute("data-presenter", "1")
    assert parse_qs(urlparse(page.url).query).get("present") == ["1"]
    big_cell, big_font = _cell_and_text(page)
    assert big_cell >= 1.3 * cell, (cell, big_cell)
    assert big_font >= 1.4 * font, (font, big_font)
    root_font = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert root_font == "20px"
    # the keys still work, and the step survived the switch
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 3 / 16")
    page.wait_for_timeout(2000)
    wait_idle(page)
    # scrolled to the stepper, its toolbar, grids and arithmetic are all on the one screen
    page.locator(".stp").evaluate("(el) => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    top = page.locator(".stp-bar").bounding_box()["y"]
    arith_box = page.locator(".stp-arith").bounding_box()
    assert top >= -1 and arith_box["y"] + arith_box["height"] <= PROJECTOR["height"], arith_box
    page.screenshot(path=artifacts_dir / "presenter-1-studio.png")
    # the arithmetic fits the width: no horizontal scroll bar on a 1280 px projector
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PROJECTOR["width"]

    # the way back: the fixed exit button
    exit_button = page.get_by_role("button", name="Exit presenter mode")
    expect(exit_button).to_be_visible()
    exit_button.click()
    wait_idle(page)
    expect(sidebar).to_be_visible()
    expect(page.locator(".stp")).to_have_attribute("data-presenter", "0")
    assert "present" not in parse_qs(urlparse(page.url).query)
    assert _cell_and_text(page) == pytest.approx((cell, font), abs=1)  # the normal size again


def test_presenter_link_on_a_concept_page(open_app, artifacts_dir):
    page = open_app("/pooling", present="1")
    expect(page.locator(SIDEBAR)).to_be_hidden()
    expect(page.locator(".stp")).to_have_attribute("data-presenter", "1")
    expect(page.get_by_role("button", name="Exit presenter mode")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(readout(page)).to_have_text("step 2 / 4")
    cell = page.locator(".out-cell").first.bounding_box()["width"]
    assert cell >= 64 * 1.3, cell  # beyond the largest cell outside presenter mode
    page.locator(".stp").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "presenter-2-pooling.png")


def test_several_steppers_keys_go_to_the_one_used_last(open_app):
    """The transposed convolution has two steppers (scatter and gather): keys go to the first
    one on screen, then to the one last clicked."""
    page = open_app("/arithmetic")
    page.get_by_text("Transposed convolution", exact=True).click()
    wait_idle(page)
    steppers = page.locator(".stp")
    expect(steppers).to_have_count(2)
    for k in range(2):
        expect(steppers.nth(k)).to_have_attribute("data-ready", "1")
    # the radio just clicked has the focus and takes the arrows itself: leave it first
    page.locator("h1").first.click()

    def steps() -> list[int]:
        return [int(steppers.nth(k).get_attribute("data-step")) for k in range(2)]

    assert steps() == [0, 0]
    steppers.nth(0).scroll_into_view_if_needed()
    page.keyboard.press("ArrowRight")
    expect(steppers.nth(0)).to_have_attribute("data-step", "1")
    assert steps() == [1, 0]
    # a click on the second one's readout (not a control); then the focus leaves it again
    steppers.nth(1).locator(".stp-readout").click()
    page.locator("h1").first.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(steppers.nth(1)).to_have_attribute("data-step", "2")
    assert steps() == [1, 2]
    page.keyboard.press("Shift+Slash")
    expect(steppers.nth(1).get_by_role("dialog")).to_be_visible()
    expect(steppers.nth(0).get_by_role("dialog")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(steppers.nth(1).get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("radio", name="Transposed convolution")).to_be_checked()
