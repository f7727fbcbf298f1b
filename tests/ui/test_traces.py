"""The one trace cache (ui/teaching/traces.py): the same numbers as conv_core, one entry per
configuration, for convolutions, pooling and the transposed convolution's scatter view."""

import json

import numpy as np
import pytest

import conv_core as cc
from ui.teaching.traces import PoolSettings, TraceSettings, TransposeSettings, compact_trace

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


def test_pooling_settings_go_through_the_same_cache() -> None:
    settings = PoolSettings(json.dumps(GRID.tolist()), 2, 2, 0, "max", False, True)
    compact = compact_trace(settings)
    expected = cc.to_compact(cc.trace_pool2d(GRID, kernel_size=2, stride=2), digits=9)
    assert compact == expected
    assert compact["op"] != compact_trace(_settings())["op"]


def test_transpose_settings_give_the_scatter_trace() -> None:
    small, kernel = [[1, 2], [3, 4]], [[1, 0], [0, -1]]
    settings = TransposeSettings(json.dumps(small), json.dumps(kernel), 2, 0, 0, 1)
    compact = compact_trace(settings)
    trace = cc.trace_conv_transpose2d(np.array(small), np.array(kernel), stride=2)
    assert compact == cc.to_compact(trace, digits=9)
