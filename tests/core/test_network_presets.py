"""Tests for conv_core.networks.presets: every famous network's published totals."""

import pytest

from conv_core import ArgumentError
from conv_core.networks import Input, network_summary
from conv_core.networks.presets import (
    DEPTH_TIMELINE,
    NETWORK_PRESETS,
    alexnet,
    bottleneck_unit,
    inception_3a,
    lecture_mnist,
    lenet5,
    network_preset_names,
    residual_unit,
    resnet34,
    resnet152,
    vgg,
    vgg_block,
)

# The contracts (issue 14): trainable, non-trainable.
PUBLISHED = {
    "lenet5": (61_706, 0),
    "alexnet": (62_378_344, 0),
    "alexnet_grouped": (60_965_224, 0),
    "alexnet_torchvision": (61_100_840, 0),
    "vgg16": (138_357_544, 0),
    "vgg19": (143_667_240, 0),
    "inception_3a": (163_696, 0),
    "resnet34": (21_797_672, 17_024),
    "resnet34_keras": (21_289_802, 17_024),
    "resnet152": (60_192_808, 151_424),
    "lecture_mnist": (1_413_834, 0),
}


def test_every_preset_is_listed() -> None:
    assert network_preset_names() == list(PUBLISHED)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_preset_totals(name) -> None:
    preset = NETWORK_PRESETS[name]
    s = network_summary(preset.layers)
    assert (s.trainable, s.non_trainable) == PUBLISHED[name]
    assert (preset.expected_trainable, preset.expected_non_trainable) == PUBLISHED[name]
    assert s.total == sum(PUBLISHED[name])
    assert preset.title and preset.description
    assert preset.title_key == f"architectures.presets.{name}.title"


def test_lenet5_layer_by_layer() -> None:
    s = network_summary(lenet5())
    assert [i.output_shape for i in s if i.kind != "input"] == [
        (28, 28, 6),
        (14, 14, 6),
        (10, 10, 16),
        (5, 5, 16),
        (400,),
        (120,),
        (84,),
        (10,),
    ]
    assert [i.trainable for i in s if i.trainable] == [156, 2416, 48120, 10164, 850]


def test_alexnet_shapes_and_variants() -> None:
    s = network_summary(alexnet())
    shapes = {i.id: i.output_shape for i in s}
    assert shapes["conv1"] == (55, 55, 96)
    assert shapes["pool1"] == (27, 27, 96)
    assert shapes["pool2"] == (13, 13, 256)
    assert shapes["conv5"] == (13, 13, 256)
    assert shapes["flatten"] == (9216,)
    assert s["predictions"].layer.activation == "softmax"
    assert s.trainable - s["fc1"].trainable - s["fc2"].trainable - s["predictions"].trainable == (
        3_747_200
    )
    grouped = network_summary(alexnet("grouped"))
    assert [i.layer.groups for i in grouped if i.kind == "conv2d"] == [1, 2, 1, 2, 2]
    assert grouped.trainable == 60_965_224
    tv = network_summary(alexnet("torchvision"))
    assert tv["pool5"].output_shape == (6, 6, 256) and tv["avgpool"].output_shape == (6, 6, 256)
    assert tv.trainable == 61_100_840
    with pytest.raises(ArgumentError):
        alexnet("caffe")


def test_vgg() -> None:
    s16, s19 = network_summary(vgg(16)), network_summary(vgg(19))
    assert s16["block5_pool"].output_shape == s19["block5_pool"].output_shape == (7, 7, 512)
    assert s16.trainable == 138_357_544 and s19.trainable == 143_667_240
    assert s16.trainable - 14_714_688 == s16["fc1"].trainable + s16["fc2"].trainable + (
        s16["predictions"].trainable
    )
    assert network_summary(vgg(11)).depth == 11
    assert [layer.id for layer in vgg_block("b", 8, 3)] == [
        "b_conv1",
        "b_conv2",
        "b_conv3",
        "b_pool",
    ]
    with pytest.raises(ArgumentError):
        vgg(15)


def test_inception_3a() -> None:
    s = network_summary(inception_3a())
    assert s["inception_3a_output"].output_shape == (28, 28, 256)
    assert s["inception_3a_pool"].output_shape == (28, 28, 192)
    params = {i.id.removeprefix("inception_3a_"): i.trainable for i in s if i.trainable}
    assert params == {
        "1x1": 12_352,
        "3x3_reduce": 18_528,
        "3x3": 110_720,
        "5x5_reduce": 3_088,
        "5x5": 12_832,
        "pool_proj": 6_176,
    }
    assert s.trainable == 163_696
    assert s["inception_3a_output"].receptive_field.size == (5, 5)


def test_resnet34() -> None:
    s = network_summary(resnet34())
    assert s.trainable == 21_797_672 and s.non_trainable == 17_024
    assert s["maxpool"].output_shape == (56, 56, 64)
    assert s["layer4.2_out"].output_shape == (7, 7, 512)
    assert s["avgpool"].output_shape == (512,)
    assert not any(i.layer.bias for i in s if i.kind == "conv2d")
    downsample = [i.id for i in s if i.id.endswith("_downsample")]
    assert downsample == ["layer2.0_downsample", "layer3.0_downsample", "layer4.0_downsample"]
    s10 = network_summary(resnet34(10))
    assert s10.trainable == 21_289_802 and s10.non_trainable == 17_024
    assert s.depth == 34


def test_resnet152() -> None:
    s = network_summary(resnet152())
    assert s.trainable == 60_192_808
    assert s["layer4.2_out"].output_shape == (7, 7, 2048)
    assert s.depth == 152
    assert sum(i.kind == "conv2d" for i in s) == 1 + 50 * 3 + 4


def test_residual_unit_as_torchvision() -> None:
    identity = network_summary([Input((56, 56, 64)), *residual_unit("u", "input", 64, 64)])
    assert identity.trainable == 2 * 36_864 + 2 * 128
    assert not [i for i in identity if "downsample" in i.id]
    proj = network_summary([Input((56, 56, 64)), *residual_unit("u", "input", 64, 128, 2)])
    assert proj["u_out"].output_shape == (28, 28, 128)
    assert proj["u_downsample"].weights == 64 * 128 and proj["u_downsample"].biases == 0
    assert proj["u_add"].inputs == ("u_bn2", "u_downsample_bn")
    unit = network_summary([Input((56, 56, 256)), *bottleneck_unit("b", "input", 256, 64)])
    assert unit.trainable == 16_384 + 36_864 + 16_384 + 2 * (64 + 64 + 256)
    assert unit["b_add"].inputs == ("b_bn3", "input")


def test_lecture_mnist_as_written() -> None:
    s = network_summary(lecture_mnist())
    assert [i.output_shape for i in s if i.kind in ("conv2d", "maxpool2d", "flatten")] == [
        (28, 28, 64),
        (14, 14, 64),
        (14, 14, 128),
        (14, 14, 128),
        (7, 7, 128),
        (7, 7, 256),
        (7, 7, 256),
        (3, 3, 256),
        (2304,),
    ]
    assert [i.trainable for i in s if i.trainable] == [
        3_200,
        73_856,
        147_584,
        295_168,
        590_080,
        295_040,
        8_256,
        650,
    ]
    assert s.total == 1_413_834
    assert [i.id for i in s][-3:] == ["dense_1", "dropout_1", "dense_2"]


def test_depth_timeline() -> None:
    assert [(m.name, m.depth) for m in DEPTH_TIMELINE] == [
        ("AlexNet", 8),
        ("VGG", 19),
        ("GoogLeNet", 22),
        ("ResNet", 152),
    ]
    assert [m.preset for m in DEPTH_TIMELINE] == ["alexnet", "vgg19", "inception_3a", "resnet152"]
    for milestone in DEPTH_TIMELINE:
        depth = network_summary(NETWORK_PRESETS[milestone.preset].layers).depth
        if milestone.name == "GoogLeNet":
            assert depth == 2  # one module of the 22
        else:
            assert depth == milestone.depth
