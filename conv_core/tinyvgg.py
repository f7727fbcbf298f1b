"""TinyVGG on real 28x28 MNIST: the network CNN Explainer shows, forward and backward on conv_core.

CNN Explainer's TinyVGG (Wang et al., 2020) has two blocks of two 3x3 convolutions and a
2x2 max pool, then a dense layer and softmax. Sized here for 28x28x1 digits, with F filters
per convolution (10 in CNN Explainer), every convolution 'valid' (no padding) and stride 1::

    input            (1, 28, 28)   grey levels / 255
    conv_1_1, relu   (F, 26, 26)   conv_core.conv2d, 3x3
    conv_1_2, relu   (F, 24, 24)
    max_pool_1       (F, 12, 12)   conv_core.pool2d, 2x2 stride 2
    conv_2_1, relu   (F, 10, 10)
    conv_2_2, relu   (F, 8, 8)
    max_pool_2       (F, 4, 4)
    flatten          (16F,)        C order of (F, 4, 4)
    output           (10,)         dense (conv_core.nn.linear)
    softmax          (10,)

The layers' forward and backward passes are conv_core.nn's (the batched convolution
layout, the convolution's gradients through a transposed convolution and a correlation,
max pooling's gradient to each window's winner): this module stacks them deeper and adds
the input gradient of the inner convolutions. :func:`tinyvgg_layers` describes the same
network to :func:`conv_core.networks.network_summary` (shapes, parameters, receptive
fields), so a page reads its numbers from the one calculator.

References
----------
Z. J. Wang et al., "CNN Explainer: learning convolutional neural networks with interactive
visualization", IEEE TVCG 27(2), 2020.
D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import check_array, check_int
from .conv import conv2d
from .errors import ArgumentError, register_messages
from .mnist import MNIST_SIDE, MnistSplit
from .networks import Activation, Conv2d, Dense, Flatten, Input, Layer, MaxPool2d
from .nn import _conv_forward, _max_pool_backward, cross_entropy, softmax
from .pooling import pool2d

__all__ = [
    "CONV_LAYERS",
    "LAYER_NAMES",
    "TINYVGG_WEIGHTS_PATH",
    "TinyVGG",
    "TinyVGGForward",
    "TinyVGGProgress",
    "accuracy",
    "forward",
    "forward_batch",
    "gradients",
    "init_tinyvgg",
    "load_tinyvgg",
    "load_tinyvgg_meta",
    "predict_proba",
    "save_tinyvgg",
    "tinyvgg_layers",
    "train_tinyvgg",
]

register_messages(
    {
        "tinyvgg_image": (
            "image must be a 28x28 array of grey levels 0..255, but got an array of shape {shape}"
        ),
        "tinyvgg_weights_file": "{path} is not a TinyVGG weights file: {reason}",
    }
)

#: The shipped weights (scripts/train_tinyvgg.py).
TINYVGG_WEIGHTS_PATH = (
    Path(__file__).resolve().parents[1] / "assets" / "models" / "tinyvgg_mnist.npz"
)
#: The four convolutions, in order (each followed by a ReLU of the same suffix).
CONV_LAYERS = ("conv_1_1", "conv_1_2", "conv_2_1", "conv_2_2")
#: Every layer :func:`forward` returns, in order (CNN Explainer's names).
LAYER_NAMES = (
    "input",
    "conv_1_1",
    "relu_1_1",
    "conv_1_2",
    "relu_1_2",
    "max_pool_1",
    "conv_2_1",
    "relu_2_1",
    "conv_2_2",
    "relu_2_2",
    "max_pool_2",
    "flatten",
    "output",
    "softmax",
)
_CLASSES = 10
_POOLED = 4  # 28 -> 26 -> 24 -> 12 -> 10 -> 8 -> 4
_NO_PAD = ((0, 0), (0, 0))
_ONE = (1, 1)
_NAMES = (*(f"{c}_{p}" for c in CONV_LAYERS for p in ("weight", "bias")), "fc_weight", "fc_bias")


@dataclass
class TinyVGG:
    """TinyVGG's weights: four 3x3 convolutions of F filters and a dense layer.

    Attributes
    ----------
    conv_weights : list of 4 ndarrays of shape (F, C_in, 3, 3), float64
        ``C_in`` is 1 for conv_1_1 and F for the others.
    conv_biases : list of 4 ndarrays of shape (F,), float64
    fc_weight : ndarray of shape (10, 16F), float64
        Column ``f*16 + r*4 + c`` reads max_pool_2's map ``f`` at ``(r, c)``.
    fc_bias : ndarray of shape (10,), float64
    """

    conv_weights: list[npt.NDArray[np.float64]]
    conv_biases: list[npt.NDArray[np.float64]]
    fc_weight: npt.NDArray[np.float64]
    fc_bias: npt.NDArray[np.float64]

    @property
    def n_filters(self) -> int:
        """F, the filters of every convolution."""
        return int(self.conv_weights[0].shape[0])

    def arrays(self) -> list[npt.NDArray[np.float64]]:
        """Every parameter array, in the order conv_1_1 weight, bias, ..., fc weight, bias."""
        out: list[npt.NDArray[np.float64]] = []
        for w, b in zip(self.conv_weights, self.conv_biases, strict=True):
            out += [w, b]
        return [*out, self.fc_weight, self.fc_bias]

    @classmethod
    def from_arrays(cls, arrays: list[npt.NDArray[Any]]) -> TinyVGG:
        """The inverse of :meth:`arrays`."""
        a = [np.asarray(x, dtype=np.float64) for x in arrays]
        return cls(a[0:8:2], a[1:8:2], a[8], a[9])

    def copy(self) -> TinyVGG:
        """An independent copy (no array shared)."""
        return TinyVGG.from_arrays([np.array(a) for a in self.arrays()])

    @property
    def n_params(self) -> int:
        """Every weight and bias."""
        return sum(int(a.size) for a in self.arrays())


def tinyvgg_layers(n_filters: int = 10) -> tuple[Layer, ...]:
    """The network as :mod:`conv_core.networks` records (for shapes, parameters, fields).

    Examples
    --------
    >>> from conv_core.networks import network_summary
    >>> s = network_summary(tinyvgg_layers(10))
    >>> s["max_pool_2"].output_shape, s["flatten"].output_shape, s.trainable
    ((4, 4, 10), (160,), 4440)
    >>> s["relu_1_2"].receptive_field.size, s["relu_2_2"].receptive_field.size
    ((5, 5), (14, 14))
    """
    f = check_int(n_filters, "n_filters", minimum=1)
    layers: list[Layer] = [Input((MNIST_SIDE, MNIST_SIDE, 1))]
    for block in (1, 2):
        for conv in (1, 2):
            layers.append(Conv2d(f, 3, id=f"conv_{block}_{conv}"))
            layers.append(Activation("relu", id=f"relu_{block}_{conv}"))
        layers.append(MaxPool2d(2, id=f"max_pool_{block}"))
    layers += [
        Flatten(id="flatten"),
        Dense(_CLASSES, id="output"),
        Activation("softmax", id="softmax"),
    ]
    return tuple(layers)


def init_tinyvgg(n_filters: int = 10, seed: int = 0) -> TinyVGG:
    """Random initial weights: He-normal, biases 0 (``numpy.random.default_rng(seed)``).

    Examples
    --------
    >>> model = init_tinyvgg(4, seed=0)
    >>> [w.shape for w in model.conv_weights[:2]], model.fc_weight.shape, model.n_params
    ([(4, 1, 3, 3), (4, 4, 3, 3)], (10, 64), 1134)
    """
    f = check_int(n_filters, "n_filters", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    weights, biases = [], []
    for i in range(4):
        c_in = 1 if i == 0 else f
        weights.append(rng.normal(0.0, math.sqrt(2.0 / (9 * c_in)), (f, c_in, 3, 3)))
        biases.append(np.zeros(f))
    fan = f * _POOLED * _POOLED
    return TinyVGG(weights, biases, rng.normal(0.0, math.sqrt(1.0 / fan), (10, fan)), np.zeros(10))


@dataclass(frozen=True)
class TinyVGGForward:
    """Every layer of one digit's forward pass.

    Attributes
    ----------
    layers : dict of name -> ndarray
        In :data:`LAYER_NAMES` order: 'input' (1, 28, 28) the grey levels / 255; each
        conv and relu (F, H, W); each max pool (F, H/2, W/2); 'flatten' (16F,);
        'output' (10,) the scores; 'softmax' (10,) the probabilities.
    pool_indices : dict of name -> ndarray of shape (F, H', W', 2)
        For each max pool, the ``(row, col)`` in its input of each window's maximum.
    """

    layers: dict[str, npt.NDArray[np.float64]]
    pool_indices: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)

    @property
    def probs(self) -> npt.NDArray[np.float64]:
        return self.layers["softmax"]

    @property
    def prediction(self) -> int:
        return int(np.argmax(self.layers["output"]))


def forward(model: TinyVGG, image: npt.ArrayLike) -> TinyVGGForward:
    """Run one 28x28 digit through TinyVGG, keeping every layer.

    One image at a time with conv_core's public layers: ``conv2d`` (valid, stride 1),
    ``maximum(x, 0)``, ``pool2d(2, return_indices=True)``, a matrix product, ``softmax``.
    :func:`forward_batch` computes the same numbers for many digits at once.

    Parameters
    ----------
    model : TinyVGG
    image : ndarray of shape (28, 28)
        Grey levels 0 (paper) .. 255 (ink), as MNIST's.

    Returns
    -------
    TinyVGGForward

    Raises
    ------
    ArgumentError
        An image of another shape, non-numeric or non-finite.

    Examples
    --------
    >>> out = forward(init_tinyvgg(2), np.zeros((28, 28)))
    >>> [out.layers[n].shape for n in ("conv_1_1", "max_pool_1", "max_pool_2", "flatten")]
    [(2, 26, 26), (2, 12, 12), (2, 4, 4), (32,)]
    >>> round(float(out.probs.sum()), 6)
    1.0
    """
    x = _check_image(image)[None] / 255.0
    layers: dict[str, npt.NDArray[np.float64]] = {"input": x}
    indices: dict[str, npt.NDArray[np.int64]] = {}
    a = x
    for i, name in enumerate(CONV_LAYERS):
        block, conv = name[5], name[7]
        z = np.asarray(conv2d(a, model.conv_weights[i], model.conv_biases[i]), dtype=np.float64)
        a = np.maximum(z, 0.0)
        layers[name], layers[f"relu_{block}_{conv}"] = z, a
        if conv == "2":
            a, idx = pool2d(a, 2, return_indices=True)
            a = np.asarray(a, dtype=np.float64)
            layers[f"max_pool_{block}"], indices[f"max_pool_{block}"] = a, idx
    flat = a.reshape(-1)
    scores = flat @ model.fc_weight.T + model.fc_bias
    layers.update(flatten=flat, output=scores, softmax=softmax(scores))
    return TinyVGGForward(layers, indices)


@dataclass(frozen=True)
class _Cache:
    x: npt.NDArray[np.float64]  # (N, 1, 28, 28)
    pre: list[npt.NDArray[np.float64]]  # each conv's output (N, F, H, W)
    conv_in: list[npt.NDArray[np.float64]]  # each conv's input
    pool_idx: list[npt.NDArray[np.int64]]  # (N*F, H', W', 2) per pool
    flat: npt.NDArray[np.float64]  # (N, 16F)
    scores: npt.NDArray[np.float64]  # (N, 10)


def _forward_cache(model: TinyVGG, images: npt.NDArray[Any]) -> _Cache:
    n, f = len(images), model.n_filters
    x = np.asarray(images, dtype=np.float64)[:, None] / 255.0
    a = x
    pre, conv_in, pool_idx = [], [], []
    for i in range(4):
        conv_in.append(a)
        z = _conv_forward(a, model.conv_weights[i], model.conv_biases[i], _NO_PAD, _ONE)
        pre.append(z)
        a = np.maximum(z, 0.0)
        if i % 2 == 1:
            h, w = a.shape[2:]
            pooled, idx = pool2d(a.reshape(n * f, h, w), 2, return_indices=True)
            pool_idx.append(idx)
            a = np.asarray(pooled, dtype=np.float64).reshape(n, f, h // 2, w // 2)
    flat = a.reshape(n, -1)
    return _Cache(x, pre, conv_in, pool_idx, flat, flat @ model.fc_weight.T + model.fc_bias)


def forward_batch(model: TinyVGG, images: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
    """Every conv, relu and pool layer and the scores of many digits, computed as a batch.

    Parameters
    ----------
    model : TinyVGG
    images : ndarray of shape (N, 28, 28)

    Returns
    -------
    dict of name -> ndarray of shape (N, ...)
        The :data:`LAYER_NAMES` except 'input', 'flatten' and 'softmax': row ``n`` equals
        ``forward(model, images[n]).layers[name]`` (up to rounding).
    """
    imgs = _check_images(images)
    cache = _forward_cache(model, imgs)
    n, f = len(imgs), model.n_filters
    out: dict[str, npt.NDArray[np.float64]] = {}
    for i, name in enumerate(CONV_LAYERS):
        out[name] = cache.pre[i]
        out[name.replace("conv", "relu")] = np.maximum(cache.pre[i], 0.0)
    out["max_pool_1"] = cache.conv_in[2]
    out["max_pool_2"] = cache.flat.reshape(n, f, _POOLED, _POOLED)
    out["output"] = cache.scores
    return out


def predict_proba(model: TinyVGG, images: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Class probabilities of many digits (batches of 500), shape (N, 10)."""
    imgs = _check_images(images)
    return np.concatenate(
        [softmax(_forward_cache(model, imgs[i : i + 500]).scores) for i in range(0, len(imgs), 500)]
    )


def accuracy(model: TinyVGG, images: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """The share of ``images`` whose most probable class is their label."""
    probs = predict_proba(model, images)
    return float(np.mean(np.argmax(probs, axis=1) == np.asarray(labels)))


def gradients(
    model: TinyVGG, images: npt.ArrayLike, labels: npt.ArrayLike, *, input_grad: bool = False
) -> tuple[float, TinyVGG] | tuple[float, TinyVGG, npt.NDArray[np.float64]]:
    """The mean cross-entropy over a batch and its gradient for every weight.

    Parameters
    ----------
    model : TinyVGG
    images : ndarray of shape (N, 28, 28)
        Grey levels 0..255.
    labels : ndarray of shape (N,)
    input_grad : bool, optional
        Also return the gradient with respect to the images (for gradient checks and
        saliency), shape (N, 28, 28), in grey-level units.

    Returns
    -------
    loss : float
    grads : TinyVGG
        Same shapes as ``model``.
    grad_images : ndarray, only with ``input_grad=True``

    Notes
    -----
    Back through the layers in reverse: softmax + cross-entropy (``p - onehot``), the
    dense layer (``g @ W``, ``g.T @ flat``), un-flatten, max pool (to each window's
    winner), ReLU (where the conv output was positive), each convolution
    (``conv_core.nn``'s ``_conv_backward``: weights, bias and, for all but the first
    unless asked, the input).
    """
    imgs = _check_images(images)
    y = np.asarray(labels)
    cache = _forward_cache(model, imgs)
    n, f = len(imgs), model.n_filters
    loss, g = cross_entropy(cache.scores, y)
    g_fc_w, g_fc_b = g.T @ cache.flat, g.sum(axis=0)
    g_a = (g @ model.fc_weight).reshape(n, f, _POOLED, _POOLED)
    g_ws: list[Any] = [None] * 4
    g_bs: list[Any] = [None] * 4
    g_x = None
    for i in (3, 2, 1, 0):
        z = cache.pre[i]
        if i % 2 == 1:  # back through the pool that followed this conv's ReLU
            h, w = z.shape[2:]
            g_a = _max_pool_backward(
                g_a.reshape(n * f, h // 2, w // 2), cache.pool_idx[i // 2], (n * f, h, w)
            ).reshape(z.shape)
        g_z = np.where(z > 0, g_a, 0.0)
        need = i > 0 or input_grad
        g_in, g_ws[i], g_bs[i] = _conv_grads(
            cache.conv_in[i], model.conv_weights[i], g_z, need_input=need
        )
        if i > 0:
            g_a = g_in
        else:
            g_x = g_in
    grads = TinyVGG(g_ws, g_bs, g_fc_w, g_fc_b)
    if input_grad:
        assert g_x is not None
        return loss, grads, g_x[:, 0] / 255.0
    return loss, grads


def _conv_grads(
    x: npt.NDArray[np.float64],
    weight: npt.NDArray[np.float64],
    grad_out: npt.NDArray[np.float64],
    *,
    need_input: bool = True,
) -> tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A valid, stride-1 convolution's gradients for a batch (N, C, H, W), as conv_core.nn's.

    ``conv_core.nn._conv_backward`` computes the same numbers (a test compares them); this
    is its fast path for the stride-1 case, about 10 times faster on a batch of 64:

    * weights, one kernel tap at a time: ``gw[o, k, i, j] = sum_{n,r,c} g[n, o, r, c] *
      x[n, k, r + i, c + j]``, a tensordot of the output gradient with the input shifted by
      ``(i, j)`` (9 products for a 3x3 kernel, instead of a correlation with the output
      gradient as an H'x W' kernel);
    * the input: the *full* correlation of the output gradient with the kernels rotated by
      180 degrees and their in/out channels swapped (padding K - 1 on every side), which is
      the transposed convolution written as a convolution; computed by conv_core's conv2d
      in nn's batched layout.
    """
    kh, kw = weight.shape[2:]
    ho, wo = grad_out.shape[2:]
    grad_w = np.empty_like(weight)
    for i in range(kh):
        for j in range(kw):
            grad_w[:, :, i, j] = np.tensordot(
                grad_out, x[:, :, i : i + ho, j : j + wo], axes=([0, 2, 3], [0, 2, 3])
            )
    grad_b = grad_out.sum(axis=(0, 2, 3))
    if not need_input:
        return None, grad_w, grad_b
    rotated = np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    pads = ((kh - 1, kh - 1), (kw - 1, kw - 1))
    return _conv_forward(grad_out, rotated, None, pads, _ONE), grad_w, grad_b


# =========================================================================== training


@dataclass(frozen=True)
class TinyVGGProgress:
    """The end of one epoch of :func:`train_tinyvgg`."""

    epoch: int
    loss: float
    train_accuracy: float
    test_accuracy: float
    seconds: float  # this epoch's training time (the accuracies not included)


def train_tinyvgg(
    model: TinyVGG,
    data: MnistSplit,
    *,
    epochs: int = 8,
    lr: float = 0.003,
    batch_size: int = 32,
    seed: int = 0,
    augment: int = 0,
) -> Iterator[tuple[TinyVGG, TinyVGGProgress]]:
    """Train a copy of ``model`` by mini-batch Adam; yield it and a report after each epoch.

    Parameters
    ----------
    model : TinyVGG
        The starting weights (not changed).
    data : MnistSplit
    epochs : int, optional
    lr : float, optional
        Adam's largest step size (betas 0.9, 0.999; eps 1e-8), lowered along a cosine
        to 0 over the run: step ``t`` of ``T`` uses ``lr * (1 + cos(pi * t / T)) / 2``.
    batch_size : int, optional
    seed : int, optional
        Seed of the shuffle and of the shifts (one ``numpy.random.default_rng``).
    augment : int, optional
        Shift each training digit by a random whole number of pixels, at most this many
        in each direction (0: no shifts), drawn anew every epoch.

    Yields
    ------
    (TinyVGG, TinyVGGProgress)
        A copy of the weights at the end of each epoch, and that epoch's numbers.
    """
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    params = model.copy().arrays()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    x_train = np.asarray(data.train_images)
    y_train = np.asarray(data.train_labels)
    n = len(x_train)
    step = 0
    total = epochs * math.ceil(n / batch_size)
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        order = rng.permutation(n)
        shifted = _shift(x_train, rng, augment) if augment else x_train
        loss_sum = 0.0
        for start in range(0, n, batch_size):
            pick = order[start : start + batch_size]
            current = TinyVGG.from_arrays(params)
            loss, grads = gradients(current, shifted[pick], y_train[pick])  # type: ignore[misc]
            rate = lr * (1 + math.cos(math.pi * step / total)) / 2
            step += 1
            for p, mm, vv, gg in zip(params, m, v, grads.arrays(), strict=True):
                mm *= b1
                mm += (1 - b1) * gg
                vv *= b2
                vv += (1 - b2) * gg * gg
                p -= rate * (mm / (1 - b1**step)) / (np.sqrt(vv / (1 - b2**step)) + eps)
            loss_sum += loss * len(pick)
        seconds = time.perf_counter() - started
        trained = TinyVGG.from_arrays([np.array(p) for p in params])
        yield (
            trained,
            TinyVGGProgress(
                epoch,
                loss_sum / n,
                accuracy(trained, x_train, y_train),
                accuracy(trained, data.test_images, data.test_labels),
                seconds,
            ),
        )


def _shift(images: npt.NDArray[Any], rng: np.random.Generator, most: int) -> npt.NDArray[Any]:
    """Each image moved by whole pixels (zeros come in), at most ``most`` each way."""
    n, h, w = images.shape
    pad = np.pad(images, ((0, 0), (most, most), (most, most)))
    dy, dx = rng.integers(-most, most + 1, (2, n))
    out = np.empty_like(images)
    for i in range(n):
        out[i] = pad[i, most + dy[i] : most + dy[i] + h, most + dx[i] : most + dx[i] + w]
    return out


# =========================================================================== files


def save_tinyvgg(model: TinyVGG, path: str | Path, **meta: Any) -> None:
    """Write the weights and ``meta`` numbers/strings to an ``.npz`` (no pickle)."""
    arrays: dict[str, Any] = dict(zip(_NAMES, model.arrays(), strict=True))
    for key, value in meta.items():
        arrays[f"meta_{key}"] = np.asarray(value)
    np.savez_compressed(path, **arrays)


def load_tinyvgg(path: str | Path = TINYVGG_WEIGHTS_PATH) -> TinyVGG:
    """Read weights written by :func:`save_tinyvgg` (``allow_pickle=False``).

    Examples
    --------
    >>> load_tinyvgg().n_filters
    10
    """
    with np.load(path, allow_pickle=False) as data:
        missing = [k for k in _NAMES if k not in data.files]
        if missing:
            raise ArgumentError("tinyvgg_weights_file", path=str(path), reason=f"no {missing[0]}")
        model = TinyVGG.from_arrays([data[k] for k in _NAMES])
    f = model.n_filters
    shapes = [a.shape for a in model.arrays()]
    expected = [(f, 1, 3, 3), (f,), *[(f, f, 3, 3), (f,)] * 3, (10, 16 * f), (10,)]
    if shapes != expected:
        raise ArgumentError("tinyvgg_weights_file", path=str(path), reason=f"shapes {shapes}")
    return model


def load_tinyvgg_meta(path: str | Path = TINYVGG_WEIGHTS_PATH) -> dict[str, Any]:
    """The ``meta`` stored by :func:`save_tinyvgg`, as Python numbers and strings."""
    with np.load(path, allow_pickle=False) as data:
        return {k[5:]: data[k].tolist() for k in data.files if k.startswith("meta_")}


def _check_image(image: Any) -> npt.NDArray[np.float64]:
    arr = check_array(image, "image", (2,))
    if arr.shape != (MNIST_SIDE, MNIST_SIDE):
        raise ArgumentError("tinyvgg_image", shape=arr.shape)
    return arr.astype(np.float64)


def _check_images(images: Any) -> npt.NDArray[Any]:
    arr = check_array(images, "images", (3,))
    if arr.shape[1:] != (MNIST_SIDE, MNIST_SIDE):
        raise ArgumentError("tinyvgg_image", shape=arr.shape)
    return arr
