"""Plotly figures of the Tiny CNN page: arrays in, ``go.Figure`` out (no Streamlit).

Three kinds of picture, each a pure function tested without a browser
(tests/ui/test_cnn_figures.py):

* :func:`grid_bank_figure` -- rows of small grids, one column per filter: the filters
  with their weights written in, then each filter's feature map, after ReLU and after
  pooling (the network's stages side by side); also the hand-designed filters beside
  the learned ones, and the filters at initialisation beside the trained ones.
* :func:`vector_figure` -- the flattened vector the fully connected layer reads.
* :func:`bars_figure` and :func:`training_figure` -- the class scores and
  probabilities, and the loss and accuracy while training.

Colours follow ui/figures/maps.py: signed values (weights, feature maps before ReLU) on the
colour-blind-safe diverging RdBu scale centred on 0; values that are never negative
(the digit's counts, ReLU and pooled maps) as ink on paper, white = 0 and black = the
row's largest value, like the drawing. Every word comes in translated.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from ui.figures.maps import COLORSCALES, FONT_SIZE, OKABE_ITO, _text_colour, format_number

__all__ = [
    "INK",
    "BankRow",
    "bars_figure",
    "clicked_column",
    "grid_bank_figure",
    "percent_text",
    "training_figure",
    "vector_figure",
]

#: Ink on paper: 0 white, the largest value black (the drawing's look).
INK: list[list[Any]] = [[0.0, "rgb(255,255,255)"], [1.0, "rgb(0,0,0)"]]
_SIGNED = COLORSCALES["RdBu_r"]
_GAP_PX = 10  # between panels
_ROW_TITLE_PX = 26  # the strip above each row of panels holding its title
_SELECTED = OKABE_ITO["vermillion"]
Kind = Literal["signed", "ink"]


@dataclass(frozen=True)
class BankRow:
    """One row of :func:`grid_bank_figure`: a grid per column, drawn the same way.

    Attributes
    ----------
    title : str
        Written above the row ("Feature map (after ReLU)").
    grids : sequence of 2D arrays
        One per column (same count in every row).
    kind : {'signed', 'ink'}
        'signed': diverging scale centred on 0, shared by the row (``±max|value|``);
        'ink': white 0 to black max, shared by the row (for values never negative).
    numbers : bool
        Write each value in its cell (for 3x3 weights; maps are read by hovering).
    scale : float
        Width of the grid as a fraction of the panel (0.5 draws a 4x4 pooled map at the
        cell size of the 8x8 map above it).
    decimals : int
        Decimals of the written numbers and the hover.
    shared : bool
        One colour range for the whole row (default: grids compare by colour); False
        gives each grid its own range (grids of very different sizes, e.g. a blur's map
        beside an edge detector's).
    """

    title: str
    grids: Sequence[npt.ArrayLike]
    kind: Kind = "signed"
    numbers: bool = False
    scale: float = 1.0
    decimals: int = 2
    shared: bool = True


def _row_range(grids: Sequence[np.ndarray], kind: Kind) -> tuple[float, float]:
    """The colour range shared by a row: symmetric for signed values, 0..max for ink."""
    peak = max((float(np.abs(g).max()) for g in grids), default=0.0)
    peak = peak if peak > 0 else 1.0
    return (-peak, peak) if kind == "signed" else (0.0, peak)


def grid_bank_figure(
    rows: Sequence[BankRow],
    column_titles: Sequence[str],
    *,
    panel_px: int = 150,
    selected: int | None = None,
    clickable_row: int | None = None,
    hover_row: str = "row",
    hover_col: str = "col",
) -> go.Figure:
    """Rows of small grids, one column per filter, square cells, one colour range per row.

    Parameters
    ----------
    rows : sequence of BankRow
        Top to bottom; every row has ``len(column_titles)`` grids.
    column_titles : sequence of str
        Written above each column ("Filter 3").
    panel_px : int, optional
        Width of one panel in px at the figure's natural size (default 150); heights
        follow so cells stay square. The chart may be stretched: axes keep cells square.
    selected : int, optional
        Column to outline in vermillion (the filter being stepped through).
    clickable_row : int, optional
        Row whose grids take clicks: each gets an invisible scatter point per cell with
        ``customdata`` = its column, so ``st.plotly_chart(..., on_select="rerun",
        selection_mode="points")`` reports which column was clicked (plotly heatmaps
        are not selectable, see ui/figures/maps.py).
    hover_row, hover_col : str, optional
        Translated words of the hover ("row 2, col 5").

    Returns
    -------
    go.Figure
        One heatmap per grid (``z`` = raw values, hover = raw value), axes ``x{k}``/``y{k}``
        numbered row by row; annotations for the titles and written numbers; the probe
        scatters after all heatmaps.

    Examples
    --------
    >>> fig = grid_bank_figure([BankRow("w", [np.eye(3), -np.eye(3)], numbers=True)],
    ...                        ["Filter 1", "Filter 2"])
    >>> [trace.type for trace in fig.data]
    ['heatmap', 'heatmap']
    """
    n_cols = len(column_titles)
    if n_cols < 1:
        raise ValueError("column_titles must name at least one column")
    arrays = []
    for row in rows:
        grids = [np.asarray(g, dtype=np.float64) for g in row.grids]
        if len(grids) != n_cols:
            raise ValueError(
                f"row {row.title!r} has {len(grids)} grids but there are {n_cols} columns"
            )
        if any(g.ndim != 2 or g.size == 0 or not np.isfinite(g).all() for g in grids):
            raise ValueError(f"row {row.title!r} must hold non-empty finite 2D grids")
        arrays.append(grids)

    width = n_cols * panel_px + (n_cols - 1) * _GAP_PX
    heights = [
        _ROW_TITLE_PX + panel_px * row.scale * max(g.shape[0] / g.shape[1] for g in grids)
        for row, grids in zip(rows, arrays, strict=True)
    ]
    col_title_px = _ROW_TITLE_PX
    height = col_title_px + sum(heights) + _GAP_PX * (len(rows) - 1)

    data: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    top = col_title_px
    axis_n = 0
    for r, (row, grids) in enumerate(zip(rows, arrays, strict=True)):
        shared_range = _row_range(grids, row.kind)
        scale = _SIGNED if row.kind == "signed" else INK
        annotations.append(
            _paper_text(row.title, x=0.0, y=1 - top / height, anchor="left", bold=True)
        )
        y_top = top + _ROW_TITLE_PX
        y_bottom = top + heights[r]
        for c, grid in enumerate(grids):
            zmin, zmax = shared_range if row.shared else _row_range([grid], row.kind)
            axis_n += 1
            suffix = "" if axis_n == 1 else str(axis_n)
            x0 = c * (panel_px + _GAP_PX)
            span = panel_px * row.scale
            x_dom = [(x0 + (panel_px - span) / 2) / width, (x0 + (panel_px + span) / 2) / width]
            y_dom = [1 - y_bottom / height, 1 - y_top / height]
            h, w = grid.shape
            axis = {
                "visible": False,
                "fixedrange": True,
                "showgrid": False,
                "zeroline": False,
                "constrain": "domain",
            }
            layout[f"xaxis{suffix}"] = {**axis, "domain": x_dom, "range": [-0.5, w - 0.5]}
            layout[f"yaxis{suffix}"] = {
                **axis,
                "domain": y_dom,
                "range": [h - 0.5, -0.5],
                "scaleanchor": f"x{suffix}",
                "scaleratio": 1,
            }
            label = html.escape(f"{column_titles[c]} · {row.title}", quote=False)
            where = f"{label}<br>{html.escape(hover_row)} %{{y}}, {html.escape(hover_col)} %{{x}}: "
            # A clickable row's probe points carry the hover: plotly selects on click only
            # the points it hovers, so a probe without hover takes no clicks.
            clickable = clickable_row == r
            data.append(
                {
                    "type": "heatmap",
                    "z": grid,
                    "zmin": zmin,
                    "zmax": zmax,
                    "zauto": False,
                    "colorscale": scale,
                    "showscale": False,
                    "xgap": 1,
                    "ygap": 1,
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    **(
                        {"hoverinfo": "skip"}
                        if clickable
                        else {"hovertemplate": f"{where}%{{z:.{row.decimals}f}}<extra></extra>"}
                    ),
                    "name": "",
                }
            )
            if row.numbers:
                annotations.extend(
                    _cell_numbers(grid, suffix, zmin, zmax, scale, row.decimals, span / w)
                )
            if clickable:
                rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
                probes.append(
                    {
                        "type": "scatter",
                        "x": cc.ravel().tolist(),
                        "y": rr.ravel().tolist(),
                        "customdata": [c] * grid.size,
                        "mode": "markers",
                        "marker": {"size": 6, "opacity": 0, "maxdisplayed": 1},
                        "xaxis": f"x{suffix}",
                        "yaxis": f"y{suffix}",
                        "text": [f"{v:.{row.decimals}f}" for v in grid.ravel()],
                        "hovertemplate": f"{where}%{{text}}<extra></extra>",
                        "showlegend": False,
                        "name": "",
                    }
                )
        top = y_bottom + _GAP_PX
    for c, title in enumerate(column_titles):
        x_mid = (c * (panel_px + _GAP_PX) + panel_px / 2) / width
        is_selected = selected == c
        annotations.append(
            _paper_text(
                title,
                x=x_mid,
                y=1.0,
                anchor="center",
                bold=is_selected,
                color=_SELECTED if is_selected else None,
            )
        )
    if selected is not None and 0 <= selected < n_cols:
        x0 = selected * (panel_px + _GAP_PX) - _GAP_PX / 2
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "paper",
                "x0": max(0.0, x0 / width),
                "x1": min(1.0, (x0 + panel_px + _GAP_PX) / width),
                "y0": 0.0,
                "y1": 1.0,
                "line": {"color": _SELECTED, "width": 3},
                "fillcolor": "rgba(0,0,0,0)",
            }
        )
    layout.update(
        {
            "width": width,
            "height": round(height),
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
            "annotations": annotations,
            "shapes": shapes,
            "font": {"size": FONT_SIZE},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
            "dragmode": False,
            "clickmode": "event+select",
            "meta": {"panel_px": panel_px, "row_heights_px": heights},
        }
    )
    return go.Figure({"data": data + probes, "layout": layout}, _validate=False)


def clicked_column(event: Any) -> int | None:
    """The column a click on :func:`grid_bank_figure`'s clickable row chose, or None.

    ``event`` is what ``st.plotly_chart(..., on_select=...)`` keeps in session state:
    ``{"selection": {"points": [{"customdata": column, ...}]}}``. Anything else (no
    click, a click beside the grids, a malformed event) gives None.

    >>> clicked_column({"selection": {"points": [{"x": 1, "y": 2, "customdata": 4}]}})
    4
    >>> clicked_column(None), clicked_column({"selection": {"points": []}})
    (None, None)
    """
    try:
        points = event["selection"]["points"]
        value = points[0]["customdata"]
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value) if value >= 0 else None


def _paper_text(
    text: str,
    *,
    x: float,
    y: float,
    anchor: str,
    bold: bool = False,
    color: str | None = None,
) -> dict[str, Any]:
    escaped = html.escape(text, quote=False)
    return {
        "text": f"<b>{escaped}</b>" if bold else escaped,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": anchor,
        "yanchor": "top",
        "showarrow": False,
        # Opaque, so the selection outline passes under the text, not through it.
        "bgcolor": "rgb(255,255,255)",
        "font": {"size": FONT_SIZE, **({"color": color} if color else {})},
    }


def _cell_numbers(
    grid: np.ndarray,
    suffix: str,
    zmin: float,
    zmax: float,
    scale: list[list[Any]],
    decimals: int,
    cell_px: float,
) -> list[dict[str, Any]]:
    """One annotation per cell, near-black or white for contrast, sized to fit the cell."""
    texts = [[format_number(v, decimals) for v in row] for row in grid]
    longest = max(len(t) for row in texts for t in row)
    font = int(max(9, min(20, cell_px * 0.85 / (0.6 * longest))))
    positions = np.clip((grid - zmin) / (zmax - zmin), 0, 1).ravel().tolist()
    colours = sample_colorscale(scale, positions)
    h, w = grid.shape
    return [
        {
            "x": j,
            "y": i,
            "xref": f"x{suffix}",
            "yref": f"y{suffix}",
            "text": texts[i][j],
            "showarrow": False,
            "font": {"size": font, "color": _text_colour(colours[i * w + j])},
        }
        for i in range(h)
        for j in range(w)
    ]


def percent_text(fraction: float) -> str:
    """A probability as a percentage with one decimal, never rounded to a false 100 % or 0 %.

    >>> percent_text(0.9361), percent_text(0.99996), percent_text(0.0), percent_text(2e-5)
    ('93.6%', '>99.9%', '0.0%', '<0.1%')
    """
    value = 100 * float(fraction)
    if 99.95 <= value < 100:
        return ">99.9%"
    if 0 < value < 0.05:
        return "<0.1%"
    return f"{value:.1f}%"


def vector_figure(
    values: npt.ArrayLike,
    group: int,
    *,
    group_label: str = "filter",
    value_label: str = "value",
    title: str | None = None,
    height: int = 90,
) -> go.Figure:
    """The flattened vector as one strip of cells, a thin line between each filter's part.

    Parameters
    ----------
    values : ndarray of shape (N,)
        Never negative (the pooled maps flattened), drawn as ink.
    group : int
        Cells per filter (16 for a 4x4 pooled map); the hover names the filter and the
        cell's index in the vector.
    group_label, value_label : str, optional
        Translated words of the hover ("filter 3, #37: 4.5").
    title : str, optional
        Written above the strip.
    height : int, optional
        Height of the strip in px (default 90).

    Examples
    --------
    >>> fig = vector_figure(np.arange(32.0), 16)
    >>> fig.data[0].z.shape, len(fig.layout.shapes)
    ((1, 32), 1)
    """
    vec = np.asarray(values, dtype=np.float64).ravel()
    if vec.size == 0 or group < 1 or vec.size % group:
        raise ValueError(f"values ({vec.size}) must be a non-empty multiple of group ({group})")
    peak = float(np.abs(vec).max()) or 1.0
    filters = (np.arange(vec.size) // group + 1).reshape(1, -1)
    data = [
        {
            "type": "heatmap",
            "z": vec.reshape(1, -1),
            "customdata": filters,
            "zmin": 0.0,
            "zmax": peak,
            "zauto": False,
            "colorscale": INK,
            "showscale": False,
            "xgap": 0,
            "hovertemplate": (
                f"{html.escape(group_label)} %{{customdata}}, #%{{x}}<br>"
                f"{html.escape(value_label)} %{{z:.2f}}<extra></extra>"
            ),
            "name": "",
        }
    ]
    shapes = [
        {
            "type": "line",
            "x0": g * group - 0.5,
            "x1": g * group - 0.5,
            "y0": -0.5,
            "y1": 0.5,
            "line": {"color": OKABE_ITO["blue"], "width": 2},
        }
        for g in range(1, vec.size // group)
    ]
    top = 30 if title else 4
    layout = {
        "height": height + top,
        "margin": {"l": 4, "r": 4, "t": top, "b": 4},
        "xaxis": {"visible": False, "fixedrange": True, "range": [-0.5, vec.size - 0.5]},
        "yaxis": {"visible": False, "fixedrange": True, "range": [0.5, -0.5]},
        "shapes": shapes,
        "font": {"size": FONT_SIZE},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    if title:
        layout["title"] = {"text": html.escape(title, quote=False), "x": 0.0, "y": 0.98}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def bars_figure(
    values: npt.ArrayLike,
    *,
    highlight: int | None = None,
    title: str | None = None,
    percent: bool = False,
    axis_label: str = "",
    height: int = 300,
) -> go.Figure:
    """One horizontal bar per class (0..9, top to bottom), the prediction in vermillion.

    Parameters
    ----------
    values : ndarray of shape (K,)
        Scores (any sign) or probabilities (0..1).
    highlight : int, optional
        The class to colour (the network's answer); the others are blue.
    title : str, optional
        Written above.
    percent : bool, optional
        Values are probabilities: the axis runs 0..100 % and each bar says its percent.
    axis_label : str, optional
        The class axis's title ("digit"), at the left.
    height : int, optional
        Default 300 px.

    Examples
    --------
    >>> fig = bars_figure([0.1, 0.9], highlight=1, percent=True)
    >>> list(fig.data[0].text)
    ['10.0%', '90.0%']
    """
    vals = np.asarray(values, dtype=np.float64).ravel()
    if vals.size == 0 or not np.isfinite(vals).all():
        raise ValueError("values must be a non-empty array of finite numbers")
    colours = [_SELECTED if i == highlight else OKABE_ITO["blue"] for i in range(vals.size)]
    shown = vals * 100 if percent else vals
    texts = [percent_text(v) if percent else format_number(v, 2) for v in vals]
    data = [
        {
            "type": "bar",
            # Horizontal: the labels sit at the bars' ends and never overlap, even in a
            # narrow column; class 0 at the top.
            "orientation": "h",
            "y": [str(i) for i in range(vals.size)],
            "x": shown,
            "marker": {"color": colours},
            "text": texts,
            "textposition": "outside",
            "textfont": {"size": 14},
            # Plotly shrinks outside text to the bar's size by default: unreadable.
            "constraintext": "none",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "name": "",
        }
    ]
    value_axis: dict[str, Any] = {"fixedrange": True, "zeroline": True, "zerolinecolor": "#888"}
    if percent:
        value_axis |= {"range": [0, 122], "ticksuffix": "%", "tickvals": [0, 25, 50, 75, 100]}
    else:
        lo, hi = float(min(shown.min(), 0)), float(max(shown.max(), 0))
        pad = 0.25 * ((hi - lo) or 1.0)
        value_axis |= {"range": [lo - (pad if lo < 0 else 0), hi + pad]}
    top = 40 if title else 10
    layout = {
        "height": height,
        "margin": {"l": 60, "r": 10, "t": top, "b": 30},
        "xaxis": value_axis,
        "yaxis": {
            "fixedrange": True,
            "type": "category",
            "autorange": "reversed",
            "title": {"text": html.escape(axis_label, quote=False)},
        },
        "font": {"size": FONT_SIZE},
        "showlegend": False,
        "bargap": 0.2,
        "dragmode": False,
    }
    if title:
        layout["title"] = {"text": html.escape(title, quote=False), "x": 0.0}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def training_figure(
    loss_x: Sequence[float],
    loss: Sequence[float],
    epochs: Sequence[int],
    train_accuracy: Sequence[float],
    test_accuracy: Sequence[float],
    *,
    labels: dict[str, str],
    height: int = 300,
) -> go.Figure:
    """The loss as training goes (left) and the accuracy after each epoch (right).

    Parameters
    ----------
    loss_x, loss : sequences of equal length
        Where each reported loss was measured, in epochs (1.5 = half-way through the
        second), and the loss.
    epochs, train_accuracy, test_accuracy : sequences of equal length
        The accuracy (0..1) on the training and the test images after each epoch.
    labels : dict
        Translated words: 'loss', 'accuracy', 'epoch', 'train', 'test'.
    height : int, optional
        Default 300 px.

    Examples
    --------
    >>> words = dict(loss="loss", accuracy="accuracy", epoch="epoch", train="train",
    ...              test="test")
    >>> fig = training_figure([0.5, 1.0], [2.0, 1.0], [1], [0.8], [0.75], labels=words)
    >>> [trace.name for trace in fig.data]
    ['loss', 'train', 'test']
    """
    if len(loss_x) != len(loss) or not (len(epochs) == len(train_accuracy) == len(test_accuracy)):
        raise ValueError("each series needs as many x values as y values")
    words = {k: html.escape(str(v), quote=False) for k, v in labels.items()}
    last = max([1.0, *loss_x, *epochs])
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": list(loss_x),
            "y": list(loss),
            "name": words["loss"],
            "line": {"color": OKABE_ITO["vermillion"], "width": 3},
            "xaxis": "x",
            "yaxis": "y",
            "hovertemplate": f"{words['epoch']} %{{x:.2f}}: %{{y:.3f}}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": list(epochs),
            "y": [100 * a for a in train_accuracy],
            "name": words["train"],
            "line": {"color": OKABE_ITO["blue"], "width": 3},
            # Larger and open, so a training point under a test point still shows.
            "marker": {"size": 14, "symbol": "circle-open", "line": {"width": 3}},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": f"{words['epoch']} %{{x}}: %{{y:.1f}}%<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": list(epochs),
            "y": [100 * a for a in test_accuracy],
            "name": words["test"],
            "line": {"color": OKABE_ITO["green"], "width": 3, "dash": "dash"},
            "marker": {"size": 9, "symbol": "square"},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": f"{words['epoch']} %{{x}}: %{{y:.1f}}%<extra></extra>",
        },
    ]
    x_axis = {"title": {"text": words["epoch"]}, "fixedrange": True, "range": [0, last + 0.1]}
    layout = {
        "height": height,
        "margin": {"l": 55, "r": 10, "t": 40, "b": 50},
        "xaxis": {**x_axis, "domain": [0.0, 0.45]},
        "yaxis": {"title": {"text": words["loss"]}, "fixedrange": True, "rangemode": "tozero"},
        "xaxis2": {**x_axis, "domain": [0.55, 1.0], "anchor": "y2", "dtick": 1},
        "yaxis2": {
            "title": {"text": words["accuracy"]},
            "fixedrange": True,
            "range": [0, 102],
            "ticksuffix": "%",
            "anchor": "x2",
        },
        "legend": {"orientation": "h", "x": 0.55, "y": 1.12},
        "font": {"size": FONT_SIZE},
        "dragmode": False,
    }
    return go.Figure({"data": data, "layout": layout}, _validate=False)
