"""ui/figures/sizes.py: the output-size drawing as plain arrays (no Streamlit)."""

from __future__ import annotations

import numpy as np

import conv_core as cc
from ui.figures.sizes import INPUT, OUTPUT, PAD, UNVISITED, Axis, size_figure, unvisited_inputs

LABELS = {
    "padding": "pad",
    "input": "in {r},{c}",
    "output": "out {i},{j}: {rows} | {cols}",
    "input_title": "IN",
    "output_title": "OUT",
}


def _axis(n: int, k: int, s: int = 1, p: int | str = 0, d: int = 1) -> Axis:
    det = cc.conv_output_size_detail(n, k, s, p, d)
    return Axis(n, *det.padding, det.size, s, d, k)


def test_unvisited_trailing_and_gaps() -> None:
    assert unvisited_inputs(_axis(7, 3, 3)) == [6]
    assert unvisited_inputs(_axis(7, 1, 3)) == [1, 2, 4, 5]
    assert unvisited_inputs(_axis(6, 3, 2, 1)) == []  # the leftover cell is padding
    assert unvisited_inputs(_axis(5, 2, 1, 0, 2)) == []  # dilation 2, stride 1 covers all


def test_figure_cells_and_window() -> None:
    rows, cols = _axis(13, 6, 5, "same"), _axis(8, 3, 3)
    fig = size_figure(rows, cols, LABELS, selected=(1, 1))
    grid, out, taps = fig.data
    z = np.asarray(grid.z)
    assert z.shape == (16, 8)  # 13 + 1 + 2 rows, 8 columns unpadded
    assert (z[0] == PAD).all() and (z[-2:] == PAD).all()  # pad 1 on top, 2 below
    assert (z[1:14, 7] == UNVISITED).all()  # column 7: (8 - 3) % 3 = 2 left over
    assert (z[1:14, :6] == INPUT).all()
    assert np.asarray(out.z).shape == (3, 2) and (np.asarray(out.z) == OUTPUT).all()
    assert grid.text[0][0] == "pad" and grid.text[1][0] == "in 0,0"
    assert out.text[1][1] == "out 1,1: 4, 5, 6, 7, 8, 9 | 3, 4, 5"
    assert out.text[2][0].startswith("out 2,0: 9, 10, 11, 12, p, p")
    assert sorted(set(taps.y)) == [5, 6, 7, 8, 9, 10] and sorted(set(taps.x)) == [3, 4, 5]
    # both grids in one coordinate system: the output starts 2 cells right of the input
    assert list(out.x) == [10, 11]
