"""A student's own stack: checks, finite-difference gradients, TinyVGG as a stack, training."""

from __future__ import annotations

import numpy as np
import pytest

import conv_core as cc
from conv_core import stacknet as sn
from conv_core import tinyvgg as tv
from conv_core.mnist import load_mnist
from conv_core.networks import (
    Activation,
    AvgPool2d,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    Input,
    MaxPool2d,
)
from tests.core.test_tinyvgg import close, numeric_grad

RNG = np.random.default_rng(5)


def small_stack():
    return [
        Input((28, 28, 1)),
        Conv2d(2, 3, padding="same", activation="relu"),
        MaxPool2d(2),
        Conv2d(3, (3, 2), padding=1),
        Activation("relu"),
        MaxPool2d(3),
        Flatten(),
        Dense(8, activation="relu"),
        Dropout(0.5),
        Dense(10),
        Activation("softmax"),
    ]


def test_shapes_follow_the_calculator():
    net = sn.build_stack(small_stack())
    out = sn.forward_stack(net, RNG.uniform(0, 255, (28, 28)))
    for info in net.summary.layers[1:]:
        shape = info.output_shape
        want = (shape[2], shape[0], shape[1]) if len(shape) == 3 else shape
        assert out[info.id].shape == want, info.id
    assert out["probs"].sum() == pytest.approx(1.0)


def check_weight_gradient(net, images, labels, key, part, n_picks=10):
    """stack_gradients' gradient of ``net.weights[key][part]`` equals central finite
    differences of the loss at ``n_picks`` random entries."""
    _, grads = sn.stack_gradients(net, images, labels)
    target = net.weights[key][part]
    picks = RNG.choice(target.size, size=min(target.size, n_picks), replace=False)

    def f(v):
        trial = net.copy()
        trial.weights[key][part] = v
        return sn.stack_gradients(trial, images, labels)[0]

    numeric = numeric_grad(f, target, picks).reshape(-1)[picks]
    close(grads[key][part].reshape(-1)[picks], numeric, 1e-5)


@pytest.mark.parametrize("which", range(8))
def test_gradients_match_finite_differences(which):
    net = sn.build_stack(small_stack(), seed=1)
    for pair in net.weights.values():
        pair[1][:] = RNG.normal(0, 0.1, pair[1].shape)
    images = RNG.uniform(0, 255, (3, 28, 28))
    labels = np.array([1, 5, 9])
    check_weight_gradient(net, images, labels, list(net.weights)[which // 2], which % 2)


def test_tinyvgg_as_a_stack_gives_tinyvggs_numbers():
    net = sn.build_stack(tv.tinyvgg_layers(10))
    shipped = tv.load_tinyvgg()
    for i, name in enumerate(tv.CONV_LAYERS):
        net.weights[name] = [shipped.conv_weights[i], shipped.conv_biases[i]]
    net.weights["output"] = [shipped.fc_weight, shipped.fc_bias]
    digit = load_mnist().test_images[3]
    ours, theirs = sn.forward_stack(net, digit), tv.forward(shipped, digit)
    for name in ("conv_1_1", "relu_2_2", "max_pool_2", "output"):
        close(ours[name], theirs.layers[name], 1e-10)
    close(ours["probs"], theirs.probs, 1e-10)


@pytest.mark.parametrize(
    "layers, match",
    [
        ([Input((30, 30, 1)), Flatten(), Dense(10)], "28, 28, 1"),
        ([Input((28, 28, 1)), Conv2d(2, 3, stride=2), Flatten(), Dense(10)], "stride 1"),
        ([Input((28, 28, 1)), AvgPool2d(3), Flatten(), Dense(10)], "divides the map"),
        ([Input((28, 28, 1)), AvgPool2d(2, stride=1), Flatten(), Dense(10)], "stride equal"),
        ([Input((28, 28, 1)), Flatten(), Dense(9)], "10 units"),
        ([Input((28, 28, 1)), Flatten(), Dense(200), Dense(10)], "at most"),
    ],
)
def test_refused_with_a_reason(layers, match):
    with pytest.raises(cc.ArgumentError, match=match):
        sn.build_stack(layers)


def test_training_learns_and_reports():
    data = load_mnist()
    small = type(data)(
        data.train_images[::4], data.train_labels[::4], data.test_images[::10],
        data.test_labels[::10], data.train_index[::4], data.test_index[::10],
    )  # fmt: skip
    net = sn.build_stack([Input((28, 28, 1)), MaxPool2d(2), Flatten(), Dense(10)])
    reports = list(sn.train_stack(net, small, epochs=2, lr=0.01, report_every=10))
    ends = [p for _, p in reports if p.test_accuracy is not None]
    assert [p.epoch for p in ends] == [1, 2]
    assert ends[-1].test_accuracy > 0.5  # chance is 0.1


def avg_stack():
    """Average pooling between two convolutions, the LeNet-5 way of the 1990s."""
    return [
        Input((28, 28, 1)),
        Conv2d(2, 3, padding="same", activation="relu"),
        AvgPool2d(2),
        Conv2d(3, 3),
        AvgPool2d(2),
        Flatten(),
        Dense(10),
    ]


@pytest.mark.parametrize("which", range(6))
def test_average_pooling_gradients_match_finite_differences(which):
    net = sn.build_stack(avg_stack(), seed=2)
    for pair in net.weights.values():
        pair[1][:] = RNG.normal(0, 0.1, pair[1].shape)
    images = RNG.uniform(0, 255, (3, 28, 28))
    labels = np.array([0, 4, 7])
    check_weight_gradient(net, images, labels, list(net.weights)[which // 2], which % 2)


def test_average_pooling_is_the_window_mean():
    net = sn.build_stack(avg_stack())
    digit = RNG.uniform(0, 255, (28, 28))
    out = sn.forward_stack(net, digit)
    conv = out["conv2d"]
    brute = np.array(
        [[[conv[c, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].mean() for j in range(14)]
          for i in range(14)] for c in range(2)]
    )  # fmt: skip
    close(out["avgpool2d"], brute, 1e-12)


def test_lenet5_trains_on_the_digit_padded_to_32x32():
    """The Network page's LeNet-5 (32x32x1 input, 61,706 parameters) is trainable: the digit
    gets a border of 2 zeros; its first map is 28x28, the gradient checks hold."""
    net = sn.build_stack(cc.networks.lenet5(), seed=0)
    assert net.summary.trainable == 61_706
    digit = RNG.uniform(0, 255, (28, 28))
    out = sn.forward_stack(net, digit)
    w, b = net.weights["conv1"]
    padded = np.pad(digit / 255.0, 2)
    first = cc.conv2d(padded[None], w, b)
    close(out["conv1"], np.maximum(first, 0), 1e-10)
    images = RNG.uniform(0, 255, (2, 28, 28))
    check_weight_gradient(net, images, np.array([3, 8]), "conv2", 0, n_picks=8)
