"""The lab's pipeline settings and full-resolution export (ui/teaching/lab_pipeline.py,
ui/teaching/lab_export.py): the same numbers as the preview, one cache entry per request."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import conv_core as cc
from ui.frame.settings import ConvSettings
from ui.teaching.lab_export import ExportRequest, full_resolution_pngs, image_loader
from ui.teaching.lab_pipeline import Filter, PipelineSettings, result_map, run

SOBEL = Filter("Sobel", cc.get_kernel("sobel_x").matrix.astype(float), 0.0)
SETTINGS = PipelineSettings(ConvSettings(padding="same", stride=(2, 1)), "relu", 0.01, "max", 2, 2)


@pytest.mark.parametrize(
    "settings",
    [
        SETTINGS,
        PipelineSettings(),
        PipelineSettings(ConvSettings(((1, 1), (2, 2)), "reflect", (1, 2), (2, 1)), "leaky_relu"),
    ],
)
def test_settings_survive_json(settings: PipelineSettings) -> None:
    assert PipelineSettings.from_json(settings.to_json()) == settings


def test_filter_survives_its_record() -> None:
    back = Filter.from_record(SOBEL.to_record())
    assert back.label == SOBEL.label and back.bias == SOBEL.bias
    np.testing.assert_array_equal(back.kernel, SOBEL.kernel)


def test_run_matches_conv_core_step_by_step() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (9, 11)).astype(np.float32)
    got = result_map(run(image, SOBEL, "gray", SETTINGS))
    conv = cc.correlate2d(image, SOBEL.kernel, stride=(2, 1), padding="same")
    expected = cc.pool2d(np.maximum(conv, 0), kernel_size=2, stride=2, method="max")
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_full_resolution_is_the_pipeline_on_the_whole_file() -> None:
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (40, 30), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    load = image_loader("unused", buf.getvalue(), "gray")
    np.testing.assert_array_equal(load(), pixels.astype(np.float32))
    box = Filter("Box", np.full((3, 3), 1 / 9), 5.0)
    request = ExportRequest.of("test:png", load, "gray", [SOBEL, box], SETTINGS, "abs")
    pngs = full_resolution_pngs(request)
    assert len(pngs) == 2
    for f, data in zip([SOBEL, box], pngs, strict=True):
        expected = cc.to_display(result_map(run(load(), f, "gray", SETTINGS)), "abs")
        np.testing.assert_array_equal(_png(data), expected)


def test_request_key_names_what_the_files_depend_on() -> None:
    load = image_loader("camera", None, "rgb")
    a = ExportRequest.of("sample:camera", load, "rgb", [SOBEL], SETTINGS, "abs")
    b = ExportRequest.of("sample:camera", image_loader("camera", None, "rgb"), "rgb", [SOBEL],
                         SETTINGS, "abs")  # fmt: skip
    c = ExportRequest.of("sample:camera", load, "rgb", [SOBEL], PipelineSettings(), "abs")
    assert a.key == b.key != c.key
