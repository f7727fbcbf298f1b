"""The Image Filter Lab's pipeline: its filters and settings, run through conv_core.

A :class:`Filter` is one gallery entry; :class:`PipelineSettings` is everything the
pipeline tab sets (convolution, activation, pooling). :func:`run` sends one filter through
``conv_core.run_pipeline`` (each filter on its own run: filters may differ in size). The
preview on the page and the full-resolution downloads (:mod:`ui.teaching.lab_export`)
both run it, so their numbers agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import conv_core as cc
from ui.frame.settings import ConvSettings


@dataclass(frozen=True)
class Filter:
    """One filter of the gallery: its label and its kernel(s) and bias."""

    label: str
    kernel: np.ndarray  # (KH, KW), or (3, KH, KW) for a per-channel CNN filter
    bias: float

    def to_record(self) -> dict[str, Any]:
        """Plain JSON values (for a cache key)."""
        return {"label": self.label, "kernel": self.kernel.tolist(), "bias": self.bias}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Filter:
        """The inverse of :meth:`to_record`."""
        return cls(
            record["label"], np.asarray(record["kernel"], dtype=float), float(record["bias"])
        )


@dataclass(frozen=True)
class PipelineSettings:
    """Convolution settings, activation and pooling, as the pipeline tab sets them.

    >>> s = PipelineSettings(ConvSettings(padding=1), "relu", 0.01, "max", 2, 2)
    >>> PipelineSettings.from_json(s.to_json()) == s
    True
    """

    conv: ConvSettings = field(default_factory=ConvSettings)
    activation: str = "none"
    slope: float = 0.01
    pool: str = "none"
    pool_size: int = 2
    pool_stride: int = 2

    def to_json(self) -> str:
        """The settings as JSON text (a cheap cache key)."""
        return json.dumps(
            {
                "padding": self.conv.padding, "mode": self.conv.padding_mode,
                "stride": self.conv.stride, "dilation": self.conv.dilation,
                "activation": self.activation, "slope": self.slope, "pool": self.pool,
                "pool_size": self.pool_size, "pool_stride": self.pool_stride,
            }
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> PipelineSettings:
        """The inverse of :meth:`to_json` (JSON's lists back to conv_core's tuples)."""
        s = json.loads(text)
        conv = ConvSettings(
            _padding(s["padding"]), s["mode"], tuple(s["stride"]), tuple(s["dilation"])
        )
        return cls(
            conv, s["activation"], float(s["slope"]), s["pool"], int(s["pool_size"]),
            int(s["pool_stride"]),
        )  # fmt: skip


def _padding(spec: Any) -> Any:
    """JSON turned tuples into lists: back to what conv_core takes."""
    if isinstance(spec, list):
        return tuple(tuple(p) if isinstance(p, list) else p for p in spec)
    return spec


def filter_weights(f: Filter, color: str) -> np.ndarray:
    """The filter as run_pipeline takes it: (1, KH, KW), or (1, 3, KH, KW) per channel."""
    if color == "cnn" and f.kernel.ndim == 2:
        return np.broadcast_to(f.kernel, (3, *f.kernel.shape))[np.newaxis]
    return f.kernel[np.newaxis]


def run(
    image: np.ndarray,
    f: Filter,
    color: str,
    s: PipelineSettings,
    *,
    channel_maps: bool = True,
) -> cc.PipelineResult:
    """One filter through the whole pipeline (its own run: filters may differ in size).

    >>> out = run(np.eye(4) * 9, Filter("id", np.ones((1, 1)), 0.0), "gray", PipelineSettings())
    >>> result_map(out).tolist()[0]
    [9.0, 0.0, 0.0, 0.0]
    """
    conv = s.conv
    return cc.run_pipeline(
        image,
        filter_weights(f, color),
        [f.bias],
        color_mode=color,
        stride=conv.stride,
        padding=conv.padding,
        dilation=conv.dilation,
        padding_mode=conv.padding_mode,
        activation=s.activation,
        negative_slope=s.slope,
        pool=s.pool,
        pool_size=s.pool_size,
        pool_stride=s.pool_stride,
        channel_maps=channel_maps,
    )


def result_map(result: cc.PipelineResult) -> np.ndarray:
    """Filter 1's final map: (H, W) or (H, W, 3) (contiguous: 'photo' maps are views)."""
    return np.ascontiguousarray(result.result.maps[0])
