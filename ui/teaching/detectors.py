"""The filter as a pattern detector: the lecture's scribble under three 2x2 filters.

The numbers come from conv_core (``correlate2d`` on the presets' inputs), never from the
presets' stored answers, so the page shows what the engine computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import conv_core as cc

#: The three presets, the matching filter first.
DETECTOR_PRESETS = ("detector_diagonal", "detector_up_right", "detector_horizontal")


@dataclass(frozen=True)
class Detection:
    """One filter over the scribble: its output map, its strongest answer and whether the
    pattern counts as detected (the strongest answer of all three filters)."""

    name: str
    kernel: np.ndarray
    output: np.ndarray
    best: int
    detected: bool


def detections() -> list[Detection]:
    """The scribble under each detector filter, computed with ``conv_core.correlate2d``.

    >>> [(d.name, d.output.tolist(), d.detected) for d in detections()][0]
    ('detector_diagonal', [[200, 0], [0, 200]], True)
    >>> [d.best for d in detections()]
    [200, 50, 60]
    """
    outputs = []
    for name in DETECTOR_PRESETS:
        preset = cc.PRESETS[name]
        out = cc.correlate2d(**preset.arguments)
        outputs.append((name, np.asarray(preset.inputs["kernel"]), out, int(out.max())))
    strongest = max(best for *_, best in outputs)
    return [Detection(n, k, out, best, best == strongest) for n, k, out, best in outputs]


def scribble() -> np.ndarray:
    """The 3x3 diagonal scribble all three filters look at.

    >>> scribble().tolist()
    [[10, 0, 0], [0, 10, 0], [0, 0, 10]]
    """
    return np.asarray(cc.PRESETS[DETECTOR_PRESETS[0]].inputs["x"])
