"""The README's screenshots: every page of ui/page_registry.PAGES as it first opens, in English.

Each page is opened in Chromium at 1400x900 (its default state: no settings in the link),
left to finish its script run and draw its stepper and figures, checked for a Streamlit
exception box, and its visible window saved as docs/screenshots/<page>.png: scaled to
1000 px wide with Pillow and written with ``optimize=True`` so the README's images stay
small (their total is checked below).

The images are written to test-artifacts/readme-screenshots/ on every run, so a test run
never leaves the checkout changed; with ``CONVLAB_UPDATE_SCREENSHOTS=1`` they go to
docs/screenshots/ instead, to refresh the README's images::

    CONVLAB_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_readme_screenshots.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from ui.frame.page_registry import APP_ROOT, PAGES

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("CONVLAB_UPDATE_SCREENSHOTS") == "1"
    else REPO / "test-artifacts" / "readme-screenshots"
)
VIEWPORT = {"width": 1400, "height": 900}
WIDTH = 1000
#: The README's images together stay below this (bytes).
TOTAL_LIMIT = 3_000_000
NO_EXCEPTION = '[data-testid="stException"]'


def save_small(png: bytes, path: Path) -> None:
    """Scale a screenshot to :data:`WIDTH` px wide and save it as an optimised PNG."""
    with Image.open(io.BytesIO(png)) as shot:
        shot = shot.convert("RGB")
        height = round(shot.height * WIDTH / shot.width)
        small = shot.resize((WIDTH, height), Image.Resampling.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, format="PNG", optimize=True)


def page_address(app_url: str, entry) -> str:
    return f"{app_url}/{entry.address}"


@pytest.mark.parametrize("entry", PAGES, ids=[entry.name for entry in PAGES])
def test_page_screenshot(entry, page, app_url, st_wait_idle):
    assert (APP_ROOT / entry.file).is_file(), f"{entry.file} is listed in PAGES but does not exist"
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(60_000)
    page.goto(page_address(app_url, entry))
    st_wait_idle(page)
    page.wait_for_timeout(300)  # a rerun the page starts itself (the stepper reporting in)
    st_wait_idle(page)
    if page.locator(".stp").count():  # a stepper (maybe in a closed expander): wait until drawn
        page.wait_for_selector('.stp[data-ready="1"]', state="attached")
    page.wait_for_function(  # Plotly figures drawn (their SVG present)
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(p => p.querySelector('.main-svg'))"
    )
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(500)  # let transitions and the last paint settle
    assert page.locator(NO_EXCEPTION).count() == 0, f"{entry.name}: an exception on the page"
    assert page.locator("h1").count() >= 1, f"{entry.name}: no title drawn"

    path = SHOTS / f"{entry.name}.png"
    path.unlink(missing_ok=True)
    save_small(page.screenshot(), path)

    assert path.is_file()
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == WIDTH
        image.verify()


def test_screenshots_total_size():
    """The README shows an image of every page, and together they stay small enough."""
    paths = [REPO / "docs" / "screenshots" / f"{entry.name}.png" for entry in PAGES]
    missing = [p.name for p in paths if not p.is_file()]
    assert not missing, f"no screenshot for {missing}"
    total = sum(p.stat().st_size for p in paths)
    assert total < TOTAL_LIMIT, f"screenshots total {total / 1e6:.2f} MB"
