"""A student's own small network, built as layer records (the Network page), trained on MNIST.

A plain stack (each layer reads the one above) of the layers TinyVGG is made of, with a few
more choices: :class:`~conv_core.networks.Conv2d` with any kernel size and padding (stride,
dilation and groups 1) and an optional ReLU, :class:`~conv_core.networks.Activation`
``'relu'``, :class:`~conv_core.networks.MaxPool2d` and
:class:`~conv_core.networks.AvgPool2d` with stride equal to the kernel and no padding,
:class:`~conv_core.networks.Flatten`, :class:`~conv_core.networks.Dense` with an
optional ReLU, :class:`~conv_core.networks.Dropout` (kept as the identity: this trainer has
no dropout), and ``softmax`` as the very last layer. The input is 28x28x1, or 32x32x1 for a
LeNet-5 (the digit zero-padded by 2 on every side, as LeNet-5 read its digits), and the last
Dense layer has 10 units. Anything else is refused by :func:`build_stack` with a message naming
the layer.

Shapes and the padding of each layer come from :func:`conv_core.networks.network_summary`;
the numbers from the same layers as :mod:`conv_core.tinyvgg` (``conv2d`` in conv_core.nn's
batched layout, ``pool2d``, max pooling's and the convolution's gradients).

Examples
--------
>>> from conv_core.networks import Conv2d, Dense, Flatten, Input, MaxPool2d
>>> net = build_stack([Input((28, 28, 1)), Conv2d(4, 5, padding="same", activation="relu"),
...                    MaxPool2d(4), Flatten(), Dense(10)])
>>> net.summary.trainable, forward_stack(net, np.zeros((28, 28)))["conv2d"].shape
(2074, (4, 28, 28))
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import check_int
from .errors import ArgumentError, register_messages
from .mnist import MNIST_SIDE, MnistSplit
from .networks import (
    Activation,
    AvgPool2d,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    Input,
    Layer,
    MaxPool2d,
    NetworkSummary,
    named_layers,
    network_summary,
)
from .nn import _conv_forward, _max_pool_backward, cross_entropy, softmax
from .pooling import pool2d
from .tinyvgg import _check_image, _check_images, _conv_grads

__all__ = [
    "MAX_MACS",
    "MAX_PARAMS",
    "StackNet",
    "StackProgress",
    "build_stack",
    "forward_stack",
    "stack_accuracy",
    "stack_gradients",
    "train_stack",
]

#: The input sides a stack may read: the digit as it is, or padded to LeNet-5's 32x32.
INPUT_SIDES = (MNIST_SIDE, 32)
#: Limits that keep an epoch on the 4,000 training digits within about a minute here.
MAX_PARAMS = 100_000
MAX_MACS = 4_000_000

register_messages(
    {
        "stack_input": (
            "the network must start with an Input of shape (28, 28, 1) (or (32, 32, 1): the "
            "digit padded for LeNet-5), but got {value}"
        ),
        "stack_layer": "layer {id} ({kind}) cannot be trained here: {reason}",
        "stack_output": "the last Dense layer must have 10 units (one per digit), but got {value}",
        "stack_too_big": (
            "the network has {params:,} parameters and {macs:,} multiply-adds per digit; "
            "training here allows at most {max_params:,} and {max_macs:,}"
        ),
    }
)

_ONE = (1, 1)


@dataclass
class StackNet:
    """A checked stack and its weights.

    Attributes
    ----------
    layers : tuple of Layer
        Named (every layer has its id), the Input first.
    summary : NetworkSummary
    weights : dict of id -> [weight, bias]
        Conv2d: ``(F, C, KH, KW)`` and ``(F,)`` (bias zeros and untrained when the layer has
        none); Dense: ``(units, in_features)`` and ``(units,)``.
    """

    layers: tuple[Layer, ...]
    summary: NetworkSummary
    weights: dict[str, list[npt.NDArray[np.float64]]]

    def arrays(self) -> list[npt.NDArray[np.float64]]:
        return [a for pair in self.weights.values() for a in pair]

    def copy(self) -> StackNet:
        return StackNet(
            self.layers,
            self.summary,
            {k: [np.array(a) for a in v] for k, v in self.weights.items()},
        )


def _refuse(layer: Layer, reason: str) -> ArgumentError:
    return ArgumentError("stack_layer", id=layer.id, kind=layer.label, reason=reason)


def build_stack(layers: Sequence[Layer], seed: int = 0) -> StackNet:
    """Check a stack for training here and give it He-initialised weights.

    Parameters
    ----------
    layers : sequence of Layer
        As :func:`conv_core.networks.records_to_network` returns them.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the initial weights.

    Raises
    ------
    ArgumentError
        A layer this trainer does not support (named, with the reason), a graph that is not
        a plain stack, an input other than 28x28x1, a last Dense layer without 10 units, or
        a network too big to train here (:data:`MAX_PARAMS`, :data:`MAX_MACS`).
    """
    named = named_layers(list(layers))
    if (
        not named
        or not isinstance(named[0], Input)
        or named[0].shape not in [(side, side, 1) for side in INPUT_SIDES]
    ):
        raise ArgumentError(
            "stack_input", value=getattr(named[0], "shape", None) if named else None
        )
    summary = network_summary(named)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    weights: dict[str, list[npt.NDArray[np.float64]]] = {}
    last_dense = None
    for i, layer in enumerate(named[1:], start=1):
        if layer.inputs != (named[i - 1].id,):
            raise _refuse(layer, "it must read the layer just above it (a plain stack)")
        info = summary[layer.id]
        if isinstance(layer, Conv2d):
            if layer.stride != _ONE or layer.dilation != _ONE or layer.groups != 1:
                raise _refuse(layer, "only stride 1, dilation 1 and groups 1")
            if layer.activation not in (None, "relu"):
                raise _refuse(layer, "its activation must be relu or none")
            c_in = info.input_shapes[0][2]
            kh, kw = layer.kernel_size
            fan = c_in * kh * kw
            weights[layer.id] = [
                rng.normal(0.0, math.sqrt(2.0 / fan), (layer.out_channels, c_in, kh, kw)),
                np.zeros(layer.out_channels),
            ]
        elif isinstance(layer, (MaxPool2d, AvgPool2d)):
            if layer.stride != layer.kernel_size or info.padding != ((0, 0), (0, 0)):
                raise _refuse(layer, "only a stride equal to the kernel and no padding")
            if isinstance(layer, AvgPool2d) and any(
                n % k for n, k in zip(info.input_shapes[0][:2], layer.kernel_size, strict=True)
            ):
                raise _refuse(layer, "average pooling here needs a kernel that divides the map")
        elif isinstance(layer, Dense):
            is_last = i == len(named) - 1 or (
                i == len(named) - 2
                and isinstance(named[-1], Activation)
                and named[-1].function == "softmax"
            )
            if layer.activation not in (None, "relu") and not (
                layer.activation == "softmax" and i == len(named) - 1
            ):
                raise _refuse(layer, "its activation must be relu or none (softmax only last)")
            fan = info.input_shapes[0][0]
            weights[layer.id] = [
                rng.normal(0.0, math.sqrt((1.0 if is_last else 2.0) / fan), (layer.units, fan)),
                np.zeros(layer.units),
            ]
            last_dense = layer
        elif isinstance(layer, Activation):
            if layer.function == "softmax" and i == len(named) - 1:
                continue
            if layer.function != "relu":
                raise _refuse(layer, "only relu (and softmax as the last layer)")
        elif not isinstance(layer, (Flatten, Dropout)):
            raise _refuse(
                layer, "not one of Conv2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Dense, Dropout"
            )
    if last_dense is None or last_dense.units != 10 or summary.output_shape != (10,):
        raise ArgumentError("stack_output", value=summary.output_shape)
    if summary.trainable > MAX_PARAMS or summary.macs > MAX_MACS:
        raise ArgumentError(
            "stack_too_big",
            params=summary.trainable,
            macs=summary.macs,
            max_params=MAX_PARAMS,
            max_macs=MAX_MACS,
        )
    return StackNet(tuple(named), summary, weights)


def _run(net: StackNet, images: npt.NDArray[Any], keep: bool) -> tuple[list[Any], Any]:
    """The forward pass of a batch: per layer ``(kind, input, pre-activation or indices)``."""
    n = len(images)
    a = np.asarray(images, dtype=np.float64)[:, None] / 255.0
    side = net.layers[0].shape[0]
    if side != a.shape[-1]:  # LeNet-5's 32x32: the 28x28 digit with a border of zeros
        pad = (side - a.shape[-1]) // 2
        a = np.pad(a, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    tape: list[Any] = []
    outputs: dict[str, Any] = {}
    for layer in net.layers[1:]:
        x = a
        if isinstance(layer, Conv2d):
            w, b = net.weights[layer.id]
            pads = net.summary[layer.id].padding
            z = _conv_forward(x, w, b, pads, _ONE)
            a = np.maximum(z, 0.0) if layer.activation == "relu" else z
            tape.append(("conv", layer, x, z))
        elif isinstance(layer, MaxPool2d):
            k = layer.kernel_size
            c, h, w_ = x.shape[1:]
            pooled, idx = pool2d(x.reshape(n * c, h, w_), k, return_indices=True)
            a = np.asarray(pooled, dtype=np.float64).reshape(n, c, *np.shape(pooled)[1:])
            tape.append(("pool", layer, x, idx))
        elif isinstance(layer, AvgPool2d):
            kh, kw = layer.kernel_size
            c, h, w_ = x.shape[1:]
            a = x.reshape(n, c, h // kh, kh, w_ // kw, kw).mean(axis=(3, 5))
            tape.append(("avgpool", layer, x, None))
        elif isinstance(layer, Flatten):
            a = x.reshape(n, -1)
            tape.append(("flatten", layer, x, None))
        elif isinstance(layer, Dense):
            w, b = net.weights[layer.id]
            z = x @ w.T + b
            a = np.maximum(z, 0.0) if layer.activation == "relu" else z
            tape.append(("dense", layer, x, z))
        elif isinstance(layer, Activation) and layer.function == "relu":
            a = np.maximum(x, 0.0)
            tape.append(("relu", layer, x, None))
        else:  # Dropout (identity) or the final softmax (in the loss)
            tape.append(("identity", layer, x, None))
        if keep:
            outputs[layer.id] = softmax(a) if getattr(layer, "function", "") == "softmax" else a
    return tape, (a, outputs)


def forward_stack(net: StackNet, image: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
    """Every layer's output for one 28x28 digit: id -> ``(C, H, W)`` map or vector.

    A Dense layer with ``activation='softmax'`` or a final softmax layer gives probabilities;
    ``'scores'`` and ``'probs'`` are added (the last Dense layer's output and its softmax).
    """
    x = _check_image(image)[None]
    _, (scores, outputs) = _run(net, x, keep=True)
    result = {k: v[0] for k, v in outputs.items()}
    result["scores"] = scores[0]
    result["probs"] = softmax(scores[0])
    return result


def stack_accuracy(net: StackNet, images: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """The share of ``images`` classified as their label (batches of 200)."""
    imgs = _check_images(images)
    right = 0
    for i in range(0, len(imgs), 200):
        _, (scores, _) = _run(net, imgs[i : i + 200], keep=False)
        right += int(np.sum(np.argmax(scores, axis=1) == np.asarray(labels)[i : i + 200]))
    return right / len(imgs)


def stack_gradients(
    net: StackNet, images: npt.ArrayLike, labels: npt.ArrayLike
) -> tuple[float, dict[str, list[npt.NDArray[np.float64]]]]:
    """Mean cross-entropy over a batch and its gradient for every weight (same keys as
    ``net.weights``)."""
    imgs = _check_images(images)
    tape, (scores, _) = _run(net, imgs, keep=False)
    loss, g = cross_entropy(scores, np.asarray(labels))
    grads: dict[str, list[npt.NDArray[np.float64]]] = {}
    for kind, layer, x, extra in reversed(tape):
        if kind == "dense":
            if layer.activation == "relu":
                g = np.where(extra > 0, g, 0.0)
            w = net.weights[layer.id][0]
            grads[layer.id] = [g.T @ x, g.sum(axis=0)]
            g = g @ w
        elif kind == "conv":
            if layer.activation == "relu":
                g = np.where(extra > 0, g, 0.0)
            (top, bottom), (left, right) = net.summary[layer.id].padding
            xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
            gx, gw, gb = _conv_grads(xp, net.weights[layer.id][0], g)
            grads[layer.id] = [gw, gb]
            assert gx is not None
            g = gx[:, :, top : top + x.shape[2], left : left + x.shape[3]]
        elif kind == "pool":
            n, c, h, w_ = x.shape
            g = _max_pool_backward(g.reshape(n * c, *g.shape[2:]), extra, (n * c, h, w_)).reshape(
                x.shape
            )
        elif kind == "avgpool":
            kh, kw = layer.kernel_size
            # each input cell got 1/(kh*kw) of its window's mean
            g = np.repeat(np.repeat(g, kh, axis=2), kw, axis=3) / (kh * kw)
        elif kind == "flatten":
            g = g.reshape(x.shape)
        elif kind == "relu":
            g = np.where(x > 0, g, 0.0)
    return loss, {k: grads[k] for k in net.weights}


@dataclass(frozen=True)
class StackProgress:
    """Where :func:`train_stack` is: after each batch; accuracies at the end of an epoch."""

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    test_accuracy: float | None
    seconds: float


def train_stack(
    net: StackNet,
    data: MnistSplit,
    *,
    epochs: int = 2,
    lr: float = 0.005,
    batch_size: int = 32,
    seed: int = 0,
    report_every: int = 10,
) -> Iterator[tuple[StackNet, StackProgress]]:
    """Train a copy of ``net`` by mini-batch Adam (as :func:`conv_core.tinyvgg.train_tinyvgg`,
    without shifts): yield a report every ``report_every`` batches and at each epoch's end
    (with the test accuracy and a copy of the weights)."""
    epochs = check_int(epochs, "epochs", minimum=1)
    work = net.copy()
    params = work.arrays()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    x_train, y_train = np.asarray(data.train_images), np.asarray(data.train_labels)
    n = len(x_train)
    batches = math.ceil(n / batch_size)
    total, step = epochs * batches, 0
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        loss_sum, seen = 0.0, 0
        for b in range(batches):
            pick = order[b * batch_size : (b + 1) * batch_size]
            loss, grads = stack_gradients(work, x_train[pick], y_train[pick])
            rate = lr * (1 + math.cos(math.pi * step / total)) / 2
            step += 1
            flat = [a for pair in grads.values() for a in pair]
            for p, mm, vv, gg in zip(params, m, v, flat, strict=True):
                mm *= 0.9
                mm += 0.1 * gg
                vv *= 0.999
                vv += 0.001 * gg * gg
                p -= rate * (mm / (1 - 0.9**step)) / (np.sqrt(vv / (1 - 0.999**step)) + 1e-8)
            loss_sum += loss * len(pick)
            seen += len(pick)
            end = b == batches - 1
            if end or (b + 1) % report_every == 0:
                acc = stack_accuracy(work, data.test_images, data.test_labels) if end else None
                yield (
                    work.copy() if end else work,
                    StackProgress(
                        epoch,
                        epochs,
                        b + 1,
                        batches,
                        loss_sum / seen,
                        acc,
                        time.perf_counter() - started,
                    ),
                )
