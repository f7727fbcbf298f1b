"""The output-size page as a person uses it: the real app in Debian's Chromium.

Open /output_size, read the formula, change the stride, click a lecture preset, hover an
output cell of the drawing, switch to Korean. Screenshots go to
test-artifacts/output_size-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def formula(page, axis: str) -> str:
    return page.locator(f".st-key-output_size-formula_{axis} code").first.inner_text().strip()


def set_number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key.replace('.', '-')} input")
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def test_output_size_page(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(app_url)  # (see the note on a new server's first run in the report)
    st_wait_idle(page)
    page.goto(f"{app_url}/output_size")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Output size and padding")
    first = cc.conv_output_size_detail(8, 3, stride=2).formula()
    assert formula(page, "rows") == first
    expect(page.locator(".st-key-output_size-summary")).to_contain_text(
        "Input 8 × 8 → padded 8 × 8 → output 3 × 3"
    )
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_contain_text(
        "Input rows no window visits (counting from 0): 7"
    )
    page.wait_for_selector(".js-plotly-plot")
    page.screenshot(path=artifacts_dir / "output-size-1-open.png", full_page=True)
    page.locator(".st-key-output_size-warnings").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / "output-size-1b-warnings.png")
    page.locator(".st-key-output_size-pool").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / "output-size-1c-table-pool.png")

    # stride rows 2 -> 3: the rows formula follows conv_core, the columns' stays
    set_number(page, "size.conv.stride_rows", 3)
    expected = cc.conv_output_size_detail(8, 3, stride=3).formula()
    expect(page.locator(".st-key-output_size-formula_rows code").first).to_have_text(expected)
    assert formula(page, "cols") == first
    expect(page.locator(".st-key-output_size-summary")).to_contain_text("output 2 × 3")

    # kernel larger than the input: a clear message, no drawing
    set_number(page, "output_size.kh", 11)
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text(
        "larger than the padded input"
    )
    expect(page.locator(".js-plotly-plot")).to_have_count(0)

    # the TensorFlow 'SAME' preset: asymmetric padding (1, 2)
    page.locator(".st-key-output_size-preset-output_size_tf_same button").click()
    wait_idle(page)
    expect(page.locator(".st-key-output_size-formula_rows code").first).to_have_text(
        "(13 + 1 + 2 - 6) / 5 + 1 = 3"
    )
    table = page.locator(".st-key-output_size-compare table")
    expect(table).to_contain_text("(1, 2)")
    expect(table).to_contain_text("3 × 3")
    # hover an output cell: its window's rows and columns
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    # the output cell (1, 1) is at x = 16 + 2 + 1 (padded width, gap, column), y = 1:
    # data coordinates -> page pixels through Plotly's own axes
    x, y = page.evaluate(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const fl = gd._fullLayout;
            const r = gd.getBoundingClientRect();
            const px = fl.xaxis.l2p(19) + fl.xaxis._offset + r.left;
            const py = fl.yaxis.l2p(1) + fl.yaxis._offset + r.top;
            return [px, py];
        }"""
    )
    page.mouse.move(x, y)
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "output-size-2-tf-same-hover.png", full_page=False)
    hover = page.locator(".hoverlayer").first.text_content() or ""
    assert "window rows" in hover, hover

    # Korean
    page.goto(f"{app_url}/output_size?lang=ko")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("출력 크기와 패딩")
    expect(page.locator(".st-key-output_size-h input")).to_have_value("8")
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "output-size-3-ko.png", full_page=True)
    # the sizes the lecture works out, at the bottom, in Korean
    sizes = page.locator(".st-key-output_size-lecture")
    sizes.scroll_into_view_if_needed()
    expect(sizes).to_contain_text("48 · 48 · 3 = 완전 연결층의 입력 6,912개")
    expect(sizes).to_contain_text("28 × 28 × 10")
    expect(sizes).to_contain_text("[3, 3, 1, 32]")
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / "output-size-4-lecture-sizes-ko.png")


def test_output_size_link_is_the_first_page_a_new_server_serves(page, fresh_app_url, st_wait_idle):
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{fresh_app_url}/output_size")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Output size and padding", timeout=10_000)
