"""The "Show code" panel: PyTorch, NumPy/SciPy and TensorFlow code for the settings on screen.

The snippets come from :mod:`ui.teaching.code_snippets` (pure, tested by running them); this module
only lays them out (an expander with three tabs, ``st.code`` with its copy button and a
one-line note of what each prints) and turns a page's settings into a
:class:`~ui.teaching.code_snippets.SnippetConfig`:

- :func:`studio_config`: the studio's trace settings (``ui.teaching.traces.TraceSettings``).
- :func:`lab_config`: the lab's filters on its preview (loaded from a file name): the first
  one in grey, all of one size as one layer of N filters in the CNN mode.
- :func:`channels_config`: the channels page's input and its N filters with their biases.
- :func:`shape_config`: the output-size page's sizes (the snippet prints the shape).
- :func:`pool_config`: the pooling page's settings (``ui.teaching.traces.PoolSettings``),
  snippets from :mod:`ui.teaching.pool_snippets`.

Each page calls one ``show_*`` function.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import streamlit as st

import conv_core as cc
from ui.frame.i18n import t
from ui.teaching.code_snippets import CORNER, SnippetConfig, snippets
from ui.teaching.pool_snippets import PoolConfig, pool_snippets
from ui.widgets.tables import lazy_expander

__all__ = [
    "IMAGE_FILE",
    "channels_config",
    "lab_config",
    "lab_filters",
    "pool_config",
    "shape_config",
    "show_channels_code",
    "show_code",
    "show_lab_code",
    "show_pool_code",
    "show_shape_code",
    "show_studio_code",
    "studio_config",
]

#: The file name the lab's snippet loads its image from (a placeholder the notes explain).
IMAGE_FILE = "image.png"
LIBS = ("torch", "numpy", "tensorflow")


def _padding(spec: Any) -> Any:
    """JSON or a link may hand lists: back to the tuples conv_core takes."""
    if isinstance(spec, list):
        return tuple(tuple(p) if isinstance(p, list) else p for p in spec)
    return spec


def studio_config(settings: Any) -> SnippetConfig:
    """The studio's :class:`ui.teaching.traces.TraceSettings` as a snippet configuration."""
    return SnippetConfig(
        np.asarray(json.loads(settings.grid_json)),
        np.asarray(json.loads(settings.kernel_json)),
        bias=settings.bias,
        op=settings.op,
        padding=_padding(settings.padding),
        padding_mode=settings.mode,
        stride=tuple(settings.stride),
        dilation=tuple(settings.dilation),
    )


def lab_filters(kernels: list[np.ndarray], color: str) -> list[int]:
    """Which of the lab's filters its code covers (indices): the first in grey; in the CNN
    mode every filter of the first one's size (one layer's filters share a size, and filters
    of another size give maps of another size); none in the photo mode."""
    if color == "gray":
        return [0]
    if color == "cnn":
        size = np.shape(kernels[0])[-2:]
        return [i for i, k in enumerate(kernels) if np.shape(k)[-2:] == size]
    return []


def lab_config(image: np.ndarray, kernels: list[np.ndarray], biases: list[float], color: str,
               conv: Any) -> SnippetConfig | None:  # fmt: skip
    """The lab's filters (``kernels``: (KH, KW), or (3, KH, KW) per channel, with their
    ``biases``) on its preview ``image`` ((H, W) grey or (H, W, 3)): the first filter as a 2D
    correlation in grey; in the CNN mode conv2d over R, G, B with every filter
    :func:`lab_filters` keeps, as (N, 3, KH, KW) and N biases when there are several (one
    filter keeps the (3, KH, KW) form); None in the photo mode."""
    common = {
        "padding": _padding(conv.padding),
        "padding_mode": conv.padding_mode,
        "stride": tuple(conv.stride),
        "dilation": tuple(conv.dilation),
        "image_file": IMAGE_FILE,
    }
    if color == "gray":
        k = np.asarray(kernels[0], dtype=float)
        return SnippetConfig(image, k, bias=float(biases[0]), op="correlate", **common)
    if color == "cnn":
        keep = lab_filters(kernels, color)
        weights = []
        for i in keep:
            k = np.asarray(kernels[i], dtype=float)
            if k.ndim == 2:  # one kernel for every channel
                k = np.broadcast_to(k, (3, *k.shape))
            weights.append(np.array(k))
        x = image.transpose(2, 0, 1)
        if len(keep) == 1:
            return SnippetConfig(x, weights[0], bias=float(biases[0]), op="conv2d", **common)
        bias = np.array([float(biases[i]) for i in keep])
        return SnippetConfig(x, np.stack(weights), bias=bias, op="conv2d", **common)
    return None


def channels_config(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> SnippetConfig:
    """The channels page's (C, H, W) input, its (N, C, K, K) filters and N biases (stride 1,
    no padding, as the page computes them)."""
    return SnippetConfig(np.asarray(x), np.asarray(weight), bias=np.asarray(bias), op="conv2d")


def shape_config(input_hw: tuple[int, int], kernel_hw: tuple[int, int], conv: Any) -> (
    SnippetConfig
):  # fmt: skip
    """The output-size page's sizes: zeros of those sizes, printing the output's shape."""
    return SnippetConfig(
        np.zeros(input_hw),
        np.zeros(kernel_hw),
        padding=_padding(conv.padding),
        padding_mode=conv.padding_mode,
        stride=tuple(conv.stride),
        dilation=tuple(conv.dilation),
        shape_only=True,
    )


def _panel(key: str) -> Any:
    """The collapsed "Show code" expander, lazy (``widgets.lazy_expander``): its container
    while open, else None, so the snippets are written only for someone who looks at them."""
    return lazy_expander(t("code.header"), key=key, icon=":material/code:")


def show_code(config: SnippetConfig, *, key: str, note: str = "") -> None:
    """A "Show code" expander with the three snippets (tabs), each with what it prints
    (``note``: a caption of the page's own under the intro)."""
    expander = _panel(key)
    if expander is None:
        return
    try:
        codes = snippets(config)
        oh, ow = config.output_shape()
    except cc.ArgumentError:
        return  # the page already shows why these settings give no output
    n = config.n_filters
    if config.shape_only:
        what = "shape"
    elif config.image_file is not None:
        what = "image_n" if n > 1 else "image"
    else:
        what = "values_n" if n > 1 else "values"
    h, w = config.xa.shape[-2:]
    with expander:
        st.caption(t("code.intro"))
        if config.image_file is not None:
            st.caption(t("code.image_file", file=IMAGE_FILE, w=w, h=h))
        if note:
            st.caption(note)
        tabs = st.tabs([t(f"code.tabs.{lib}") for lib in LIBS], key=f"{key}.tabs")
        for lib, tab in zip(LIBS, tabs, strict=True):
            with tab:
                st.caption(
                    t(f"code.prints.{what}", oh=oh, ow=ow, corner=CORNER, n=n)
                    + " "
                    + t(f"code.checked.{lib}")
                )
                st.code(codes[lib], language="python")


def show_studio_code(settings: Any, *, key: str) -> None:
    """The studio's panel for its current trace settings."""
    show_code(studio_config(settings), key=key)


def show_lab_code(image: np.ndarray, kernels: list[np.ndarray], biases: list[float], color: str,
                  conv: Any, *, key: str) -> None:  # fmt: skip
    """The lab's panel: its first filter in grey, its filters of filter 1's size in the CNN
    mode (saying which it leaves out), a note in the photo mode."""
    config = lab_config(image, kernels, biases, color, conv)
    if config is None:
        expander = _panel(key)
        if expander is not None:
            expander.caption(t("code.photo_mode"))
        return
    note = ""
    if color == "cnn":
        keep = lab_filters(kernels, color)
        left_out = [i + 1 for i in range(len(kernels)) if i not in keep]
        if left_out:
            kh, kw = np.shape(kernels[0])[-2:]
            filters = ", ".join(str(i) for i in left_out)
            note = t("code.lab_left_out", filters=filters, kh=kh, kw=kw)
    show_code(config, key=key, note=note)


def show_channels_code(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, *, key: str) -> None:
    """The channels page's panel: its input through all its filters, with their biases."""
    show_code(channels_config(x, weight, bias), key=key)


def show_shape_code(input_hw: tuple[int, int], kernel_hw: tuple[int, int], conv: Any, *,
                    key: str) -> None:  # fmt: skip
    """The output-size page's panel: code printing the output's shape."""
    show_code(shape_config(input_hw, kernel_hw, conv), key=key)


def pool_config(settings: Any) -> PoolConfig:
    """The pooling page's :class:`ui.teaching.traces.PoolSettings` as a snippet configuration."""
    return PoolConfig(
        np.asarray(json.loads(settings.grid_json)),
        settings.kernel_size,
        settings.stride,
        settings.padding,
        settings.method,
        settings.ceil_mode,
        settings.count_include_pad,
    )


def show_pool_code(settings: Any, *, key: str) -> None:
    """The pooling page's panel: NumPy, PyTorch and TensorFlow/Keras code printing its output."""
    expander = _panel(key)
    if expander is None:
        return
    config = pool_config(settings)
    try:
        codes = pool_snippets(config)
        oh, ow = config.output_shape()
    except cc.ArgumentError:
        return  # the page already shows why these settings give no output
    with expander:
        st.caption(t("pooling.code.intro"))
        tabs = st.tabs([t(f"pooling.code.tabs.{lib}") for lib in LIBS], key=f"{key}.tabs")
        for lib, tab in zip(LIBS, tabs, strict=True):
            with tab:
                st.caption(
                    t("code.prints.values", oh=oh, ow=ow) + " " + t(f"pooling.code.checked.{lib}")
                )
                st.code(codes[lib], language="python")
