"""Tests for conv_core.networks: layer records, the calculator and the editor records.

The brute-force checks run conv_core.conv2d / pool2d on zeros (shapes), count the entries
of the weight arrays they need (parameters), and push an impulse through all-ones kernels
(receptive fields), independently of the calculator's arithmetic.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import conv_core as cc
from conv_core import ArgumentError, ConvLabError, conv2d, pool2d, receptive_field
from conv_core.errors import ERROR_MESSAGES
from conv_core.networks import (
    RECORD_COLUMNS,
    Activation,
    AdaptiveAvgPool2d,
    Add,
    AvgPool2d,
    BatchNorm,
    Concat,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool2d,
    Input,
    MaxPool2d,
    named_layers,
    network_summary,
    network_to_records,
    records_to_network,
)
from conv_core.networks.presets import NETWORK_PRESETS

# ---------------------------------------------------------------------------------------
# layer records


def test_records_normalise_their_arguments() -> None:
    conv = Conv2d(8, 3, stride=(1, 2), padding=1)
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation) == (
        (3, 3),
        (1, 2),
        (1, 1),
        (1, 1),
    )
    assert conv == Conv2d(8, (3, 3), (1, 2), (1, 1))
    assert MaxPool2d(3).stride == (3, 3)
    assert MaxPool2d(3, 2, "same").padding == "same"
    assert Add(inputs=" a , b ").inputs == ("a", "b")
    assert Dropout(0).rate == 0.0
    assert Input((4, 5, 3)).id == "input"


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: Conv2d(0, 3), "not_positive_int"),
        (lambda: Conv2d(4, (3, 0)), "not_positive_int"),
        (lambda: Conv2d(4, 3, padding="full"), "network_bad_padding"),
        (lambda: Conv2d(4, 3, padding=-1), "network_bad_padding"),
        (lambda: Conv2d(4, 3, bias="yes"), "network_not_bool"),
        (lambda: Conv2d(4, 3, activation="relu6"), "bad_choice"),
        (lambda: MaxPool2d(3, padding=2), "network_pool_padding"),
        (lambda: AvgPool2d((2, 4), padding=(1, 3)), "network_pool_padding"),
        (lambda: Dropout(1.0), "network_dropout_rate"),
        (lambda: Dropout(True), "network_dropout_rate"),
        (lambda: Dropout(float("nan")), "network_dropout_rate"),
        (lambda: Dense(0), "not_positive_int"),
        (lambda: Input((28, 28)), "network_bad_shape"),
        (lambda: Input((28, 0, 1)), "network_bad_shape"),
        (lambda: Input((28, 28, 1), inputs="x"), "network_bad_inputs"),
        (lambda: Conv2d(4, 3, id="a,b"), "network_bad_id"),
        (lambda: Conv2d(4, 3, id=7), "network_bad_id"),
        (lambda: Add(inputs=("a", "")), "network_bad_inputs"),
        (lambda: Add(inputs=5), "network_bad_inputs"),
        (lambda: Activation("softplus"), "bad_choice"),
        (lambda: AdaptiveAvgPool2d(0), "not_positive_int"),
    ],
)
def test_bad_arguments_are_argument_errors(make, key) -> None:
    with pytest.raises(ArgumentError) as info:
        make()
    assert info.value.key == key
    assert str(info.value) == ERROR_MESSAGES[key].format(**info.value.params)


def test_named_layers_fill_keras_ids_and_the_layer_above() -> None:
    net = named_layers(
        [Input((8, 8, 1)), Conv2d(2, 3), Conv2d(2, 3, id="conv2d_1"), Conv2d(2, 1), Flatten()]
    )
    assert [layer.id for layer in net] == ["input", "conv2d", "conv2d_1", "conv2d_2", "flatten"]
    assert [layer.inputs for layer in net] == [
        (),
        ("input",),
        ("conv2d",),
        ("conv2d_1",),
        ("conv2d_2",),
    ]


@pytest.mark.parametrize(
    ("layers", "key", "index"),
    [
        ([], "network_empty", None),
        ([Conv2d(2, 3)], "network_input_position", 0),
        ([Input((8, 8, 1)), Input((8, 8, 1), id="x")], "network_input_position", 1),
        ([Input((8, 8, 1)), "conv"], "network_not_a_layer", 1),
        ([Input((8, 8, 1)), Conv2d(2, 3, id="a"), Conv2d(2, 3, id="a")], "network_duplicate_id", 2),
        ([Input((8, 8, 1)), Conv2d(2, 3, inputs="later"), Conv2d(2, 3, id="later")],
         "network_unknown_input", 1),
        ([Input((8, 8, 1)), Conv2d(2, 3, id="a", inputs="a")], "network_unknown_input", 1),
        ([Input((8, 8, 1)), Conv2d(1, 3, padding=1), Conv2d(1, 3, inputs="input, conv2d")],
         "network_one_input", 2),
        ([Input((8, 8, 1)), Add()], "network_add_inputs", 1),
        ([Input((8, 8, 1)), Conv2d(1, 1, id="a"), Conv2d(1, 1, id="b"),
          Add(inputs="input, a, b")], "network_add_inputs", 3),
        ([Input((8, 8, 1)), Concat()], "network_concat_inputs", 1),
    ],
)  # fmt: skip
def test_graph_errors_name_the_layer(layers, key, index) -> None:
    with pytest.raises(ArgumentError) as info:
        network_summary(layers)
    assert info.value.key == key
    assert info.value.params.get("index") == index


def test_add_of_different_shapes_names_the_layer_and_both_shapes() -> None:
    layers = [
        Input((28, 28, 64)),
        Conv2d(128, 3, stride=2, padding=1, id="conv"),
        Add(id="res", inputs="input, conv"),
    ]
    with pytest.raises(ArgumentError, match=r"'res' \(Add\)") as info:
        network_summary(layers)
    message = str(info.value)
    assert "(28, 28, 64)" in message and "(14, 14, 128)" in message
    assert info.value.params["index"] == 2


def test_concat_needs_equal_height_and_width() -> None:
    layers = [
        Input((28, 28, 8)),
        Conv2d(4, 3, id="valid"),
        Concat(id="cat", inputs="input, valid"),
    ]
    with pytest.raises(ArgumentError, match=r"'cat' \(Concat\).*\(28, 28, 8\).*\(26, 26, 4\)"):
        network_summary(layers)
    with pytest.raises(ArgumentError, match="network_concat_shapes|joins"):
        network_summary([Input((4, 4, 1)), Flatten(id="f"), Concat(inputs="f, input")])


def test_dense_before_flatten_is_refused_with_the_layer_named() -> None:
    layers = [Input((28, 28, 1)), Conv2d(8, 3, id="c"), Dense(10, id="head")]
    with pytest.raises(ArgumentError) as info:
        network_summary(layers)
    err = info.value
    assert err.key == "network_dense_needs_vector"
    assert "'head' (Dense)" in str(err) and "(26, 26, 8)" in str(err) and "Flatten" in str(err)
    assert "every pixel" in str(err)


@pytest.mark.parametrize(
    "layers",
    [
        [Input((5, 5, 1)), Conv2d(2, 7, id="big")],
        [Input((5, 9, 1)), Conv2d(2, (3, 11), padding=(0, 0), id="big")],
        [Input((5, 5, 1)), Conv2d(2, 3, dilation=3, id="big")],
        [Input((4, 4, 1)), MaxPool2d(5, id="big")],
    ],
)
def test_a_kernel_larger_than_its_padded_input_names_the_layer(layers) -> None:
    with pytest.raises(ArgumentError) as info:
        network_summary(layers)
    assert info.value.key == "network_kernel_too_large"
    assert "'big'" in str(info.value)


def test_more_shape_errors() -> None:
    with pytest.raises(ArgumentError, match=r"groups=4 .* \(6\)"):
        network_summary([Input((8, 8, 6)), Conv2d(8, 3, groups=4)])
    with pytest.raises(ArgumentError, match=r"needs an \(H, W, C\) feature map"):
        network_summary([Input((8, 8, 6)), Flatten(), MaxPool2d(2)])
    with pytest.raises(ArgumentError, match=r"needs an \(H, W, C\) feature map"):
        network_summary([Input((8, 8, 6)), GlobalAvgPool2d(), GlobalAvgPool2d()])
    with pytest.raises(ArgumentError, match="pool down"):
        network_summary([Input((8, 8, 6)), AdaptiveAvgPool2d(9)])


# ---------------------------------------------------------------------------------------
# counting rules


def test_conv_counts_weights_biases_and_macs() -> None:
    s = network_summary([Input((32, 32, 3)), Conv2d(128, 3, padding="same", bias=False)])
    info = s["conv2d"]
    assert info.output_shape == (32, 32, 128)
    assert (info.weights, info.biases, info.non_trainable) == (3456, 0, 0)
    assert info.macs == 32 * 32 * 128 * 3 * 3 * 3
    assert info.padding == ((1, 1), (1, 1))


def test_depthwise_and_grouped_convolutions() -> None:
    s = network_summary(
        [Input((10, 10, 128)), Conv2d(128, (1, 3), padding="same", groups=128, id="dw")]
    )
    assert s["dw"].weights == 384 and s["dw"].biases == 128
    assert s["dw"].macs == 10 * 10 * 128 * 3
    s = network_summary([Input((10, 10, 8)), Conv2d(6, 3, groups=2)])
    assert s.weights == 3 * 3 * 4 * 6
    assert s.macs == 8 * 8 * 6 * 9 * 4


def test_batchnorm_counts_like_keras() -> None:
    s = network_summary([Input((4, 4, 64)), BatchNorm(id="bn"), Flatten(), BatchNorm(id="bn1d")])
    assert (s["bn"].weights, s["bn"].biases, s["bn"].non_trainable) == (64, 64, 128)
    assert s["bn"].macs == 0
    assert s["bn1d"].trainable == 2 * 1024 and s["bn1d"].non_trainable == 2 * 1024
    assert s.total == s.trainable + s.non_trainable == 4 * 64 + 4 * 1024


def test_dense_counts_and_macs() -> None:
    s = network_summary([Input((3, 3, 256)), Flatten(), Dense(128), Dense(64, bias=False)])
    assert s["flatten"].output_shape == (2304,)
    assert (s["dense"].weights, s["dense"].biases, s["dense"].macs) == (294912, 128, 294912)
    assert (s["dense_1"].weights, s["dense_1"].biases) == (8192, 0)
    assert s.macs == 294912 + 8192


def test_layers_without_parameters_or_macs() -> None:
    s = network_summary(
        [
            Input((8, 8, 4)),
            MaxPool2d(2),
            AvgPool2d(3, 1, 1),
            Activation("relu"),
            Dropout(0.3),
            AdaptiveAvgPool2d(2),
            GlobalAvgPool2d(),
            Activation("softmax"),
        ]
    )
    assert [i.output_shape for i in s] == [
        (8, 8, 4),
        (4, 4, 4),
        (4, 4, 4),
        (4, 4, 4),
        (4, 4, 4),
        (2, 2, 4),
        (4,),
        (4,),
    ]
    assert s.trainable == s.non_trainable == s.macs == 0


def test_add_and_concat_shapes_and_receptive_fields() -> None:
    layers = [
        Input((16, 16, 8)),
        Conv2d(8, 5, padding=2, id="five"),
        Conv2d(8, 3, stride=1, padding=1, id="three", inputs="input"),
        MaxPool2d(2, id="p1", inputs="five"),
        MaxPool2d(2, id="p2", inputs="three"),
        Conv2d(8, 1, id="one", inputs="p2"),
        Add(id="sum", inputs="p1, one"),
        Concat(id="cat", inputs="p1, p2, one"),
    ]
    s = network_summary(layers)
    assert s["sum"].output_shape == (8, 8, 8)
    assert s["cat"].output_shape == (8, 8, 24)
    p1, one = s["p1"].receptive_field, s["one"].receptive_field
    assert p1.size == (6, 6) and one.size == (4, 4)
    for name in ("sum", "cat"):
        rf = s[name].receptive_field
        assert rf.size == (6, 6) and rf.jump == (2, 2)
        assert rf.start == (min(p1.start[0], one.start[0]), min(p1.start[1], one.start[1]))
        assert rf.output_hw == (8, 8)


def test_merge_takes_the_smallest_jump() -> None:
    s = network_summary(
        [
            Input((16, 16, 2)),
            Conv2d(2, 2, stride=2, id="s2"),
            AdaptiveAvgPool2d(8, id="same", inputs="input"),
            Add(inputs="s2, same"),
        ]
    )
    assert s["s2"].receptive_field.jump == (2, 2)
    assert s["same"].receptive_field.jump == (2, 2)
    s = network_summary(
        [
            Input((8, 8, 2)),
            Conv2d(2, 3, padding=1, id="j1"),
            MaxPool2d(2, id="j2", inputs="input"),
            Conv2d(2, 1, stride=2, id="j2b", inputs="j1"),
            Concat(inputs="j2b, j2"),
        ]
    )
    assert s["concat"].receptive_field.size == (3, 3)
    assert s["concat"].receptive_field.jump == (2, 2)


def test_dense_and_global_pool_see_the_whole_input() -> None:
    s = network_summary(NETWORK_PRESETS["vgg16"].layers)
    assert s["block5_pool"].receptive_field.size == (212, 212)
    assert s["flatten"].receptive_field.size == (212, 212)
    for name in ("fc1", "fc2", "predictions"):
        rf = s[name].receptive_field
        assert rf.size == (224, 224) and rf.start == (0, 0) and rf.output_hw is None
    s = network_summary([Input((9, 7, 3)), Conv2d(2, 3), GlobalAvgPool2d()])
    assert s["globalavgpool2d"].receptive_field.size == (9, 7)


def test_rectangular_kernels_and_per_axis_stride() -> None:
    s = network_summary(
        [Input((20, 30, 1)), Conv2d(4, (1, 3), stride=(2, 1), padding=(0, 1), dilation=(1, 2))]
    )
    info = s["conv2d"]
    assert info.output_shape == (10, 28, 4)
    assert info.receptive_field.size == (1, 5)
    assert info.receptive_field.jump == (2, 1)
    assert info.receptive_field.start == (0, -1)
    assert info.weights == 12


def test_same_padding_follows_tensorflow() -> None:
    s = network_summary([Input((13, 13, 1)), Conv2d(1, 6, stride=5, padding="same")])
    assert s["conv2d"].output_shape == (3, 3, 1)
    assert s["conv2d"].padding == ((1, 2), (1, 2))
    s = network_summary([Input((7, 7, 1)), MaxPool2d(2, padding="same")])
    assert s["maxpool2d"].output_shape == (4, 4, 1)


def test_depth_counts_weight_layers_on_the_longest_path() -> None:
    s = network_summary(
        [
            Input((8, 8, 4)),
            Conv2d(4, 3, padding=1, id="a"),
            Conv2d(4, 3, padding=1, id="b"),
            Conv2d(4, 1, id="skip", inputs="input"),
            Add(inputs="b, skip"),
            Flatten(),
            Dense(3),
        ]
    )
    assert [i.depth for i in s] == [0, 1, 2, 1, 2, 2, 3]
    assert s.depth == 3


def test_summary_indexing_and_totals() -> None:
    s = network_summary(NETWORK_PRESETS["lenet5"].layers)
    assert s[0].kind == "input" and s["fc1"].index == 6
    assert len(s) == 9 and [i.id for i in s][-1] == "predictions"
    assert s.input_shape == (32, 32, 1) and s.output_shape == (10,)
    assert s.weights + s.biases == s.trainable == 61_706
    with pytest.raises(KeyError):
        s["nope"]


# ---------------------------------------------------------------------------------------
# brute force: conv_core.conv2d / pool2d on zeros, weight arrays, impulses


@st.composite
def stacks(draw):
    h, w = draw(st.integers(4, 14)), draw(st.integers(4, 14))
    c = draw(st.integers(1, 4))
    layers = [Input((h, w, c))]
    channels = c
    for _ in range(draw(st.integers(1, 4))):
        kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        if draw(st.booleans()):
            padding = draw(
                st.sampled_from(["same", "valid"])
                | st.integers(0, 2)
                | st.tuples(st.integers(0, 2), st.integers(0, 2))
            )
            groups = draw(st.sampled_from([g for g in (1, 2, 3, 4) if channels % g == 0]))
            out = groups * draw(st.integers(1, 3))
            dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
            bias = draw(st.booleans())
            layers.append(Conv2d(out, (kh, kw), stride, padding, dilation, groups, bias))
            channels = out
        else:
            padding = draw(
                st.sampled_from(["same", "valid"])
                | st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))
            )
            pool = draw(st.sampled_from([MaxPool2d, AvgPool2d]))
            layers.append(pool((kh, kw), stride, padding))
    return layers


def _run(layers):
    """Shapes and parameter counts by running conv_core on zeros; None where it refuses."""
    h, w, c = layers[0].shape
    x = np.zeros((c, h, w))
    shapes, params = [(h, w, c)], []
    for layer in layers[1:]:
        if isinstance(layer, Conv2d):
            weight = np.zeros((layer.out_channels, x.shape[0] // layer.groups, *layer.kernel_size))
            bias = np.zeros(layer.out_channels) if layer.bias else None
            x = conv2d(x, weight, bias, layer.stride, layer.padding, layer.dilation, layer.groups)
            params.append(weight.size + (0 if bias is None else bias.size))
        else:
            method = "max" if isinstance(layer, MaxPool2d) else "avg"
            x = pool2d(x, layer.kernel_size, layer.stride, layer.padding, method)
            params.append(0)
        shapes.append((x.shape[1], x.shape[2], x.shape[0]))
    return shapes, params


@given(stacks())
def test_shapes_and_params_match_running_conv_core(layers) -> None:
    try:
        s = network_summary(layers)
    except ArgumentError as err:
        assert err.key == "network_kernel_too_large"
        bad = err.params["index"]
        with pytest.raises(ArgumentError):
            _run(layers[: bad + 1])
        _run(layers[:bad])  # everything before it runs
        return
    shapes, params = _run(layers)
    assert [i.output_shape for i in s] == shapes
    assert [i.trainable for i in s][1:] == params
    assert s.trainable == sum(params)


@given(stacks())
def test_receptive_fields_match_shapes_receptive_field(layers) -> None:
    try:
        s = network_summary(layers)
    except ArgumentError:
        return
    spec = [
        (layer.kernel_size, layer.stride, getattr(layer, "dilation", 1), layer.padding)
        for layer in layers[1:]
    ]
    expected = receptive_field(spec, input_hw=layers[0].shape[:2])
    got = [i.receptive_field for i in s][1:]
    assert got == expected


def _influence(layers, axis):
    """Input cells along ``axis`` (at row/col 0 of the other) that reach output unit (0, 0)."""
    h, w, c = layers[0].shape
    reached = []
    for pos in range(layers[0].shape[axis]):
        x = np.zeros((c, h, w))
        if axis == 0:
            x[:, pos, :] = 1.0
        else:
            x[:, :, pos] = 1.0
        for layer in layers[1:]:
            if isinstance(layer, Conv2d):
                weight = np.ones(
                    (layer.out_channels, x.shape[0] // layer.groups, *layer.kernel_size)
                )
                x = conv2d(
                    x, weight, None, layer.stride, layer.padding, layer.dilation, layer.groups
                )
            else:
                method = "max" if isinstance(layer, MaxPool2d) else "avg"
                x = pool2d(x, layer.kernel_size, layer.stride, layer.padding, method)
        if x[:, 0, 0].max() > 0:
            reached.append(pos)
    return reached


@given(stacks())
def test_receptive_field_ends_match_an_impulse(layers) -> None:
    try:
        s = network_summary(layers)
    except ArgumentError:
        return
    rf = s[-1].receptive_field
    # Windows are rectangles, so the cells reaching unit (0, 0) are rows x columns; a row
    # impulse (all columns) finds the rows, unless no column reaches it at all.
    reached_axes = [_influence(layers, 0), _influence(layers, 1)]
    if not all(reached_axes):  # unit (0, 0) can sit wholly in padding (1x1 kernel, pad 1)
        assert not any(reached_axes) and min(rf.start) < 0
        return
    for axis, reached in enumerate(reached_axes):
        n = layers[0].shape[axis]
        first, last = rf.start[axis], rf.start[axis] + rf.size[axis] - 1
        assert min(reached) >= max(first, 0) and max(reached) <= min(last, n - 1)
        if first >= 0:
            assert min(reached) == first
        if last < n:
            assert max(reached) == last


# ---------------------------------------------------------------------------------------
# the editor's records


@pytest.mark.parametrize("name", list(NETWORK_PRESETS))
def test_records_round_trip_every_preset(name) -> None:
    layers = NETWORK_PRESETS[name].layers
    rows = network_to_records(layers)
    back, problems = records_to_network(rows)
    assert problems == []
    assert named_layers(back) == named_layers(layers)
    wide = network_to_records(layers, all_columns=True)
    assert all(tuple(row) == RECORD_COLUMNS for row in wide)
    assert named_layers(records_to_network(wide)[0]) == named_layers(layers)


def test_records_are_plain_values() -> None:
    rows = network_to_records(NETWORK_PRESETS["inception_3a"].layers)
    assert rows[0] == {"id": "input", "kind": "input", "inputs": "", "shape": "28, 28, 192"}
    assert rows[-1]["inputs"] == (
        "inception_3a_1x1, inception_3a_3x3, inception_3a_5x5, inception_3a_pool_proj"
    )
    pool = next(r for r in rows if r["kind"] == "maxpool2d")
    assert pool == {
        "id": "inception_3a_pool",
        "kind": "maxpool2d",
        "inputs": "input",
        "kernel_size": 3,
        "stride": 1,
        "padding": "same",
    }
    for row in rows:
        for value in row.values():
            assert value is None or isinstance(value, (str, int, float, bool))


def test_records_accept_loose_spellings() -> None:
    rows = [
        {"kind": " Input ", "shape": "(32 x 32 x 3)"},
        {"kind": "CONV", "out_channels": 8.0, "kernel_size": "1x3", "padding": "1, 0",
         "bias": "no", "activation": "ReLU", "stride": float("nan")},
        {"kind": "bn"},
        {"kind": "LeakyReLU"},
        {"kind": "pool", "kernel_size": 2},
        {"kind": "gap"},
        {"kind": "fc", "units": "10", "activation": ""},
        {"kind": "dropout", "rate": "0.25"},
        {"kind": None, "units": None, "id": ""},
    ]  # fmt: skip
    layers, problems = records_to_network(rows)
    assert problems == []
    conv = layers[1]
    assert conv == Conv2d(8, (1, 3), 1, (1, 0), bias=False, activation="relu", id="")
    assert [layer.kind for layer in layers] == [
        "input",
        "conv2d",
        "batchnorm",
        "leaky_relu",
        "maxpool2d",
        "globalavgpool2d",
        "dense",
        "dropout",
    ]
    assert layers[4].stride == (2, 2)
    assert layers[-1].rate == 0.25


@pytest.mark.parametrize(
    ("row", "column", "key"),
    [
        ({"kind": "deconv"}, "kind", "network_record_kind"),
        ({"kind": "conv2d", "kernel_size": 3}, "out_channels", "network_record_missing"),
        ({"kind": "conv2d", "out_channels": 2.5, "kernel_size": 3}, "out_channels",
         "network_record_int"),
        ({"kind": "conv2d", "out_channels": 2, "kernel_size": "1,2,3"}, "kernel_size",
         "network_record_pair"),
        ({"kind": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": "full"}, "padding",
         "network_record_padding"),
        ({"kind": "conv2d", "out_channels": 2, "kernel_size": 3, "bias": "maybe"}, "bias",
         "network_record_bool"),
        ({"kind": "conv2d", "out_channels": 2, "kernel_size": 3, "activation": "relu6"},
         "activation", "network_record_activation"),
        ({"kind": "conv2d", "out_channels": 0, "kernel_size": 3}, "out_channels",
         "not_positive_int"),
        ({"kind": "maxpool2d", "kernel_size": 3, "padding": 2}, "padding",
         "network_pool_padding"),
        ({"kind": "dropout", "rate": "half"}, "rate", "network_record_number"),
        ({"kind": "dropout", "rate": 1.5}, "rate", "network_dropout_rate"),
        ({"kind": "dense", "units": 4, "id": "a b"}, "id", "network_bad_id"),
        ({"kind": "dense", "units": 4, "inputs": "a,,b"}, "inputs", "network_bad_inputs"),
    ],
)  # fmt: skip
def test_record_problems_name_row_and_column(row, column, key) -> None:
    rows = [{"kind": "input", "shape": "8, 8, 2"}, {}, row]
    layers, problems = records_to_network(rows)
    assert len(layers) == 1
    assert [(p.row, p.column, p.key) for p in problems] == [(2, column, key)]
    assert problems[0].message == ERROR_MESSAGES[key].format(**problems[0].params)


def test_record_problems_are_one_per_bad_row_and_shape_checks_wait() -> None:
    rows = [
        {"kind": "input", "shape": "8, 8"},
        {"kind": "conv2d", "out_channels": 2, "kernel_size": 3},
        {"kind": "dense"},
    ]
    _, problems = records_to_network(rows)
    assert [(p.row, p.column) for p in problems] == [(0, "shape"), (2, "units")]


@pytest.mark.parametrize(
    ("rows", "row", "column", "key"),
    [
        ([{"kind": "input", "shape": "28,28,1"}, {"kind": "conv2d", "out_channels": 4,
          "kernel_size": 3}, {}, {"kind": "dense", "units": 10}], 3, "kind",
         "network_dense_needs_vector"),
        ([{"kind": "input", "shape": "4,4,1"}, {"kind": "conv2d", "out_channels": 4,
          "kernel_size": 5}], 1, "kernel_size", "network_kernel_too_large"),
        ([{"kind": "input", "shape": "4,4,1"}, {"kind": "relu", "inputs": "nope"}], 1,
         "inputs", "network_unknown_input"),
        ([{"kind": "input", "shape": "4,4,1"}, {"kind": "relu", "id": "input"}], 1, "id",
         "network_duplicate_id"),
        ([{"kind": "relu"}], 0, "kind", "network_input_position"),
        ([], 0, "", "network_empty"),
        ([{"kind": "input", "shape": "4,4,6"}, {"kind": "conv2d", "out_channels": 4,
          "kernel_size": 1, "groups": 4}], 1, "groups", "network_groups"),
    ],
)  # fmt: skip
def test_shape_problems_land_on_their_row(rows, row, column, key) -> None:
    _, problems = records_to_network(rows)
    assert [(p.row, p.column, p.key) for p in problems] == [(row, column, key)]
    _, unchecked = records_to_network(rows, check=False)
    assert unchecked == []


def test_every_network_error_is_a_convlab_error_with_a_template() -> None:
    keys = [k for k in ERROR_MESSAGES if k.startswith("network_")]
    assert len(keys) >= 30
    assert issubclass(ArgumentError, ConvLabError)
    assert cc.networks.network_summary is network_summary
