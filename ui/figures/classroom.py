"""Class mode's histogram of answers: counts in, a Plotly bar chart out (no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

__all__ = ["RIGHT_COLOR", "WRONG_COLOR", "answers_figure"]

RIGHT_COLOR = "#009E73"  # Okabe-Ito bluish green
WRONG_COLOR = "#999999"


def _order(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label.split(" × ")[0]) * 1e6 + float(label.split(" × ")[-1]), label)
    except ValueError:
        return (1, 0.0, label)


def answers_figure(
    counts: Mapping[str, int],
    right: str | None,
    *,
    title: str = "",
    right_label: str = "right",
    height: int = 260,
) -> go.Figure:
    """One bar per distinct answer (sorted by value), the right one coloured.

    Parameters
    ----------
    counts : mapping of str to int
        Answer as shown (``"12"``, ``"4 × 4"``) -> students who gave it.
    right : str or None
        The right answer as shown; None before the reveal (then every bar is grey).

    >>> fig = answers_figure({"12": 3, "11": 1}, "12")
    >>> list(fig.data[0].x), list(fig.data[0].y), fig.data[0].marker.color
    (['11', '12'], [1, 3], ('#999999', '#009E73'))
    """
    labels = sorted(counts, key=_order)
    colors = [RIGHT_COLOR if right is not None and x == right else WRONG_COLOR for x in labels]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=[counts[x] for x in labels],
            marker={"color": colors},
            text=[counts[x] for x in labels],
            textposition="outside",
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title} if title else None,
        height=height,
        margin={"l": 30, "r": 10, "t": 40 if title else 10, "b": 30},
        xaxis={"type": "category"},
        yaxis={"rangemode": "tozero", "dtick": 1, "title": None},
        showlegend=False,
    )
    if right is not None and right in counts:
        fig.add_annotation(
            x=right, y=counts[right], text=right_label, showarrow=False, yshift=28,
            font={"color": RIGHT_COLOR},
        )  # fmt: skip
    return fig
