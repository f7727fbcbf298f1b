"""Plotly figures of the MNIST page's TinyVGG: arrays in, ``go.Figure`` out (no Streamlit).

* :func:`overview_figure` -- every layer's feature maps in one picture, one row per layer
  (the input, each conv, ReLU and max pool), in order, each row titled with its shape;
  every map is its own heatmap trace (``z`` = conv_core's numbers), and an invisible
  marker over each map carries ``customdata = [row, map]`` so a click chooses it.
* :func:`strip_figure` -- a few grids side by side with titles (an explanation's input
  maps, kernels, intermediate maps; the digits and patches that excite a filter most),
  optionally with a rectangle outlined on each grid (a receptive field).

Colours follow ui/figures/cnn.py: signed values on RdBu centred on 0, values never
negative as ink on paper; one colour range per row.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ui.figures.cnn import INK, Kind
from ui.figures.maps import COLORSCALES, FONT_SIZE, OKABE_ITO

__all__ = ["MapRow", "clicked_map", "overview_figure", "strip_figure"]

_SIGNED = COLORSCALES["RdBu_r"]
_SELECTED = OKABE_ITO["vermillion"]
_TITLE_PX = 22
_GAP_PX = 8


@dataclass(frozen=True)
class MapRow:
    """One row of maps drawn the same way.

    Attributes
    ----------
    title : str
        Written above the row ("conv_1_1 · 26×26×10").
    maps : sequence of 2D arrays
        Left to right.
    kind : {'signed', 'ink'}
    boxes : sequence of (top, left, height, width) or None, optional
        A rectangle to outline on each map (a receptive field), in cells.
    """

    title: str
    maps: Sequence[np.ndarray]
    kind: Kind = "ink"
    boxes: Sequence[tuple[int, int, int, int] | None] | None = None


def _range(maps: Sequence[np.ndarray], kind: Kind) -> tuple[float, float]:
    top = max((float(np.max(np.abs(m))) for m in maps), default=0.0) or 1.0
    return (-top, top) if kind == "signed" else (0.0, top)


def _rows_figure(
    rows: Sequence[MapRow],
    *,
    width_px: int,
    panel_px: Sequence[int],
    selected: tuple[int, int] | None,
    clickable: bool,
    hover_map: str,
) -> go.Figure:
    data: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    heights = [_TITLE_PX + p + _GAP_PX for p in panel_px]
    total = float(sum(heights))
    top = 0.0
    for r, (row, panel) in enumerate(zip(rows, panel_px, strict=True)):
        suffix = "" if r == 0 else str(r + 1)
        h, w = np.shape(row.maps[0])
        step = w + max(1, round(w * _GAP_PX / panel))
        n = len(row.maps)
        span_px = n * panel + (n - 1) * _GAP_PX
        y1 = 1 - (top + _TITLE_PX) / total
        y0 = 1 - (top + _TITLE_PX + panel) / total
        layout[f"xaxis{suffix}"] = {
            "domain": [0.0, min(1.0, span_px / width_px)],
            "range": [-0.5, (n - 1) * step + w - 0.5],
            "visible": False,
            "fixedrange": True,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [max(0.0, y0), y1],
            "range": [h - 0.5, -0.5],
            "visible": False,
            "fixedrange": True,
        }
        annotations.append(
            {
                "text": f"<b>{html.escape(row.title)}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 1 - top / total,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": FONT_SIZE},
            }
        )
        zmin, zmax = _range(row.maps, row.kind)
        scale = _SIGNED if row.kind == "signed" else INK
        for m, grid in enumerate(row.maps):
            label = html.escape(f"{row.title} · {hover_map} {m + 1}")
            data.append(
                {
                    "type": "heatmap",
                    "z": np.asarray(grid, dtype=np.float64),
                    "x0": m * step,
                    "dx": 1,
                    "zmin": zmin,
                    "zmax": zmax,
                    "zauto": False,
                    "colorscale": scale,
                    "showscale": False,
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "hovertemplate": f"{label}<br>(%{{y}}, %{{customdata}}): %{{z:.3f}}"
                    "<extra></extra>",
                    "customdata": np.tile(np.arange(w), (h, 1)),
                    "name": "",
                }
            )
            box = row.boxes[m] if row.boxes else None
            if box is not None:
                bt, bl, bh, bw = box
                shapes.append(
                    {
                        "type": "rect",
                        "xref": f"x{suffix}",
                        "yref": f"y{suffix}",
                        "x0": m * step + bl - 0.5,
                        "x1": m * step + bl + bw - 0.5,
                        "y0": bt - 0.5,
                        "y1": bt + bh - 0.5,
                        "line": {"color": _SELECTED, "width": 2},
                    }
                )
            if selected == (r, m):
                shapes.append(
                    {
                        "type": "rect",
                        "xref": f"x{suffix}",
                        "yref": f"y{suffix}",
                        "x0": m * step - 0.5,
                        "x1": m * step + w - 0.5,
                        "y0": -0.5,
                        "y1": h - 0.5,
                        "line": {"color": _SELECTED, "width": 4},
                    }
                )
        if clickable:
            probes.append(
                {
                    "type": "scatter",
                    "x": [m * step + (w - 1) / 2 for m in range(n)],
                    "y": [(h - 1) / 2] * n,
                    "customdata": [[r, m] for m in range(n)],
                    "mode": "markers",
                    "marker": {"size": panel, "symbol": "square", "opacity": 0},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "text": [f"{row.title} · {hover_map} {m + 1}" for m in range(n)],
                    "hovertemplate": "%{text}<extra></extra>",
                    "showlegend": False,
                    "name": "",
                }
            )
        top += heights[r]
    layout.update(
        {
            "width": width_px,
            "height": round(total),
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
            "annotations": annotations,
            "shapes": shapes,
            "font": {"size": FONT_SIZE},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
            "dragmode": False,
            "clickmode": "event+select",
            "hovermode": "closest",
        }
    )
    return go.Figure({"data": data + probes, "layout": layout}, _validate=False)


def overview_figure(
    rows: Sequence[MapRow],
    *,
    selected: tuple[int, int] | None = None,
    width_px: int = 760,
    hover_map: str = "map",
) -> go.Figure:
    """Every layer's maps, one row per layer, each map a heatmap; a click chooses a map.

    Parameters
    ----------
    rows : sequence of MapRow
        Top to bottom (the input first).
    selected : (row, map), optional
        The map outlined in vermillion (the one explained below).
    width_px : int, optional
        The figure's width; a row of n maps fills it, panels square.
    hover_map : str, optional
        The translated word for "map" in the hover.

    Returns
    -------
    go.Figure
        The heatmaps in row order then map order (``z`` = the maps as given), then one
        invisible scatter per row whose points carry ``customdata = [row, map]``.

    Examples
    --------
    >>> fig = overview_figure([MapRow("in", [np.ones((4, 4))]),
    ...                        MapRow("c", [np.zeros((2, 2))] * 3, "signed")])
    >>> [t.type for t in fig.data], list(fig.data[-1].customdata[2])
    (['heatmap', 'heatmap', 'heatmap', 'heatmap', 'scatter', 'scatter'], [1, 2])
    """
    most = max(len(r.maps) for r in rows)
    panel = (width_px - (most - 1) * _GAP_PX) // most
    return _rows_figure(
        rows,
        width_px=width_px,
        panel_px=[panel] * len(rows),
        selected=selected,
        clickable=True,
        hover_map=hover_map,
    )


def strip_figure(
    rows: Sequence[MapRow], *, panel_px: int = 70, width_px: int | None = None, hover_map: str = ""
) -> go.Figure:
    """Rows of grids side by side (not clickable), each row with its own colour range.

    Examples
    --------
    >>> fig = strip_figure([MapRow("k", [np.eye(3), -np.eye(3)], "signed")], panel_px=50)
    >>> len(fig.data), fig.layout.width
    (2, 108)
    """
    most = max(len(r.maps) for r in rows)
    width = width_px or most * panel_px + (most - 1) * _GAP_PX
    return _rows_figure(
        rows,
        width_px=width,
        panel_px=[panel_px] * len(rows),
        selected=None,
        clickable=False,
        hover_map=hover_map,
    )


def clicked_map(event: Any) -> tuple[int, int] | None:
    """The ``(row, map)`` a click on :func:`overview_figure` chose, or None.

    >>> clicked_map({"selection": {"points": [{"customdata": [3, 7]}]}})
    (3, 7)
    >>> clicked_map({"selection": {"points": []}}), clicked_map(None)
    (None, None)
    """
    try:
        value = event["selection"]["points"][0]["customdata"]
        r, m = (int(v) for v in value)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return (r, m) if r >= 0 and m >= 0 else None
