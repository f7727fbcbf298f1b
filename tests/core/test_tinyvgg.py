"""TinyVGG on MNIST: finite-difference gradient checks per layer, the shipped weights' accuracy,
the single-digit forward pass against the batched one and the shape calculator."""

from __future__ import annotations

import numpy as np
import pytest

import conv_core as cc
from conv_core import tinyvgg as tv
from conv_core.mnist import load_mnist
from conv_core.networks import network_summary
from conv_core.nn import _conv_backward, _max_pool_backward, cross_entropy, linear, softmax

RNG = np.random.default_rng(16)
EPS = 1e-6


def numeric_grad(f, x, picks=None):
    """Central differences of scalar f at x, at every index (or the given flat indices)."""
    x = np.array(x, dtype=np.float64)
    flat = x.reshape(-1)
    out = np.zeros_like(flat)
    for i in range(flat.size) if picks is None else picks:
        keep = flat[i]
        flat[i] = keep + EPS
        up = f(x)
        flat[i] = keep - EPS
        down = f(x)
        flat[i] = keep
        out[i] = (up - down) / (2 * EPS)
    return out.reshape(x.shape)


def close(a, b, tol=1e-6):
    a, b = np.asarray(a), np.asarray(b)
    assert np.abs(a - b).max() <= tol * max(1.0, np.abs(b).max()), (a, b)


# ----------------------------------------------------------------------------- each layer


def test_conv_layer_gradients_match_finite_differences():
    """Valid 3x3 convolution over several input channels: input, weights and bias."""
    x = RNG.normal(size=(2, 3, 6, 7))
    w = RNG.normal(size=(4, 3, 3, 3))
    b = RNG.normal(size=4)
    r = RNG.normal(size=(2, 4, 4, 5))  # the loss is sum(out * r), so grad_out = r

    def loss(x_=x, w_=w, b_=b):
        return float(np.sum(tv._conv_forward(x_, w_, b_, tv._NO_PAD, tv._ONE) * r))

    gx, gw, gb = tv._conv_grads(x, w, r)
    close(gx, numeric_grad(lambda v: loss(x_=v), x))
    close(gw, numeric_grad(lambda v: loss(w_=v), w))
    close(gb, numeric_grad(lambda v: loss(b_=v), b))


def test_fast_conv_gradients_equal_conv_core_nn():
    """The fast path gives conv_core.nn's conv2d_backward numbers."""
    x = RNG.normal(size=(3, 2, 8, 8))
    w = RNG.normal(size=(5, 2, 3, 3))
    g = RNG.normal(size=(3, 5, 6, 6))
    for fast, slow in zip(
        tv._conv_grads(x, w, g), _conv_backward(x, w, g, tv._NO_PAD, tv._ONE), strict=True
    ):
        close(fast, slow, 1e-12)


def test_relu_gradient():
    z = RNG.normal(size=(3, 5, 5))
    r = RNG.normal(size=z.shape)
    close(cc.relu_backward(z, r), numeric_grad(lambda v: float(np.sum(np.maximum(v, 0) * r)), z))


def test_max_pool_gradient():
    a = RNG.normal(size=(4, 6, 6))
    r = RNG.normal(size=(4, 3, 3))
    _, idx = cc.pool2d(a, 2, return_indices=True)

    def loss(v):
        return float(np.sum(np.asarray(cc.pool2d(v, 2)) * r))

    close(_max_pool_backward(r, idx, a.shape), numeric_grad(loss, a))


def test_dense_and_softmax_cross_entropy_gradients():
    flat = RNG.normal(size=(3, 8))
    w = RNG.normal(size=(10, 8))
    b = RNG.normal(size=10)
    y = np.array([1, 7, 3])

    def loss(f_=flat, w_=w, b_=b):
        return cross_entropy(linear(f_, w_, b_), y)[0]

    _, g = cross_entropy(linear(flat, w, b), y)
    close(g @ w, numeric_grad(lambda v: loss(f_=v), flat))
    close(g.T @ flat, numeric_grad(lambda v: loss(w_=v), w))
    close(g.sum(axis=0), numeric_grad(lambda v: loss(b_=v), b))
    close(softmax(np.log([1.0, 3.0])), [0.25, 0.75], 1e-12)


# ----------------------------------------------------------------------------- the network


def _random_model(f=3):
    model = tv.init_tinyvgg(f, seed=3)
    for bias in model.conv_biases:
        bias[:] = RNG.normal(0, 0.1, bias.shape)  # not 0, so every path is exercised
    model.fc_bias[:] = RNG.normal(0, 0.1, 10)
    return model


@pytest.mark.parametrize("which", range(10))
def test_network_gradient_for_every_parameter(which):
    """Every parameter array of the whole network, against central differences."""
    model = _random_model()
    images = RNG.uniform(0, 255, (3, 28, 28))
    labels = np.array([0, 4, 9])
    loss, grads = tv.gradients(model, images, labels)
    arrays = model.arrays()
    target = arrays[which]
    picks = RNG.choice(target.size, size=min(target.size, 12), replace=False)

    def f(v):
        trial = [a if k != which else v for k, a in enumerate(arrays)]
        return tv.gradients(tv.TinyVGG.from_arrays(trial), images, labels)[0]

    numeric = numeric_grad(f, target, picks).reshape(-1)[picks]
    analytic = grads.arrays()[which].reshape(-1)[picks]
    close(analytic, numeric, 1e-5)
    assert loss == pytest.approx(f(target))


def test_network_input_gradient():
    model = _random_model()
    images = RNG.uniform(0, 255, (2, 28, 28))
    labels = np.array([2, 5])
    _, _, gx = tv.gradients(model, images, labels, input_grad=True)
    picks = RNG.choice(images.size, size=15, replace=False)
    numeric = numeric_grad(lambda v: tv.gradients(model, v, labels)[0], images, picks)
    close(gx.reshape(-1)[picks], numeric.reshape(-1)[picks], 1e-5)


def test_forward_matches_batch_and_calculator():
    """The single-digit pass (conv_core's public layers) equals the batched training pass,
    and every layer's shape is the one network_summary computes."""
    model = _random_model(4)
    images = RNG.uniform(0, 255, (3, 28, 28))
    batch = tv.forward_batch(model, images)
    summary = network_summary(tv.tinyvgg_layers(4))
    for n in range(3):
        out = tv.forward(model, images[n])
        assert list(out.layers) == list(tv.LAYER_NAMES)
        for name, arr in batch.items():
            close(out.layers[name], arr[n], 1e-10)
        for name, arr in out.layers.items():
            shape = summary[name].output_shape
            assert arr.shape == (shape[2], shape[0], shape[1]) if len(shape) == 3 else shape
        close(out.probs, tv.predict_proba(model, images[n : n + 1])[0], 1e-10)
    assert model.n_params == summary.trainable


def test_bad_image_is_named():
    with pytest.raises(cc.ArgumentError, match="28x28"):
        tv.forward(tv.init_tinyvgg(2), np.zeros((8, 8)))


def test_training_is_deterministic_and_learns():
    data = load_mnist()
    small = type(data)(
        data.train_images[::40], data.train_labels[::40], data.test_images[::10],
        data.test_labels[::10], data.train_index[::40], data.test_index[::10],
    )  # fmt: skip
    runs = [list(tv.train_tinyvgg(tv.init_tinyvgg(4), small, epochs=2, seed=1)) for _ in "ab"]
    (m1, p1), (m2, _) = runs[0][-1], runs[1][-1]
    assert all(np.array_equal(a, b) for a, b in zip(m1.arrays(), m2.arrays(), strict=True))
    assert runs[0][0][1].loss > p1.loss


# ----------------------------------------------------------------------------- shipped weights


def test_shipped_weights_reach_97_percent():
    data = load_mnist()
    model = tv.load_tinyvgg()
    acc = tv.accuracy(model, data.test_images, data.test_labels)
    assert acc >= 0.97
    meta = tv.load_tinyvgg_meta()
    assert meta["test_accuracy"] == pytest.approx(acc)
    assert meta["training_seconds"] > 0 and len(meta["epoch_seconds"]) == meta["epochs"]


def test_bad_weights_file(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(path, conv_1_1_weight=np.zeros((2, 1, 3, 3)))
    with pytest.raises(cc.ArgumentError, match="TinyVGG"):
        tv.load_tinyvgg(path)
