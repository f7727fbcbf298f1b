"""Unit tests of ui/figures/signal.py (pure figure builders)."""

from __future__ import annotations

import numpy as np
import pytest

from ui.figures.signal import fft_figure, smoothing_figure


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


def test_flip_animation_ends_at_the_reversed_kernel():
    from ui.figures.signal import flip_animation_figure

    fig = flip_animation_figure([1, 0, -1, 2], title="t", play_label="play", steps=6)
    first, last = fig.frames[0].data[0], fig.frames[-1].data[0]
    assert len(fig.frames) == 7
    assert list(first.x) == [0, 1, 2, 3] and list(last.x) == [3, 2, 1, 0]
    # weight i ends at K-1-i: read left to right, the last frame is the reversed kernel
    order = np.argsort(last.x)
    assert [first.text[i] for i in order] == ["2", "-1", "0", "1"]
    assert max(abs(y) for y in last.y) < 1e-9  # back on the line
    assert fig.layout.updatemenus[0].buttons[0].label == "play"
