"""Traces for the browser stepper, computed once per configuration and cached.

The cached functions live here, in a module imported once per server process, rather
than in a page script (which Streamlit runs anew on every rerun, re-wrapping whatever it
defines). Streamlit is used for ``st.cache_data`` only.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

import conv_core as cc


class TraceSettings(NamedTuple):
    """One configuration of a 2D correlation or convolution, hashable (a cache key).

    Grid and kernel travel as JSON text so the key is cheap to hash and compare.

    >>> s = TraceSettings("[[1, 2], [3, 4]]", "[[1, 0], [0, 1]]", 0.0, "correlate", 0,
    ...                   "zeros", (1, 1), (1, 1))
    >>> s.trace().output.tolist()
    [[5]]
    """

    grid_json: str
    kernel_json: str
    bias: float
    op: str
    padding: Any
    mode: str
    stride: tuple[int, int]
    dilation: tuple[int, int]

    def trace(self) -> cc.ConvTrace:
        """conv_core's trace of this configuration.

        ``op`` is ``'correlate'`` or ``'convolve'`` for a 2D grid and kernel, or
        ``'conv2d'`` for a ``(C, H, W)`` input and one ``(C, KH, KW)`` filter (a layer
        with one output channel: the per-channel sums, then the bias).
        """
        bias = int(self.bias) if float(self.bias).is_integer() else self.bias
        if self.op == "conv2d":
            weight = np.asarray(json.loads(self.kernel_json))
            return cc.trace_conv2d(
                np.asarray(json.loads(self.grid_json)),
                weight[np.newaxis],
                [bias] if bias else None,
                self.stride,
                self.padding,
                self.dilation,
                padding_mode=self.mode,
            )
        trace_fn = cc.trace_correlate2d if self.op == "correlate" else cc.trace_convolve2d
        return trace_fn(
            np.asarray(json.loads(self.grid_json)),
            np.asarray(json.loads(self.kernel_json)),
            self.stride,
            self.padding,
            self.dilation,
            self.mode,
            bias=bias or None,
        )


@st.cache_data(max_entries=64, show_spinner=False)
def compact_trace(settings: TraceSettings) -> dict[str, Any]:
    """conv_core's trace of one configuration, as the stepper's JSON (cached per settings)."""
    # 9 significant digits: the browser's arithmetic then matches format_step's 3 decimals
    # for values in the thousands too (the default 6 would round 1234.568 to 1234.57).
    return cc.to_compact(settings.trace(), digits=9)
