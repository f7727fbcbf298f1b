"""ui.teaching.shape_text: conv_core's (C, H, W) shapes written as the notes' H × W × C."""

from __future__ import annotations

import pytest

from ui.teaching import shape_text as shapes


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((3, 32, 28), "32 × 28 × 3"),
        ((1, 5, 5), "5 × 5 × 1"),
        ((2, 4, 5, 6), "4 × 5 × 6 × 2"),
        ((7, 9), "7 × 9"),
        ((10,), "10"),
    ],
)
def test_hwc(shape: tuple[int, ...], expected: str) -> None:
    assert shapes.hwc(shape) == expected


def test_filters_one_filter_and_bias() -> None:
    assert shapes.filters((128, 3, 3, 3)) == "3 × 3 × 3 × 128"
    assert shapes.filters((2, 4, 1, 1)) == "1 × 1 × 4 × 2"
    assert shapes.one_filter((3, 5, 4)) == "5 × 4 × 3"
    assert shapes.bias(64) == "1 × 1 × 64"
