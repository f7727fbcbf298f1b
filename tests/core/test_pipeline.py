"""Tests for conv_core.pipeline: the lab's conv → bias → activation → pool, one pixel, one window.

References are independent of conv_core's engine: ``numpy.pad`` plus brute-force loops
over output positions and kernel taps (float64), the activations' textbook formulas,
pooling windows cut out by hand, ``scipy.ndimage.correlate`` and
``scipy.signal.correlate2d``. Integer images and kernels give exact float32 values on
every engine path, so those are compared exactly; floats within float32 round-off.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sps
from hypothesis import given
from hypothesis import strategies as st

import conv_core
from conv_core.errors import ArgumentError
from conv_core.pipeline import (
    ACTIVATIONS,
    COLOR_MODES,
    POOLS,
    PipelineResult,
    Stage,
    pixel_step,
    pool_window,
    run_pipeline,
)
from conv_core.shapes import conv_output_size_detail
from conv_core.trace import format_step
from tests.core.reference import NDI_MODE, NP_MODE, brute_correlate2d, resolve

MODES = ("zeros", "replicate", "reflect", "symmetric", "circular")
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
RNG = np.random.default_rng(20240601)


# --------------------------------------------------------------------------- references


def as_pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def ref_activation(x, name, slope=0.01):
    if name == "none":
        return x
    if name == "relu":
        return np.where(x > 0, x, 0.0)
    if name == "leaky_relu":
        return np.where(x >= 0, x, slope * x)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return np.tanh(x)


def pool_size_ref(n, k, s, ceil):
    out = (n - k) // s + 1
    if ceil and (n - k) % s:
        out += 1
        if (out - 1) * s >= n:
            out -= 1
    return out


def ref_pool(m, kind, k, s, ceil):
    """Pooling of one (H, W) map by cutting out each (edge-clipped) window."""
    (kh, kw), (sh, sw) = as_pair(k), as_pair(s)
    ho = pool_size_ref(m.shape[0], kh, sh, ceil)
    wo = pool_size_ref(m.shape[1], kw, sw, ceil)
    out = np.zeros((ho, wo))
    for r in range(ho):
        for c in range(wo):
            win = m[r * sh : r * sh + kh, c * sw : c * sw + kw]
            out[r, c] = win.max() if kind == "max" else win.mean()
    return out


def ref_pipeline(image, filters, bias, mode, **kw):
    """Every stage, float64, as (F, H, W) ('photo': (F, H, W, 3)) arrays, from the references."""
    stride, dilation = as_pair(kw.get("stride", 1)), as_pair(kw.get("dilation", 1))
    pmode = kw.get("padding_mode", "zeros")
    filters = np.asarray(filters, dtype=np.float64)
    n_f = filters.shape[0]
    khw = filters.shape[-2:]
    pads = resolve(kw.get("padding", 0), image.shape[:2], khw, stride, dilation)
    b = np.zeros(n_f) if bias is None else np.broadcast_to(np.asarray(bias, float), (n_f,))
    conv, chans = [], []
    for f in range(n_f):
        if mode == "gray":
            conv.append(brute_correlate2d(image, filters[f], stride, pads, dilation, pmode))
        elif mode == "photo":
            conv.append(
                np.stack(
                    [
                        brute_correlate2d(image[..., c], filters[f], stride, pads, dilation, pmode)
                        for c in range(3)
                    ],
                    axis=-1,
                )
            )
        else:
            kern = filters[f] if filters.ndim == 4 else np.stack([filters[f]] * 3)
            per = [
                brute_correlate2d(image[..., c], kern[c], stride, pads, dilation, pmode)
                for c in range(3)
            ]
            chans.append(np.stack(per))
            conv.append(per[0] + per[1] + per[2])
    conv = np.stack(conv)
    shape = (-1,) + (1,) * (conv.ndim - 1)
    biased = conv + b.reshape(shape)
    act = ref_activation(biased, kw.get("activation", "none"), kw.get("negative_slope", 0.01))
    pool = kw.get("pool", "none")
    if pool == "none":
        pooled = act
    else:
        k = kw.get("pool_size", 2)
        s = kw.get("pool_stride") or k
        ceil = kw.get("ceil_mode", False)
        if mode == "photo":
            pooled = np.stack(
                [
                    np.stack([ref_pool(a[..., c], pool, k, s, ceil) for c in range(3)], axis=-1)
                    for a in act
                ]
            )
        else:
            pooled = np.stack([ref_pool(a, pool, k, s, ceil) for a in act])
    return {
        "conv": conv,
        "bias": biased,
        "activation": act,
        "pool": pooled,
        "channels": np.stack(chans) if chans else None,
        "pads": pads,
    }


def image_for(mode, h, w, rng=RNG, low=0, high=256):
    shape = (h, w) if mode == "gray" else (h, w, 3)
    return rng.integers(low, high, shape).astype(np.float32)


def filters_for(mode, n_f, kh, kw, rng=RNG):
    shape = (n_f, 3, kh, kw) if mode == "cnn" else (n_f, kh, kw)
    return rng.integers(-3, 4, shape).astype(np.float32)


def check_stages(res, ref, *, exact):
    for stage in res.stages:
        got = stage.maps
        want = ref[stage.name]
        assert got.dtype == np.float32, stage.name
        assert got.shape == want.shape, stage.name
        if exact:
            np.testing.assert_array_equal(got, want, err_msg=stage.name)
        else:
            scale = max(1.0, float(np.abs(ref["conv"]).max()))
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5 * scale, err_msg=stage.name)


# --------------------------------------------------------------------------- hand-worked

LECTURE_RED = [[156, 155], [153, 154]]
LECTURE_GREEN = [[167, 166], [164, 165]]
LECTURE_BLUE = [[163, 162], [160, 161]]
LECTURE_W = [
    [[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
    [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
    [[0, 1, 1], [0, 1, 0], [1, -1, 1]],
]


def lecture_rgb():
    return np.stack([LECTURE_RED, LECTURE_GREEN, LECTURE_BLUE], axis=-1).astype(np.float32)


def test_lecture_rgb_example_cnn_way():
    """The lecture's RGB example: channel sums 308, -498, 164, bias 1, value -25."""
    res = run_pipeline(lecture_rgb(), [LECTURE_W], bias=[1], color_mode="cnn", padding=1)
    assert res.channel_maps[0, :, 0, 0].tolist() == [308, -498, 164]
    assert res.stage("conv").maps[0, 0, 0] == -26
    assert res.stage("bias").maps[0, 0, 0] == -25
    step = pixel_step(
        lecture_rgb(), [LECTURE_W], [1], filter_index=0, row=0, col=0, color_mode="cnn", padding=1
    )
    assert step.channel_sums.tolist() == [308, -498, 164]
    assert (step.total, step.bias, step.value) == (-26, 1, -25)
    text = format_step(step, channel_names=("R", "G", "B"))
    assert text.splitlines()[-1] == "308 + (-498) + 164 + 1 = -25"
    assert [line.split(":")[0] for line in text.splitlines()[:3]] == ["R", "G", "B"]


def test_gray_sobel_on_a_step_edge():
    """Sobel x on a dark-to-bright edge: 4 * 90 = 360 on the two columns at the edge."""
    x = np.array([[10, 10, 10, 100, 100, 100]] * 4, dtype=np.float32)
    res = run_pipeline(x, SOBEL_X[None])
    assert res.result.maps.tolist() == [[[0, 360, 360, 0]] * 2]
    assert res.result.shape == (2, 4, 1)
    assert res.conv_rows.formula() == "(4 + 0 + 0 - 3) / 1 + 1 = 2"
    assert res.conv_cols.formula() == "(6 + 0 + 0 - 3) / 1 + 1 = 4"


def test_photo_way_filters_each_colour_channel():
    """'photo': the same kernel on R, G and B gives a colour image per filter; bias on each."""
    image = np.zeros((3, 3, 3), np.float32)
    image[..., 0], image[..., 1], image[..., 2] = 1, 2, 3
    box = np.ones((1, 3, 3), np.float32)
    res = run_pipeline(image, box, bias=[0.5], color_mode="photo")
    assert res.stage("conv").maps.shape == (1, 1, 1, 3)
    assert res.stage("conv").maps[0, 0, 0].tolist() == [9, 18, 27]
    assert res.stage("bias").maps[0, 0, 0].tolist() == [9.5, 18.5, 27.5]
    assert res.stage("bias").shape == (1, 1, 3)
    assert res.channel_maps is None


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("none", [-2.0, 0.0, 3.0]),
        ("relu", [0.0, 0.0, 3.0]),
        ("leaky_relu", [-0.5, 0.0, 3.0]),
        ("tanh", list(np.tanh(np.array([-2.0, 0.0, 3.0], np.float32)))),
        ("sigmoid", [1 / (1 + math.exp(2)), 0.5, 1 / (1 + math.exp(-3))]),
    ],
)
def test_activations_table(activation, expected):
    x = np.array([[-2, 0, 3]], np.float32)
    res = run_pipeline(x, [[[1]]], activation=activation, negative_slope=0.25)
    np.testing.assert_allclose(res.stage("activation").maps[0, 0], expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("pool", "kwargs", "expected"),
    [
        ("max", {}, [[3, 12], [3, 4]]),
        ("avg", {}, [[0, 3], [0, 1]]),
        ("max", {"pool_size": 3, "pool_stride": 1}, [[12, 12], [4, 4]]),
        ("max", {"pool_size": 3, "pool_stride": 2, "ceil_mode": True}, [[12, 12], [4, 4]]),
        # clipped windows: (3 - 1 + 12 - 3 + 1 + 0 + 2 - 3 + 0) / 9, (12 - 1 + 0 + 1 + 1) / 6 ...
        (
            "avg",
            {"pool_size": 3, "pool_stride": 2, "ceil_mode": True},
            [[11 / 9, 13 / 6], [4 / 6, 1]],
        ),
    ],
)
def test_pooling_table(pool, kwargs, expected):
    """The lecture's 4x4 pooling grid; ceil_mode keeps the clipped last windows."""
    grid = np.array([[3, -1, 12, -1], [-3, 1, 0, 1], [2, -3, 0, 1], [3, -2, 4, -1]], np.float32)
    res = run_pipeline(grid, [[[1]]], pool=pool, **kwargs)
    np.testing.assert_allclose(res.result.maps[0], expected, rtol=1e-6)


def test_pool_sizes_with_ceil_mode_show_the_rounding():
    res = run_pipeline(np.ones((5, 5), np.float32), [[[1]]], pool="max", ceil_mode=True)
    assert res.result.shape == (3, 3, 1)
    assert (
        res.pool_rows.size == 3 and res.pool_rows.formula() == "(5 + 0 + 0 - 2) / 2 + 1 = 5/2 → 3"
    )
    res = run_pipeline(np.ones((5, 5), np.float32), [[[1]]], pool="max")
    assert res.pool_rows.size == 2 and res.pool_rows.formula().endswith("= 5/2 → 2")
    assert run_pipeline(np.ones((5, 5), np.float32), [[[1]]]).pool_rows is None


# --------------------------------------------------------------------------- stages


@pytest.mark.parametrize("mode", COLOR_MODES)
def test_skipped_stages_share_the_previous_array(mode):
    image = image_for(mode, 6, 7)
    filters = filters_for(mode, 2, 3, 3)
    res = run_pipeline(image, filters, color_mode=mode)
    assert [s.name for s in res.stages] == ["conv", "bias", "activation", "pool"]
    first = res.stages[0].maps
    assert all(s.maps is first for s in res.stages)
    assert [s.skipped for s in res.stages] == [False, True, True, True]
    assert res.result is res.stages[-1]
    # An all-zero bias changes nothing either; a real one makes a new array.
    res = run_pipeline(image, filters, bias=[0, 0], color_mode=mode, activation="relu")
    assert res.stages[1].maps is res.stages[0].maps and res.stages[1].skipped
    assert res.stages[2].maps is not res.stages[1].maps
    assert res.stages[3].maps is res.stages[2].maps
    res = run_pipeline(image, filters, bias=[0, 1], color_mode=mode, pool="avg")
    assert res.stages[1].maps is not res.stages[0].maps
    assert res.stages[2].maps is res.stages[1].maps
    assert not res.stages[3].skipped


@pytest.mark.parametrize("mode", COLOR_MODES)
@pytest.mark.parametrize("n_filters", [1, 3])
def test_shapes_follow_the_lecture(mode, n_filters):
    """(H, W, C): C = F for 'gray' and 'cnn', 3F for 'photo'; sizes from the size rule."""
    image = image_for(mode, 11, 9)
    res = run_pipeline(
        image, filters_for(mode, n_filters, 3, 2), color_mode=mode, stride=2, padding=1,
        pool="max", pool_size=2,
    )  # fmt: skip
    c = 3 * n_filters if mode == "photo" else n_filters
    ho, wo = (11 + 2 - 3) // 2 + 1, (9 + 2 - 2) // 2 + 1
    assert [s.shape for s in res.stages] == [(ho, wo, c)] * 3 + [(ho // 2, wo // 2, c)]
    for stage in res.stages:
        tail = (3,) if mode == "photo" else ()
        assert stage.maps.shape == (n_filters, *stage.shape[:2], *tail)
    assert res.conv_rows == conv_output_size_detail(11, 3, 2, (1, 1), 1)
    assert res.conv_cols == conv_output_size_detail(9, 2, 2, (1, 1), 1)
    assert res.pool_rows == conv_output_size_detail(ho, 2, 2)


@pytest.mark.parametrize("mode", COLOR_MODES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("pool", POOLS)
def test_every_mode_activation_and_pool_against_the_reference(mode, activation, pool):
    image = image_for(mode, 9, 8)
    filters = filters_for(mode, 2, 3, 3)
    bias = [-40, 25]
    kwargs = {
        "padding": "same", "padding_mode": "replicate", "activation": activation,
        "negative_slope": 0.1, "pool": pool, "pool_size": 2, "ceil_mode": True,
    }  # fmt: skip
    res = run_pipeline(image, filters, bias, color_mode=mode, **kwargs)
    ref = ref_pipeline(image, filters, bias, mode, **kwargs)
    # Integer values stay exact through conv, bias, ReLU and max pooling.
    exact = activation in ("none", "relu") and pool != "avg"
    check_stages(res, ref, exact=exact)
    if mode == "cnn":
        np.testing.assert_array_equal(res.channel_maps, ref["channels"])


@pytest.mark.parametrize("mode", COLOR_MODES)
@pytest.mark.parametrize("padding_mode", MODES)
@pytest.mark.parametrize(
    ("stride", "padding", "dilation"),
    [(1, 0, 1), (2, 1, 1), ((1, 3), ((2, 0), (1, 3)), (2, 1)), (3, "full", 2), (2, "same", (1, 2))],
)
def test_stride_padding_dilation_and_modes(mode, padding_mode, stride, padding, dilation):
    image = image_for(mode, 10, 9)
    filters = filters_for(mode, 2, 3, 2)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation,
              "padding_mode": padding_mode}  # fmt: skip
    res = run_pipeline(image, filters, [3, -7], color_mode=mode, **kwargs)
    ref = ref_pipeline(image, filters, [3, -7], mode, **kwargs)
    check_stages(res, ref, exact=True)


def test_gray_against_scipy_ndimage_and_signal():
    """Independent libraries: ndimage.correlate ('same', each mode) and signal.correlate2d."""
    x = RNG.random((23, 31)).astype(np.float32) * 255
    k = RNG.standard_normal((2, 5, 5)).astype(np.float32)
    for mode in MODES:
        res = run_pipeline(x, k, padding="same", padding_mode=mode)
        for f in range(2):
            want = ndi.correlate(x.astype(float), k[f].astype(float), mode=NDI_MODE[mode])
            np.testing.assert_allclose(res.result.maps[f], want, rtol=1e-4, atol=1e-2)
    res = run_pipeline(x, k)
    for f in range(2):
        want = sps.correlate2d(x.astype(float), k[f].astype(float), mode="valid")
        np.testing.assert_allclose(res.result.maps[f], want, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize(
    ("shape", "kernel"),
    [((120, 140), SOBEL_X), ((150, 130), np.ones((15, 15)) / 225), ((64, 64), "random9")],
)
def test_engine_paths_on_larger_images(shape, kernel):
    """Sizes where the engine takes its separable (Sobel) and FFT (15x15) paths."""
    if isinstance(kernel, str):
        kernel = RNG.standard_normal((9, 9))
    x = RNG.random(shape).astype(np.float32) * 255
    res = run_pipeline(x, kernel[None], padding="same", padding_mode="reflect")
    want = ndi.correlate(x.astype(float), kernel, mode="mirror")
    np.testing.assert_allclose(res.result.maps[0], want, rtol=1e-4, atol=1e-2)
    rgb = np.stack([x, x[::-1], 255 - x], axis=-1)
    res = run_pipeline(rgb, np.stack([kernel, -kernel]), color_mode="photo", padding="same")
    for c, channel in enumerate((x, x[::-1], 255 - x)):
        want = ndi.correlate(channel.astype(float), kernel, mode="constant")
        np.testing.assert_allclose(res.result.maps[0, ..., c], want, rtol=1e-4, atol=1e-2)
        np.testing.assert_allclose(res.result.maps[1, ..., c], -want, rtol=1e-4, atol=1e-2)


# --------------------------------------------------------------------------- 'cnn' channel maps


@pytest.mark.parametrize("bias", [None, 2.5, [1, -3]])
def test_channel_maps_sum_plus_bias_is_the_feature_map(bias):
    image = RNG.random((12, 10, 3)).astype(np.float32) * 255
    filters = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
    res = run_pipeline(image, filters, bias, color_mode="cnn", padding=1)
    assert res.channel_maps.shape == (2, 3, 12, 10) and res.channel_maps.dtype == np.float32
    b = np.zeros(2) if bias is None else np.broadcast_to(np.asarray(bias, float), (2,))
    summed = res.channel_maps.sum(axis=1, dtype=np.float64) + b[:, None, None]
    np.testing.assert_allclose(res.stage("bias").maps, summed, rtol=1e-6, atol=1e-3)
    # R + G + B is the conv stage exactly (the order the pipeline adds in).
    cm = res.channel_maps
    np.testing.assert_array_equal(res.stage("conv").maps, (cm[:, 0] + cm[:, 1]) + cm[:, 2])
    # Without channel maps: the same feature maps (one im2col pass instead).
    lean = run_pipeline(image, filters, bias, color_mode="cnn", padding=1, channel_maps=False)
    assert lean.channel_maps is None
    np.testing.assert_allclose(
        lean.stage("bias").maps, res.stage("bias").maps, rtol=1e-5, atol=1e-3
    )


def test_cnn_with_2d_kernels_uses_the_kernel_on_every_channel():
    image = image_for("cnn", 7, 6)
    k = filters_for("gray", 2, 3, 3)
    a = run_pipeline(image, k, color_mode="cnn")
    b = run_pipeline(image, np.repeat(k[:, None], 3, axis=1), color_mode="cnn")
    np.testing.assert_array_equal(a.result.maps, b.result.maps)
    np.testing.assert_array_equal(a.channel_maps, b.channel_maps)


def test_channel_maps_only_in_cnn_mode():
    assert run_pipeline(image_for("gray", 4, 4), [[[1]]]).channel_maps is None
    assert run_pipeline(image_for("photo", 4, 4), [[[1]]], color_mode="photo").channel_maps is None


# --------------------------------------------------------------------------- dtypes and memory


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float64, np.float32])
def test_any_numeric_image_gives_float32(dtype):
    image = RNG.integers(0, 256, (6, 5, 3)).astype(dtype)
    res = run_pipeline(image, [[[1, -1]]], color_mode="cnn", activation="sigmoid", pool="avg")
    assert all(s.maps.dtype == np.float32 for s in res.stages)
    assert res.channel_maps.dtype == np.float32
    ref = ref_pipeline(
        image.astype(float), [[[1, -1]]], None, "cnn", activation="sigmoid", pool="avg"
    )
    check_stages(res, ref, exact=False)


def test_photo_maps_are_views_of_one_array_per_stage():
    res = run_pipeline(image_for("photo", 8, 8), filters_for("photo", 2, 3, 3), color_mode="photo")
    conv = res.stage("conv").maps
    assert conv.shape == (2, 6, 6, 3)
    assert conv.base is not None and conv.base.shape == (2, 3, 6, 6)


def test_memory_stays_near_the_maps_kept():
    """A float32 RGB image through 8 filters, ReLU and pooling: no float64 or padded copies.

    Peak traced allocations beyond the maps the result keeps (conv, ReLU, pooled) stay
    within a few MB of strip buffers; a float64 copy of the image alone would be 11.5 MB,
    a float64 map stack 31 MB.
    """
    image = RNG.random((600, 800, 3), dtype=np.float32) * 255
    filters = RNG.standard_normal((8, 3, 3, 3)).astype(np.float32)
    run_pipeline(image, filters, color_mode="cnn", channel_maps=False)  # warm-up (imports)
    tracemalloc.start()
    try:
        res = run_pipeline(
            image, filters, color_mode="cnn", channel_maps=False, padding=1,
            activation="relu", pool="max",
        )  # fmt: skip
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = sum(s.maps.nbytes for s in res.stages if not s.skipped)
    assert peak - kept < 8e6, (peak, kept)


# --------------------------------------------------------------------------- pixel_step


def positions(ho, wo, n=12, rng=RNG):
    """Corners and edges first, then random cells."""
    fixed = {(0, 0), (0, wo - 1), (ho - 1, 0), (ho - 1, wo - 1), (ho // 2, 0), (0, wo // 2)}
    rand = {(int(rng.integers(ho)), int(rng.integers(wo))) for _ in range(n)}
    return sorted(fixed | rand)


@pytest.mark.parametrize("mode", COLOR_MODES)
@pytest.mark.parametrize("padding_mode", MODES)
@pytest.mark.parametrize(
    ("stride", "padding", "dilation"),
    [(1, 2, 1), (2, "same", 1), ((1, 2), "full", (2, 1)), (1, ((0, 3), (2, 1)), 1)],
)
def test_pixel_step_equals_the_bias_stage(mode, padding_mode, stride, padding, dilation):
    """Exactly, on integer values; the window's values are the padded image's."""
    image = image_for(mode, 9, 10)
    filters = filters_for(mode, 3, 3, 3)
    bias = [5, -2, 0.5]
    kw = {"stride": stride, "padding": padding, "dilation": dilation,
          "padding_mode": padding_mode}  # fmt: skip
    res = run_pipeline(image, filters, bias, color_mode=mode, **kw)
    maps = res.stage("bias").maps
    ho, wo = res.conv_rows.size, res.conv_cols.size
    pads = resolve(padding, (9, 10), (3, 3), as_pair(stride), as_pair(dilation))
    channels = image[None] if mode == "gray" else image.transpose(2, 0, 1)
    padded = np.stack([np.pad(c, pads, mode=NP_MODE[padding_mode]) for c in channels])
    (sh, sw), (dh, dw) = as_pair(stride), as_pair(dilation)
    for f in range(3):
        for r, c in positions(ho, wo):
            for ch in (0, 1, 2) if mode == "photo" else (None,):
                step = pixel_step(
                    image, filters, bias, filter_index=f, row=r, col=c, channel=ch,
                    color_mode=mode, **kw,
                )  # fmt: skip
                want = maps[f, r, c] if ch is None else maps[f, r, c, ch]
                assert step.value == float(want), (f, r, c, ch)
                assert step.bias == bias[f]
                rows = r * sh + dh * np.arange(3)
                cols = c * sw + dw * np.arange(3)
                assert step.rows.tolist() == rows.tolist()
                window = padded[:, rows][:, :, cols]
                if mode == "cnn":
                    np.testing.assert_array_equal(step.patch, window)
                    assert step.in_channels == (0, 1, 2)
                else:
                    np.testing.assert_array_equal(step.patch, window[ch or 0])
                    assert step.in_channels == ((ch,) if mode == "photo" else (0,))
                rows_orig = np.where(
                    (rows >= pads[0][0]) & (rows < pads[0][0] + 9), rows - pads[0][0], -1
                )
                cols_orig = np.where(
                    (cols >= pads[1][0]) & (cols < pads[1][0] + 10), cols - pads[1][0], -1
                )
                assert step.rows_orig.tolist() == rows_orig.tolist()
                assert step.cols_orig.tolist() == cols_orig.tolist()
                np.testing.assert_array_equal(
                    step.pad_mask, (rows_orig < 0)[:, None] | (cols_orig < 0)[None, :]
                )
                out_c = 3 * f + ch if mode == "photo" else f
                assert step.out_index == (out_c, r, c)


def test_pixel_step_without_bias_and_its_text():
    x = np.arange(16, dtype=np.float32).reshape(4, 4)
    step = pixel_step(x, SOBEL_X[None], filter_index=0, row=1, col=0)
    assert step.bias is None
    assert format_step(step) == (
        "(4×(-1)) + (5×0) + (6×1) + (8×(-2)) + (9×0) + (10×2) + (12×(-1)) + (13×0) + (14×1) = 8"
    )
    step = pixel_step(x, SOBEL_X[None], bias=-8, filter_index=0, row=1, col=0)
    assert format_step(step).endswith("= 8; 8 + (-8) = 0")


def test_pixel_step_matches_float_maps_to_rounding_on_engine_paths():
    """Separable (Sobel, large image) and FFT (15x15): the engine adds in another order."""
    x = RNG.random((130, 120)).astype(np.float32) * 255
    for k in (SOBEL_X / 8, RNG.standard_normal((15, 15))):
        res = run_pipeline(x, k[None], bias=0.25, padding="same", padding_mode="symmetric")
        maps = res.stage("bias").maps
        for r, c in positions(130, 120, n=6):
            step = pixel_step(x, k[None], 0.25, filter_index=0, row=r, col=c, padding="same",
                              padding_mode="symmetric")  # fmt: skip
            assert step.value == pytest.approx(float(maps[0, r, c]), rel=1e-5, abs=2e-3)


def test_pixel_step_reads_only_the_window():
    """A NaN elsewhere in the image does not matter for this pixel (and is not scanned)."""
    x = np.ones((50, 50), np.float32)
    x[40, 40] = np.nan
    step = pixel_step(x, [[[1, 1]]], filter_index=0, row=0, col=0)
    assert step.value == 2
    with pytest.raises(ArgumentError) as info:
        pixel_step(x, [[[1, 1]]], filter_index=0, row=40, col=39)
    assert info.value.key == "not_finite"


# --------------------------------------------------------------------------- pool_window


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize(
    ("size", "stride", "ceil"),
    [(2, None, False), (3, 2, True), ((2, 3), (1, 2), True), (3, 1, False)],
)
def test_pool_window_gives_the_pooled_values(pool, size, stride, ceil):
    image = image_for("gray", 9, 8)
    res = run_pipeline(
        image, filters_for("gray", 2, 2, 2), activation="relu", pool=pool, pool_size=size,
        pool_stride=stride, ceil_mode=ceil,
    )  # fmt: skip
    before = res.stage("activation").maps
    pooled = res.result.maps
    (kh, kw) = as_pair(size)
    (sh, sw) = as_pair(stride or size)
    for f in range(2):
        for r in range(pooled.shape[1]):
            for c in range(pooled.shape[2]):
                values, pos = pool_window(
                    before, f, r, c, pool=pool, pool_size=size, pool_stride=stride, ceil_mode=ceil
                )
                np.testing.assert_array_equal(
                    values, before[f, r * sh : r * sh + kh, c * sw : c * sw + kw]
                )
                if pool == "max":
                    assert before[f][pos] == pooled[f, r, c] == values.max()
                    first = np.argwhere(values == values.max())[0]
                    assert pos == (r * sh + int(first[0]), c * sw + int(first[1]))
                else:
                    assert pos == (r * sh, c * sw)
                    assert pooled[f, r, c] == pytest.approx(values.mean(), rel=1e-6)


def test_pool_window_photo_needs_a_channel():
    res = run_pipeline(image_for("photo", 6, 6), [[[1]]], color_mode="photo", pool="max")
    before = res.stage("activation").maps
    values, pos = pool_window(before, 0, 1, 2, pool="max", pool_size=2, channel=2)
    assert values.max() == res.result.maps[0, 1, 2, 2] == before[0][pos][2]
    with pytest.raises(ArgumentError) as info:
        pool_window(before, 0, 1, 2, pool="max", pool_size=2)
    assert info.value.key == "trace_index_out_of_range" and "channel" in str(info.value)


# --------------------------------------------------------------------------- errors


def err(call):
    with pytest.raises(ArgumentError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    ("kwargs", "key", "text"),
    [
        ({"color_mode": "rgb"}, "bad_choice", "color_mode must be one of"),
        ({"activation": "softmax"}, "bad_choice", "activation must be one of"),
        ({"pool": "min"}, "bad_choice", "pool must be one of"),
        ({"padding_mode": "constant"}, "bad_choice", "padding_mode must be one of"),
        (
            {"activation": "leaky_relu", "negative_slope": "a"},
            "negative_slope_not_number",
            "negative_slope",
        ),
        ({"stride": 0}, "not_positive_int", "stride"),
        ({"padding": -1}, "negative_padding", "padding"),
        ({"padding": "half"}, "bad_padding", "padding"),
        ({"pool": "max", "pool_size": 0}, "not_positive_int", "kernel_size"),
        ({"pool": "max", "pool_size": 9}, "output_empty", "would be empty"),
        ({"pool": "avg", "ceil_mode": 1}, "pool_not_bool", "ceil_mode"),
        ({"padding": 5, "padding_mode": "reflect"}, "reflect_pad_too_large", "reflect"),
    ],
)
def test_bad_settings(kwargs, key, text):
    e = err(lambda: run_pipeline(np.ones((5, 5)), np.ones((1, 3, 3)), **kwargs))
    assert e.key == key and text in str(e)


def test_bad_shapes_and_values():
    gray, rgb = np.ones((5, 5)), np.ones((5, 5, 3))
    k = np.ones((1, 3, 3))
    e = err(lambda: run_pipeline(rgb, k))
    assert e.key == "bad_ndim" and "(5, 5, 3)" in str(e)
    e = err(lambda: run_pipeline(gray, k, color_mode="cnn"))
    assert e.key == "bad_ndim" and "(H, W, 3)" in str(e)
    e = err(lambda: run_pipeline(np.ones((5, 5, 4)), k, color_mode="photo"))
    assert e.key == "bad_ndim" and "(5, 5, 4)" in str(e)
    e = err(lambda: run_pipeline(rgb, np.ones((2, 4, 3, 3)), color_mode="cnn"))
    assert e.key == "conv_channel_mismatch" and "(2, 4, 3, 3)" in str(e)
    e = err(lambda: run_pipeline(rgb, np.ones((2, 3, 3, 3)), color_mode="photo"))
    assert e.key == "bad_ndim" and "filters" in str(e)
    e = err(lambda: run_pipeline(gray, np.ones((3, 3))))
    assert e.key == "bad_ndim" and "filters" in str(e)
    e = err(lambda: run_pipeline(gray, np.ones((2, 3, 3)), bias=[1, 2, 3]))
    assert e.key == "conv_bias_shape"
    e = err(lambda: run_pipeline(gray, np.ones((1, 7, 3))))
    assert e.key == "output_empty" and "kernel spans 7" in str(e)
    bad = gray.copy()
    bad[2, 2] = np.inf
    e = err(lambda: run_pipeline(bad, k))
    assert e.key == "not_finite" and "image" in str(e)
    e = err(lambda: run_pipeline(gray, np.full((1, 3, 3), np.nan)))
    assert e.key == "not_finite" and "filters" in str(e)
    e = err(lambda: run_pipeline(gray.astype(str), k))
    assert e.key == "not_numeric"


def test_bad_pixel_and_window_indexes():
    gray, k = np.ones((5, 5)), np.ones((2, 3, 3))
    for kwargs, arg in [
        ({"filter_index": 2, "row": 0, "col": 0}, "filter_index"),
        ({"filter_index": 0, "row": 3, "col": 0}, "row"),
        ({"filter_index": 0, "row": 0, "col": -1}, "col"),
        ({"filter_index": 0, "row": 0, "col": True}, "col"),
        ({"filter_index": 0.0, "row": 0, "col": 0}, "filter_index"),
    ]:
        e = err(lambda kwargs=kwargs: pixel_step(gray, k, **kwargs))
        assert e.key == "trace_index_out_of_range" and arg in str(e)
    e = err(lambda: pixel_step(gray, k, filter_index=0, row=0, col=0, channel=1))
    assert e.key == "bad_choice" and "channel" in str(e)
    e = err(lambda: pixel_step(np.ones((5, 5, 3)), k, filter_index=0, row=0, col=0,
                               color_mode="photo"))  # fmt: skip
    assert e.key == "trace_index_out_of_range"
    assert "channel must be an integer from 0 to 2" in str(e)
    maps = np.ones((2, 4, 4), np.float32)
    e = err(lambda: pool_window(maps, 0, 2, 0, pool="max", pool_size=2))
    assert e.key == "trace_index_out_of_range" and "row must be an integer from 0 to 1" in str(e)
    e = err(lambda: pool_window(maps, 0, 0, 0, pool="none", pool_size=2))
    assert e.key == "bad_choice"
    e = err(lambda: pool_window(maps, 0, 0, 0, pool="max", pool_size=2, channel=0))
    assert e.key == "bad_choice"
    e = err(lambda: pool_window(np.ones((4, 4)), 0, 0, 0, pool="max", pool_size=2))
    assert e.key == "bad_ndim"


def test_exported_from_conv_core():
    for name in ("run_pipeline", "pixel_step", "pool_window", "PipelineResult", "Stage",
                 "COLOR_MODES", "ACTIVATIONS", "POOLS"):  # fmt: skip
        assert getattr(conv_core, name) is globals()[name]
        assert name in conv_core.__all__


# --------------------------------------------------------------------------- properties


@st.composite
def cases(draw):
    mode = draw(st.sampled_from(COLOR_MODES))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    n_f = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image = image_for(mode, h, w, rng, low=-20, high=40)
    filters = filters_for(mode, n_f, kh, kw, rng)
    if mode == "cnn" and draw(st.booleans()):
        filters = filters[:, 0]  # the 2D form: the same kernel on each channel
    bias = draw(st.one_of(st.none(), st.integers(-5, 5), st.just(list(range(-1, n_f - 1)))))
    kwargs = {
        "stride": draw(
            st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
        ),
        "padding": draw(st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same", "full"]))),
        "dilation": draw(st.integers(1, 2)),
        "padding_mode": draw(st.sampled_from(MODES)),
        "activation": draw(st.sampled_from(ACTIVATIONS)),
        "negative_slope": draw(st.sampled_from([0.01, 0.5, -1.0])),
        "pool": draw(st.sampled_from(POOLS)),
        "pool_size": draw(st.integers(1, 3)),
        "pool_stride": draw(st.one_of(st.none(), st.integers(1, 2))),
        "ceil_mode": draw(st.booleans()),
    }
    return mode, image, filters, bias, kwargs


@given(cases())
def test_property_pipeline_equals_the_reference(case):
    mode, image, filters, bias, kw = case
    stride, dilation = as_pair(kw["stride"]), as_pair(kw["dilation"])
    pads = resolve(kw["padding"], image.shape[:2], filters.shape[-2:], stride, dilation)
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, filters.shape[-2:], strict=True)]
    padded = [n + sum(p) for n, p in zip(image.shape[:2], pads, strict=True)]
    reflect_bad = kw["padding_mode"] == "reflect" and any(
        max(p) >= n and max(p) > 0 for p, n in zip(pads, image.shape[:2], strict=True)
    )
    if reflect_bad or any(p < s for p, s in zip(padded, spans, strict=True)):
        e = err(lambda: run_pipeline(image, filters, bias, color_mode=mode, **kw))
        assert e.key in ("reflect_pad_too_large", "output_empty")
        return
    conv_hw = [(p - s) // st_ + 1 for p, s, st_ in zip(padded, spans, stride, strict=True)]
    if kw["pool"] != "none" and min(conv_hw) < kw["pool_size"]:
        e = err(lambda: run_pipeline(image, filters, bias, color_mode=mode, **kw))
        assert e.key == "output_empty"
        return
    res = run_pipeline(image, filters, bias, color_mode=mode, **kw)
    assert isinstance(res, PipelineResult) and all(isinstance(s, Stage) for s in res.stages)
    ref = ref_pipeline(image, filters, bias, mode, **kw)
    exact = kw["activation"] in ("none", "relu") and kw["pool"] != "avg"
    check_stages(res, ref, exact=exact)
    c = filters.shape[0] * (3 if mode == "photo" else 1)
    assert all(s.shape == (*s.maps.shape[1:3], c) for s in res.stages)
    if mode == "cnn":
        np.testing.assert_array_equal(res.channel_maps, ref["channels"])
    # One output pixel through pixel_step, and one pooled pixel through pool_window.
    rng = np.random.default_rng(int(abs(image).sum()))
    f = int(rng.integers(filters.shape[0]))
    r, q = int(rng.integers(conv_hw[0])), int(rng.integers(conv_hw[1]))
    ch = int(rng.integers(3)) if mode == "photo" else None
    conv_kw = {k: kw[k] for k in ("stride", "padding", "dilation", "padding_mode")}
    step = pixel_step(image, filters, bias, filter_index=f, row=r, col=q, channel=ch,
                      color_mode=mode, **conv_kw)  # fmt: skip
    want = res.stage("bias").maps[f, r, q] if ch is None else res.stage("bias").maps[f, r, q, ch]
    assert step.value == float(want)
    if kw["pool"] != "none":
        pooled = res.result.maps
        pr, pq = int(rng.integers(pooled.shape[1])), int(rng.integers(pooled.shape[2]))
        values, pos = pool_window(
            res.stage("activation").maps, f, pr, pq, pool=kw["pool"], pool_size=kw["pool_size"],
            pool_stride=kw["pool_stride"], ceil_mode=kw["ceil_mode"], channel=ch,
        )  # fmt: skip
        got = pooled[f, pr, pq] if ch is None else pooled[f, pr, pq, ch]
        if kw["pool"] == "max":
            assert values.max() == got
            before = res.stage("activation").maps[f]
            assert (before[pos] if ch is None else before[pos][ch]) == got
        else:
            assert float(got) == pytest.approx(
                float(values.mean(dtype=np.float64)), rel=1e-5, abs=1e-6
            )
