"""Traces for the browser stepper, computed once per configuration and cached (one cache).

A page describes what it steps through by a small hashable settings tuple (a cache key):
:class:`TraceSettings` for a 2D correlation, convolution or one-filter layer,
:class:`PoolSettings` for max or average pooling, :class:`TransposeSettings` for a
transposed convolution's scatter view. Each has a ``trace()`` method that asks conv_core;
:func:`compact_trace` turns any of them into the stepper's JSON, cached. The two other
cached functions serve results the pooling and the transposed-convolution pages draw
beside the stepper.

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

    def trace(self) -> cc.TransposedTrace:
        """The scatter view's trace: each input value times the kernel, added into place."""
        return cc.trace_conv_transpose2d(self.grid, self.kernel, **self.kwargs())


#: Any configuration :func:`compact_trace` accepts.
Settings = TraceSettings | PoolSettings | TransposeSettings


def compact_trace(settings: Settings) -> dict[str, Any]:
    """conv_core's trace of one configuration, as the stepper's JSON (cached per settings)."""
    # The kind is part of the key: two settings types could hold equal fields.
    return _compact(type(settings).__name__, settings)


@st.cache_data(max_entries=64, show_spinner=False)
def _compact(kind: str, settings: Settings) -> dict[str, Any]:
    # 9 significant digits: the browser's arithmetic then matches format_step's 3 decimals
    # for values in the thousands too (the default 6 would round 1234.568 to 1234.57).
    return cc.to_compact(settings.trace(), digits=9)


@st.cache_data(max_entries=64, show_spinner=False)
def pooled(settings: PoolSettings) -> np.ndarray:
    """``conv_core.pool2d`` of one configuration (cached)."""
    return np.asarray(cc.pool2d(settings.grid, **settings.kwargs()))


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
