"""The Tiny CNN page's figures (ui/figures/cnn.py) and shared data (ui/teaching/cnn_models.py)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ui.figures.cnn import (
    INK,
    BankRow,
    bars_figure,
    clicked_column,
    grid_bank_figure,
    training_figure,
    vector_figure,
)
from ui.figures.maps import COLORSCALES
from ui.teaching.cnn_models import closest_filters

WORDS = {"loss": "loss", "accuracy": "acc", "epoch": "epoch", "train": "tr", "test": "te"}


def _validated(fig: go.Figure) -> go.Figure:
    """``fig``, after rebuilding it with plotly's validation on (raises on any invalid property)."""
    go.Figure(fig.to_plotly_json())
    return fig


def _bank(n: int = 3) -> tuple[list[BankRow], list[str]]:
    rng = np.random.default_rng(0)
    rows = [
        BankRow("weights", list(rng.normal(size=(n, 3, 3))), "signed", numbers=True),
        BankRow("maps", list(rng.normal(size=(n, 8, 8))), "signed"),
        BankRow("relu", list(np.abs(rng.normal(size=(n, 8, 8)))), "ink"),
        BankRow("pool", list(np.abs(rng.normal(size=(n, 4, 4)))), "ink", scale=0.5),
    ]
    return rows, [f"Filter {i + 1}" for i in range(n)]


def test_bank_has_one_heatmap_per_grid_with_raw_values_and_shared_ranges() -> None:
    rows, titles = _bank(3)
    fig = _validated(grid_bank_figure(rows, titles))
    heatmaps = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heatmaps) == 12
    for r, row in enumerate(rows):
        traces = heatmaps[3 * r : 3 * r + 3]
        peak = max(np.abs(g).max() for g in row.grids)
        for trace, grid in zip(traces, row.grids, strict=True):
            np.testing.assert_array_equal(np.asarray(trace.z), grid)
            if row.kind == "signed":
                assert (trace.zmin, trace.zmax) == pytest.approx((-peak, peak))
                assert [list(s) for s in trace.colorscale] == [
                    list(s) for s in COLORSCALES["RdBu_r"]
                ]
            else:
                assert (trace.zmin, trace.zmax) == pytest.approx((0, peak))
                assert [list(s) for s in trace.colorscale] == [list(s) for s in INK]


def test_bank_writes_numbers_only_where_asked_and_titles_every_row_and_column() -> None:
    rows, titles = _bank(2)
    fig = grid_bank_figure(rows, titles)
    texts = [a.text for a in fig.layout.annotations]
    numbered = [a for a in fig.layout.annotations if a.xref not in (None, "paper")]
    assert len(numbered) == 2 * 9  # two 3x3 weight grids, nothing on the maps
    assert numbered[0].text == f"{rows[0].grids[0][0, 0]:.2f}".rstrip("0").rstrip(".")
    for row in rows:
        assert f"<b>{row.title}</b>" in texts
    for title in titles:
        assert title in texts


def test_bank_cells_are_square_and_pool_cells_match_the_map_cells() -> None:
    rows, titles = _bank(2)
    fig = grid_bank_figure(rows, titles, panel_px=160)
    layout = fig.layout
    width, height = layout.width, layout.height

    def cell_px(n: int) -> tuple[float, float]:
        suffix = "" if n == 1 else str(n)
        xd = layout[f"xaxis{suffix}"].domain
        yd = layout[f"yaxis{suffix}"].domain
        cols = layout[f"xaxis{suffix}"].range[1] + 0.5
        rows_ = layout[f"yaxis{suffix}"].range[0] + 0.5
        return (xd[1] - xd[0]) * width / cols, (yd[1] - yd[0]) * height / rows_

    map_w, map_h = cell_px(3)  # row 2 (maps), column 1
    assert map_w == pytest.approx(map_h, rel=0.02)
    pool_w, pool_h = cell_px(7)  # row 4 (pool), column 1
    assert pool_w == pytest.approx(map_w, rel=0.02)
    assert pool_h == pytest.approx(map_h, rel=0.02)


def test_bank_selection_outline_and_probe_points_carry_the_column() -> None:
    rows, titles = _bank(3)
    fig = _validated(grid_bank_figure(rows, titles, selected=1, clickable_row=0))
    probes = [tr for tr in fig.data if tr.type == "scatter"]
    assert len(probes) == 3
    for c, probe in enumerate(probes):
        assert set(probe.customdata) == {c}
        assert len(probe.x) == 9
        assert probe.marker.opacity == 0
    assert len(fig.layout.shapes) == 1
    assert fig.layout.clickmode == "event+select"
    assert "<b>Filter 2</b>" in [a.text for a in fig.layout.annotations]


def test_bank_rejects_bad_rows() -> None:
    with pytest.raises(ValueError, match="3 columns"):
        grid_bank_figure([BankRow("w", [np.eye(3)])], ["a", "b", "c"])
    with pytest.raises(ValueError, match="finite"):
        grid_bank_figure([BankRow("w", [np.full((2, 2), np.nan)])], ["a"])
    with pytest.raises(ValueError, match="at least one"):
        grid_bank_figure([], [])


def test_bank_escapes_titles() -> None:
    fig = grid_bank_figure([BankRow("<b>x</b>", [np.eye(2)])], ["<i>"])
    assert "&lt;i&gt;" in [a.text for a in fig.layout.annotations]
    assert "&lt;b&gt;x&lt;/b&gt;" in fig.data[0].hovertemplate


@given(hnp.arrays(np.float64, st.integers(1, 6).map(lambda n: n * 16), elements=st.floats(0, 50)))
def test_vector_strip_separates_each_filter(values: np.ndarray) -> None:
    fig = vector_figure(values, 16)
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), values.reshape(1, -1))
    assert len(fig.layout.shapes) == values.size // 16 - 1
    assert np.asarray(fig.data[0].customdata).max() == values.size // 16


def test_vector_rejects_a_length_not_a_multiple_of_the_group() -> None:
    with pytest.raises(ValueError, match="multiple"):
        vector_figure(np.ones(10), 16)


def test_bars_highlight_the_prediction_and_write_percentages() -> None:
    probs = np.array([0.05, 0.9, 0.05])
    fig = _validated(bars_figure(probs, highlight=1, percent=True, title="p"))
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.x) == pytest.approx([5, 90, 5])
    assert list(bar.y) == ["0", "1", "2"]
    assert list(bar.text) == ["5.0%", "90.0%", "5.0%"]
    assert len(set(bar.marker.color)) == 2 and bar.marker.color[1] != bar.marker.color[0]
    assert fig.layout.xaxis.range[1] > 100


def test_bars_of_negative_scores_leave_room_below_zero() -> None:
    fig = _validated(bars_figure([-3.0, 2.0, 0.5], highlight=1))
    lo, hi = fig.layout.xaxis.range
    assert lo < -3 and hi > 2


def test_training_figure_plots_loss_and_both_accuracies_in_percent() -> None:
    fig = _validated(
        training_figure(
            [0.5, 1.0, 1.5, 2.0],
            [2.1, 1.0, 0.6, 0.4],
            [1, 2],
            [0.8, 0.9],
            [0.7, 0.85],
            labels=WORDS,
        )
    )
    loss, train, test = fig.data
    assert list(loss.y) == [2.1, 1.0, 0.6, 0.4]
    assert list(train.y) == pytest.approx([80, 90])
    assert list(test.y) == pytest.approx([70, 85])
    assert (train.name, test.name) == ("tr", "te")


def test_training_figure_rejects_uneven_series() -> None:
    with pytest.raises(ValueError):
        training_figure([1.0], [], [], [], [], labels=WORDS)


def test_closest_filters_finds_the_same_pattern_and_respects_the_sign() -> None:
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    learned = np.stack([-sobel_x, 0.3 * sobel_x.T, 2.0 * sobel_x + 0.01])
    found = closest_filters(learned, {"sx": sobel_x, "sy": sobel_x.T, "zero": np.zeros((3, 3))})
    assert found["sx"][0] == 2 and found["sx"][1] == pytest.approx(1.0, abs=0.01)
    assert found["sy"] == (1, 1.0)
    assert found["zero"][1] == 0.0


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"selection": {"points": [{"x": 0, "y": 2, "customdata": 3}]}}, 3),
        ({"selection": {"points": [{"customdata": [7]}]}}, 7),
        ({"selection": {"points": [{"customdata": 2.0}]}}, 2),
        ({"selection": {"points": []}}, None),
        ({"selection": {"points": [{"x": 1}]}}, None),
        ({"selection": {"points": [{"customdata": "3"}]}}, None),
        ({"selection": {"points": [{"customdata": -1}]}}, None),
        ({"selection": {"points": [{"customdata": 1.5}]}}, None),
        ({"selection": {"points": [{"customdata": True}]}}, None),
        ({}, None),
        (None, None),
        ("junk", None),
    ],
)
def test_clicked_column_reads_a_click_and_ignores_anything_else(event, expected) -> None:
    assert clicked_column(event) == expected
