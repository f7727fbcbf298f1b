"""The studio's cached trace: the same numbers as conv_core, one entry per configuration."""

import json

import numpy as np
import pytest

import conv_core as cc
from ui.trace_cache import TraceSettings, compact_trace

GRID = np.arange(30).reshape(5, 6) % 7 - 3
KERNEL = np.array([[1, 2, 0], [0, -1, 3]])


def _settings(**changes) -> TraceSettings:
    base = TraceSettings(
        json.dumps(GRID.tolist()), json.dumps(KERNEL.tolist()), 0.0, "correlate", 0,
        "zeros", (1, 1), (1, 1),
    )  # fmt: skip
    return base._replace(**changes)


@pytest.mark.parametrize(
    ("changes", "reference"),
    [
        ({}, lambda: cc.correlate2d(GRID, KERNEL)),
        ({"op": "convolve"}, lambda: cc.convolve2d(GRID, KERNEL)),
        ({"bias": 2.5, "padding": 1}, lambda: cc.correlate2d(GRID, KERNEL, padding=1) + 2.5),
        (
            {"padding": "same", "mode": "replicate", "stride": (2, 1)},
            lambda: cc.correlate2d(GRID, KERNEL, (2, 1), "same", padding_mode="replicate"),
        ),
        (
            {"dilation": (1, 2), "bias": -4.0},
            lambda: cc.correlate2d(GRID, KERNEL, dilation=(1, 2)) - 4,
        ),
    ],
)
def test_output_equals_conv_core(changes, reference):
    settings = _settings(**changes)
    compact = compact_trace(settings)
    expected = reference()
    np.testing.assert_allclose(np.asarray(compact["output"]).reshape(expected.shape), expected)
    assert compact["n_steps"] == expected.size
    assert compact == cc.to_compact(settings.trace(), digits=9)


def test_whole_bias_keeps_integers():
    trace = _settings(bias=3.0).trace()
    assert trace.output.dtype == np.int64
    assert np.array_equal(trace.output, cc.correlate2d(GRID, KERNEL) + 3)


def test_impossible_settings_raise_the_engine_error():
    with pytest.raises(cc.ArgumentError):
        compact_trace(_settings(kernel_json=json.dumps(np.ones((7, 7)).tolist())))


def test_conv2d_three_channels_sum_then_bias():
    x = np.stack([GRID, GRID * 2, -GRID])
    w = np.stack([KERNEL, -KERNEL, KERNEL * 3])
    settings = _settings(grid_json=json.dumps(x.tolist()), kernel_json=json.dumps(w.tolist()),
                         op="conv2d", bias=1.0)  # fmt: skip
    compact = compact_trace(settings)
    expected = sum(cc.correlate2d(x[c], w[c]) for c in range(3)) + 1
    np.testing.assert_array_equal(np.asarray(compact["output"]).reshape(expected.shape), expected)
