"""Tests for conv_core.presets: every lecture example, recomputed two ways.

Each preset is checked against a brute-force loop written here (independent of
conv_core) and against the conv_core function that the app uses to compute it.
The conv_core modules are imported inside the tests, so this file still collects
while a module is being written; the tests then fail, never skip.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import re

import numpy as np
import pytest

from conv_core.errors import ArgumentError
from conv_core.presets import PRESET_KINDS, PRESETS, Preset, preset_names

NAMES = list(PRESETS)

# kind -> (conv_core module, function) that computes it with **preset.arguments.
COMPUTED_BY = {
    "correlate2d": ("conv", "correlate2d"),
    "conv2d": ("conv", "conv2d"),
    "pool2d": ("pooling", "pool2d"),
    "correlate1d": ("conv", "correlate1d"),
    "output_size": ("shapes", "conv_output_size"),
    "param_count": ("shapes", "conv_param_count"),
    "flatten_size": ("shapes", "flatten_size"),
    "conv_output_shape": ("shapes", "conv_output_shape"),
    "weight_shape": ("shapes", "conv_weight_shape"),
}


# --- brute force: loops over every output cell and every tap, nothing clever ------------


def bf_correlate2d(x, kernel, stride=1, padding=0, bias=0):
    """out[i, j] = sum_{u,v} padded[i*s + u, j*s + v] * kernel[u, v] + bias, zero padding."""
    x, k = np.asarray(x), np.asarray(kernel)
    if isinstance(stride, tuple):  # (y_stride, x_stride), equal in the lecture's examples
        assert stride[0] == stride[1]
        stride = stride[0]
    h, w = x.shape
    padded = [[0] * (w + 2 * padding) for _ in range(h + 2 * padding)]
    for r in range(h):
        for c in range(w):
            padded[r + padding][c + padding] = x[r, c].item()
    kh, kw = k.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    out = []
    for i in range(oh):
        row = []
        for j in range(ow):
            total = 0
            for u in range(kh):
                for v in range(kw):
                    total += padded[i * stride + u][j * stride + v] * k[u, v].item()
            row.append(total + (0 if bias is None else bias))
        out.append(row)
    return np.array(out)


def bf_conv2d(x, weight, bias=None, stride=1, padding=0):
    """PyTorch's conv2d (no flip): per output channel, the sum over input channels + bias."""
    x, weight = np.asarray(x), np.asarray(weight)
    if x.ndim == 2:  # one channel in, one out: a scalar bias
        return bf_correlate2d(x, weight, stride, padding, bias=0 if bias is None else bias)
    bias = np.zeros(weight.shape[0], dtype=int) if bias is None else np.asarray(bias)
    maps = []
    for o in range(weight.shape[0]):
        total = sum(
            bf_correlate2d(x[c], weight[o, c], stride, padding, bias=0) for c in range(x.shape[0])
        )
        maps.append(total + bias[o].item())
    return np.array(maps)


def bf_pool2d(x, kernel_size, stride=None, method="max"):
    x = np.asarray(x)
    s = kernel_size if stride is None else stride
    oh = (x.shape[0] - kernel_size) // s + 1
    ow = (x.shape[1] - kernel_size) // s + 1
    out = []
    for i in range(oh):
        row = []
        for j in range(ow):
            cells = [
                x[i * s + u, j * s + v].item()
                for u in range(kernel_size)
                for v in range(kernel_size)
            ]
            row.append(max(cells) if method == "max" else sum(cells) / len(cells))
        out.append(row)
    return np.array(out)


def bf_correlate1d(x, kernel, stride=1, padding=0):
    x = [0] * padding + list(np.asarray(x).tolist()) + [0] * padding
    k = np.asarray(kernel).tolist()
    n_out = (len(x) - len(k)) // stride + 1
    return np.array([sum(x[i * stride + t] * k[t] for t in range(len(k))) for i in range(n_out)])


def bf_output_size(n, kernel_size, stride=1, padding=0):
    """The lecture's (H + 2P - F)/S + 1, floored; TensorFlow's 'SAME' is ceil(n / stride)."""
    if padding == "same":
        return -(-n // stride)
    return (n + 2 * padding - kernel_size) // stride + 1


def bf_param_count(kernel_size, in_channels, out_channels, bias=True):
    return kernel_size * kernel_size * in_channels * out_channels + (out_channels if bias else 0)


def bf_flatten_size(shape):
    count = 1
    for n in shape:
        count *= int(n)
    return count


def bf_conv_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0):
    """One map per filter, whatever the input's depth; each side by the lecture's rule."""
    _, h, w = input_shape
    return np.array(
        [out_channels, *(bf_output_size(n, kernel_size, stride, padding) for n in (h, w))]
    )


def bf_weight_shape(kernel_size, in_channels, out_channels, layout="pytorch"):
    if layout == "tensorflow":  # tf.nn.conv2d's filters: [height, width, in, out]
        return np.array([kernel_size, kernel_size, in_channels, out_channels])
    return np.array([out_channels, in_channels, kernel_size, kernel_size])


BRUTE_FORCE = {
    "correlate2d": bf_correlate2d,
    "conv2d": bf_conv2d,
    "pool2d": bf_pool2d,
    "correlate1d": bf_correlate1d,
    "output_size": bf_output_size,
    "param_count": bf_param_count,
    "flatten_size": bf_flatten_size,
    "conv_output_shape": bf_conv_output_shape,
    "weight_shape": bf_weight_shape,
}


def assert_exactly(result, expected):
    """Same shape and the same numbers; integer results stay integer (exact)."""
    if isinstance(expected, np.ndarray):
        result = np.asarray(result)
        assert result.shape == expected.shape
        assert np.array_equal(result, expected), (result, expected)
        if np.issubdtype(expected.dtype, np.integer):
            assert np.issubdtype(result.dtype, np.integer), result.dtype
    else:
        assert isinstance(result, int) and not isinstance(result, bool)
        assert result == expected


# --- every preset, two ways ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_preset_matches_brute_force(name):
    """The stored expected result is what a plain loop computes from the stored inputs."""
    p = PRESETS[name]
    assert_exactly(BRUTE_FORCE[p.kind](**p.arguments), p.expected)


@pytest.mark.parametrize("name", NAMES)
def test_preset_matches_conv_core(name):
    """conv_core's own function, called with the preset's arguments, gives exactly `expected`."""
    p = PRESETS[name]
    module, function = COMPUTED_BY[p.kind]
    compute = getattr(importlib.import_module(f"conv_core.{module}"), function)
    assert_exactly(compute(**p.arguments), p.expected)


# --- the lecture's facts, pinned -------------------------------------------------------


def test_feature_map_lecture_facts():
    """4x4 map; first row 3, 1, 1, 3; the value at (1, 0) is 1; the last value is 1."""
    e = PRESETS["feature_map_6x6"].expected
    assert e.shape == (4, 4)
    assert e[0].tolist() == [3, 1, 1, 3]
    assert e[1, 0] == 1
    assert e[-1, -1] == 1


def test_feature_map_first_step_text():
    """The first step's arithmetic, built here from the window and the filter."""
    p = PRESETS["feature_map_6x6"]
    window = p.inputs["x"][:3, :3]
    terms = [f"({a}×{b})" for a, b in zip(window.ravel(), p.inputs["kernel"].ravel(), strict=True)]
    built = " + ".join(terms) + f" = {int((window * p.inputs['kernel']).sum())}"
    assert p.expected_first_step == built
    assert p.expected_first_step == (
        "(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3"
    )


def test_feature_map_first_step_matches_trace():
    """conv_core.trace writes the first step exactly as the lecture (and the preset) does."""
    from conv_core.trace import format_step, trace_correlate2d

    p = PRESETS["feature_map_6x6"]
    trace = trace_correlate2d(**p.arguments)
    assert format_step(trace.step(0)) == p.expected_first_step


@pytest.mark.parametrize(
    "name, corner",
    [("bias_diagonal", (10 * 10 + 10 * 10) + 20), ("bias_antidiagonal", 0 + 10)],
)
def test_bias_is_added_after_the_sum(name, corner):
    """Hand-worked first cells: (10·10 + 10·10) + 20 = 220 and (0·10 + 5·0 + 3·0 + 0·10) + 10."""
    assert PRESETS[name].expected[0, 0] == corner


def test_antidiagonal_is_not_flipped():
    """A true convolution (flipped filter) would give 60 where the lecture has 40."""
    p = PRESETS["bias_antidiagonal"]
    flipped = bf_correlate2d(p.inputs["x"], p.inputs["weight"][::-1, ::-1], bias=10)
    assert flipped[0, 1] == 60 and p.expected[0, 1] == 40


def test_zero_padding_grows_the_output():
    """Padding 1 around 3x3 with a 2x2 filter: (3 + 2 - 2)/1 + 1 = 4 per side."""
    p = PRESETS["zero_padding_bias"]
    assert p.expected.shape == (4, 4)
    assert bf_output_size(3, 2, 1, p.config["padding"]) == 4


def test_rgb_channel_sums():
    """Per channel 308, -498, 164; their sum -26; plus bias 1 gives -25."""
    p = PRESETS["rgb_one_position"]
    d = p.expected_details
    sums = tuple(int((p.inputs["x"][c] * p.inputs["weight"][0, c]).sum()) for c in range(3))
    assert sums == d["channel_sums"] == (308, -498, 164)
    assert sum(sums) == d["total"] == -26
    assert sum(sums) + d["bias"] == p.expected.item() == -25
    assert np.asarray(p.config["bias"]).tolist() == [d["bias"]]
    assert p.inputs["x"].shape == (3, 3, 3) and p.inputs["weight"].shape == (1, 3, 3, 3)


def test_rgb_channel_sums_match_trace():
    """conv_core.trace's per-channel partial sums agree with the preset's."""
    from conv_core.trace import trace_conv2d

    p = PRESETS["rgb_one_position"]
    step = trace_conv2d(**p.arguments).step(0)
    assert tuple(step.channel_sums.tolist()) == p.expected_details["channel_sums"]
    assert step.value == p.expected.item()


@pytest.mark.parametrize("name", ["max_pool_2x2", "avg_pool_2x2"])
def test_pool_grid_is_made_of_the_windows(name):
    """Each 2x2 window of the grid holds the lecture's four values in row-major order."""
    p = PRESETS[name]
    x = p.inputs["x"]
    windows = p.expected_details["windows"]
    assert windows == ((3, -1, -3, 1), (12, -1, 0, 1), (2, -3, 3, -2), (0, 1, 4, -1))
    for index, window in enumerate(windows):
        i, j = divmod(index, 2)
        assert tuple(x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].ravel().tolist()) == window
        cell = p.expected[i, j]
        assert cell == (max(window) if p.config["method"] == "max" else sum(window) / 4)


def test_pool_expected_values():
    assert PRESETS["max_pool_2x2"].expected.tolist() == [[3, 12], [3, 4]]
    assert PRESETS["avg_pool_2x2"].expected.tolist() == [[0, 3], [0, 1]]


def test_smoothing_1d():
    p = PRESETS["smoothing_1d"]
    assert p.expected.tolist() == [1.0, 1.0, 1.0]
    assert math.isclose(p.inputs["kernel"].sum(), 1.0)


@pytest.mark.parametrize("name", ["output_size_padding", "output_size_tf_same"])
def test_output_size_formula_text(name):
    """The lecture's formula text ends in the expected number."""
    p = PRESETS[name]
    assert int(re.search(r"=\s*(\d+)$", p.expected_details["formula"]).group(1)) == p.expected


def test_tf_same_padding_split():
    """'SAME' on 13 cells, 6 taps, stride 5: 3 cells of padding, 1 before and 2 after."""
    from conv_core.shapes import resolve_padding_1d

    p = PRESETS["output_size_tf_same"]
    n, k, s = p.inputs["n"], p.inputs["kernel_size"], p.config["stride"]
    total = max((-(-n // s) - 1) * s + k - n, 0)  # TensorFlow's rule, written out
    assert (total // 2, total - total // 2) == p.expected_details["padding"] == (1, 2)
    assert resolve_padding_1d("same", n, k, stride=s) == p.expected_details["padding"]


def test_param_count_parts():
    """3·3·3·128 = 3456 weights and 128 biases: 3584."""
    from conv_core.shapes import conv_param_count

    p = PRESETS["param_count_3x3_3_to_128"]
    d = p.expected_details
    assert d["weights"] == 3 * 3 * 3 * 128 == 3456
    assert d["weights"] + d["biases"] == p.expected == 3584
    assert conv_param_count(**{**p.arguments, "bias": False}) == d["weights"]
    assert bf_param_count(**{**p.arguments, "bias": False}) == d["weights"]


# --- the registry and the record -------------------------------------------------------


def test_every_example_of_the_lecture_is_there():
    assert NAMES == [
        "feature_map_6x6",
        "feature_map_5x5",
        "detector_diagonal",
        "detector_up_right",
        "detector_horizontal",
        "stride_3_skips_diagonal",
        "bias_diagonal",
        "bias_antidiagonal",
        "zero_padding_bias",
        "rgb_one_position",
        "max_pool_2x2",
        "avg_pool_2x2",
        "max_pool_stride_3",
        "smoothing_1d",
        "output_size_padding",
        "output_size_tf_same",
        "param_count_3x3_3_to_128",
        "flatten_48x48_rgb",
        "depth_10_filters",
        "tf_filter_3x3x1x32",
    ]
    assert {p.kind for p in PRESETS.values()} == set(PRESET_KINDS)


@pytest.mark.parametrize("name", NAMES)
def test_record_texts_and_keys(name):
    """Names match, texts are non-empty one-liners, keys follow 'presets.<name>.*'."""
    p = PRESETS[name]
    assert p.name == name and p.kind in PRESET_KINDS
    assert p.title.strip() and p.description.strip() and "\n" not in p.description
    assert p.title_key == f"presets.{name}.title"
    assert p.description_key == f"presets.{name}.description"


def test_texts_and_keys_unique():
    for attr in ("title", "description", "title_key", "description_key"):
        values = [getattr(p, attr) for p in PRESETS.values()]
        assert len(set(values)) == len(values), attr


@pytest.mark.parametrize("name", NAMES)
def test_arrays_read_only_and_integer_where_whole(name):
    """Stored arrays cannot be changed; whole-number data is int64."""
    p = PRESETS[name]
    arrays = [v for v in [*p.inputs.values(), p.expected] if isinstance(v, np.ndarray)]
    for arr in arrays:
        assert not arr.flags.writeable
        if np.array_equal(arr, np.round(arr)) and name not in ("smoothing_1d", "avg_pool_2x2"):
            assert arr.dtype == np.int64
    with pytest.raises(TypeError):
        p.inputs["x"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "other"


def test_preset_names_by_kind():
    """Filtering by kind partitions the presets; an unknown kind lists the kinds."""
    assert preset_names() == NAMES
    by_kind = [n for kind in PRESET_KINDS for n in preset_names(kind)]
    assert sorted(by_kind) == sorted(NAMES)
    assert preset_names("correlate2d") == [
        "feature_map_6x6",
        "feature_map_5x5",
        "detector_diagonal",
        "detector_up_right",
        "detector_horizontal",
        "stride_3_skips_diagonal",
    ]
    assert preset_names("conv2d") == [
        "bias_diagonal",
        "bias_antidiagonal",
        "zero_padding_bias",
        "rgb_one_position",
    ]
    assert preset_names("output_size") == ["output_size_padding", "output_size_tf_same"]
    with pytest.raises(ArgumentError, match="kind must be one of") as info:
        preset_names("conv3d")
    assert info.value.key == "bad_choice"


def test_record_rejects_unknown_kind():
    with pytest.raises(ArgumentError):
        Preset("x", "conv3d", "X", "X.", {}, {}, 0)


def test_arguments_merge_inputs_and_config():
    p = PRESETS["max_pool_2x2"]
    assert set(p.arguments) == {"x", "kernel_size", "stride", "method"}
    assert p.arguments["x"] is p.inputs["x"]


# --- the examples of issue 15, with the notes' numbers ------------------------------------


def test_feature_map_5x5_numbers_and_first_step():
    from conv_core.trace import format_step, trace_correlate2d

    p = PRESETS["feature_map_5x5"]
    assert p.expected.tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert p.expected[0, 0] == 4
    step = trace_correlate2d(p.inputs["x"], p.inputs["kernel"]).step(0)
    assert format_step(step) == p.expected_first_step


def test_pattern_detectors_side_by_side():
    """Only the filter shaped like the scribble answers strongly: cross-correlation is a
    measure of similarity between the window and the filter."""
    values = {
        name: PRESETS[name].expected.tolist()
        for name in ("detector_diagonal", "detector_up_right", "detector_horizontal")
    }
    assert values == {
        "detector_diagonal": [[200, 0], [0, 200]],
        "detector_up_right": [[0, 30], [50, 0]],
        "detector_horizontal": [[20, 0], [60, 20]],
    }
    best = {name: max(max(row) for row in v) for name, v in values.items()}
    assert best["detector_diagonal"] > 3 * max(
        best["detector_up_right"], best["detector_horizontal"]
    )
    for name in values:
        assert PRESETS[name].expected_details["detected"] == (name == "detector_diagonal")
        assert "bias" not in PRESETS[name].config


def test_stride_3_jumps_over_the_diagonal():
    from conv_core.shapes import conv_output_size

    p = PRESETS["stride_3_skips_diagonal"]
    x = p.inputs["x"]
    assert x.shape == (5, 5) and np.array_equal(x[1:4, 1:4], PRESETS["bias_diagonal"].inputs["x"])
    assert p.config["stride"] == (3, 3)
    d = p.expected_details
    assert (d["x_stride"], d["y_stride"]) == (3, 3)
    assert conv_output_size(5, 2, stride=3) == (5 - 2) // 3 + 1 == 2
    assert p.expected.tolist() == [[0, 0], [0, 0]]
    # the windows start at rows/cols 0 and 3 and are 2 wide: row and column 2 of the padded
    # grid (row and column 1 of the scribble, its centre 10) are never visited
    covered = {r + u for r in (0, 3) for u in (0, 1)}
    assert set(range(5)) - covered == set(d["skipped_rows"]) == set(d["skipped_cols"]) == {2}
    assert x[2, 2] == 10


def test_max_pool_stride_3_on_the_same_grid():
    p = PRESETS["max_pool_stride_3"]
    assert np.array_equal(p.inputs["x"], PRESETS["stride_3_skips_diagonal"].inputs["x"])
    assert (p.config["kernel_size"], p.config["stride"]) == (2, 3)
    assert p.expected.tolist() == [[10, 0], [0, 10]]


def test_sizes_the_notes_work_out():
    from conv_core.shapes import conv_param_count, conv_weight_shape

    assert PRESETS["flatten_48x48_rgb"].expected == 6912 == 48 * 48 * 3
    depth = PRESETS["depth_10_filters"]
    assert depth.expected[0] == 10 == depth.expected_details["depth"]
    tf = PRESETS["tf_filter_3x3x1x32"]
    assert tf.expected.tolist() == [3, 3, 1, 32]
    assert conv_weight_shape(3, 1, 32) == tf.expected_details["pytorch"]
    assert conv_param_count(3, 1, 32, bias=False) == tf.expected_details["weights"] == 288
