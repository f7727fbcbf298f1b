"""The layer-stack logic of the Network stack page (ui/teaching/network_stack.py)."""

from __future__ import annotations

import pytest

import conv_core as cc
from ui.figures.network import rf_figure
from ui.teaching import network_stack as ns


def _rows(name: str) -> list[ns.Row]:
    net = ns.PRESETS[name]
    return ns.layer_rows(net.input_hwc, net.layers)


def _shapes(rows: list[ns.Row]) -> list[tuple[int, int, int]]:
    return [r.out_hwc for r in rows if r.layer.kind != "relu"]


def test_lenet5_shapes_and_params():
    rows = _rows("lenet5")
    assert _shapes(rows) == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    assert [r.params for r in rows if r.layer.kind == "conv"] == [156, 2416]
    assert ns.total_params(rows) == 2572
    assert rows[-1].rf.size == (16, 16)


def test_vgg16_conv_part_is_14_714_688():
    rows = _rows("vgg16")
    assert ns.total_params(rows) == 14_714_688
    assert rows[-1].out_hwc == (7, 7, 512)
    assert sum(r.layer.kind == "conv" for r in rows) == 13
    assert rows[-1].rf.size == (212, 212)


def test_alexnet_single_tower_227():
    rows = _rows("alexnet")
    assert _shapes(rows) == [
        (55, 55, 96),
        (27, 27, 96),
        (27, 27, 256),
        (13, 13, 256),
        (13, 13, 384),
        (13, 13, 384),
        (13, 13, 256),
        (6, 6, 256),
    ]
    convs = [r.params for r in rows if r.layer.kind == "conv"]
    assert convs == [34_944, 614_656, 885_120, 1_327_488, 884_992]
    assert ns.total_params(rows) == 3_747_200
    assert rows[-1].rf.size == (195, 195)


def test_lecture_keras_model():
    rows = _rows("lecture")
    assert _shapes(rows) == [
        (28, 28, 64),
        (14, 14, 64),
        (14, 14, 128),
        (14, 14, 128),
        (7, 7, 128),
        (7, 7, 256),
        (7, 7, 256),
        (3, 3, 256),
    ]
    assert [r.params for r in rows if r.layer.kind == "conv"] == [
        3_200,
        73_856,
        147_584,
        295_168,
        590_080,
    ]
    assert ns.total_params(rows) == 1_109_888


def test_dense_comparison_and_relu_rows():
    rows = _rows("lenet5")
    first = rows[0]
    assert first.dense_params == cc.dense_param_count(32 * 32, 28 * 28 * 6) == 4_821_600
    relu = rows[1]
    assert relu.params == 0 and relu.dense_params is None
    assert relu.rf == first.rf and relu.out_hwc == first.out_hwc
    assert ns.total_dense(rows) == sum(r.dense_params or 0 for r in rows)


def test_layer_that_does_not_fit_raises_argument_error():
    with pytest.raises(cc.ArgumentError):
        ns.layer_rows((4, 4, 1), [ns.conv(8, 5)])


def test_records_round_trip_and_problems():
    layers = list(ns.PRESETS["lecture"].layers)
    back, problems = ns.records_to_layers(ns.layers_to_records(layers))
    assert back == layers and problems == []
    recs = [
        {"type": "conv", "kernel": 2.5},
        {"type": "dense"},
        {"type": "pool", "kernel": 2, "stride": 99},
        {"type": None},
        {"type": "pool", "kernel": 3},
    ]
    layers, problems = ns.records_to_layers(recs)
    assert layers == [ns.pool(3)]
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (0, "kernel", "not_whole"),
        (1, "type", "bad_type"),
        (2, "stride", "out_of_range"),
    ]


def test_unit_rect_and_nearest_unit():
    rf = ns.layer_rows((28, 28, 1), [ns.conv(1, 3, 1, 1), ns.pool(2)])[-1].rf
    assert rf.size == (4, 4) and rf.jump == (2, 2) and rf.start == (-1, -1)
    assert ns.unit_rect(rf, (0, 0)) == (-1, -1, 4, 4)
    assert ns.unit_rect(rf, (3, 5)) == (5, 9, 4, 4)
    assert ns.nearest_unit(rf, (6.5, 10.5)) == (3, 5)
    assert ns.nearest_unit(rf, (1000, -1000)) == (13, 0)


def test_rf_figure_draws_one_rect_per_layer():
    import numpy as np

    fig = rf_figure(np.zeros((8, 8)), [(0, 0, 3, 3), (-1, -1, 6, 6)], ["a", "b"])
    assert len(fig.layout.shapes) == 2
    assert fig.layout.shapes[-1].line.width == 3
    assert ns.resize_gray(np.zeros((10, 20, 3)), (5, 6)).shape == (5, 6)


def test_first_bad_layer():
    layers = [ns.conv(4, 3), ns.RELU, ns.pool(2), ns.conv(8, 9)]
    assert ns.first_bad_layer((12, 12, 1), layers) == 3
    assert ns.first_bad_layer((12, 12, 1), layers[:3]) == -1


def test_short_count():
    assert ns.short_count(999_999_999) == "999,999,999"
    assert ns.short_count(4_821_600_000) == "4.82 × 10⁹"
