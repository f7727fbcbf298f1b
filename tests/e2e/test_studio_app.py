"""The studio as a person uses it: the real app (`streamlit run app.py`) in Debian's Chromium.

Open the app, go to the studio, step with the buttons and the arrow keys, play and pause,
click an output and an input cell, practise a step right and wrong, switch to Korean, open
a shared link, download the GIF and the PNG, and check that the server ran no script
while stepping. Screenshots go to test-artifacts/studio-*.png.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

import conv_core as cc
from scripts.stepper_dom import arith, step_of
from ui.teaching.grid_sources import grid_presets, random_grid

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}
LECTURE = grid_presets()["feature_map_6x6"]


@pytest.fixture
def open_app(page, app_url, st_wait_idle):
    """Open a path of the app and wait until the script is idle (and the stepper drawn)."""

    def open_(path: str = "/", stepper: bool = True, **params: str):
        page.set_viewport_size(VIEWPORT)
        page.set_default_timeout(30_000)
        query = f"?{urlencode(params)}" if params else ""
        page.goto(f"{app_url}{path}{query}")
        st_wait_idle(page)
        if stepper:
            page.wait_for_selector('.stp[data-ready="1"]')
        return page

    return open_


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def lecture_trace() -> cc.ConvTrace:
    return cc.trace_correlate2d(LECTURE.grid, LECTURE.kernel)


def test_home_to_studio_step_play_click(open_app, sent_frames, artifacts_dir):
    page = open_app("/", stepper=False)
    expect(page.locator("h1").first).to_have_text("ConvLab")
    page.screenshot(path=artifacts_dir / "studio-0-home.png")
    # the home page's link to the studio
    main = page.locator('[data-testid="stMainBlockContainer"]')
    main.get_by_role("link", name="Open Sliding-Window Studio").click()
    page.wait_for_selector('.stp[data-ready="1"]')
    wait_idle(page)
    assert urlparse(page.url).path.endswith("/studio")
    expect(page.locator("h1").first).to_have_text("Sliding-Window Studio")
    trace = lecture_trace()
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 16")
    assert arith(page) == cc.format_step(trace.step(0))
    page.screenshot(path=artifacts_dir / "studio-1-open.png", full_page=True)

    page.wait_for_timeout(1000)  # the first run's own messages go out
    base = len(sent_frames)
    # buttons
    page.locator(".stp-next").click()
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("step 3 / 16")
    assert arith(page) == cc.format_step(trace.step(2))
    page.locator(".stp-prev").click()
    expect(page.locator(".stp-readout")).to_have_text("step 2 / 16")
    page.locator(".stp-last").click()
    expect(page.locator(".stp-readout")).to_have_text("step 16 / 16")
    page.locator(".stp-first").click()
    # arrow keys on the grid
    page.locator(".stp-stage").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".stp-readout")).to_have_text("step 4 / 16")
    assert arith(page) == cc.format_step(trace.step(3))
    # click an output cell: jump to its step
    page.locator(".out-cell[data-i='9']").click()
    expect(page.locator(".stp-readout")).to_have_text("step 10 / 16")
    assert arith(page) == cc.format_step(trace.step(9))
    # click an input cell: the output cells whose windows cover it are marked
    page.locator(".in-cell[data-i='14']").first.click()  # row 2, column 2 of the 6x6 grid
    expect(page.locator(".stp-hl-out")).to_have_count(9)
    page.screenshot(path=artifacts_dir / "studio-2-clicked-input.png")
    page.keyboard.press("Escape")
    expect(page.locator(".stp-hl-out")).to_have_count(0)
    assert len(sent_frames) == base, f"{len(sent_frames) - base} frame(s) sent while stepping"

    # after 1.5 s without stepping, the step is reported once (one rerun); then play, pause
    page.wait_for_timeout(2000)
    wait_idle(page)
    page.locator(".stp-speed").select_option("8")  # 16 steps last 2 s
    page.locator(".stp-first").click()
    base = len(sent_frames)
    page.locator(".stp-play").click()
    expect(page.locator(".stp")).to_have_attribute("data-playing", "1")
    page.wait_for_timeout(1700)  # longer than the 1.5 s idle report delay
    assert len(sent_frames) == base, "playing must not talk to the server"
    page.locator(".stp-play").click()
    expect(page.locator(".stp")).to_have_attribute("data-playing", "0")
    stopped = step_of(page)
    assert stopped >= 1
    # the pause reports the step to the server (one rerun, keeping the step)
    deadline = time.time() + 6
    while len(sent_frames) == base and time.time() < deadline:
        page.wait_for_timeout(100)
    assert len(sent_frames) > base, "the step was never reported"
    wait_idle(page)
    assert step_of(page) == stopped  # the rerun kept the step
    assert parse_qs(urlparse(page.url).query).get("step") == [str(stopped)]


def test_click_input_cell_marks_its_outputs(open_app, artifacts_dir):
    """A corner cell feeds one window; a border cell with padding 1 feeds several."""
    page = open_app("/studio", padding="1")
    page.locator(".in-cell[data-i='0']").first.click()  # a padding cell: corner of 8x8
    expect(page.locator(".stp-hl-out")).to_have_count(1)
    page.locator(".in-cell[data-i='9']").first.click()  # input (0, 0): padded (1, 1)
    expect(page.locator(".stp-hl-out")).to_have_count(4)
    expect(page.locator(".stp-contrib")).to_contain_text("4")
    page.screenshot(path=artifacts_dir / "studio-3-input-cell.png")


def test_practice_right_and_wrong(open_app, artifacts_dir):
    page = open_app("/studio")
    trace = lecture_trace()
    page.locator(".stp-practice-toggle").check()
    expect(page.locator(".stp-quiz")).to_be_visible()
    assert arith(page).endswith("= ?")
    answer = page.locator(".stp-answer")
    answer.fill(str(int(trace.step(0).value) + 1))  # wrong
    answer.press("Enter")
    expect(page.locator(".stp-feedback")).to_have_attribute("data-ok", "0")
    expect(page.locator(".stp-score")).to_have_text("Score: 0 / 1")
    assert arith(page) == cc.format_step(trace.step(0))
    page.locator(".stp-next").click()
    answer.fill(str(int(trace.step(1).value)))  # right
    answer.press("Enter")
    expect(page.locator(".stp-feedback")).to_have_attribute("data-ok", "1")
    expect(page.locator(".stp-score")).to_have_text("Score: 1 / 2")
    page.screenshot(path=artifacts_dir / "studio-4-practice.png")


def test_switch_to_korean(open_app, artifacts_dir):
    page = open_app("/studio")
    page.locator('[data-testid="stSidebar"]').get_by_text("한국어", exact=True).click()
    expect(page.locator("h1").first).to_have_text("슬라이딩 윈도우 스튜디오")
    page.wait_for_selector('.stp[data-ready="1"]')
    wait_idle(page)
    expect(page.locator(".stp-readout")).to_have_text("1 / 16 단계")
    expect(page.get_by_role("tab", name="연산과 커널")).to_be_visible()
    assert "lang=ko" in page.url
    page.locator(".stp-next").click()
    expect(page.locator(".stp-readout")).to_have_text("2 / 16 단계")
    # choices keep their value under the new labels (the browser keeps a selectbox's or a
    # radio's value as its label text: the app re-sends them on a language switch)
    expect(page.locator(".st-key-studio-preset input")).to_have_value("6×6 입력, 3×3 필터")
    page.screenshot(path=artifacts_dir / "studio-5-korean.png", full_page=True)
    page.get_by_role("tab", name="연산과 커널").click()
    expect(page.locator(".st-key-studio-kernel-preset input")).to_have_value("직접 입력")
    correlate = page.get_by_role("radio", name="교차 상관 (CNN 층이 계산하는 것)")
    expect(correlate).to_be_checked()
    page.get_by_text("합성곱 (커널을 뒤집음)", exact=True).click()
    wait_idle(page)
    expect(page.get_by_role("radio", name="합성곱 (커널을 뒤집음)")).to_be_checked()
    assert "op=convolve" in page.url
    page.screenshot(path=artifacts_dir / "studio-5-korean-kernel-tab.png")
    # and back to English: still convolution
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_idle(page)
    page.get_by_role("tab", name="Operation and kernel").click()
    expect(page.get_by_role("radio", name="Convolution (kernel flipped)")).to_be_checked()
    expect(page.locator(".st-key-studio-kernel-preset input")).to_have_value("Custom")


def test_shared_link_opens_the_same_view(open_app, artifacts_dir):
    params = {
        "lang": "ko",
        "src": "random",
        "rows": "10",
        "cols": "12",
        "seed": "7",
        "op": "convolve",
        "kernel": "1,2,0;0,1,-1;3,0,1",
        "bias": "2",
        "padding": "1",
        "stride": "2,3",
        "step": "5",
    }
    page = open_app("/studio", **params)
    grid = random_grid(10, 12, 0, 9, 7)
    kernel = np.array([[1, 2, 0], [0, 1, -1], [3, 0, 1]])
    trace = cc.trace_convolve2d(grid, kernel, (2, 3), 1, bias=2)
    n = trace.n_steps
    assert np.shape(trace.output) == (5, 4)
    expect(page.locator(".stp-readout")).to_have_text(f"6 / {n} 단계")
    assert arith(page) == cc.format_step(trace.step(5))
    expect(page.locator("h1").first).to_have_text("슬라이딩 윈도우 스튜디오")
    # the settings tabs hold the link's values
    page.get_by_role("tab", name="패딩, 스트라이드, 팽창").click()
    stride_cols = page.locator(".st-key-studio-conv-stride_cols input")
    expect(stride_cols).to_have_value("3")
    page.screenshot(path=artifacts_dir / "studio-6-shared-link.png", full_page=True)
    # the share panel shows this very link
    page.get_by_text("공유", exact=True).click()
    link = page.locator('[data-testid="stCode"]').last.text_content()
    shown = parse_qs(urlparse(link.strip()).query)
    for name in ("src", "rows", "cols", "op", "padding", "lang"):
        assert shown[name] == [params[name]], name


def test_bad_link_falls_back_with_a_notice(open_app):
    page = open_app("/studio", stride="0", kernel="1,x;2")
    notices = page.locator('[data-testid="stAlert"]')
    expect(notices.first).to_be_visible()
    text = " ".join(notices.all_text_contents())
    assert "stride" in text and "kernel" in text
    expect(page.locator(".stp-readout")).to_have_text("step 1 / 16")  # defaults


def test_download_gif_and_png(open_app, artifacts_dir):
    page = open_app("/studio")
    page.get_by_text("Export: slides and worksheet", exact=True).click()
    # opening the panel reruns the page: click the button it draws, not one being replaced
    wait_idle(page)
    step_png = page.get_by_role("button", name="Download this step as PNG")
    expect(step_png).to_be_visible()
    with page.expect_download() as png:
        step_png.click()
    png_path = artifacts_dir / "studio-download-step.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.get_by_role("button", name="Make the GIF").click()
    download = page.get_by_role("button", name="Download the GIF")
    expect(download).to_be_visible(timeout=60_000)
    with page.expect_download() as gif:
        download.click()
    gif_path = artifacts_dir / "studio-download.gif"
    gif.value.save_as(gif_path)
    data = gif_path.read_bytes()
    assert data[:6] in (b"GIF87a", b"GIF89a")
    from PIL import Image

    with Image.open(gif_path) as im:
        assert im.n_frames == 16


def test_studio_link_is_the_first_page_a_new_server_serves(page, fresh_app_url, st_wait_idle):
    """Streamlit wraps a server's first run in its legacy pages/ list; the app leaves it, so
    a shared studio link opened first after a restart still gets the app's navigation, the
    language switch and the link's language."""
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{fresh_app_url}/studio?lang=ko&padding=1")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    expect(page.locator("h1").first).to_have_text("슬라이딩 윈도우 스튜디오")
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_contain_text("홈")
    assert "app" not in nav.inner_text().split()  # not the legacy list (app / home / studio)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("English", exact=True)).to_be_visible()
    expect(page.locator(".stp-readout")).to_have_text("1 / 36 단계")  # padding 1: 6x6 out


def test_switch_sources_leave_and_come_back(open_app, artifacts_dir):
    """Settings survive switching the grid source and a visit to another page."""
    page = open_app("/studio")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    main.get_by_text("Random integers", exact=True).click()
    wait_idle(page)
    rows = page.locator(".st-key-studio-rows input")
    rows.fill("10")
    rows.press("Enter")
    wait_idle(page)
    main.get_by_text("Type your own", exact=True).click()
    wait_idle(page)
    main.get_by_text("Random integers", exact=True).click()
    wait_idle(page)
    expect(rows).to_have_value("10")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="Home").click()
    wait_idle(page)
    nav.get_by_role("link", name="Sliding-Window Studio").click()
    page.wait_for_selector('.stp[data-ready="1"]')
    wait_idle(page)
    expect(page.locator(".st-key-studio-rows input")).to_have_value("10")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert "src=random" in page.url and "rows=10" in page.url
    page.screenshot(path=artifacts_dir / "studio-7-back-again.png", full_page=True)


def test_pattern_detector_side_by_side(open_app, artifacts_dir):
    """The studio's pattern-detector section: the scribble and three filters side by side,
    the diagonal one 'detected' with 200, the others at most 50 and 60."""
    page = open_app("/studio")
    section = (
        page.locator('[data-testid="stExpander"]')
        .filter(has_text="The filter as a pattern detector")
        .first
    )
    section.locator("summary").first.click()
    expect(section).to_contain_text("Detected: the strongest answer, 200.")
    expect(section).to_contain_text("Not detected: at most 50.")
    expect(section).to_contain_text("Not detected: at most 60.")
    expect(section.locator(".js-plotly-plot")).to_have_count(7)
    section.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "studio-7-pattern-detector.png")
