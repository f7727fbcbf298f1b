"""Figures of the 1D page (flip_1d): a noisy signal and its smoothing, direct vs FFT results.

Pure: arrays and labels in, ``go.Figure`` out (no Streamlit).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def smoothing_figure(
    t: Sequence[float],
    noisy: Sequence[float],
    smoothed: Sequence[float],
    *,
    noisy_name: str,
    smoothed_name: str,
    x_title: str,
) -> go.Figure:
    """Line chart of a noisy signal (thin, grey) and its smoothed version (thick) over ``t``."""
    t, noisy, smoothed = (np.asarray(a, dtype=float) for a in (t, noisy, smoothed))
    if not (t.shape == noisy.shape == smoothed.shape) or t.ndim != 1:
        raise ValueError(
            f"t, noisy and smoothed must be 1D of one length, but got shapes "
            f"{t.shape}, {noisy.shape}, {smoothed.shape}"
        )
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=t, y=noisy, name=noisy_name, mode="lines", line={"color": "#aaaaaa"})
    )
    fig.add_trace(
        go.Scatter(
            x=t, y=smoothed, name=smoothed_name, mode="lines", line={"color": "#d62728", "width": 3}
        )
    )
    fig.update_layout(
        height=340,
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        legend={"orientation": "h", "y": 1.12},
        xaxis_title=x_title,
    )
    return fig


def fft_figure(
    direct: Sequence[float],
    via_fft: Sequence[float],
    *,
    direct_name: str,
    fft_name: str,
    x_title: str,
) -> go.Figure:
    """The direct convolution and the FFT result side by side (two panels, one y scale)."""
    direct, via_fft = np.asarray(direct, dtype=float), np.asarray(via_fft, dtype=float)
    if direct.shape != via_fft.shape or direct.ndim != 1:
        raise ValueError(
            f"direct and via_fft must be 1D of one length, but got {direct.shape}, {via_fft.shape}"
        )
    n = np.arange(direct.size)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=(direct_name, fft_name))
    fig.add_trace(go.Bar(x=n, y=direct, name=direct_name, marker_color="#1f77b4"), row=1, col=1)
    fig.add_trace(go.Bar(x=n, y=via_fft, name=fft_name, marker_color="#ff7f0e"), row=1, col=2)
    fig.update_xaxes(title_text=x_title, dtick=1)
    fig.update_layout(height=300, margin={"l": 40, "r": 10, "t": 40, "b": 40}, showlegend=False)
    return fig


def flip_animation_figure(
    kernel: Sequence[float],
    *,
    title: str,
    play_label: str,
    steps: int = 12,
    frame_ms: int = 90,
) -> go.Figure:
    """The kernel flip as an animation that runs in the browser (no rerun): every weight
    slides from its place ``i`` to ``K - 1 - i`` along an arc, so the last frame is the
    reversed kernel convolution applies. The first frame is the kernel as written.
    """
    k = np.asarray(kernel, dtype=float)
    if k.ndim != 1 or k.size == 0:
        raise ValueError(f"kernel must be a non-empty 1D sequence, but got shape {k.shape}")
    if steps < 1:
        raise ValueError(f"steps must be a positive integer, but got steps={steps}")
    start = np.arange(k.size, dtype=float)
    end = start[::-1]
    labels = [f"{v:g}" for v in k]
    centre = (k.size - 1) / 2

    def frame(f: float) -> go.Scatter:
        x = start + (end - start) * f
        # Weights left of the centre pass above, the others below: they never collide.
        y = np.sign(centre - start) * np.sin(np.pi * f) * 0.6
        return go.Scatter(
            x=x, y=y, mode="markers+text", text=labels, textposition="middle center",
            marker={"size": 46, "color": "#56B4E9", "line": {"color": "#0072B2", "width": 2}},
            textfont={"size": 16, "color": "#111111"}, hoverinfo="skip",
        )  # fmt: skip

    fractions = np.linspace(0.0, 1.0, steps + 1)
    fig = go.Figure(
        data=[frame(0.0)],
        frames=[go.Frame(data=[frame(f)], name=str(i)) for i, f in enumerate(fractions)],
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        height=200,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"visible": False, "range": [-0.7, k.size - 0.3]},
        yaxis={"visible": False, "range": [-1.0, 1.0]},
        showlegend=False,
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 1.0, "y": 1.3, "xanchor": "right",  # right of the title, not over it
                "buttons": [
                    {
                        "label": play_label,
                        "method": "animate",
                        "args": [
                            None,
                            {"frame": {"duration": frame_ms, "redraw": False},
                             "transition": {"duration": frame_ms // 2}, "fromcurrent": False},
                        ],
                    }
                ],
            }
        ],
    )  # fmt: skip
    return fig
