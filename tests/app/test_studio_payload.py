"""The trace the studio page hands to the browser-side stepper, checked against conv_core.

The page is opened with AppTest from a link holding one configuration (one run each). The
stepper component is not rendered under AppTest, but its element is kept: the proto's
``json`` field is the exact ``data`` the page passed (``ui.components.stepper.stepper_data``), so
``payload["trace"]`` is what the browser steps through. The test computes the same
configuration independently (grid from ``ui.teaching.grid_sources``, kernel and padding as typed)
and checks that

- the payload's trace equals ``conv_core.to_compact`` of conv_core's own trace of it;
- its output equals ``conv_core.correlate2d`` / ``convolve2d`` plus the bias (exactly for
  whole numbers; to 1e-12 for floats, where conv_core's fast paths add in another order);
- ``n_steps`` is the output's size, each step's value is its sum plus the bias, and each
  step's products are the padded input under the window times the applied kernel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from ui.frame.i18n import LANG_KEY
from ui.teaching.grid_sources import grid_presets, image_grid, random_grid
from ui.teaching.samples import load_sample_with_info

STUDIO = Path(__file__).resolve().parents[2] / "pages" / "studio.py"
LECTURE = grid_presets()["feature_map_6x6"]
PRESETS = grid_presets()


def _camera(rows: int, cols: int, **region: float) -> np.ndarray:
    image, _ = load_sample_with_info("camera", True)
    return image_grid(cc.downscale(image, 512), rows, cols, **region)


# id: (link, grid, kernel, op, bias, padding, mode, stride, dilation)
CASES: dict[str, tuple[dict[str, str], Any, Any, str, float, Any, str, Any, Any]] = {
    "lecture": ({}, LECTURE.grid, LECTURE.kernel, "correlate", 0, 0, "zeros", 1, 1),
    "preset-zero-padding-bias": (
        {"preset": "zero_padding_bias"}, PRESETS["zero_padding_bias"].grid,
        PRESETS["zero_padding_bias"].kernel, "correlate", 10, 1, "zeros", 1, 1,
    ),
    "replicate-2": (
        {"src": "random", "rows": "7", "cols": "9", "seed": "5", "kernel": "1,2,0;0,-1,3;2,0,1",
         "padding": "2", "mode": "replicate"},
        random_grid(7, 9, 0, 9, 5), [[1, 2, 0], [0, -1, 3], [2, 0, 1]],
        "correlate", 0, 2, "replicate", 1, 1,
    ),
    "reflect-same-stride-2": (
        {"src": "random", "low": "-9", "padding": "same", "mode": "reflect", "stride": "2"},
        random_grid(8, 8, -9, 9, 1), LECTURE.kernel, "correlate", 0, "same", "reflect", 2, 1,
    ),
    "symmetric-full": (
        {"src": "random", "rows": "6", "cols": "7", "padding": "full", "mode": "symmetric",
         "kernel": "1,-1;2,0"},
        random_grid(6, 7, 0, 9, 1), [[1, -1], [2, 0]], "correlate", 0, "full", "symmetric", 1, 1,
    ),
    "circular-3": (
        {"src": "random", "rows": "5", "cols": "5", "padding": "3", "mode": "circular"},
        random_grid(5, 5, 0, 9, 1), LECTURE.kernel, "correlate", 0, 3, "circular", 1, 1,
    ),
    "split-padding-stride-dilation": (
        {"src": "random", "rows": "10", "cols": "11", "padding": "1,2", "stride": "2,3",
         "dilation": "2,1"},
        random_grid(10, 11, 0, 9, 1), LECTURE.kernel, "correlate", 0, (1, 2), "zeros",
        (2, 3), (2, 1),
    ),
    "dilation-same": (
        {"src": "random", "rows": "9", "cols": "9", "padding": "same", "dilation": "2"},
        random_grid(9, 9, 0, 9, 1), LECTURE.kernel, "correlate", 0, "same", "zeros", 1, 2,
    ),
    "float-bias-sobel": (
        {"kernel": "-1,0,1;-2,0,2;-1,0,1", "bias": "2.5"},
        LECTURE.grid, cc.KERNELS["sobel_x"].matrix, "correlate", 2.5, 0, "zeros", 1, 1,
    ),
    "convolve-asymmetric-bias": (
        {"src": "random", "op": "convolve", "kernel": "1,2;3,4", "bias": "-3", "stride": "1,2"},
        random_grid(8, 8, 0, 9, 1), [[1, 2], [3, 4]], "convolve", -3, 0, "zeros", (1, 2), 1,
    ),
    "convolve-fractions-replicate": (
        {"src": "random", "op": "convolve", "kernel": "1/9,2/9,0;0,1/9,0;1/3,0,1/9",
         "bias": "0.5", "padding": "1", "mode": "replicate"},
        random_grid(8, 8, 0, 9, 1), [[1 / 9, 2 / 9, 0], [0, 1 / 9, 0], [1 / 3, 0, 1 / 9]],
        "convolve", 0.5, 1, "replicate", 1, 1,
    ),
    "typed-convolve": (
        {"src": "typed", "rows": "3", "cols": "3", "grid": "-5,3,0;2,9,-1;4,4,4", "op": "convolve",
         "kernel": "0,1;1,0"},
        [[-5, 3, 0], [2, 9, -1], [4, 4, 4]], [[0, 1], [1, 0]], "convolve", 0, 0, "zeros", 1, 1,
    ),
    "image-region-box": (
        {"src": "image", "rows": "10", "cols": "12", "top": "40", "left": "20", "zoom": "4",
         "kernel": "1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9", "padding": "1"},
        _camera(10, 12, top=0.4, left=0.2, zoom=4), np.full((3, 3), 1 / 9),
        "correlate", 0, 1, "zeros", 1, 1,
    ),
    "largest-32x32": (
        {"src": "random", "rows": "32", "cols": "32", "seed": "9",
         "kernel": "1,0,-1;1,0,-1;1,0,-1"},
        random_grid(32, 32, 0, 9, 9), [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        "correlate", 0, 0, "zeros", 1, 1,
    ),
}  # fmt: skip


def _open(query: dict[str, str]) -> dict[str, Any]:
    at = AppTest.from_file(str(STUDIO), default_timeout=60)
    at.session_state[LANG_KEY] = "en"
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.warning and not at.error, [w.value for w in at.warning]
    found = at.get("bidi_component")
    assert len(found) == 1
    return json.loads(found[0].proto.json)


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    """One configuration: what the page sent and what conv_core gives for it."""
    query, grid, kernel, op, bias, padding, mode, stride, dilation = CASES[request.param]
    grid, kernel = np.asarray(grid), np.asarray(kernel)
    args = (grid, kernel, stride, padding, dilation, mode)
    operation = cc.correlate2d if op == "correlate" else cc.convolve2d
    tracer = cc.trace_correlate2d if op == "correlate" else cc.trace_convolve2d
    return {
        "payload": _open(query),
        "grid": grid,
        "kernel": kernel,
        "op": op,
        "bias": bias,
        "expected": operation(*args) + bias,
        "reference": json.loads(
            json.dumps(cc.to_compact(tracer(*args, bias=bias or None), digits=9))
        ),
        "reference_trace": tracer(*args, bias=bias or None),
    }


def test_trace_is_conv_cores_trace(case: dict[str, Any]) -> None:
    assert case["payload"]["trace"] == case["reference"]


def test_output_equals_conv_core(case: dict[str, Any]) -> None:
    output = np.asarray(case["payload"]["trace"]["output"][0])
    expected = case["expected"]
    assert output.shape == expected.shape
    if np.issubdtype(expected.dtype, np.integer):
        assert case["payload"]["trace"]["dtype"] == "int64"
        assert np.array_equal(output, expected)
    else:
        np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-12)


def test_n_steps_is_the_output_size(case: dict[str, Any]) -> None:
    trace = case["payload"]["trace"]
    oh, ow = case["expected"].shape
    assert trace["n_steps"] == oh * ow
    assert trace["sizes"]["rows"]["size"] == oh and trace["sizes"]["cols"]["size"] == ow
    assert len(trace["sums"]) == oh * ow
    assert len(trace["row_starts"]) == oh and len(trace["col_starts"]) == ow


def test_each_step_is_its_window_times_the_kernel(case: dict[str, Any]) -> None:
    trace = case["payload"]["trace"]
    padded = np.asarray(trace["padded"][0], dtype=float)
    applied = np.asarray(trace["kernel"][0][0], dtype=float)
    given = case["kernel"]
    assert np.allclose(applied, given[::-1, ::-1] if case["op"] == "convolve" else given)
    assert trace["config"]["flipped"] is (case["op"] == "convolve")
    taps = applied.size
    products = np.asarray(trace["products"], dtype=float).reshape(trace["n_steps"], taps)
    rows, cols = np.asarray(trace["tap_rows"]), np.asarray(trace["tap_cols"])
    output = np.asarray(trace["output"][0], dtype=float).ravel()
    bias = trace["bias"][0] if trace["bias"] else 0
    assert bias == case["bias"]
    ow = len(trace["col_starts"])
    for i in range(trace["n_steps"]):
        r0, c0 = trace["row_starts"][i // ow], trace["col_starts"][i % ow]
        window = padded[np.ix_(r0 + rows, c0 + cols)]
        np.testing.assert_allclose(products[i], (window * applied).ravel(), rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(trace["sums"][i] + bias, output[i], rtol=1e-8, atol=1e-8)


def test_the_grid_is_the_input_inside_the_padding(case: dict[str, Any]) -> None:
    trace = case["payload"]["trace"]
    padded = np.asarray(trace["padded"][0])
    (top, bottom), (left, right) = trace["config"]["padding"]
    inside = padded[top : padded.shape[0] - bottom, left : padded.shape[1] - right]
    assert np.array_equal(inside, case["grid"])
    assert trace["input_shape"] == [1, *case["grid"].shape]


def test_first_step_text_is_conv_cores(case: dict[str, Any]) -> None:
    text = case["payload"]["trace"]["first_step_text"]
    assert text == cc.format_step(case["reference_trace"].step(0))


def test_original_kernel_only_for_convolution(case: dict[str, Any]) -> None:
    original = case["payload"]["original_kernel"]
    if case["op"] == "convolve":
        np.testing.assert_allclose(original, case["kernel"], rtol=1e-15)
    else:
        assert original is None
