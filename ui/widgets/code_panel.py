"""The "Show code" panel: PyTorch, NumPy/SciPy and TensorFlow code for the settings on screen.

The snippets come from :mod:`ui.teaching.code_snippets` (pure, tested by running them); this module
only lays them out (an expander with three tabs, ``st.code`` with its copy button and a
one-line note of what each prints) and turns a page's settings into a
:class:`~ui.teaching.code_snippets.SnippetConfig`:

- :func:`studio_config`: the studio's trace settings (``ui.teaching.traces.TraceSettings``).
- :func:`lab_config`: the lab's first filter on its preview (loaded from a file name).
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
    "lab_config",
    "pool_config",
    "shape_config",
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


def lab_config(image: np.ndarray, kernel: np.ndarray, bias: float, color: str, conv: Any) -> (
    SnippetConfig | None
):  # fmt: skip
    """The lab's first filter on its preview ``image`` ((H, W) grey or (H, W, 3)): a 2D
    correlation in grey, conv2d over R, G, B in the CNN mode; None in the photo mode."""
    common = {
        "bias": float(bias),
        "padding": _padding(conv.padding),
        "padding_mode": conv.padding_mode,
        "stride": tuple(conv.stride),
        "dilation": tuple(conv.dilation),
        "image_file": IMAGE_FILE,
    }
    if color == "gray":
        return SnippetConfig(image, np.asarray(kernel, dtype=float), op="correlate", **common)
    if color == "cnn":
        k = np.asarray(kernel, dtype=float)
        if k.ndim == 2:  # one kernel for every channel
            k = np.broadcast_to(k, (3, *k.shape))
        return SnippetConfig(image.transpose(2, 0, 1), np.array(k), op="conv2d", **common)
    return None


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


def show_code(config: SnippetConfig, *, key: str) -> None:
    """A "Show code" expander with the three snippets (tabs), each with what it prints."""
    expander = _panel(key)
    if expander is None:
        return
    try:
        codes = snippets(config)
        oh, ow = config.output_shape()
    except cc.ArgumentError:
        return  # the page already shows why these settings give no output
    if config.shape_only:
        what = "shape"
    elif config.image_file is not None:
        what = "image"
    else:
        what = "values"
    h, w = config.xa.shape[-2:]
    with expander:
        st.caption(t("code.intro"))
        if what == "image":
            st.caption(t("code.image_file", file=IMAGE_FILE, w=w, h=h))
        tabs = st.tabs([t(f"code.tabs.{lib}") for lib in LIBS], key=f"{key}.tabs")
        for lib, tab in zip(LIBS, tabs, strict=True):
            with tab:
                st.caption(
                    t(f"code.prints.{what}", oh=oh, ow=ow, corner=CORNER)
                    + " "
                    + t(f"code.checked.{lib}")
                )
                st.code(codes[lib], language="python")


def show_studio_code(settings: Any, *, key: str) -> None:
    """The studio's panel for its current trace settings."""
    show_code(studio_config(settings), key=key)


def show_lab_code(image: np.ndarray, kernel: np.ndarray, bias: float, color: str, conv: Any,
                  *, key: str) -> None:  # fmt: skip
    """The lab's panel for its first filter (grey and CNN modes; a note in the photo mode)."""
    config = lab_config(image, kernel, bias, color, conv)
    if config is None:
        expander = _panel(key)
        if expander is not None:
            expander.caption(t("code.photo_mode"))
        return
    show_code(config, key=key)


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
