"""A tiny convolutional network, forward and backward, built on conv_core's own layers.

The network that ConvLab's "Tiny CNN" page trains on the 8x8 handwritten digits
(:mod:`conv_core.digits`) in seconds on a 2-core machine::

    input (1, 8, 8), counts 0..16 as they are (not rescaled)
      -> conv 3x3, F filters, padding 1, stride 1    (F, 8, 8)    conv_core.conv2d
      -> ReLU                                        (F, 8, 8)
      -> max pool 2x2, stride 2                      (F, 4, 4)    conv_core.pool2d
      -> flatten (C order of (F, 4, 4))              (F*16,)
      -> fully connected                             (10,)
      -> softmax                                     (10,)        probabilities of 0..9

Every layer has a forward and a backward written once. The backward passes reuse the
forward operations, which is the point of the exercise:

* the gradient of a convolution's input is the *transposed* convolution of the output
  gradient with the same weights (:func:`conv_core.conv_transpose2d`);
* the gradient of its weights is a *correlation* of the (padded) input with the output
  gradient used as the kernel (:func:`conv_core.conv2d`);
* the gradient of max pooling goes back to the cell each window picked
  (``pool2d(..., return_indices=True)``).

How batches are computed (measured in ``benchmarks/bench_tiny_cnn.py``):
:func:`conv_core.conv2d` works on one (C, H, W) input, so a batch of N images is laid
out as *one tall image*: each padded image is a block of rows, one above the other,
and a single 'valid' convolution of the tall image gives every image's output (the
few output rows whose window straddles two blocks are dropped). The weight gradient
puts the batch into channels instead: the padded images are N input channels, the N
output gradients the N channels of each kernel, and conv2d's sum over channels is the
sum over the batch. The input gradient of a batch uses conv_transpose2d's ``groups``
(one group per image). Each is one call per batch, against a Python loop over images.

References
----------
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
K. He et al., "Delving deep into rectifiers", ICCV 2015 (the initialisation).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import Pair, check_array, check_int, check_pair
from .conv import conv2d, conv2d_output_shape
from .digits import Digits
from .errors import ArgumentError, register_messages
from .pooling import pool2d
from .shapes import PaddingSpec, resolve_padding
from .transposed import conv_transpose2d

__all__ = [
    "TINY_CNN_WEIGHTS_PATH",
    "Forward",
    "TinyCNN",
    "TrainProgress",
    "accuracy",
    "conv2d_backward",
    "cross_entropy",
    "forward",
    "gradients",
    "init_tiny_cnn",
    "linear",
    "linear_backward",
    "load_meta",
    "load_pretrained",
    "load_weights",
    "max_pool2d_backward",
    "predict_proba",
    "relu_backward",
    "save_weights",
    "silent_filters",
    "softmax",
    "train",
    "train_steps",
]

register_messages(
    {
        "nn_int_range": "{arg} must be an integer from {low} to {high}, but got {arg}={value!r}",
        "nn_lr_range": "lr must be a number with 0 < lr <= 1, but got lr={value!r}",
        "nn_shape_mismatch": (
            "{arg} must have shape {expected}, but got an array of shape {shape}"
        ),
        "nn_labels_range": (
            "labels must be integers 0..{high} (one per row of scores), but got labels={value!r}"
        ),
        "nn_weights_file": "{path} is not a Tiny CNN weights file: {reason}",
    }
)

#: The pretrained weights (and the initial weights they were trained from).
TINY_CNN_WEIGHTS_PATH = Path(__file__).resolve().parents[1] / "assets" / "models" / "tiny_cnn.npz"

_SIDE = 8  # the digits are 8x8
_POOLED = 4  # after the 2x2 max pool
_CLASSES = 10
_MAX_FILTERS = 16
_MAX_EPOCHS = 30
_MAX_BATCH = 256
_MOMENTUM = 0.9
# He initialisation assumes inputs of about unit size; the counts go up to 16.
_INPUT_SCALE = 16.0
# The convolution weights' share of the learning rate (see train_steps' Notes).
_CONV_WEIGHT_STEP = 1.0 / _INPUT_SCALE**2
# Every filter fires at first (see init_tiny_cnn's Notes).
_CONV_BIAS_INIT = 0.5


# =========================================================================== layers


def conv2d_backward(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    grad_out: npt.ArrayLike,
    padding: PaddingSpec = 0,
    stride: Pair = 1,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Gradients of a convolution layer (:func:`conv_core.conv2d`, zero padding).

    Parameters
    ----------
    x : ndarray of shape (C_in, H, W) or (N, C_in, H, W)
        The layer's input: one sample or a batch.
    weight : ndarray of shape (C_out, C_in, KH, KW)
    grad_out : ndarray of shape (C_out, H', W') or (N, C_out, H', W')
        The loss's gradient with respect to the layer's output.
    padding : int, (ph, pw), ((top, bottom), (left, right)) or {'valid', 'same', 'full'}, optional
        As in the forward call (default 0); zeros.
    stride : int or (rows, cols), optional
        As in the forward call (default 1).

    Returns
    -------
    grad_x : ndarray of the shape of ``x``, float64
    grad_weight : ndarray of shape (C_out, C_in, KH, KW), float64
        Summed over the batch.
    grad_bias : ndarray of shape (C_out,), float64
        Summed over the batch.

    Raises
    ------
    ArgumentError
        Arrays of the wrong dimensions, channel counts that do not match, or a
        ``grad_out`` whose shape is not the forward output's.

    See Also
    --------
    conv_core.conv2d : the forward pass.
    conv_core.conv_transpose2d : computes ``grad_x``.

    Notes
    -----
    With ``out[o, r, c] = b[o] + sum_{k,i,j} x_pad[k, r*s + i, c*s + j] * w[o, k, i, j]``:

    * ``grad_x_pad = conv_transpose2d(grad_out, w, stride=s)``, then the padding is cut off
      (the transposed convolution scatters each output's gradient back over its window);
    * ``grad_w[o, k] = correlate(x_pad[k], grad_out[o], dilation=s)``: the padded input
      correlated with the output gradient as the kernel, its taps ``s`` apart (the first
      ``KH`` x ``KW`` cells);
    * ``grad_b[o] = sum_{r, c} grad_out[o, r, c]``.

    Examples
    --------
    A 1x1 output: the weight's gradient is the window, the input's is the weight:

    >>> x = np.array([[[1, 2], [3, 4]]])
    >>> w = np.array([[[[10, 20], [30, 40]]]])
    >>> gx, gw, gb = conv2d_backward(x, w, np.array([[[1.0]]]))
    >>> gw
    array([[[[1., 2.],
             [3., 4.]]]])
    >>> gx
    array([[[10., 20.],
            [30., 40.]]])
    >>> gb
    array([1.])
    """
    arr = check_array(x, "x", (3, 4))
    w = check_array(weight, "weight", (4,))
    g = check_array(grad_out, "grad_out", (arr.ndim,))
    single = arr.ndim == 3
    if single:
        arr, g = arr[None], g[None]
    if w.shape[1] != arr.shape[1]:
        raise ArgumentError(
            "conv_channel_mismatch",
            arg="x",
            got=arr.shape[1],
            per_group=w.shape[1],
            groups=1,
            expected=w.shape[1],
            x_shape=np.shape(x),
            w_shape=w.shape,
        )
    s = check_pair(stride, "stride")
    pads = resolve_padding(padding, arr.shape[2:], w.shape[2:], s)
    out_hw = conv2d_output_shape(arr.shape[2:], w.shape[2:], s, pads)
    expected = (arr.shape[0], w.shape[0], *out_hw)
    if g.shape != expected:
        raise ArgumentError(
            "nn_shape_mismatch",
            arg="grad_out",
            expected=expected[1:] if single else expected,
            shape=np.shape(grad_out),
        )
    grad_x, grad_w, grad_b = _conv_backward(
        arr.astype(np.float64), w.astype(np.float64), g.astype(np.float64), pads, s
    )
    assert grad_x is not None
    return (grad_x[0] if single else grad_x), grad_w, grad_b


def relu_backward(x: npt.ArrayLike, grad_out: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Gradient of ReLU: ``grad_out`` where ``x > 0``, else 0.

    Parameters
    ----------
    x : ndarray
        ReLU's input.
    grad_out : ndarray of the shape of ``x``

    Returns
    -------
    ndarray of the shape of ``x``, float64

    Notes
    -----
    ``d max(x, 0) / dx`` is 1 for ``x > 0`` and 0 for ``x < 0``; at exactly 0 we take 0,
    as PyTorch does.

    Examples
    --------
    >>> relu_backward(np.array([-2, 0, 3]), np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """
    arr = np.asarray(x)
    g = np.asarray(grad_out, dtype=np.float64)
    if g.shape != arr.shape:
        raise ArgumentError("nn_shape_mismatch", arg="grad_out", expected=arr.shape, shape=g.shape)
    return np.where(arr > 0, g, 0.0)


def max_pool2d_backward(
    grad_out: npt.ArrayLike, indices: npt.ArrayLike, input_shape: tuple[int, ...]
) -> npt.NDArray[np.float64]:
    """Gradient of max pooling: each window's gradient goes to the cell that won it.

    Parameters
    ----------
    grad_out : ndarray of shape (..., H_out, W_out)
        Gradient with respect to the pooled values.
    indices : ndarray of shape (..., H_out, W_out, 2)
        The ``(row, col)`` of each window's maximum, from
        ``pool2d(x, ..., return_indices=True)``.
    input_shape : tuple of int
        The shape of the pooled input, ``(..., H, W)``.

    Returns
    -------
    ndarray of shape ``input_shape``, float64
        Zero except at the winning cells; a cell that wins several (overlapping)
        windows gets the sum of their gradients.

    Raises
    ------
    ArgumentError
        ``indices`` or ``input_shape`` that do not fit ``grad_out``.

    Examples
    --------
    >>> x = np.array([[3, -1, 12, -1],
    ...               [-3, 1, 0, 1]])
    >>> values, idx = pool2d(x, 2, return_indices=True)
    >>> max_pool2d_backward(np.array([[10.0, 20.0]]), idx, x.shape)
    array([[10.,  0., 20.,  0.],
           [ 0.,  0.,  0.,  0.]])
    """
    g = np.asarray(grad_out, dtype=np.float64)
    idx = np.asarray(indices)
    shape = tuple(int(n) for n in input_shape)
    if idx.shape != (*g.shape, 2) or len(shape) != g.ndim or shape[:-2] != g.shape[:-2]:
        raise ArgumentError(
            "nn_shape_mismatch", arg="indices", expected=(*g.shape, 2), shape=idx.shape
        )
    return _max_pool_backward(g, idx, shape)


def linear(
    x: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """A fully connected layer, ``torch.nn.functional.linear``: ``x @ weight.T + bias``.

    Parameters
    ----------
    x : ndarray of shape (in_features,) or (N, in_features)
    weight : ndarray of shape (out_features, in_features)
    bias : ndarray of shape (out_features,), optional

    Returns
    -------
    ndarray of shape (out_features,) or (N, out_features), float64

    Raises
    ------
    ArgumentError
        ``x`` and ``weight`` of mismatched sizes.

    Examples
    --------
    >>> linear(np.array([1, 2, 3]), np.array([[1, 0, 0], [1, 1, 1]]), np.array([0.5, 0]))
    array([1.5, 6. ])
    """
    arr = check_array(x, "x", (1, 2)).astype(np.float64)
    w = check_array(weight, "weight", (2,))
    if arr.shape[-1] != w.shape[1]:
        raise ArgumentError(
            "nn_shape_mismatch", arg="x", expected=(*arr.shape[:-1], w.shape[1]), shape=arr.shape
        )
    out = arr @ w.T.astype(np.float64)
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64)
    return out


def linear_backward(
    x: npt.ArrayLike, weight: npt.ArrayLike, grad_out: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Gradients of :func:`linear`.

    Parameters
    ----------
    x : ndarray of shape (in_features,) or (N, in_features)
    weight : ndarray of shape (out_features, in_features)
    grad_out : ndarray of shape (out_features,) or (N, out_features)

    Returns
    -------
    grad_x : ndarray of the shape of ``x``
        ``grad_out @ weight``.
    grad_weight : ndarray of shape (out_features, in_features)
        ``grad_out.T @ x``, summed over the batch.
    grad_bias : ndarray of shape (out_features,)
        ``grad_out`` summed over the batch.

    Examples
    --------
    >>> gx, gw, gb = linear_backward(np.array([1.0, 2.0]), np.array([[3.0, 4.0]]),
    ...                              np.array([10.0]))
    >>> gx, gw, gb
    (array([30., 40.]), array([[10., 20.]]), array([10.]))
    """
    arr = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    g = np.asarray(grad_out, dtype=np.float64)
    if g.shape != (*arr.shape[:-1], w.shape[0]):
        raise ArgumentError(
            "nn_shape_mismatch",
            arg="grad_out",
            expected=(*arr.shape[:-1], w.shape[0]),
            shape=g.shape,
        )
    a2, g2 = arr.reshape(-1, arr.shape[-1]), g.reshape(-1, g.shape[-1])
    return g @ w, g2.T @ a2, g2.sum(axis=0)


def softmax(scores: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Probabilities from scores along the last axis: ``exp(s_i) / sum_j exp(s_j)``.

    Parameters
    ----------
    scores : ndarray of shape (..., K)

    Returns
    -------
    ndarray of shape (..., K), float64
        Non-negative, summing to 1 along the last axis.

    Notes
    -----
    The largest score is subtracted first (``softmax(s) = softmax(s - max(s))``), so
    ``exp`` never overflows.

    Examples
    --------
    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    >>> softmax(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    """
    s = np.asarray(scores, dtype=np.float64)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(
    scores: npt.ArrayLike, labels: npt.ArrayLike
) -> tuple[float, npt.NDArray[np.float64]]:
    """Softmax cross-entropy loss (mean over the batch) and its gradient.

    Parameters
    ----------
    scores : ndarray of shape (N, K) or (K,)
        Unnormalised scores (logits).
    labels : ndarray of shape (N,) or int
        The right class of each row, 0..K-1.

    Returns
    -------
    loss : float
        ``mean_n( -log softmax(scores[n])[labels[n]] )``.
    grad_scores : ndarray of the shape of ``scores``
        ``(softmax(scores) - onehot(labels)) / N``.

    Raises
    ------
    ArgumentError
        Labels out of range or not one per row.

    Notes
    -----
    ``-log softmax(s)_y = logsumexp(s) - s_y`` with
    ``logsumexp(s) = max(s) + log(sum exp(s - max(s)))``: no overflow, no ``log(0)``.

    Examples
    --------
    Two equal scores: the loss is ``log 2``:

    >>> loss, grad = cross_entropy(np.array([[0.0, 0.0]]), np.array([1]))
    >>> round(loss, 6), grad
    (0.693147, array([[ 0.5, -0.5]]))
    """
    s = np.asarray(scores, dtype=np.float64)
    single = s.ndim == 1
    s2 = s[None] if single else s
    y = np.asarray(labels).reshape(-1)
    if (
        y.shape != (s2.shape[0],)
        or not np.issubdtype(y.dtype, np.integer)
        or np.any((y < 0) | (y >= s2.shape[1]))
    ):
        raise ArgumentError("nn_labels_range", high=s2.shape[1] - 1, value=_short(labels))
    top = s2.max(axis=1, keepdims=True)
    shifted = s2 - top
    logsumexp = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(len(y))
    loss = float(np.mean(logsumexp - shifted[rows, y]))
    grad = np.exp(shifted - logsumexp[:, None])
    grad[rows, y] -= 1.0
    grad /= len(y)
    return loss, (grad[0] if single else grad)


# =========================================================================== the model


@dataclass
class TinyCNN:
    """The Tiny CNN's weights (see the module docstring for the architecture).

    Attributes
    ----------
    conv_weight : ndarray of shape (F, 1, 3, 3), float64
        One 3x3 kernel per filter.
    conv_bias : ndarray of shape (F,), float64
    fc_weight : ndarray of shape (10, F*4*4), float64
        Column ``f*16 + r*4 + c`` reads pooled map ``f`` at ``(r, c)``.
    fc_bias : ndarray of shape (10,), float64
    """

    conv_weight: npt.NDArray[np.float64]
    conv_bias: npt.NDArray[np.float64]
    fc_weight: npt.NDArray[np.float64]
    fc_bias: npt.NDArray[np.float64]

    @property
    def n_filters(self) -> int:
        """The number of convolution filters F."""
        return int(self.conv_weight.shape[0])

    def param_counts(self) -> list[tuple[str, int, int]]:
        """``(layer, weights, biases)`` for 'conv' and 'fc'.

        >>> init_tiny_cnn(8).param_counts()
        [('conv', 72, 8), ('fc', 1280, 10)]
        """
        return [
            ("conv", int(self.conv_weight.size), int(self.conv_bias.size)),
            ("fc", int(self.fc_weight.size), int(self.fc_bias.size)),
        ]

    def copy(self) -> TinyCNN:
        """An independent copy (no array shared)."""
        return TinyCNN(*(np.array(a, dtype=np.float64) for a in self._arrays()))

    def _arrays(self) -> tuple[npt.NDArray[np.float64], ...]:
        return (self.conv_weight, self.conv_bias, self.fc_weight, self.fc_bias)


def init_tiny_cnn(n_filters: int = 8, seed: int = 0) -> TinyCNN:
    """Random initial weights for a Tiny CNN of ``n_filters`` filters.

    Parameters
    ----------
    n_filters : int, optional
        F, 1..16 (default 8).
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (default 0): same seed, same weights.

    Returns
    -------
    TinyCNN

    Raises
    ------
    ArgumentError
        ``n_filters`` outside 1..16, or a negative ``seed``.

    Notes
    -----
    He initialisation: normal weights with standard deviation ``sqrt(2 / fan_in)``
    (fan_in = 9 for the conv, 16F for the dense layer), which keeps the size of the
    signal through ReLU layers. The input is counts 0..16 rather than values of about
    1, so the conv weights are also divided by 16, the largest count. The conv biases
    start at 0.5, a little above zero, so that every filter fires on some input at
    first (with 0, a filter with unlucky weights may never fire, and a filter that
    never fires never learns: measured, 4 of 18 small runs lost a filter with 0 and
    none with 0.5); the dense biases start at 0.

    Examples
    --------
    >>> model = init_tiny_cnn(4, seed=0)
    >>> model.conv_weight.shape, model.fc_weight.shape, model.n_filters
    ((4, 1, 3, 3), (10, 64), 4)
    """
    n_filters = _check_range(n_filters, "n_filters", 1, _MAX_FILTERS)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    fan_conv, fan_fc = 9, n_filters * _POOLED * _POOLED
    conv_w = rng.normal(0.0, math.sqrt(2.0 / fan_conv) / _INPUT_SCALE, (n_filters, 1, 3, 3))
    fc_w = rng.normal(0.0, math.sqrt(2.0 / fan_fc), (_CLASSES, fan_fc))
    return TinyCNN(conv_w, np.full(n_filters, _CONV_BIAS_INIT), fc_w, np.zeros(_CLASSES))


@dataclass(frozen=True)
class Forward:
    """Every intermediate of one image's forward pass (what the page draws).

    Attributes
    ----------
    input : ndarray of shape (8, 8)
        The image as given (counts 0..16).
    conv : ndarray of shape (F, 8, 8)
        The convolution's output, bias included.
    relu : ndarray of shape (F, 8, 8)
    pool : ndarray of shape (F, 4, 4)
    pool_indices : ndarray of shape (F, 4, 4, 2)
        ``(row, col)`` in the 8x8 map of each window's maximum.
    flat : ndarray of shape (F*16,)
        ``pool`` flattened in C order.
    scores : ndarray of shape (10,)
        The dense layer's output (logits).
    probs : ndarray of shape (10,)
        ``softmax(scores)``.
    """

    input: npt.NDArray[Any]
    conv: npt.NDArray[np.float64]
    relu: npt.NDArray[np.float64]
    pool: npt.NDArray[np.float64]
    pool_indices: npt.NDArray[np.int64]
    flat: npt.NDArray[np.float64]
    scores: npt.NDArray[np.float64]
    probs: npt.NDArray[np.float64]


def forward(model: TinyCNN, image: npt.ArrayLike) -> Forward:
    """Run one 8x8 image through the network, keeping every intermediate.

    Parameters
    ----------
    model : TinyCNN
    image : ndarray of shape (8, 8)
        Counts 0..16 (any finite numbers are accepted).

    Returns
    -------
    Forward

    Raises
    ------
    ArgumentError
        An image of another shape, non-numeric or non-finite.

    See Also
    --------
    predict_proba : the probabilities of many images at once.

    Examples
    --------
    A model whose one filter is the centre tap 1 and whose dense layer reads the
    pooled map's first cell: the top-left 2x2 block's maximum, 9, ends as score 9
    for class 0:

    >>> model = init_tiny_cnn(1)
    >>> model.conv_weight[:] = [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]
    >>> model.conv_bias[:] = 0
    >>> model.fc_weight[:] = 0
    >>> model.fc_weight[0, 0] = 1
    >>> out = forward(model, np.arange(64).reshape(8, 8))
    >>> out.pool[0, 0, 0], out.pool_indices[0, 0, 0].tolist(), out.scores[:2]
    (np.float64(9.0), [1, 1], array([9., 0.]))
    """
    img = _check_image(image, "image")
    conv = conv2d(img[None].astype(np.float64), model.conv_weight, model.conv_bias, padding=1)
    act = np.maximum(conv, 0.0)
    pooled, idx = pool2d(act, 2, return_indices=True)
    flat = pooled.reshape(-1)
    scores = linear(flat, model.fc_weight, model.fc_bias)
    return Forward(
        input=np.array(img),
        conv=conv,
        relu=act,
        pool=pooled,
        pool_indices=idx,
        flat=flat,
        scores=scores,
        probs=softmax(scores),
    )


def predict_proba(model: TinyCNN, images: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Class probabilities of many images, computed as one batch.

    Parameters
    ----------
    model : TinyCNN
    images : ndarray of shape (N, 8, 8)

    Returns
    -------
    ndarray of shape (N, 10)
        Row ``n`` equals ``forward(model, images[n]).probs`` (up to rounding).

    Raises
    ------
    ArgumentError
        Images of another shape, non-numeric or non-finite.

    Examples
    --------
    >>> probs = predict_proba(init_tiny_cnn(2), np.zeros((3, 8, 8)))
    >>> probs.shape, np.allclose(probs.sum(axis=1), 1)
    ((3, 10), True)
    """
    imgs = _check_images(images, "images")
    return softmax(_forward_batch(model, imgs).scores)


def accuracy(model: TinyCNN, images: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """The share of ``images`` whose most probable class is their label.

    Parameters
    ----------
    model : TinyCNN
    images : ndarray of shape (N, 8, 8)
    labels : ndarray of shape (N,)

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> model = init_tiny_cnn(1)
    >>> model.fc_weight[:] = 0
    >>> model.fc_bias[:] = np.arange(10)   # always says 9
    >>> accuracy(model, np.zeros((4, 8, 8)), np.array([9, 9, 1, 2]))
    0.5
    """
    imgs = _check_images(images, "images")
    y = _check_labels(labels, len(imgs))
    scores = _forward_batch(model, imgs).scores
    return float(np.mean(np.argmax(scores, axis=1) == y))


def silent_filters(model: TinyCNN, images: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The filters whose ReLU output is 0 everywhere on every one of ``images``.

    Such a filter passes nothing to the next layer and gets no gradient, so training
    can never bring it back: a "dead" or "dying" ReLU, the usual sign of too large a
    learning rate.

    Parameters
    ----------
    model : TinyCNN
    images : ndarray of shape (N, 8, 8)

    Returns
    -------
    ndarray of int64
        The silent filters' indices (0-based), ascending; empty when every filter fires.

    Examples
    --------
    >>> model = init_tiny_cnn(2)
    >>> model.conv_weight[1] = -1.0   # its bias, 0.5, never makes up for that here
    >>> silent_filters(model, np.ones((3, 8, 8))).tolist()
    [1]
    """
    imgs = _check_images(images, "images")
    conv = _forward_batch(model, imgs).conv  # (N, F, 8, 8)
    return np.flatnonzero((conv > 0).sum(axis=(0, 2, 3)) == 0).astype(np.int64)


def gradients(
    model: TinyCNN, images: npt.ArrayLike, labels: npt.ArrayLike
) -> tuple[float, TinyCNN]:
    """The mean cross-entropy loss over a batch and its gradient for every weight.

    Parameters
    ----------
    model : TinyCNN
    images : ndarray of shape (N, 8, 8)
    labels : ndarray of shape (N,)
        Digits 0..9.

    Returns
    -------
    loss : float
        ``mean_n -log p_n[labels[n]]``.
    grads : TinyCNN
        The gradient of ``loss`` with respect to each array of ``model``, same shapes.

    Raises
    ------
    ArgumentError
        Images of another shape, or labels not 0..9 / not one per image.

    Notes
    -----
    Backpropagation, layer by layer from the loss back: softmax + cross-entropy
    (``p - onehot``), :func:`linear_backward`, un-flatten, :func:`max_pool2d_backward`,
    :func:`relu_backward`, :func:`conv2d_backward` (weights and bias only: the input's
    gradient is not needed).

    Examples
    --------
    With all weights zero every class has probability 0.1, so the loss is ``log 10``:

    >>> model = init_tiny_cnn(2)
    >>> model.fc_weight[:] = 0
    >>> loss, grads = gradients(model, np.ones((2, 8, 8)), np.array([3, 7]))
    >>> round(loss, 6), grads.fc_bias[[0, 3]]
    (2.302585, array([ 0.1, -0.4]))
    """
    imgs = _check_images(images, "images")
    y = _check_labels(labels, len(imgs))
    return _gradients(model, imgs, y)


# =========================================================================== training


@dataclass(frozen=True)
class TrainProgress:
    """Where training is, as :func:`train_steps` reports it.

    Attributes
    ----------
    epoch : int
        1-based.
    epochs : int
        The number of epochs asked for.
    batch : int
        Batches done in this epoch (1-based; ``batches`` at the end of the epoch).
    batches : int
        Batches per epoch: ``ceil(N_train / batch_size)``.
    loss : float
        Mean cross-entropy over the training images seen so far in this epoch
        (each measured in its batch before that batch's update).
    train_accuracy : float or None
        Accuracy of the model on the whole training set at the end of the epoch;
        None before the epoch ends.
    test_accuracy : float or None
        The same on the test set; None before the epoch ends.
    model : TinyCNN
        A copy of the weights at this moment (a snapshot: later steps do not change it).
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    model: TinyCNN

    @property
    def epoch_end(self) -> bool:
        """True for the report made at the end of an epoch."""
        return self.batch == self.batches


def train_steps(
    model: TinyCNN,
    digits: Digits,
    epochs: int = 5,
    lr: float = 0.01,
    batch_size: int = 32,
    seed: int = 0,
    report_every: int = 10,
) -> Iterator[TrainProgress]:
    """Train a copy of ``model`` on ``digits`` by mini-batch SGD, reporting as it goes.

    Parameters
    ----------
    model : TinyCNN
        The starting weights; not changed (training works on a copy).
    digits : Digits
        Training and test images (:func:`conv_core.digits.load_digits`).
    epochs : int, optional
        Passes over the training set, 1..30 (default 5).
    lr : float, optional
        Learning rate, 0 < lr <= 1 (default 0.01).
    batch_size : int, optional
        Images per update, 1..256 (default 32); the last batch of an epoch may be smaller.
    seed : int, optional
        Seed of the shuffle (default 0).
    report_every : int, optional
        Yield after every this many batches (default 10), at least 1.

    Yields
    ------
    TrainProgress
        After batches ``report_every``, ``2*report_every``, ... of each epoch, and
        after the epoch's last batch (then with both accuracies; never twice for one
        batch). ``progress.model`` is a snapshot; the last one is the trained model.

    Raises
    ------
    ArgumentError
        (when the iterator is created, before any training) ``epochs``, ``lr``,
        ``batch_size``, ``seed`` or ``report_every`` out of range.

    Notes
    -----
    Each epoch visits the training images in the order of
    ``numpy.random.default_rng(seed).permutation`` (one generator for the whole run),
    in batches of ``batch_size``. Each batch updates every weight ``w`` with SGD with
    momentum 0.9 (the velocity starts at zero)::

        v = 0.9 * v - lr * step * dloss/dw
        w = w + v

    ``step`` is 1 for every parameter except the convolution's weights, where it is
    ``1 / 16**2``. The input is counts up to 16, not values of about 1, so the
    convolution's weight gradients are about 16 times larger and its weights (He
    initialisation divided by 16) about 16 times smaller than the dense layer's: one
    plain ``lr`` would take steps some 256 times too large there, pushing whole
    filters negative early on, after which their ReLU never fires again ("dying
    ReLU"; measured: 3 of 4 filters lost at 5 epochs). Scaling the step by ``1/16**2``
    is *exactly* training on the counts divided by 16 (with weights 16 times larger),
    written so that the weights the page shows act on the counts it shows.

    Nothing else is random, so the same ``(model, digits, settings)`` always gives
    the same weights.

    Examples
    --------
    >>> from conv_core.digits import load_digits
    >>> steps = list(train_steps(init_tiny_cnn(4), load_digits(), epochs=1,
    ...                          batch_size=128, report_every=5))
    >>> [(p.batch, p.test_accuracy is None) for p in steps]
    [(5, True), (10, True), (12, False)]
    """
    epochs = _check_range(epochs, "epochs", 1, _MAX_EPOCHS)
    batch_size = _check_range(batch_size, "batch_size", 1, _MAX_BATCH)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 1:
        raise ArgumentError("nn_lr_range", value=lr)
    seed = check_int(seed, "seed", minimum=0)
    report_every = check_int(report_every, "report_every", minimum=1)
    return _train_steps(model.copy(), digits, epochs, float(lr), batch_size, seed, report_every)


def _train_steps(
    model: TinyCNN,
    digits: Digits,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    report_every: int,
) -> Iterator[TrainProgress]:
    x_train = np.asarray(digits.train_images, dtype=np.float64)
    y_train = np.asarray(digits.train_labels)
    x_test = np.asarray(digits.test_images, dtype=np.float64)
    y_test = np.asarray(digits.test_labels)
    n = len(x_train)
    batches = math.ceil(n / batch_size)
    rng = np.random.default_rng(seed)
    params = model._arrays()
    steps = (lr * _CONV_WEIGHT_STEP, lr, lr, lr)  # the order of TinyCNN._arrays()
    velocity = [np.zeros_like(p) for p in params]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        loss_sum = 0.0
        seen = 0
        for b in range(1, batches + 1):
            pick = order[(b - 1) * batch_size : b * batch_size]
            loss, grads = _gradients(model, x_train[pick], y_train[pick])
            for p, v, g, step in zip(params, velocity, grads._arrays(), steps, strict=True):
                v *= _MOMENTUM
                v -= step * g
                p += v
            loss_sum += loss * len(pick)
            seen += len(pick)
            if b == batches:
                yield TrainProgress(
                    epoch, epochs, b, batches, loss_sum / seen,
                    _accuracy(model, x_train, y_train), _accuracy(model, x_test, y_test),
                    model.copy(),
                )  # fmt: skip
            elif b % report_every == 0:
                yield TrainProgress(
                    epoch, epochs, b, batches, loss_sum / seen, None, None, model.copy()
                )


def train(
    model: TinyCNN,
    digits: Digits,
    epochs: int = 5,
    lr: float = 0.01,
    batch_size: int = 32,
    seed: int = 0,
    report_every: int = 10,
) -> tuple[TinyCNN, list[TrainProgress]]:
    """Run :func:`train_steps` to the end: the trained model and every report.

    Parameters and Raises as :func:`train_steps`.

    Returns
    -------
    model : TinyCNN
        The trained weights (``model`` itself is not changed).
    history : list of TrainProgress

    Examples
    --------
    >>> from conv_core.digits import load_digits
    >>> trained, history = train(init_tiny_cnn(4), load_digits(), epochs=1, batch_size=64)
    >>> len(history), history[-1].epoch_end, history[-1].model is trained
    (3, True, True)
    """
    history = list(train_steps(model, digits, epochs, lr, batch_size, seed, report_every))
    return history[-1].model, history


# =========================================================================== files


def save_weights(
    model: TinyCNN, path: str | Path, *, initial: TinyCNN | None = None, **meta: Any
) -> None:
    """Write a model's weights (and optionally its initial weights) to an ``.npz`` file.

    Parameters
    ----------
    model : TinyCNN
    path : str or Path
    initial : TinyCNN, optional
        The weights training started from, stored beside (read back by
        :func:`load_pretrained`).
    **meta
        Numbers or strings to keep with the weights (the settings, the accuracy),
        read back by :func:`load_meta`.

    Notes
    -----
    Plain arrays only (``numpy.savez_compressed``), so loading never needs pickle.
    """
    arrays: dict[str, Any] = dict(zip(_NAMES, model._arrays(), strict=True))
    if initial is not None:
        arrays.update({f"initial_{k}": a for k, a in zip(_NAMES, initial._arrays(), strict=True)})
    for key, value in meta.items():
        arrays[f"meta_{key}"] = np.asarray(value)
    np.savez_compressed(path, **arrays)


def load_weights(path: str | Path) -> TinyCNN:
    """Read the weights written by :func:`save_weights` (``allow_pickle=False``).

    Raises
    ------
    ArgumentError
        A file without the Tiny CNN's arrays, or with inconsistent shapes.
    """
    return _load(path, "")


def load_meta(path: str | Path) -> dict[str, Any]:
    """The ``**meta`` stored by :func:`save_weights`, as Python numbers and strings.

    Examples
    --------
    >>> load_meta(TINY_CNN_WEIGHTS_PATH)["n_filters"]
    8
    """
    with np.load(path, allow_pickle=False) as data:
        return {k[5:]: data[k].tolist() for k in data.files if k.startswith("meta_")}


def load_pretrained() -> tuple[TinyCNN, TinyCNN]:
    """The shipped model: ``(trained, initial)`` weights, from ``TINY_CNN_WEIGHTS_PATH``.

    Made by ``scripts/train_tiny_cnn.py``; the initial weights are what training
    started from, so the page can show the filters before and after.

    Examples
    --------
    >>> trained, initial = load_pretrained()
    >>> trained.n_filters, bool(np.any(trained.conv_weight != initial.conv_weight))
    (8, True)
    """
    return _load(TINY_CNN_WEIGHTS_PATH, ""), _load(TINY_CNN_WEIGHTS_PATH, "initial_")


_NAMES = ("conv_weight", "conv_bias", "fc_weight", "fc_bias")


def _load(path: str | Path, prefix: str) -> TinyCNN:
    with np.load(path, allow_pickle=False) as data:
        missing = [prefix + k for k in _NAMES if prefix + k not in data.files]
        if missing:
            raise ArgumentError("nn_weights_file", path=str(path), reason=f"no {missing[0]}")
        arrays = [np.array(data[prefix + k], dtype=np.float64) for k in _NAMES]
    cw, cb, fw, fb = arrays
    f = cw.shape[0] if cw.ndim == 4 else 0
    if (
        cw.shape != (f, 1, 3, 3)
        or not 1 <= f <= _MAX_FILTERS
        or cb.shape != (f,)
        or fw.shape != (_CLASSES, f * _POOLED * _POOLED)
        or fb.shape != (_CLASSES,)
    ):
        raise ArgumentError(
            "nn_weights_file", path=str(path), reason=f"shapes {[a.shape for a in arrays]}"
        )
    return TinyCNN(*arrays)


# =========================================================================== private cores


@dataclass(frozen=True)
class _Cache:
    """A batch's forward pass, kept for the backward pass."""

    x: npt.NDArray[np.float64]  # (N, 1, 8, 8)
    conv: npt.NDArray[np.float64]  # (N, F, 8, 8)
    pool_indices: npt.NDArray[np.int64]  # (N*F, 4, 4, 2)
    flat: npt.NDArray[np.float64]  # (N, F*16)
    scores: npt.NDArray[np.float64]  # (N, 10)


_CONV_PADS = ((1, 1), (1, 1))


def _forward_batch(model: TinyCNN, images: npt.NDArray[Any]) -> _Cache:
    n, f = len(images), model.n_filters
    x = images.astype(np.float64)[:, None]
    conv = _conv_forward(x, model.conv_weight, model.conv_bias, _CONV_PADS, (1, 1))
    act = np.maximum(conv, 0.0).reshape(n * f, _SIDE, _SIDE)
    # The batch's F maps per image are just more channels to pool2d.
    pooled, idx = pool2d(act, 2, return_indices=True)
    flat = pooled.reshape(n, f * _POOLED * _POOLED)
    scores = flat @ model.fc_weight.T + model.fc_bias
    return _Cache(x, conv, idx, flat, scores)


def _gradients(
    model: TinyCNN, images: npt.NDArray[Any], labels: npt.NDArray[Any]
) -> tuple[float, TinyCNN]:
    cache = _forward_batch(model, images)
    n, f = len(images), model.n_filters
    loss, g_scores = cross_entropy(cache.scores, labels)
    g_flat, g_fc_w, g_fc_b = linear_backward(cache.flat, model.fc_weight, g_scores)
    g_pool = g_flat.reshape(n * f, _POOLED, _POOLED)
    g_act = _max_pool_backward(g_pool, cache.pool_indices, (n * f, _SIDE, _SIDE))
    g_conv = np.where(cache.conv > 0, g_act.reshape(cache.conv.shape), 0.0)
    _, g_conv_w, g_conv_b = _conv_backward(
        cache.x, model.conv_weight, g_conv, _CONV_PADS, (1, 1), need_input=False
    )
    return loss, TinyCNN(g_conv_w, g_conv_b, g_fc_w, g_fc_b)


def _accuracy(model: TinyCNN, images: npt.NDArray[Any], labels: npt.NDArray[Any]) -> float:
    scores = _forward_batch(model, images).scores
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def _conv_forward(
    x: npt.NDArray[np.float64],
    weight: npt.NDArray[np.float64],
    bias: npt.NDArray[np.float64] | None,
    pads: tuple[tuple[int, int], tuple[int, int]],
    stride: tuple[int, int],
) -> npt.NDArray[np.float64]:
    """conv2d of a batch (N, C, H, W) -> (N, O, H', W') in one call: the tall-image layout.

    Image ``n``, padded, fills rows ``[n*B, n*B + H_pad)`` of one (C, N*B + KH, W_pad)
    image, with ``B = H_pad`` rounded up to a multiple of the row stride; a 'valid'
    convolution of it has image ``n``'s output rows at ``n*B/stride + r``. Rows whose
    window straddles two images are computed and thrown away (``KH - 1`` per image).
    """
    n, c, h, w = x.shape
    kh, kw = weight.shape[2:]
    (top, bottom), (left, right) = pads
    sh = stride[0]
    hp, wp = h + top + bottom, w + left + right
    out_hw = conv2d_output_shape((h, w), (kh, kw), stride, pads)
    block = math.ceil(hp / sh) * sh
    tall = np.zeros((c, n * block + kh, wp))
    tall[:, : n * block].reshape(c, n, block, wp)[:, :, top : top + h, left : left + w] = (
        x.transpose(1, 0, 2, 3)
    )
    out = conv2d(tall, weight, bias, stride=stride)  # (O, rows, W')
    rows = n * block // sh
    out = out[:, :rows].reshape(weight.shape[0], n, block // sh, out_hw[1])[:, :, : out_hw[0]]
    return out.transpose(1, 0, 2, 3)


def _conv_backward(
    x: npt.NDArray[np.float64],
    weight: npt.NDArray[np.float64],
    grad_out: npt.NDArray[np.float64],
    pads: tuple[tuple[int, int], tuple[int, int]],
    stride: tuple[int, int],
    *,
    need_input: bool = True,
) -> tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """conv2d_backward's core on a checked batch (N, C, H, W) and grad_out (N, O, H', W')."""
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    (top, bottom), (left, right) = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    grad_b = grad_out.sum(axis=(0, 2, 3))
    # The batch as channels: conv2d's sum over input channels is the sum over images.
    g_as_kernels = np.ascontiguousarray(grad_out.transpose(1, 0, 2, 3))  # (O, N, H', W')
    grad_w = np.empty((o, c, kh, kw))
    for k in range(c):
        grad_w[:, k] = conv2d(xp[:, k], g_as_kernels, dilation=stride)[:, :kh, :kw]
    if not need_input:
        return None, grad_w, grad_b
    # One group per image: image n's O gradient maps scatter through the same weights.
    ho, wo = grad_out.shape[2:]
    scattered = conv_transpose2d(
        grad_out.reshape(n * o, ho, wo), np.tile(weight, (n, 1, 1, 1)), stride=stride, groups=n
    ).reshape(n, c, (ho - 1) * stride[0] + kh, (wo - 1) * stride[1] + kw)
    # The windows may not reach the last padded rows/cols (stride): those get no gradient.
    grad_xp = np.zeros_like(xp)
    grad_xp[:, :, : scattered.shape[2], : scattered.shape[3]] = scattered
    return grad_xp[:, :, top : top + h, left : left + w], grad_w, grad_b


def _max_pool_backward(
    g: npt.NDArray[np.float64], idx: npt.NDArray[Any], shape: tuple[int, ...]
) -> npt.NDArray[np.float64]:
    h, w = shape[-2:]
    lead = int(np.prod(shape[:-2], dtype=np.int64))
    g2 = g.reshape(lead, -1)
    flat = (idx[..., 0] * w + idx[..., 1]).reshape(lead, -1)
    # One flat index per (channel, cell); bincount adds the gradients of windows sharing a cell.
    target = flat + (np.arange(lead) * (h * w))[:, None]
    out = np.bincount(target.ravel(), weights=g2.ravel(), minlength=lead * h * w)
    return out.reshape(shape)


def _check_range(value: Any, arg_name: str, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not (low <= value <= high)
    ):
        raise ArgumentError("nn_int_range", arg=arg_name, low=low, high=high, value=value)
    return int(value)


def _check_image(image: Any, arg_name: str) -> npt.NDArray[Any]:
    arr = check_array(image, arg_name, (2,))
    if arr.shape != (_SIDE, _SIDE):
        raise ArgumentError("nn_shape_mismatch", arg=arg_name, expected=(8, 8), shape=arr.shape)
    return arr


def _check_images(images: Any, arg_name: str) -> npt.NDArray[Any]:
    arr = check_array(images, arg_name, (3,))
    if arr.shape[1:] != (_SIDE, _SIDE):
        raise ArgumentError(
            "nn_shape_mismatch", arg=arg_name, expected="(N, 8, 8)", shape=arr.shape
        )
    return arr


def _check_labels(labels: Any, n: int) -> npt.NDArray[Any]:
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or np.any((y < 0) | (y > 9)):
        raise ArgumentError("nn_labels_range", high=_CLASSES - 1, value=_short(labels))
    return y


def _short(value: Any) -> Any:
    """A value for a message: long arrays shortened to their shape."""
    arr = np.asarray(value)
    if arr.size > 8:
        return f"<array of shape {arr.shape}>"
    return arr.tolist()
