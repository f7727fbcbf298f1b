"""The Image Filter Lab as a student uses it: the real app (`streamlit run app.py`) in Chromium.

Open /lab, upload a photo-like JPEG through the real file input, switch to the CNN way,
add a filter, set ReLU and max pooling, click a pixel of the result, step the sliding
window, compute and download the full-resolution PNG, then upload a text file renamed
.png. Screenshots go to test-artifacts/lab-*.png.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

import conv_core as cc
from ui.frame.i18n import translate
from ui.teaching.samples import load_sample

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}
TALL = {"width": 1400, "height": 3400}  # Streamlit scrolls inside its own container
UPLOAD_W, UPLOAD_H = 1600, 1200
SOBEL_Y = translate("en", cc.KERNELS["sobel_y"].title_key)


def _t(key: str, **params: object) -> str:
    return translate("en", key, **params)


@pytest.fixture(scope="module")
def photo_jpeg() -> bytes:
    """A photo-like colour JPEG: the cat sample scaled to 1600 x 1200, plus sensor noise."""
    cat = Image.fromarray(load_sample("chelsea").astype(np.uint8))
    big = np.asarray(cat.resize((UPLOAD_W, UPLOAD_H), Image.Resampling.BICUBIC), dtype=float)
    noise = np.random.default_rng(1).normal(0, 5, big.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def _shot(page, path: Path, element=None) -> None:
    """The whole page (or one element of it): a tall viewport for the moment of the
    screenshot."""
    page.set_viewport_size(TALL)
    page.wait_for_timeout(600)
    _idle(page)
    (element or page).screenshot(path=path)
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(300)


def _no_traceback(page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _upload(page, name: str, mime: str, data: bytes) -> None:
    uploader = page.locator('.st-key-lab-image-upload input[type="file"]')
    uploader.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def _shapes_line(page):
    return page.locator('[data-testid="stMarkdownContainer"]', has_text="Input: ").first


def test_upload_filter_click_slide_download(page, app_url, st_wait_idle, artifacts_dir, photo_jpeg):
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}/lab")
    st_wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Image Filter Lab")
    expect(_shapes_line(page)).to_contain_text("Input: 512 × 512 × 1")
    _shot(page, artifacts_dir / "lab-0-open.png")

    # a real upload through the file input
    page.locator(".st-key-lab-image-source").get_by_text(_t("image.source_upload")).click()
    _idle(page)
    _upload(page, "holiday.jpg", "image/jpeg", photo_jpeg)
    note = _t("lab.result.preview_note", w=640, h=480, ow=UPLOAD_W, oh=UPLOAD_H)
    expect(page.get_by_text(note)).to_be_visible(timeout=60_000)
    _idle(page)
    expect(_shapes_line(page)).to_contain_text("Input: 480 × 640 × 1")  # grey by default
    _no_traceback(page)
    _shot(page, artifacts_dir / "lab-1-uploaded.png")

    # the CNN way, and a second filter
    page.get_by_role("tab", name=_t("lab.tabs.filters")).click()
    page.get_by_text(_t("lab.color.cnn"), exact=True).click()
    _idle(page)
    expect(_shapes_line(page)).to_contain_text("Input: 480 × 640 × 3 → Convolution: 478 × 638 × 1")
    more = page.locator(".st-key-lab-more input")
    more.click()
    more.press_sequentially("Sobel y")
    more.press("Enter")
    page.keyboard.press("Escape")
    _idle(page)
    expect(page.get_by_text(_t("lab.filters.depth", n=2))).to_be_visible()
    expect(page.locator(".st-key-lab-gallery-map-1")).to_be_visible()

    # ReLU and max pooling
    page.get_by_role("tab", name=_t("lab.tabs.pipeline")).click()
    page.locator(".st-key-lab-activation").click()
    page.get_by_role("option", name=_t("lab.activations.relu")).click()
    _idle(page)
    page.locator(".st-key-lab-pool").get_by_text(_t("lab.pools.max"), exact=True).click()
    _idle(page)
    expect(_shapes_line(page)).to_contain_text(
        "ReLU: max(0, x): 478 × 638 × 1 → Max pooling 2×2, stride 2: 239 × 319 × 1"
    )
    expect(page.locator(".st-key-lab-channel-sum")).to_be_visible()
    _no_traceback(page)
    _shot(page, artifacts_dir / "lab-2-cnn-relu-pool.png")

    # click a pixel of the result: the window under it and the arithmetic
    result = page.locator(".st-key-lab-result")
    result.scroll_into_view_if_needed()
    image = result.locator(".heatmaplayer image, .imagelayer image").first
    expect(image).to_be_visible()
    box = image.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.4)
    expect(page.get_by_text(_t("lab.click.arithmetic"), exact=True)).to_be_visible(timeout=20_000)
    _idle(page)
    header = page.locator("strong", has_text="Pixel (row ").first.inner_text()
    match = re.fullmatch(r"Pixel \(row (\d+), column (\d+)\) of filter 1", header)
    assert match, header
    # the pooled map is 239 x 319: the point clicked, to within the probes' spacing
    row, col = int(match[1]), int(match[2])
    assert abs(row - 0.4 * 239) <= 4 and abs(col - 0.55 * 319) <= 4, (row, col)
    expect(page.locator('[class*="st-key-lab-pool_window"]').first).to_be_visible()
    for c in range(3):  # R, G and B windows of the CNN filter
        expect(page.locator(f".st-key-lab-window-None-{c}")).to_be_visible()
    arithmetic = page.locator('[data-testid="stCode"]').first.inner_text()
    assert "×" in arithmetic and "=" in arithmetic
    assert arithmetic.startswith("R: "), arithmetic  # the channels named as in the windows
    _no_traceback(page)
    explanation = page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.locator("strong", has_text="Pixel (row ")
    )
    _shot(page, artifacts_dir / "lab-3-clicked-pixel.png", explanation.last)

    # the window sliding over a region, in the studio's stepper
    page.get_by_text(_t("lab.slide.header"), exact=True).click()
    page.wait_for_selector('.stp[data-ready="1"]')
    readout = page.locator(".stp-readout")
    expect(readout).to_have_text("step 1 / 100")
    page.locator(".stp-next").click()
    expect(readout).to_have_text("step 2 / 100")
    page.locator(".stp-stage").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "lab-4-slide.png")

    # full resolution: back to 'same' padding and no pooling, so the PNG has the upload's size
    page.get_by_role("tab", name=_t("lab.tabs.pipeline")).click()
    page.locator(".st-key-lab-pool").get_by_text(_t("lab.pools.none"), exact=True).click()
    _idle(page)
    padding = page.locator(".st-key-lab-conv-padding_kind")
    padding.get_by_text(_t("conv.padding_kinds.same"), exact=True).click()
    _idle(page)
    expect(_shapes_line(page)).to_contain_text("Convolution: 480 × 640 × 1")
    page.get_by_text(_t("lab.download.header"), exact=True).click()
    page.get_by_role("button", name=_t("lab.download.compute")).click()
    result_button = page.locator(".st-key-lab-download-0 button")
    expect(result_button).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Full resolution ready (")).to_be_visible()
    expect(page.locator(".st-key-lab-download-1 button")).to_be_visible()
    with page.expect_download() as download:
        result_button.click()
    path = artifacts_dir / "lab-download-result.png"
    download.value.save_as(path)
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == (UPLOAD_W, UPLOAD_H)
        pixels = np.asarray(im)
    # conv_core on the uploaded file itself: filter 1 (Sobel x on R, G and B), ReLU
    full = cc.load_image(photo_jpeg)
    sobel_x = cc.KERNELS["sobel_x"].matrix
    expected = cc.run_pipeline(
        full, np.stack([sobel_x] * 3)[None], [0.0], color_mode="cnn", padding="same",
        activation="relu",
    ).result.maps[0]  # fmt: skip
    np.testing.assert_array_equal(pixels, cc.to_display(expected, "abs"))
    _shot(page, artifacts_dir / "lab-5-full-resolution.png")

    # a bad file: a clear message, no traceback
    page.get_by_role("tab", name=_t("lab.tabs.image")).click()
    _upload(page, "photo.png", "image/png", b"Hello, this is a text file renamed photo.png\n")
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("not a supported image (JPEG, PNG, WebP, BMP, GIF or TIFF)")
    _idle(page)
    _no_traceback(page)
    expect(page.locator(".st-key-lab-result")).to_have_count(0)
    _shot(page, artifacts_dir / "lab-6-bad-file.png")
