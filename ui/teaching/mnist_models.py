"""The MNIST page's shared read-only data: the split, the shipped TinyVGG, its explanations.

Loaded once per server process and shared by every session (no Streamlit here). The pure
builders the page draws from: each layer's row of the overview, a convolution map taken
apart (each input map with its own kernel, the intermediate maps, their sum plus the bias),
the output window stepped through, and the training digits and patches that excite each
filter of the first and second block most.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

import conv_core as cc
from conv_core import tinyvgg as tv
from conv_core.mnist import MnistSplit, load_mnist
from conv_core.networks import NetworkSummary, network_summary

__all__ = [
    "BLOCK_LAYERS",
    "MAP_LAYERS",
    "ConvParts",
    "FilterExamples",
    "Shipped",
    "conv_parts",
    "data",
    "layer_shape",
    "output_window",
    "shipped",
    "top_examples",
]

#: The layers of the overview drawn as rows of maps, in order.
MAP_LAYERS: tuple[str, ...] = tuple(
    n for n in tv.LAYER_NAMES if n not in ("flatten", "output", "softmax")
)
#: Each block's last ReLU: whose filters the "early and deep features" section shows.
BLOCK_LAYERS: dict[int, str] = {1: "relu_1_2", 2: "relu_2_2"}


@dataclass(frozen=True)
class Shipped:
    """The shipped network with what the page says about it."""

    model: tv.TinyVGG
    meta: dict[str, Any]
    summary: NetworkSummary
    test_accuracy: float
    right: int


@functools.cache
def data() -> MnistSplit:
    """The 4,000 + 1,000 split (seed 0)."""
    return load_mnist()


@functools.cache
def shipped() -> Shipped:
    """The weights in assets/models/tinyvgg_mnist.npz, their accuracy measured here."""
    model = tv.load_tinyvgg()
    split = data()
    acc = tv.accuracy(model, split.test_images, split.test_labels)
    summary = network_summary(tv.tinyvgg_layers(model.n_filters))
    return Shipped(model, tv.load_tinyvgg_meta(), summary, acc, round(acc * len(split.test_labels)))


def layer_shape(summary: NetworkSummary, name: str) -> str:
    """A layer's output shape as the calculator gives it: ``'26×26×10'``, ``'160'``."""
    return "×".join(str(v) for v in summary[name].output_shape)


@dataclass(frozen=True)
class ConvParts:
    """One convolution map taken apart.

    ``inputs[k]`` correlated with ``kernels[k]`` ('valid') is ``partials[k]``; the sum of
    the partials plus ``bias`` is ``output`` (conv_core's forward map).
    """

    inputs: list[np.ndarray]
    kernels: list[np.ndarray]
    partials: list[np.ndarray]
    bias: float
    output: np.ndarray


def conv_parts(model: tv.TinyVGG, fwd: tv.TinyVGGForward, layer: str, f: int) -> ConvParts:
    """Map ``f`` of convolution ``layer``: its input maps, kernels and partial maps.

    >>> model = tv.init_tinyvgg(2)
    >>> fwd = tv.forward(model, np.full((28, 28), 100))
    >>> parts = conv_parts(model, fwd, "conv_1_2", 1)
    >>> len(parts.partials), bool(np.allclose(sum(parts.partials) + parts.bias,
    ...                                       fwd.layers["conv_1_2"][1]))
    (2, True)
    """
    i = tv.CONV_LAYERS.index(layer)
    names = list(tv.LAYER_NAMES)
    x = fwd.layers[names[names.index(layer) - 1]]
    w = model.conv_weights[i][f]
    partials = [np.asarray(cc.correlate2d(x[k], w[k]), dtype=np.float64) for k in range(len(x))]
    return ConvParts(
        list(x), list(w), partials, float(model.conv_biases[i][f]), fwd.layers[layer][f]
    )


def output_window(
    out_hw: tuple[int, int], row: int, col: int, size: int = 6
) -> tuple[int, int, int, int]:
    """The ``size`` x ``size`` block of output cells around ``(row, col)`` to step through.

    Returns ``(top, left, height, width)``, inside the map, holding ``(row, col)``.

    >>> output_window((24, 24), 0, 23), output_window((4, 4), 2, 1)
    ((0, 18, 6, 6), (0, 0, 4, 4))
    """
    h, w = out_hw
    bh, bw = min(size, h), min(size, w)
    top = min(max(0, row - bh // 2), h - bh)
    left = min(max(0, col - bw // 2), w - bw)
    return top, left, bh, bw


@dataclass(frozen=True)
class FilterExamples:
    """The training digits that excite one filter most.

    Attributes
    ----------
    indices : list of int
        Rows of the training split, strongest first (one place per digit: its maximum).
    values : list of float
        The filter's largest ReLU output on each.
    boxes : list of (top, left, height, width)
        That unit's receptive field in the 28x28 digit (clipped to the digit).
    patches : list of ndarray
        The digit inside the box.
    """

    indices: list[int]
    values: list[float]
    boxes: list[tuple[int, int, int, int]]
    patches: list[np.ndarray]


@functools.cache
def top_examples(layer: str, k: int = 6) -> tuple[FilterExamples, ...]:
    """For each filter of ``layer``, the ``k`` training digits it answers most strongly.

    Runs the 4,000 training digits through the shipped network in batches of 500 (a few
    seconds, once per server process). The receptive field comes from the calculator
    (``network_summary``): unit ``(r, c)`` sees rows ``start + r*jump`` .. ``+ size - 1``.
    """
    net = shipped()
    split = data()
    images = np.asarray(split.train_images)
    best: list[np.ndarray] = []
    where: list[np.ndarray] = []
    for start in range(0, len(images), 500):
        acts = tv.forward_batch(net.model, images[start : start + 500])[layer]
        n, f, h, w = acts.shape
        flat = acts.reshape(n, f, h * w)
        best.append(flat.max(axis=2))
        where.append(flat.argmax(axis=2))
    values, places = np.concatenate(best), np.concatenate(where)
    out_w = net.summary[layer].output_shape[1]
    rf = net.summary[layer].receptive_field
    result = []
    for filt in range(values.shape[1]):
        order = np.argsort(-values[:, filt], kind="stable")[:k]
        boxes, patches = [], []
        for i in order:
            r, c = divmod(int(places[i, filt]), out_w)
            top, left = rf.start[0] + r * rf.jump[0], rf.start[1] + c * rf.jump[1]
            t0, l0 = max(0, top), max(0, left)
            t1, l1 = min(28, top + rf.size[0]), min(28, left + rf.size[1])
            boxes.append((t0, l0, t1 - t0, l1 - l0))
            patches.append(np.asarray(images[i, t0:t1, l0:l1], dtype=np.float64))
        result.append(
            FilterExamples(
                [int(i) for i in order], [float(values[i, filt]) for i in order], boxes, patches
            )
        )
    return tuple(result)
