"""The Network page's figures: the receptive field over an image, the network drawing, gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


# ----------------------------------------------------------------------------- the drawing

FONT_PX = 14  # no label smaller: readable on a projector at 1280 x 720
_LINE_H = 18
_MAX_LINE_PX = 150  # a longer title breaks at its ' · ' onto more lines
_GAP_Y = 24
_GAP_X = 14
_BADGE_W = 60
_PAD_X = 18
_FILLS = {
    "input": "#eceff1",
    "conv2d": "#dbeafe",
    "pool": "#dcfce7",
    "dense": "#ffedd5",
    "merge": "#ede9fe",
    "other": "#f1f5f9",
}
_POOLS = {"maxpool2d", "avgpool2d", "adaptiveavgpool2d", "globalavgpool2d"}


def text_width(text: str, font_px: int = FONT_PX) -> float:
    """A generous estimate of a label's width in pixels (Hangul and CJK are square).

    >>> text_width("abc"), text_width("합성곱")
    (24.0, 42.0)
    """
    import unicodedata

    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return (font_px * wide + font_px * 0.58 * (len(text) - wide)) // 1 * 1.0


def _fill(kind: str) -> str:
    if kind in _POOLS:
        return _FILLS["pool"]
    if kind in ("add", "concat"):
        return _FILLS["merge"]
    return _FILLS.get(kind, _FILLS["other"])


class _Drawing:
    """Sizes and draws a plan (ui.teaching.architectures.network_diagram) in pixels."""

    def __init__(self, texts: Sequence[tuple[str, str, str]], identity: str) -> None:
        self.texts = texts  # per layer index: (kind, title, shape)
        self.identity = identity
        self.shapes: list[dict] = []
        self.notes: list[dict] = []

    # -- sizes
    def box_lines(self, node) -> tuple[str, list[str], str]:
        """The box's kind, its title broken into lines at " · ", and its shape."""
        kind = self.texts[node.layers[0]][0]
        parts = " · ".join(self.texts[i][1] for i in node.layers).split(" · ")
        lines = [parts[0]]
        for part in parts[1:]:
            joined = f"{lines[-1]} · {part}"
            if text_width(joined) <= _MAX_LINE_PX:
                lines[-1] = joined
            else:
                lines.append(f"· {part}")
        return kind, lines, self.texts[node.layers[-1]][2]

    def box_w(self, node) -> float:
        _, lines, shape = self.box_lines(node)
        return max(text_width(text) for text in [*lines, shape]) + _PAD_X

    def box_h(self, node) -> float:
        return 10 + _LINE_H * (len(self.box_lines(node)[1]) + 1)

    def size(self, node) -> tuple[float, float]:
        name = type(node).__name__
        if name == "Box":
            return self.box_w(node) + (2 * _BADGE_W if node.repeat > 1 else 0), self.box_h(node)
        if name == "Series":
            if not node.items:
                return text_width(self.identity) + _PAD_X, 0.0
            sizes = [self.size(i) for i in node.items]
            return max(w for w, _ in sizes), sum(h for _, h in sizes) + _GAP_Y * (len(sizes) - 1)
        sizes = [self.size(b) for b in node.branches]
        inner_w = sum(w for w, _ in sizes) + _GAP_X * (len(sizes) - 1)
        inner_h = max(h for _, h in sizes)
        join_w, join_h = (0.0, 0.0) if node.join is None else self.size(node.join)
        w = max(inner_w, join_w) + (2 * _BADGE_W if node.repeat > 1 else 0)
        return w, _GAP_Y + inner_h + (_GAP_Y + join_h if node.join is not None else 0)

    # -- drawing; each returns the (x, y) of its top and bottom connection points
    def line(self, x0: float, y0: float, x1: float, y1: float, dash: str = "solid") -> None:
        self.shapes.append(
            {
                "type": "line",
                "x0": x0,
                "y0": y0,
                "x1": x1,
                "y1": y1,
                "line": {"color": "#64748b", "width": 1.5, "dash": dash},
                "layer": "below",
            }
        )

    def text(self, x: float, y: float, text: str, **font: Any) -> None:
        self.notes.append(
            {
                "x": x,
                "y": y,
                "text": text,
                "showarrow": False,
                "font": {"size": FONT_PX, "color": "#0f172a", **font},
                "xanchor": "center",
                "yanchor": "middle",
            }
        )

    def badge(self, x: float, y0: float, y1: float, repeat: int) -> None:
        self.shapes.append(
            {
                "type": "path",
                "path": f"M {x - 6},{y0} L {x},{y0} L {x},{y1} L {x - 6},{y1}",
                "line": {"color": "#b91c1c", "width": 2},
            }
        )
        self.text(x + _BADGE_W / 2 - 4, (y0 + y1) / 2, f"<b>× {repeat}</b>", color="#b91c1c")

    def draw(self, node, x: float, y: float) -> tuple[tuple[float, float], tuple[float, float]]:
        name = type(node).__name__
        if name == "Box":
            kind, lines, shape = self.box_lines(node)
            half, box_h = self.box_w(node) / 2, self.box_h(node)
            self.shapes.append(
                {
                    "type": "rect",
                    "x0": x - half,
                    "x1": x + half,
                    "y0": y,
                    "y1": y + box_h,
                    "line": {"color": "#475569", "width": 1},
                    "fillcolor": _fill(kind),
                }
            )
            for k, text in enumerate(lines):
                self.text(x, y + 14 + _LINE_H * k, text)
            self.text(x, y + 14 + _LINE_H * len(lines), shape, color="#475569")
            if node.repeat > 1:
                self.badge(x + half + 8, y + 2, y + box_h - 2, node.repeat)
            return (x, y), (x, y + box_h)
        if name == "Series":
            top = bottom = (x, y)
            for k, item in enumerate(node.items):
                t_, b_ = self.draw(item, x, y)
                if k == 0:
                    top = t_
                else:
                    self.line(bottom[0], bottom[1], t_[0], t_[1])
                bottom = b_
                y = b_[1] + _GAP_Y
            return top, bottom
        # Parallel: branches side by side under the fork, joined by the Add or Concat box.
        w, h = self.size(node)
        badge = _BADGE_W if node.repeat > 1 else 0
        sizes = [self.size(b) for b in node.branches]
        inner_w = sum(bw for bw, _ in sizes) + _GAP_X * (len(sizes) - 1)
        inner_h = max(bh for _, bh in sizes)
        left = x - inner_w / 2
        branch_top = y + _GAP_Y
        join_top = branch_top + inner_h + _GAP_Y
        ends = []
        for branch, (bw, _) in zip(node.branches, sizes, strict=True):
            bx = left + bw / 2
            if not branch.items:  # the identity skip
                self.line(x, y, bx, branch_top, "dash")
                self.line(bx, branch_top, bx, branch_top + inner_h, "dash")
                self.text(bx, branch_top + inner_h / 2, self.identity, color="#475569")
                self.notes[-1]["bgcolor"] = "white"  # the label sits on the dashed skip
                ends.append((bx, branch_top + inner_h))
            else:
                t_, b_ = self.draw(branch, bx, branch_top)
                self.line(x, y, t_[0], t_[1])
                if b_[1] < branch_top + inner_h:  # a shorter branch: down past the others
                    self.line(b_[0], b_[1], b_[0], branch_top + inner_h)
                ends.append((b_[0], branch_top + inner_h))
            left += bw + _GAP_X
        bottom = (x, branch_top + inner_h)
        if node.join is not None:
            (jx, jy), bottom = self.draw(node.join, x, join_top)
            for (ex, ey), branch in zip(ends, node.branches, strict=True):
                self.line(ex, ey, jx, jy, "solid" if branch.items else "dash")
        if badge:
            self.badge(x + (w - 2 * badge) / 2 + 8, y + 4, y + h - 4, node.repeat)
        return (x, y), bottom


def network_figure(
    plan: Any, texts: Sequence[tuple[str, str, str]], *, identity_label: str = "identity"
) -> go.Figure:
    """A network drawn top to bottom: one box per block with its shape, branches side by side.

    Parameters
    ----------
    plan : Series
        ``ui.teaching.architectures.network_diagram(summary)``.
    texts : sequence of (kind, title, shape)
        Per layer index of the summary: its kind (for the box colour), its short name
        (``"Conv 3×3, 64"``) and its output shape (``"56 × 56 × 64"``). A box joins the
        titles of the layers folded into it with " · ".
    identity_label : str
        The label of a residual unit's identity skip.

    The figure is sized in pixels (layout width and height), every label at
    :data:`FONT_PX`: show it with ``st.plotly_chart(fig, width="content")``.
    """
    drawing = _Drawing(texts, identity_label)
    w, h = drawing.size(plan)
    width, height = w + 16, h + 30
    drawing.draw(plan, width / 2, 15)
    fig = go.Figure()
    fig.update_layout(
        width=int(width),
        height=int(height),
        shapes=drawing.shapes,
        annotations=drawing.notes,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        dragmode=False,
    )
    fig.update_xaxes(range=[0, width], visible=False, fixedrange=True)
    fig.update_yaxes(range=[height, 0], visible=False, fixedrange=True)
    return fig


def gradient_figure(
    plain: Sequence[float],
    residual: Sequence[float],
    *,
    names: tuple[str, str],
    x_title: str,
    y_title: str,
) -> go.Figure:
    """The gradient norm reaching each layer, plain stack against residual stack (log scale)."""
    layers = list(range(1, len(plain) + 1))
    fig = go.Figure()
    for values, name, colour in ((plain, names[0], "#e4572e"), (residual, names[1], "#29a3d6")):
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=list(values),
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 3},
            )
        )
    fig.update_yaxes(
        type="log", title={"text": y_title, "font": {"size": FONT_PX}}, tickfont={"size": FONT_PX}
    )
    fig.update_xaxes(
        title={"text": x_title, "font": {"size": FONT_PX}}, dtick=1, tickfont={"size": FONT_PX}
    )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"font": {"size": FONT_PX}, "orientation": "h", "y": 1.1},
    )
    return fig


def flattened_strip_figure(
    vectors: Sequence[np.ndarray],
    labels: Sequence[str],
    marks: Sequence[tuple[int, str]] = (),
    changed: np.ndarray | None = None,
    changed_label: str = "changed",
    width: int = 1100,
) -> go.Figure:
    """Flattened images as long strips, one row each (0-255 grey), the way a dense layer sees
    them; ``marks`` are (position, text) drawn as vertical lines through every strip, and
    ``changed`` (a boolean vector) adds a last row in vermillion where the strips differ.

    >>> fig = flattened_strip_figure([np.arange(784) % 256], ["digit"], [(10, "a"), (38, "b")])
    >>> len(fig.data), len(fig.layout.shapes), fig.layout.width
    (1, 2, 1100)
    """
    rows = [np.asarray(v, dtype=float) for v in vectors]
    n = rows[0].size
    names = list(labels)
    z = np.vstack(rows)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            # numeric rows named by ticks: two heatmaps on one categorical axis break Plotly.js
            y=list(range(len(rows))),
            customdata=[[name] * n for name in names],
            colorscale="gray",  # ink bright on black, as the digit is drawn beside it
            zmin=0,
            zmax=255,
            showscale=False,
            hovertemplate="%{customdata}<br>entry %{x}<br>value %{z}<extra></extra>",
        )
    )
    if changed is not None:
        flags = np.asarray(changed, dtype=float)[None, :]
        fig.add_trace(
            go.Heatmap(
                z=flags,
                y=[len(rows)],
                colorscale=[[0, "#FFFFFF"], [1, "#D55E00"]],
                zmin=0,
                zmax=1,
                showscale=False,
                hovertemplate=f"{changed_label}<br>entry %{{x}}<extra></extra>",
            )
        )
        names.append(changed_label)
    for i, (position, text) in enumerate(marks):
        fig.add_shape(
            type="line", x0=position, x1=position, y0=-0.5, y1=len(names) - 0.5,
            line={"color": "#0072B2", "width": 2},
        )  # fmt: skip
        # Above the strips (the axis runs downwards); marks close together lean apart.
        fig.add_annotation(
            x=position, y=-0.5, text=text, showarrow=False, yanchor="bottom",
            xanchor="right" if i % 2 == 0 else "left", xshift=-3 if i % 2 == 0 else 3,
            font={"size": 14, "color": "#0072B2"}, bgcolor="white",
        )  # fmt: skip
    fig.update_layout(
        width=width,
        height=60 + 34 * len(names),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        xaxis={
            "range": [-0.5, n - 0.5],
            "title": None,
            "tickfont": {"size": 14, "color": "#262730"},
        },
        yaxis={
            "autorange": "reversed",
            "tickvals": list(range(len(names))),
            "ticktext": names,
            "tickfont": {"size": 14, "color": "#262730"},
            "automargin": True,
        },
        plot_bgcolor="white",
    )
    return fig
