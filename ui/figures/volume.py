"""Plotly figure builder for volumes: a D x H x W array drawn as a row of slices.

Pure (no Streamlit): arrays in, ``go.Figure`` out, tested by inspecting the figure. Every
word (titles, hover labels) comes in already translated. A 3D filter's window is drawn as
a vermillion outline on each slice it covers (each tap cell outlined too when dilation
spaces the taps); the real input's area, when padding surrounds it, as a dashed outline.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from ui.figures.maps import COLORSCALES, DISPLAY_COLORSCALES, OKABE_ITO, format_number

__all__ = ["Window3d", "volume_figure"]

#: Light grey to near-black: the cells' values (their numbers are written in them too).
VALUE_SCALE = [[0.0, "#f7f7f7"], [1.0, "#636363"]]
WINDOW_COLOUR = OKABE_ITO["vermillion"]
INPUT_COLOUR = OKABE_ITO["blue"]


@dataclass(frozen=True)
class Window3d:
    """The cells a window covers: the slices, rows and columns of its taps (padded coordinates).

    >>> Window3d((0, 1), (2, 3), (2, 4)).contiguous
    False
    """

    slices: tuple[int, ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def contiguous(self) -> bool:
        """True when the taps touch (dilation 1 along rows and columns)."""
        return all(
            b - a == 1 for axis in (self.rows, self.cols) for a, b in itertools.pairwise(axis)
        )


def _rect(xref: str, yref: str, r0: float, c0: float, r1: float, c1: float, **line: Any) -> dict:
    return {
        "type": "rect",
        "xref": xref,
        "yref": yref,
        "x0": c0 - 0.5,
        "x1": c1 + 0.5,
        "y0": r0 - 0.5,
        "y1": r1 + 0.5,
        "line": line,
        "fillcolor": "rgba(0,0,0,0)",
        "layer": "above",
    }


def volume_figure(
    volume: npt.ArrayLike,
    *,
    titles: Sequence[str],
    window: Window3d | None = None,
    input_box: tuple[int, int, int, int] | None = None,
    signed: bool = False,
    hover: tuple[str, str, str, str] = ("slice", "row", "col", "value"),
    max_cols: int = 5,
    cell_px: int = 30,
    decimals: int = 2,
) -> go.Figure:
    """A volume as a row (or rows) of heatmaps, one per slice along the first axis.

    Parameters
    ----------
    volume : ndarray of shape (D, H, W)
        Finite numbers; the values are written in their cells.
    titles : sequence of D str
        One title per slice (e.g. "slice 1", "padding").
    window : Window3d, optional
        The current window: outlined (vermillion) on each slice in ``window.slices``.
    input_box : (top, left, height, width), optional
        The real input's cells on each slice, outlined dashed (blue) when padding
        surrounds them; slices whose title says padding are the caller's business.
    signed : bool, optional
        Colour on the diverging RdBu scale centred on 0 (kernels); default a light-to-dark
        grey of the value (the numbers are written in every cell either way).
    hover : (slice, row, col, value)
        The hover's words, translated.
    max_cols : int, optional
        Slices per row of the figure (default 5); more slices wrap.
    cell_px : int, optional
        Height of a cell in px (default 30); the figure's height follows.
    decimals : int, optional
        Fractions rounded to this many decimals in the cells.

    Returns
    -------
    go.Figure
        ``D`` ``go.Heatmap`` traces (``z`` = the slice, names ``slice 0``..), axes
        ``x``/``x2``/... with square cells and row 0 at the top; ``layout.shapes`` holds the
        window's outlines (``name`` ``'window'``) and the input's (``name`` ``'input'``);
        slice titles are annotations.
    """
    vol = np.asarray(volume, dtype=np.float64)
    if vol.ndim != 3 or vol.size == 0 or not np.isfinite(vol).all():
        raise ValueError(f"volume must be a finite non-empty (D, H, W) array, got {vol.shape}")
    d, h, w = vol.shape
    if len(titles) != d:
        raise ValueError(f"titles must have one entry per slice ({d}), but got {len(titles)}")
    n_cols = max(1, min(d, int(max_cols)))
    n_rows = math.ceil(d / n_cols)
    gap_x = 0.04
    gap_y = 0.1 if n_rows > 1 else 0.0
    cell_w = (1 - gap_x * (n_cols - 1)) / n_cols
    cell_h = (1 - gap_y * (n_rows - 1)) / n_rows
    lo, hi = float(vol.min()), float(vol.max())
    if signed:
        m = max(abs(lo), abs(hi)) or 1.0
        zmin, zmax, scale = -m, m, COLORSCALES[DISPLAY_COLORSCALES["symmetric"]]
    else:
        zmin, zmax, scale = min(lo, 0.0), max(hi, lo + 1.0, 1.0), VALUE_SCALE
    words = [html.escape(str(s), quote=False) for s in hover]
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "height": n_rows * (h * cell_px + 40) + 10,
        "plot_bgcolor": "white",
        "showlegend": False,
        "annotations": [],
        "shapes": [],
    }
    for i in range(d):
        r, c = divmod(i, n_cols)
        suffix = "" if i == 0 else str(i + 1)
        # equal domains, so every slice is drawn at the same cell size
        x0 = c * (cell_w + gap_x)
        x1 = x0 + cell_w
        y1 = 1 - r * (cell_h + gap_y)
        y0 = y1 - cell_h
        # plotly refuses a domain a rounding error outside [0, 1]
        x0, x1, y0, y1 = (min(max(round(v, 9), 0.0), 1.0) for v in (x0, x1, y0, y1))
        xa, ya = f"x{suffix}", f"y{suffix}"
        texts = [[format_number(v, decimals) for v in row] for row in vol[i]]
        data.append(
            {
                "type": "heatmap",
                "name": f"slice {i}",
                "z": vol[i].tolist(),
                "text": texts,
                "texttemplate": "%{text}",
                "zmin": zmin,
                "zmax": zmax,
                "colorscale": scale,
                "showscale": False,
                "xgap": 1,
                "ygap": 1,
                "xaxis": xa,
                "yaxis": ya,
                "hovertemplate": (
                    f"{words[0]} {i}<br>{words[1]} %{{y}}, {words[2]} %{{x}}"
                    f"<br>{words[3]} %{{text}}<extra></extra>"
                ),
            }
        )
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x1],
            "anchor": ya,
            "showticklabels": False,
            "ticks": "",
            "showgrid": False,
            "zeroline": False,
            "range": [-0.5, w - 0.5],
            "constrain": "domain",
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [y0, y1],
            "anchor": xa,
            "showticklabels": False,
            "ticks": "",
            "showgrid": False,
            "zeroline": False,
            "range": [h - 0.5, -0.5],  # row 0 at the top
            "scaleanchor": xa,
            "constrain": "domain",
        }
        layout["annotations"].append(
            {
                "text": html.escape(str(titles[i]), quote=False),
                "xref": f"{xa} domain",
                "yref": f"{ya} domain",
                "x": 0.5,
                "y": 1.0,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
        if input_box is not None:
            top, left, ih, iw = input_box
            if (ih, iw) != (h, w):
                shape = _rect(
                    xa, ya, top, left, top + ih - 1, left + iw - 1,
                    color=INPUT_COLOUR, width=2, dash="dash",
                )  # fmt: skip
                layout["shapes"].append({**shape, "name": "input"})
        if window is not None and i in window.slices:
            rows, cols = window.rows, window.cols
            outline = _rect(
                xa, ya, rows[0], cols[0], rows[-1], cols[-1], color=WINDOW_COLOUR, width=4
            )
            layout["shapes"].append({**outline, "name": "window"})
            if not window.contiguous:
                for rr in rows:
                    for cc in cols:
                        tap = _rect(xa, ya, rr, cc, rr, cc, color=WINDOW_COLOUR, width=2)
                        layout["shapes"].append({**tap, "name": "tap"})
    return go.Figure({"data": data, "layout": layout}, _validate=False)
