"""The padding-mode cross-walk page and the studio's "Show code" panel in Debian's Chromium.

Open /padding_modes (every mode's padded row, padding cells drawn grey and italic, the
name table), then the studio's Show code panel (the PyTorch snippet for the lecture's
example, the NumPy/SciPy tab). Screenshots go to test-artifacts/padding-modes-*.png and
test-artifacts/studio-code-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import conv_core as cc
from ui.teaching.code_snippets import SnippetConfig, numpy_snippet, torch_snippet
from ui.teaching.grid_sources import grid_presets

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 2200}


def test_padding_modes_page_and_studio_code(page, app_url, st_wait_idle, artifacts_dir):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(app_url)
    st_wait_idle(page)
    page.goto(f"{app_url}/padding_modes")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Padding modes across libraries")
    for mode in cc.PADDING_MODES:
        grid = page.locator(f".st-key-padding_modes-grid-{mode} table")
        expected = cc.pad2d([[1, 2, 3, 4, 5]], ((0, 0), (2, 2)), mode, 9)[0]
        cells = grid.locator("td")
        expect(cells).to_have_count(len(expected))
        assert [c.strip() for c in cells.all_inner_texts()] == [str(v) for v in expected]
        # Padding cells look different from input cells.
        first, middle = cells.nth(0), cells.nth(4)
        style = "e => [getComputedStyle(e).fontStyle, getComputedStyle(e).backgroundColor]"
        assert first.evaluate(style) == ["italic", "rgb(230, 230, 230)"]
        assert middle.evaluate(style) == ["normal", "rgb(207, 227, 245)"]
    names = page.locator(".st-key-padding_modes-names table")
    expect(names).to_contain_text("mirror")
    expect(page.locator(".st-key-padding_modes-traps")).to_contain_text(
        "SciPy's 'reflect' (scipy.ndimage) is NumPy's 'symmetric'"
    )
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts_dir / "padding-modes-1-page.png")

    # The studio's Show code panel, for the lecture's example.
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(f"{app_url}/studio")
    st_wait_idle(page)
    page.wait_for_selector('.stp[data-ready="1"]')
    panel = page.locator(".st-key-studio-code")
    panel.locator("summary").click()
    preset = grid_presets()["feature_map_6x6"]
    cfg = SnippetConfig(preset.grid, preset.kernel, preset.bias, padding=preset.padding,
                        stride=(preset.stride,) * 2)  # fmt: skip
    code = panel.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text("F.conv2d(x, w, None, stride=(1, 1), padding=(0, 0)")
    shown = code.locator("code").inner_text()
    assert shown.strip() == torch_snippet(cfg).strip()
    code.hover()  # st.code's copy button shows on hover
    expect(code.locator("button").first).to_be_visible()
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    panel.screenshot(path=artifacts_dir / "studio-code-1-torch.png")
    panel.get_by_role("tab", name="NumPy / SciPy").click()
    numpy_code = panel.locator('[data-testid="stCode"]').nth(1).locator("code")
    expect(numpy_code).to_contain_text('signal.correlate2d(x, k, mode="valid")')
    assert numpy_code.inner_text().strip() == numpy_snippet(cfg).strip()
    page.wait_for_timeout(300)
    panel.screenshot(path=artifacts_dir / "studio-code-2-numpy.png")
