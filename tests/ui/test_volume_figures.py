"""The volume figure (ui/figures/volume.py): one heatmap per slice, the window outlined on the
slices it covers, checked on the returned figure (no browser)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import conv_core as cc
from ui.figures.volume import Window3d, volume_figure


def _vol() -> np.ndarray:
    return np.arange(4 * 3 * 3).reshape(4, 3, 3)


def test_one_heatmap_per_slice_with_its_numbers() -> None:
    fig = volume_figure(_vol(), titles=[f"s{i}" for i in range(4)])
    assert [tr.type for tr in fig.data] == ["heatmap"] * 4
    assert np.array_equal(np.asarray(fig.data[2].z), _vol()[2])
    assert list(fig.data[2].text[0]) == ["18", "19", "20"]
    assert [fig.data[i].xaxis for i in range(4)] == ["x", "x2", "x3", "x4"]
    assert [a.text for a in fig.layout.annotations] == ["s0", "s1", "s2", "s3"]
    assert fig.layout.yaxis.range == (2.5, -0.5)  # row 0 at the top
    assert fig.layout.yaxis2.scaleanchor == "x2"  # square cells
    assert not fig.layout.shapes


def test_window_is_outlined_on_the_slices_it_covers() -> None:
    fig = volume_figure(_vol(), titles=list("abcd"), window=Window3d((1, 2), (0, 1), (1, 2)))
    windows = [s for s in fig.layout.shapes if s.name == "window"]
    assert [s.xref for s in windows] == ["x2", "x3"]
    assert (windows[0].x0, windows[0].x1, windows[0].y0, windows[0].y1) == (0.5, 2.5, -0.5, 1.5)
    assert not [s for s in fig.layout.shapes if s.name == "tap"]


def test_dilated_taps_are_outlined_one_by_one() -> None:
    fig = volume_figure(_vol(), titles=list("abcd"), window=Window3d((0,), (0, 2), (0, 2)))
    taps = [s for s in fig.layout.shapes if s.name == "tap"]
    assert len(taps) == 4 and {s.xref for s in taps} == {"x"}


def test_input_box_and_wrapping() -> None:
    padded = np.zeros((7, 5, 5))
    fig = volume_figure(padded, titles=[str(i) for i in range(7)], input_box=(1, 1, 3, 3))
    boxes = [s for s in fig.layout.shapes if s.name == "input"]
    assert len(boxes) == 7 and (boxes[0].x0, boxes[0].x1) == (0.5, 3.5)
    # 7 slices at 5 per row: two rows of axes
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis6.domain[1]


def test_signed_scale_is_centred_on_zero() -> None:
    fig = volume_figure(-_vol()[:1] + 3, titles=["k"], signed=True)
    assert fig.data[0].zmin == -fig.data[0].zmax


def test_figure_validates_in_plotly() -> None:
    """The spec is built without validation (speed); plotly accepts it as it is."""
    trace = cc.trace_conv3d(np.ones((5, 5, 5)), np.ones((3, 3, 3)), padding=1, dilation=(1, 2, 2))
    s = trace.step(0)
    fig = volume_figure(
        trace.padded,
        titles=[str(i) for i in range(7)],
        window=Window3d(tuple(s.depths), tuple(s.rows), tuple(s.cols)),
        input_box=(1, 1, 5, 5),
    )
    go.Figure(fig.to_dict())


@pytest.mark.parametrize("bad", [np.ones((3, 3)), np.full((1, 2, 2), np.nan)])
def test_bad_volumes_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="volume"):
        volume_figure(bad, titles=["a"] * len(bad))
