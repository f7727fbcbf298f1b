"""Unit tests of ui/signal_figures.py (pure figure builders)."""

from __future__ import annotations

import numpy as np
import pytest

from ui.signal_figures import fft_figure, smoothing_figure


def test_smoothing_figure_has_both_lines():
    t = np.linspace(0, 1, 5)
    fig = smoothing_figure(
        t, [1, 2, 3, 4, 5], [1, 1, 1, 1, 1], noisy_name="a", smoothed_name="b", x_title="t"
    )
    assert [tr.name for tr in fig.data] == ["a", "b"]
    assert list(fig.data[0].y) == [1, 2, 3, 4, 5]
    assert list(fig.data[1].y) == [1, 1, 1, 1, 1]
    assert fig.layout.xaxis.title.text == "t"


def test_smoothing_figure_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="one length"):
        smoothing_figure([0, 1], [1], [1, 2], noisy_name="a", smoothed_name="b", x_title="t")


def test_fft_figure_two_panels():
    fig = fft_figure(
        [1, 4, 10], [1, 4, 10.000000000000002], direct_name="d", fft_name="f", x_title="n"
    )
    assert len(fig.data) == 2
    assert list(fig.data[0].y) == [1, 4, 10]
    assert fig.data[1].xaxis == "x2"
    assert [a.text for a in fig.layout.annotations] == ["d", "f"]


def test_fft_figure_rejects_mismatch():
    with pytest.raises(ValueError, match="one length"):
        fft_figure([1, 2], [1], direct_name="d", fft_name="f", x_title="n")
