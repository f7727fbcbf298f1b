"""The MNIST page's figures and teaching helpers, as plain functions."""

from __future__ import annotations

import numpy as np

from conv_core import tinyvgg as tv
from ui.figures.tinyvgg import MapRow, clicked_map, overview_figure, strip_figure
from ui.teaching.mnist_models import conv_parts, output_window


def test_overview_maps_and_click_targets():
    rows = [MapRow("input", [np.ones((28, 28))])] + [
        MapRow(f"l{r}", [np.full((4, 4), float(m)) for m in range(10)], "signed") for r in range(3)
    ]
    fig = overview_figure(rows, selected=(2, 7))
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 31
    np.testing.assert_array_equal(heat[1 + 10 + 7].z, np.full((4, 4), 7.0))
    probes = [t for t in fig.data if t.type == "scatter"]
    assert [len(p.x) for p in probes] == [1, 10, 10, 10]
    assert list(probes[2].customdata[7]) == [2, 7]
    assert len(fig.layout.shapes) == 1  # the selected map's outline
    assert fig.layout.annotations[1].text == "<b>l0</b>"


def test_strip_boxes_and_clicks():
    fig = strip_figure([MapRow("d", [np.zeros((28, 28))] * 2, boxes=[(1, 2, 5, 5), None])])
    (box,) = fig.layout.shapes
    assert (box.x0, box.y0, box.x1, box.y1) == (1.5, 0.5, 6.5, 5.5)
    assert clicked_map({"selection": {"points": [{"customdata": [1, 2]}]}}) == (1, 2)
    assert clicked_map({"selection": {"points": [{"customdata": "x"}]}}) is None


def test_conv_parts_sum_to_the_map():
    model = tv.init_tinyvgg(3, seed=2)
    fwd = tv.forward(model, np.random.default_rng(0).uniform(0, 255, (28, 28)))
    for layer in tv.CONV_LAYERS:
        parts = conv_parts(model, fwd, layer, 2)
        np.testing.assert_allclose(sum(parts.partials) + parts.bias, fwd.layers[layer][2])


def test_output_window_holds_the_pixel():
    for r in range(24):
        top, left, h, w = output_window((24, 24), r, 23 - r)
        assert top <= r < top + h and left <= 23 - r < left + w and (h, w) == (6, 6)
