"""Figures of the output-size page: the padded input and the output drawn to one scale.

Pure: arrays and labels in, ``go.Figure`` out (no Streamlit). One figure holds both grids
in the same coordinates (one cell = one unit, square cells), so their sizes compare at a
glance: the padded input on the left, the output on the right. Hovering an output cell
names the input cells its window covers; one chosen window is drawn on the input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

#: Cell kinds of the padded grid (the heatmap's z values) and of the output grid.
PAD, INPUT, UNVISITED, OUTPUT = 0, 1, 2, 3
# Unvisited input is Okabe-Ito vermillion: dark against the light grey padding, light blue
# input and light green output, so the kinds stay apart for red/green colour blindness too.
_COLORS = ("#d9d9d9", "#9ecae1", "#D55E00", "#a1d99b")
_GAP = 2  # empty cells between the two grids


@dataclass(frozen=True)
class Axis:
    """One axis of the drawing: input length, resolved padding, output length and the window."""

    n: int
    before: int
    after: int
    out: int
    stride: int
    dilation: int
    kernel: int

    @property
    def padded(self) -> int:
        return self.n + self.before + self.after

    def taps(self, i: int) -> list[int]:
        """Padded positions of output ``i``'s window taps."""
        return [i * self.stride + k * self.dilation for k in range(self.kernel)]


def visited_inputs(axis: Axis) -> set[int]:
    """Input indices (0-based, padding excluded) some window tap lands on."""
    seen = {p - axis.before for i in range(axis.out) for p in axis.taps(i)}
    return {p for p in seen if 0 <= p < axis.n}


def unvisited_inputs(axis: Axis) -> list[int]:
    """Input indices no window tap lands on, in order."""
    seen = visited_inputs(axis)
    return [p for p in range(axis.n) if p not in seen]


def input_kinds(rows: Axis, cols: Axis) -> np.ndarray:
    """The padded input's cells as PAD, INPUT or UNVISITED (what the drawing colours).

    >>> a = Axis(n=3, before=1, after=0, out=2, stride=2, dilation=1, kernel=1)
    >>> input_kinds(a, a).tolist()
    [[0, 0, 0, 0], [0, 2, 2, 2], [0, 2, 1, 2], [0, 2, 2, 2]]
    """
    un_r, un_c = set(unvisited_inputs(rows)), set(unvisited_inputs(cols))
    z = np.full((rows.padded, cols.padded), PAD, dtype=int)
    for r in range(rows.n):
        for c in range(cols.n):
            z[r + rows.before, c + cols.before] = UNVISITED if (r in un_r or c in un_c) else INPUT
    return z


def _discrete(n: int) -> list[list[object]]:
    scale: list[list[object]] = []
    for k, color in enumerate(_COLORS[:n]):
        scale += [[k / n, color], [(k + 1) / n, color]]
    return scale


def size_figure(
    rows: Axis,
    cols: Axis,
    labels: Mapping[str, str],
    selected: tuple[int, int] | None = None,
    cell_px: int = 22,
) -> go.Figure:
    """The padded input (padding grey, input blue, unvisited input red) and the output (green).

    ``labels``: ``padding``, ``input`` (with ``{r}``/``{c}``), ``output`` (with ``{i}``,
    ``{j}``, ``{rows}``, ``{cols}``), ``input_title``, ``output_title``. ``selected`` is
    the output cell whose window is drawn on the input.
    """
    hp, wp = rows.padded, cols.padded
    z = input_kinds(rows, cols)
    hover = np.full((hp, wp), labels["padding"], dtype=object)
    for r in range(rows.n):
        for c in range(cols.n):
            hover[r + rows.before, c + cols.before] = labels["input"].format(r=r, c=c)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=np.arange(wp),
            y=np.arange(hp),
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorscale=_discrete(4),
            zmin=0,
            zmax=4,
            showscale=False,
            xgap=1,
            ygap=1,
            name="input",
        )
    )
    x0 = wp + _GAP

    def span_text(axis: Axis, i: int) -> str:
        taps = [p - axis.before for p in axis.taps(i)]
        return ", ".join(str(p) if 0 <= p < axis.n else "p" for p in taps)

    out_hover = np.empty((rows.out, cols.out), dtype=object)
    for i in range(rows.out):
        for j in range(cols.out):
            out_hover[i, j] = labels["output"].format(
                i=i, j=j, rows=span_text(rows, i), cols=span_text(cols, j)
            )
    fig.add_trace(
        go.Heatmap(
            z=np.full((rows.out, cols.out), OUTPUT),
            x=x0 + np.arange(cols.out),
            y=np.arange(rows.out),
            text=out_hover,
            hovertemplate="%{text}<extra></extra>",
            colorscale=_discrete(4),
            zmin=0,
            zmax=4,
            showscale=False,
            xgap=1,
            ygap=1,
            name="output",
        )
    )
    if selected is not None:
        i, j = selected
        ty, tx = rows.taps(i), cols.taps(j)
        fig.add_trace(
            go.Scatter(
                x=[x for _ in ty for x in tx],
                y=[y for y in ty for _ in tx],
                mode="markers",
                marker={"symbol": "circle", "size": max(4, cell_px // 3), "color": "#08306b"},
                hoverinfo="skip",
                name="taps",
            )
        )
        box = {
            "type": "rect",
            "line": {"color": "#08306b", "width": 3},
            "fillcolor": "rgba(0,0,0,0)",
        }
        fig.add_shape(x0=tx[0] - 0.5, x1=tx[-1] + 0.5, y0=ty[0] - 0.5, y1=ty[-1] + 0.5, **box)
        fig.add_shape(x0=x0 + j - 0.5, x1=x0 + j + 0.5, y0=i - 0.5, y1=i + 0.5, **box)
    for x, text in (
        (wp / 2 - 0.5, labels["input_title"]),
        (x0 + cols.out / 2 - 0.5, labels["output_title"]),
    ):
        fig.add_annotation(x=x, y=-1.2, text=text, showarrow=False, yanchor="bottom")
    total_w = x0 + cols.out
    total_h = max(hp, rows.out) + 2
    fig.update_xaxes(visible=False, range=[-0.6, total_w - 0.4], constrain="domain")
    fig.update_yaxes(
        visible=False,
        range=[max(hp, rows.out) - 0.4, -2.2],
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
    )
    scale = max(6, min(cell_px, int(900 / max(total_w, 1)), int(640 / total_h)))
    fig.update_layout(
        width=None,
        height=int(total_h * scale) + 20,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        showlegend=False,
        plot_bgcolor="white",
    )
    return fig


def legend_colors() -> Sequence[str]:
    """The colours of padding, input, unvisited input and output cells (for a caption)."""
    return _COLORS
