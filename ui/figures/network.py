"""The receptive-field figure of the Network page: the image with one rectangle per layer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go


def rf_figure(
    image: np.ndarray,
    rects: Sequence[tuple[int, int, int, int]],
    labels: Sequence[str],
    height: int = 480,
) -> go.Figure:
    """The image (grey, 0-255) with one rectangle per layer; the last one drawn bold.

    ``rects`` are (top, left, height, width) in pixels; they may reach past the image (padding).
    """
    image = np.asarray(image, dtype=float)
    h, w = image.shape[:2]
    fig = go.Figure(
        go.Heatmap(
            z=image,
            colorscale="gray",
            zmin=0,
            zmax=255,
            showscale=False,
            hoverinfo="skip",
        )
    )
    n = len(rects)
    for i, ((top, left, rh, rw), label) in enumerate(zip(rects, labels, strict=True)):
        last = i == n - 1
        fig.add_shape(
            type="rect",
            x0=left - 0.5,
            x1=left + rw - 0.5,
            y0=top - 0.5,
            y1=top + rh - 0.5,
            line={
                "color": "#e4572e" if last else "#29a3d6",
                "width": 3 if last else 1,
                "dash": "solid" if last else "dot",
            },
            fillcolor="rgba(228,87,46,0.15)" if last else None,
            name=label,
        )
    lo_y = min([-0.5] + [r[0] - 0.5 for r in rects])
    hi_y = max([h - 0.5] + [r[0] + r[2] - 0.5 for r in rects])
    lo_x = min([-0.5] + [r[1] - 0.5 for r in rects])
    hi_x = max([w - 0.5] + [r[1] + r[3] - 0.5 for r in rects])
    fig.update_xaxes(range=[lo_x - 0.5, hi_x + 0.5], showgrid=False, constrain="domain")
    fig.update_yaxes(
        range=[hi_y + 0.5, lo_y - 0.5], showgrid=False, scaleanchor="x", constrain="domain"
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig
