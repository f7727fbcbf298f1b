"""AppTest of the lab's camera source (ui/widgets.image_camera, pages/lab.py).

AppTest drives ``st.camera_input`` in Streamlit 1.67: ``at.camera_input(key=...).set_value(
("shot.jpg", jpeg_bytes, "image/jpeg"))`` stages a captured frame exactly as the browser
uploads it (one JPEG). The photo must go through the same safe decoding and content cache
as an upload, give the numbers conv_core gives on it, reach the full-resolution download,
and say (in both languages) that cameras need https or localhost.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.test_lab import (
    _assert_map_figure,
    _download,
    _expected,
    _final,
    _png_pixels,
    _shapes,
    _working,
    alerts,  # noqa: F401  (fixture)
    media,  # noqa: F401  (fixture)
)
from ui.frame.i18n import LANG_KEY, translate
from ui.teaching.samples import load_sample

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "pages" / "lab.py"
PREVIEW_SIDE = 640
SOBEL_X = cc.KERNELS["sobel_x"].matrix.astype(float)


def _jpeg(width: int, height: int) -> tuple[np.ndarray, bytes]:
    """A webcam-like frame: the cat sample at width x height, as JPEG (and its decoded pixels)."""
    cat = Image.fromarray(load_sample("chelsea").astype(np.uint8)).resize((width, height))
    buf = io.BytesIO()
    cat.save(buf, "JPEG", quality=85)
    data = buf.getvalue()
    return cc.load_image(data), data


def _camera_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(LAB), default_timeout=60)
    at.session_state[LANG_KEY] = lang
    rerun(at)
    _set(at, "button_group", "lab.image.source", "camera")
    return at


def _take(at: AppTest, data: bytes) -> AppTest:
    at.camera_input(key="lab.image.camera").set_value(("shot.jpg", data, "image/jpeg"))
    return rerun(at)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_camera_says_https_or_localhost_and_waits_for_a_photo(lang: str) -> None:
    at = _camera_page(lang)
    camera = at.camera_input(key="lab.image.camera")
    assert camera.label == translate(lang, "image.camera")
    assert camera.resolution == "720p"
    assert translate(lang, "image.source_camera") in at.button_group(key="lab.image.source").options
    captions = [c.value for c in at.caption]
    note = translate(lang, "image.camera_note")
    assert note in captions and "https" in note and "localhost" in note
    assert translate(lang, "image.camera_prompt") in captions
    assert _shapes(at) is None and not at.error and not at.exception
    assert translate(lang, "lab.no_image") in [i.value for i in at.info]


def test_a_photo_is_decoded_and_filtered_like_an_upload() -> None:
    pixels, data = _jpeg(480, 360)
    at = _take(_camera_page(), data)
    assert not at.error, [e.value for e in at.error]
    assert _shapes(at).startswith("Input: 360 × 480 × 1 → Convolution: 358 × 478 × 1")
    image = _working(pixels, "gray")
    _assert_map_figure(at, "lab.result", _final(_expected(image, SOBEL_X, "gray")), "abs")
    assert "480 × 360 pixels, colour" in [c.value for c in at.caption]
    # the same content cache as uploads: keyed by the photo's SHA-256
    assert at.session_state["lab.image.camera_digest"][1] == hashlib.sha256(data).hexdigest()


def test_a_new_photo_replaces_the_old_one() -> None:
    at = _take(_camera_page(), _jpeg(480, 360)[1])
    pixels, data = _jpeg(320, 240)
    _take(at, data)
    assert _shapes(at).startswith("Input: 240 × 320 × 1")
    image = _working(pixels, "gray")
    _assert_map_figure(at, "lab.result", _final(_expected(image, SOBEL_X, "gray")), "abs")


def test_a_damaged_photo_is_a_message_not_a_traceback() -> None:
    _, data = _jpeg(480, 360)
    at = _take(_camera_page(), data[: len(data) // 2])
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "damaged" in errors[0].lower(), errors
    assert _shapes(at) is None and not at.exception
    at = _take(_camera_page(), b"not a jpeg at all")
    assert len(at.error) == 1 and not at.exception


def test_a_large_photo_is_previewed_small_and_downloads_at_full_size(
    media: list,  # noqa: F811
    alerts: list[str],  # noqa: F811
) -> None:
    _, data = _jpeg(1280, 960)
    at = _take(_camera_page(), data)
    assert _shapes(at).startswith("Input: 480 × 640 × 1")
    at.button(key="lab.full_res").click().run()
    assert not at.exception, at.exception
    assert any(a.startswith("Full resolution ready (") for a in alerts), alerts
    png = _png_pixels(_download(at, media, "lab.download.0"))
    assert png.shape == (958, 1278)  # the photo's own size, 'valid' 3x3
    # decoded again from the photo's bytes (the session keeps no full-size copy)
    grey = cc.load_image(data, as_gray=True)
    np.testing.assert_array_equal(
        png, cc.to_display(_final(_expected(grey, SOBEL_X, "gray")), "abs")
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plain_http_to_another_computer_is_a_warning(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened as http://<LAN address>: the browser will refuse, so the page warns."""
    import ui.widgets.image_input

    monkeypatch.setattr(ui.widgets.image_input, "camera_blocked", lambda url: True)
    at = _camera_page(lang)
    warnings = [w.value for w in at.warning]
    assert warnings == [translate(lang, "image.camera_blocked")]
    assert translate(lang, "image.camera_note") not in [c.value for c in at.caption]
