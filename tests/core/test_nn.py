"""conv_core.nn: every layer's gradient against finite differences and brute-force loops,
the shipped model against a forward pass written out with loops, and training."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv_core import ArgumentError, conv2d, pool2d
from conv_core.digits import load_digits
from conv_core.nn import (
    TINY_CNN_WEIGHTS_PATH,
    TinyCNN,
    accuracy,
    conv2d_backward,
    cross_entropy,
    forward,
    gradients,
    init_tiny_cnn,
    linear,
    linear_backward,
    load_meta,
    load_pretrained,
    load_weights,
    max_pool2d_backward,
    predict_proba,
    relu_backward,
    save_weights,
    silent_filters,
    softmax,
    train,
    train_steps,
)

EPS = 1e-6


def numeric_grad(f, x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to every entry of ``x`` (in place)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + EPS
        up = f()
        x[i] = old - EPS
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * EPS)
    return grad


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# ------------------------------------------------------------------------------ conv


def conv_backward_loops(x, w, g, pads, stride):
    """The gradients of a batch convolution by explicit loops over every product."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (t, b), (left, r) = pads
    xp = np.zeros((n, c, h + t + b, wd + left + r))
    xp[:, :, t : t + h, left : left + wd] = x
    gxp = np.zeros_like(xp)
    gw = np.zeros(w.shape)
    gb = np.zeros(o)
    for s in range(n):
        for oc in range(o):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    gb[oc] += g[s, oc, i, j]
                    for k in range(c):
                        for a in range(kh):
                            for bb in range(kw):
                                row, col = i * stride + a, j * stride + bb
                                gw[oc, k, a, bb] += xp[s, k, row, col] * g[s, oc, i, j]
                                gxp[s, k, row, col] += w[oc, k, a, bb] * g[s, oc, i, j]
    return gxp[:, :, t : t + h, left : left + wd], gw, gb


conv_cases = st.fixed_dictionaries(
    {
        "n": st.integers(1, 3),
        "c": st.integers(1, 2),
        "o": st.integers(1, 3),
        "h": st.integers(3, 6),
        "w": st.integers(3, 6),
        "k": st.integers(1, 3),
        "pad": st.sampled_from([0, 1, ((1, 0), (0, 1)), ((0, 2), (1, 1))]),
        "stride": st.integers(1, 2),
        "seed": st.integers(0, 2**31),
    }
)


def _conv_case(p):
    rng = np.random.default_rng(p["seed"])
    x = rng.normal(size=(p["n"], p["c"], p["h"], p["w"]))
    w = rng.normal(size=(p["o"], p["c"], p["k"], p["k"]))
    out = conv2d(x[0], w, padding=p["pad"], stride=p["stride"])
    g = rng.normal(size=(p["n"], *out.shape))
    pad = p["pad"]
    pads = ((pad, pad), (pad, pad)) if isinstance(pad, int) else pad
    return x, w, g, pads


@given(conv_cases)
def test_conv2d_backward_matches_loops(p):
    x, w, g, pads = _conv_case(p)
    gx, gw, gb = conv2d_backward(x, w, g, padding=p["pad"], stride=p["stride"])
    rx, rw, rb = conv_backward_loops(x, w, g, pads, p["stride"])
    close(gx, rx, 1e-10)
    close(gw, rw, 1e-10)
    close(gb, rb, 1e-10)
    # One sample at a time gives the same, and the batch sums the weight gradients.
    gx0, gw0, gb0 = conv2d_backward(x[0], w, g[0], padding=p["pad"], stride=p["stride"])
    close(gx0, gx[0], 1e-12)
    if p["n"] == 1:
        close(gw0, gw, 1e-12)
        close(gb0, gb, 1e-12)


@settings(max_examples=40)
@given(conv_cases)
def test_conv2d_backward_finite_differences(p):
    """d/d(x, w, b) of sum(conv2d(x, w, b) * G), one sample, against central differences."""
    x, w, g, _ = _conv_case(p)
    x, g = x[0], g[0]
    b = np.random.default_rng(1).normal(size=w.shape[0])

    def loss():
        return float(np.sum(conv2d(x, w, b, padding=p["pad"], stride=p["stride"]) * g))

    gx, gw, gb = conv2d_backward(x, w, g, padding=p["pad"], stride=p["stride"])
    close(gx, numeric_grad(loss, x))
    close(gw, numeric_grad(loss, w))
    close(gb, numeric_grad(loss, b))


def test_conv2d_backward_hand_case():
    """1D-like case worked by hand: x = [1 2 3], w = [1 -1], G = [1 10]."""
    x = np.array([[[1.0, 2.0, 3.0]]])
    w = np.array([[[[1.0, -1.0]]]])
    gx, gw, gb = conv2d_backward(x, w, np.array([[[1.0, 10.0]]]))
    assert gx.tolist() == [[[1.0, 9.0, -10.0]]]  # 1*1, -1*1 + 1*10, -1*10
    assert gw.tolist() == [[[[21.0, 32.0]]]]  # 1*1 + 2*10, 2*1 + 3*10
    assert gb.tolist() == [11.0]


def test_conv2d_backward_bad_shapes():
    with pytest.raises(ArgumentError, match="grad_out"):
        conv2d_backward(np.ones((1, 4, 4)), np.ones((2, 1, 3, 3)), np.ones((2, 4, 4)))
    with pytest.raises(ArgumentError, match="channels"):
        conv2d_backward(np.ones((2, 4, 4)), np.ones((2, 1, 3, 3)), np.ones((2, 2, 2)))


# ------------------------------------------------------------------------------ other layers


@given(st.integers(0, 2**31))
def test_relu_backward_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, 3))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    g = rng.normal(size=x.shape)
    got = relu_backward(x, g)
    close(got, numeric_grad(lambda: float(np.sum(np.maximum(x, 0) * g)), x))


@settings(max_examples=100)
@given(
    st.integers(0, 2**31),
    st.sampled_from([(2, 2), (2, 1), (3, 1), (3, 2)]),
    st.integers(4, 7),
)
def test_max_pool_backward_finite_differences(seed, ks, size):
    """Non-overlapping and overlapping windows (a cell winning twice gets both gradients)."""
    kernel, stride = ks
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * size * size).reshape(2, size, size) * 0.1  # distinct: no ties
    values, idx = pool2d(x, kernel, stride=stride, return_indices=True)
    g = rng.normal(size=values.shape)
    got = max_pool2d_backward(g, idx, x.shape)
    loss = lambda: float(np.sum(pool2d(x, kernel, stride=stride) * g))  # noqa: E731
    close(got, numeric_grad(loss, x))


def test_max_pool_backward_bad_indices():
    with pytest.raises(ArgumentError, match="indices"):
        max_pool2d_backward(np.ones((2, 2)), np.zeros((2, 2), dtype=int), (4, 4))


@given(st.integers(0, 2**31), st.integers(1, 3))
def test_linear_backward_finite_differences(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    w = rng.normal(size=(3, 4))
    b = rng.normal(size=3)
    g = rng.normal(size=(n, 3))
    loss = lambda: float(np.sum(linear(x, w, b) * g))  # noqa: E731
    gx, gw, gb = linear_backward(x, w, g)
    close(gx, numeric_grad(loss, x))
    close(gw, numeric_grad(loss, w))
    close(gb, numeric_grad(loss, b))
    # A single vector is a batch of one.
    gx1, gw1, gb1 = linear_backward(x[0], w, g[0])
    close(gx1, gx[0], 1e-12)
    if n == 1:
        close(gw1, gw, 1e-12)
        close(gb1, gb, 1e-12)


@given(st.integers(0, 2**31), st.integers(1, 4))
def test_cross_entropy_finite_differences(seed, n):
    rng = np.random.default_rng(seed)
    s = rng.normal(scale=3, size=(n, 10))
    y = rng.integers(0, 10, n)
    loss, grad = cross_entropy(s, y)
    # The loss written out directly: -log of the softmax probability of the label.
    direct = -np.mean(np.log(np.exp(s)[np.arange(n), y] / np.exp(s).sum(axis=1)))
    assert loss == pytest.approx(direct, rel=1e-12)
    close(grad, numeric_grad(lambda: cross_entropy(s, y)[0], s))


def test_softmax_and_cross_entropy_are_stable():
    s = np.array([[1000.0, 0.0, -1000.0]])
    p = softmax(s)
    assert np.all(np.isfinite(p)) and p[0, 0] == 1.0
    loss, grad = cross_entropy(s, np.array([2]))
    assert loss == pytest.approx(2000.0) and np.all(np.isfinite(grad))
    close(softmax(np.array([1.0, 2.0, 3.0])), np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


@pytest.mark.parametrize("labels", [np.array([10]), np.array([-1]), np.array([0, 1]), [0.5]])
def test_cross_entropy_bad_labels(labels):
    with pytest.raises(ArgumentError, match="labels"):
        cross_entropy(np.zeros((1, 10)), labels)


# ------------------------------------------------------------------------------ whole model


def test_model_gradients_finite_differences():
    """Every weight of a 2-filter model, the loss on 3 dataset images."""
    d = load_digits()
    model = init_tiny_cnn(2, seed=3)
    model.conv_bias[:] = [0.1, -0.2]
    model.fc_bias[:] = np.linspace(-0.5, 0.5, 10)
    images, labels = d.train_images[:3], d.train_labels[:3]
    loss, grads = gradients(model, images, labels)
    for name in ("conv_weight", "conv_bias", "fc_weight", "fc_bias"):
        param = getattr(model, name)
        fd = numeric_grad(lambda: gradients(model, images, labels)[0], param)
        close(getattr(grads, name), fd, 1e-5)
    assert loss == pytest.approx(
        -np.mean(np.log(predict_proba(model, images)[np.arange(3), labels]))
    )


def forward_loops(model: TinyCNN, image: np.ndarray) -> dict[str, np.ndarray]:
    """The network written out with loops: conv (padding 1), ReLU, 2x2 max pool, dense, softmax."""
    f = model.n_filters
    xp = np.zeros((10, 10))
    xp[1:9, 1:9] = image
    conv = np.zeros((f, 8, 8))
    for k in range(f):
        for r in range(8):
            for c in range(8):
                total = model.conv_bias[k]
                for i in range(3):
                    for j in range(3):
                        total += xp[r + i, c + j] * model.conv_weight[k, 0, i, j]
                conv[k, r, c] = total
    relu = np.zeros_like(conv)
    for idx in np.ndindex(conv.shape):
        relu[idx] = conv[idx] if conv[idx] > 0 else 0.0
    pool = np.zeros((f, 4, 4))
    for k in range(f):
        for r in range(4):
            for c in range(4):
                pool[k, r, c] = max(relu[k, 2 * r + i, 2 * c + j] for i in (0, 1) for j in (0, 1))
    flat = [pool[k, r, c] for k in range(f) for r in range(4) for c in range(4)]
    scores = np.zeros(10)
    for o in range(10):
        scores[o] = model.fc_bias[o] + sum(model.fc_weight[o, i] * v for i, v in enumerate(flat))
    top = max(scores)
    exps = [np.exp(s - top) for s in scores]
    probs = np.array([e / sum(exps) for e in exps])
    return {"conv": conv, "relu": relu, "pool": pool, "scores": scores, "probs": probs}


def test_shipped_forward_equals_loops():
    trained, _ = load_pretrained()
    d = load_digits()
    for n in (0, 7, 100, 358):
        image = d.test_images[n]
        out = forward(trained, image)
        ref = forward_loops(trained, image)
        for name in ("conv", "relu", "pool", "scores", "probs"):
            close(getattr(out, name), ref[name], 1e-10)
        close(out.flat, ref["pool"].reshape(-1), 1e-10)
        np.testing.assert_array_equal(out.flat, out.pool.reshape(-1))  # C order
        np.testing.assert_array_equal(out.input, image)
        # pool_indices point at the cells holding the maxima.
        rows, cols = out.pool_indices[..., 0], out.pool_indices[..., 1]
        picked = np.take_along_axis(out.relu.reshape(8, 64), (rows * 8 + cols).reshape(8, 16), 1)
        close(picked.reshape(8, 4, 4), out.pool, 0)


def test_predict_proba_matches_forward():
    trained, _ = load_pretrained()
    images = load_digits().test_images[:25]
    probs = predict_proba(trained, images)
    for n in range(25):
        close(probs[n], forward(trained, images[n]).probs, 1e-12)


def test_model_shape_helpers():
    model = init_tiny_cnn(8)
    assert model.n_filters == 8
    assert model.param_counts() == [("conv", 72, 8), ("fc", 1280, 10)]
    twin = model.copy()
    twin.conv_weight[0, 0, 0, 0] += 1
    assert twin.conv_weight[0, 0, 0, 0] != model.conv_weight[0, 0, 0, 0]
    a, b = init_tiny_cnn(5, seed=2), init_tiny_cnn(5, seed=2)
    np.testing.assert_array_equal(a.fc_weight, b.fc_weight)
    assert not np.array_equal(a.fc_weight, init_tiny_cnn(5, seed=3).fc_weight)


@pytest.mark.parametrize("value", [0, 17, 2.0, True, "8"])
def test_init_bounds(value):
    with pytest.raises(ArgumentError, match="n_filters must be an integer from 1 to 16"):
        init_tiny_cnn(value)


@pytest.mark.parametrize("image", [np.zeros((7, 8)), np.zeros((8, 8, 1)), np.full((8, 8), np.nan)])
def test_forward_bad_image(image):
    with pytest.raises(ArgumentError, match="image"):
        forward(init_tiny_cnn(1), image)


# ------------------------------------------------------------------------------ training


def test_training_with_script_settings_reaches_90_percent():
    """The script's settings (stored in the shipped file) from init_tiny_cnn(8, seed=0)."""
    meta = load_meta(TINY_CNN_WEIGHTS_PATH)
    d = load_digits()
    model, history = train(
        init_tiny_cnn(meta["n_filters"], seed=meta["init_seed"]),
        d,
        epochs=meta["epochs"],
        lr=meta["lr"],
        batch_size=meta["batch_size"],
        seed=meta["seed"],
    )
    assert history[-1].test_accuracy >= 0.90
    assert accuracy(model, d.test_images, d.test_labels) == history[-1].test_accuracy
    assert meta["test_accuracy"] >= 0.90
    shipped, initial = load_pretrained()
    np.testing.assert_array_equal(initial.fc_weight, init_tiny_cnn(8, seed=0).fc_weight)
    # (The shipped weights are not compared with this run's: 15 epochs of SGD would amplify
    # a BLAS rounding difference on another CPU; test_load_pretrained checks the file.)
    assert shipped.n_filters == model.n_filters


def test_train_steps_sequence_and_snapshots():
    d = load_digits()
    start = init_tiny_cnn(3, seed=1)
    before = start.copy()
    steps = list(train_steps(start, d, epochs=2, lr=0.01, batch_size=128, report_every=5))
    assert [(p.epoch, p.batch) for p in steps] == [
        (1, 5),
        (1, 10),
        (1, 12),
        (2, 5),
        (2, 10),
        (2, 12),
    ]
    assert all(p.epochs == 2 and p.batches == 12 for p in steps)
    for p in steps:
        assert (p.test_accuracy is None) == (p.batch != 12)
        assert (p.train_accuracy is None) == (p.batch != 12)
        assert p.epoch_end == (p.batch == 12)
        assert p.loss > 0
    # The caller's model is untouched; each snapshot is its own copy.
    np.testing.assert_array_equal(start.fc_weight, before.fc_weight)
    assert not np.array_equal(steps[0].model.fc_weight, steps[1].model.fc_weight)
    final = steps[-1]
    assert final.test_accuracy == accuracy(final.model, d.test_images, d.test_labels)
    assert final.train_accuracy == accuracy(final.model, d.train_images, d.train_labels)
    # report_every larger than an epoch: only the epoch ends.
    ends = list(train_steps(start, d, epochs=1, batch_size=256, report_every=100))
    assert [(p.batch, p.batches) for p in ends] == [(6, 6)]


def test_training_is_deterministic():
    d = load_digits()
    a, _ = train(init_tiny_cnn(4, seed=0), d, epochs=2, lr=0.01, seed=5)
    b, _ = train(init_tiny_cnn(4, seed=0), d, epochs=2, lr=0.01, seed=5)
    c, _ = train(init_tiny_cnn(4, seed=0), d, epochs=2, lr=0.01, seed=6)
    for name in ("conv_weight", "conv_bias", "fc_weight", "fc_bias"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.fc_weight, c.fc_weight)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0}, "epochs must be an integer from 1 to 30"),
        ({"epochs": 31}, "epochs"),
        ({"lr": 0}, "lr must be a number with 0 < lr <= 1"),
        ({"lr": 1.5}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"batch_size": 0}, "batch_size must be an integer from 1 to 256"),
        ({"batch_size": 257}, "batch_size"),
        ({"report_every": 0}, "report_every"),
        ({"seed": -1}, "seed"),
    ],
)
def test_train_bounds(kwargs, match):
    d = load_digits()
    with pytest.raises(ArgumentError, match=match):
        train_steps(init_tiny_cnn(1), d, **kwargs)  # raises before the first step
    with pytest.raises(ArgumentError, match=match):
        train(init_tiny_cnn(1), d, **kwargs)


# ------------------------------------------------------------------------------ files


def test_save_load_round_trip(tmp_path):
    model, initial = init_tiny_cnn(3, seed=1), init_tiny_cnn(3, seed=2)
    path = tmp_path / "m.npz"
    save_weights(model, path, initial=initial, test_accuracy=0.5, note="hi")
    back = load_weights(path)
    for name in ("conv_weight", "conv_bias", "fc_weight", "fc_bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(model, name))
    assert load_meta(path) == {"test_accuracy": 0.5, "note": "hi"}


def test_load_pretrained():
    trained, initial = load_pretrained()
    assert trained.n_filters == initial.n_filters == 8
    assert not np.array_equal(trained.conv_weight, initial.conv_weight)
    d = load_digits()
    assert accuracy(trained, d.test_images, d.test_labels) == pytest.approx(
        load_meta(TINY_CNN_WEIGHTS_PATH)["test_accuracy"]
    )


def test_load_weights_bad_file(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, conv_weight=np.zeros((2, 1, 3, 3)))
    with pytest.raises(ArgumentError, match="not a Tiny CNN weights file"):
        load_weights(path)
    np.savez(
        path,
        conv_weight=np.zeros((2, 1, 3, 3)),
        conv_bias=np.zeros(2),
        fc_weight=np.zeros((10, 16)),
        fc_bias=np.zeros(10),
    )
    with pytest.raises(ArgumentError, match="shapes"):
        load_weights(path)


# ---------------------------------------------------------------- step sizes, silent filters


def test_first_update_scales_the_conv_weight_step_by_one_over_16_squared() -> None:
    d = load_digits()
    start = init_tiny_cnn(3, seed=4)
    lr, batch = 0.05, 16
    first = next(iter(train_steps(start, d, epochs=1, lr=lr, batch_size=batch, report_every=1)))
    pick = np.random.default_rng(0).permutation(len(d.train_labels))[:batch]
    _, grads = gradients(start, d.train_images[pick], d.train_labels[pick])
    np.testing.assert_allclose(
        first.model.conv_weight, start.conv_weight - lr / 256 * grads.conv_weight, atol=1e-12
    )
    for name in ("conv_bias", "fc_weight", "fc_bias"):
        np.testing.assert_allclose(
            getattr(first.model, name),
            getattr(start, name) - lr * getattr(grads, name),
            atol=1e-12,
        )


def test_silent_filters_matches_a_loop_over_images() -> None:
    d = load_digits()
    model = init_tiny_cnn(5, seed=2)
    model.conv_weight[1] = -np.abs(model.conv_weight[1])
    model.conv_bias[1] = -0.1
    model.conv_weight[3] = -1.0
    model.conv_bias[3] = 0.0
    images = d.test_images[:40]
    fires = np.zeros(5, dtype=bool)
    for image in images:
        fires |= forward(model, image).relu.reshape(5, -1).max(axis=1) > 0
    assert silent_filters(model, images).tolist() == np.flatnonzero(~fires).tolist()
    assert silent_filters(model, images).tolist() == [1, 3]


@pytest.mark.parametrize("n_filters", [4, 8, 16])
def test_the_pages_default_training_keeps_every_filter_alive(n_filters: int) -> None:
    """The page's defaults (3 epochs, lr 0.03, seed 0): every filter fires, accuracy >= 0.85."""
    d = load_digits()
    model, history = train(init_tiny_cnn(n_filters, seed=0), d, epochs=3, lr=0.03, seed=0)
    assert silent_filters(model, d.test_images).size == 0
    assert history[-1].test_accuracy >= 0.85
