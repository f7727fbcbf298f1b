"""Pooling traces for the browser stepper, computed once per configuration and cached.

Kept apart from :mod:`ui.trace_cache` (convolutions) and, like it, in a module imported
once per server process, so the cached function is not re-wrapped on every rerun.
Streamlit is used for ``st.cache_data`` only.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

import conv_core as cc


class PoolSettings(NamedTuple):
    """One configuration of a 2D max or average pooling, hashable (a cache key).

    >>> s = PoolSettings("[[1, 2], [3, 4]]", 2, 2, 0, "max", False, True)
    >>> s.trace().output.tolist()
    [[4]]
    """

    grid_json: str
    kernel_size: int
    stride: int
    padding: int
    method: str
    ceil_mode: bool
    count_include_pad: bool

    @property
    def grid(self) -> np.ndarray:
        return np.asarray(json.loads(self.grid_json))

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``conv_core.pool2d`` / ``trace_pool2d`` (without ``x``)."""
        return {
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "method": self.method,
            "ceil_mode": self.ceil_mode,
            "count_include_pad": self.count_include_pad,
        }

    def trace(self) -> cc.PoolTrace:
        """conv_core's trace of this configuration."""
        return cc.trace_pool2d(self.grid, **self.kwargs())


@st.cache_data(max_entries=64, show_spinner=False)
def compact_pool_trace(settings: PoolSettings) -> dict[str, Any]:
    """conv_core's pooling trace of one configuration, as the stepper's JSON (cached)."""
    return cc.to_compact(settings.trace(), digits=9)


@st.cache_data(max_entries=64, show_spinner=False)
def pooled(settings: PoolSettings) -> np.ndarray:
    """``conv_core.pool2d`` of one configuration (cached)."""
    return np.asarray(cc.pool2d(settings.grid, **settings.kwargs()))
