"""Transposed-convolution traces for the Dilated and transposed convolution page (cached).

The scatter view (``conv_core.trace_conv_transpose2d``) and the zero-inserted input with
the flipped kernel (``conv_core.transpose_as_convolution``); the direct convolutions and
the zero-inserted view's stepping use :mod:`ui.trace_cache`. Streamlit is used for
``st.cache_data`` only.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

import conv_core as cc


class TransposeSettings(NamedTuple):
    """One single-channel transposed convolution, hashable (a cache key)."""

    grid_json: str
    kernel_json: str
    stride: int
    padding: int
    output_padding: int
    dilation: int

    def kwargs(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation": self.dilation,
        }

    @property
    def grid(self) -> np.ndarray:
        return np.asarray(json.loads(self.grid_json))

    @property
    def kernel(self) -> np.ndarray:
        return np.asarray(json.loads(self.kernel_json))


@st.cache_data(max_entries=64, show_spinner=False)
def compact_scatter_trace(settings: TransposeSettings) -> dict[str, Any]:
    """The scatter view's trace (each input value times the kernel), as the stepper's JSON."""
    trace = cc.trace_conv_transpose2d(settings.grid, settings.kernel, **settings.kwargs())
    return cc.to_compact(trace, digits=9)


@st.cache_data(max_entries=64, show_spinner=False)
def as_convolution(settings: TransposeSettings) -> tuple[list, list, list, tuple]:
    """Zero-inserted input, padded input, flipped kernel and pads (plain lists, cached)."""
    tac = cc.transpose_as_convolution(settings.grid, settings.kernel, **settings.kwargs())
    return (
        tac.zero_inserted.tolist(),
        tac.padded_input.tolist(),
        tac.kernel.tolist(),
        tuple(tuple(int(v) for v in p) for p in tac.pad),
    )
