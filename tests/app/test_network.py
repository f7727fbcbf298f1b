"""AppTest of the Networks page (pages/network.py).

Every preset's totals on the page against the published counts (the issue's numbers,
written here, not read from the presets), the layer table against conv_core's calculator,
the AlexNet note, the timeline buttons, custom stacks set through the page's stored editor
rows (AppTest cannot type into a data editor) with bad ones giving a message that names
the layer, the residual, factorised and dense-as-convolution tabs' numbers, and both
languages without raw keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from conv_core import networks as nets
from tests.app.apptest_helpers import assert_translated, open_page, page_text
from tests.app.apptest_helpers import rerun as _rerun
from ui.frame.i18n import translate
from ui.teaching.samples import load_sample

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "network.py"
TIMEOUT = 120

#: (preset, trainable, non-trainable): the published counts the issue quotes.
PUBLISHED = [
    ("lenet5", "61,706", "0"),
    ("alexnet", "62,378,344", "0"),
    ("alexnet_grouped", "60,965,224", "0"),
    ("alexnet_torchvision", "61,100,840", "0"),
    ("vgg16", "138,357,544", "0"),
    ("vgg19", "143,667,240", "0"),
    ("inception_3a", "163,696", "0"),
    ("resnet34", "21,797,672", "17,024"),
    ("resnet34_keras", "21,289,802", "17,024"),
    ("resnet152", "60,192,808", "151,424"),
    ("lecture_mnist", "1,413,834", "0"),
]


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    return open_page(PAGE, lang=lang, state=state, timeout=TIMEOUT)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _layer_table(at: AppTest):
    frames = [
        d.value for d in at.dataframe if "MACs" in d.value.columns or "MAC" in d.value.columns
    ]
    assert len(frames) == 1
    return frames[0]


def _records(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]


@pytest.mark.parametrize(("name", "trainable", "non_trainable"), PUBLISHED)
def test_every_preset_shows_its_published_totals(name, trainable, non_trainable):
    at = _run(state={"network.preset": name})
    metrics = _metrics(at)
    assert metrics["Trainable parameters"] == trainable
    assert metrics["Non-trainable"] == non_trainable
    assert any(trainable in s.value and "published" in s.value for s in at.success)
    table = _layer_table(at)
    summary = nets.network_summary(nets.NETWORK_PRESETS[name].layers)
    assert len(table) == len(summary)
    weights = table["Weights"].str.replace(",", "").astype(int)
    biases = table["Biases"].str.replace(",", "").astype(int)
    assert f"{int(weights.sum() + biases.sum()):,}" == trainable
    assert table["Output"].iloc[-1] == ", ".join([]) or table["Output"].iloc[-1] == " × ".join(
        f"{v:,}" for v in summary.output_shape
    )


def test_lecture_model_is_mnist_with_its_classifier_head():
    at = _run()  # the page opens on the lecture's model
    text = page_text(at)
    assert "MNIST" in text and "Fashion" not in text
    assert "1,413,834" in text
    table = _layer_table(at)
    row = table[table["Layer"] == "Flatten"].iloc[0]
    assert row["Output"] == "2,304"
    assert list(table["Layer"].iloc[-5:]) == [
        "Dense 128 · ReLU",
        "Dropout 0.5",
        "Dense 64 · ReLU",
        "Dropout 0.5",
        "Dense 10 · Softmax",
    ]


def test_resnet_table_counts_batchnorm_like_keras_and_macs():
    at = _run(state={"network.preset": "resnet34"})
    table = _layer_table(at).set_index("id")
    # BatchNorm after the 64-filter stem: 2C trainable (γ, β), 2C non-trainable.
    assert (table.loc["bn1", "Weights"], table.loc["bn1", "Biases"]) == ("64", "64")
    assert table.loc["bn1", "Non-trainable"] == "128"
    # conv1: 7x7x3x64 weights, no bias, 112*112*64*7*7*3 MACs.
    assert table.loc["conv1", "Weights"] == f"{7 * 7 * 3 * 64:,}"
    assert table.loc["conv1", "MACs"] == f"{112 * 112 * 64 * 7 * 7 * 3:,}"
    assert table.loc["conv1", "Receptive field"] == "7 × 7"
    assert table.loc["maxpool", "MACs"] == "0"


def test_alexnet_note_names_the_other_two_counts():
    at = _run(state={"network.preset": "alexnet"})
    note = " ".join(i.value for i in at.info)
    assert "62,378,344" in note and "60,965,224" in note and "61,100,840" in note


def test_timeline_buttons_load_their_networks():
    at = _run()
    labels = [b.label for b in at.button if b.key and b.key.startswith("network.timeline.")]
    assert labels == [
        "2012 AlexNet: 8",
        "2014 VGG: 19",
        "2014 GoogLeNet: 22",
        "2015 ResNet: 152",
    ]
    at.button(key="network.timeline.resnet152").click()
    _rerun(at)
    assert _metrics(at)["Trainable parameters"] == "60,192,808"
    assert _metrics(at)["Layers with weights"] == "152"
    at.button(key="network.timeline.vgg19").click()
    _rerun(at)
    assert _metrics(at)["Layers with weights"] == "19"
    assert at.session_state["network.preset"] == "vgg19"


def test_drawing_is_on_the_page():
    at = _run(state={"network.preset": "inception_3a"})
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-network.drawing")]
    assert len(charts) == 1


RES_INPUT = {"id": "input", "kind": "input", "shape": "8, 8, 4"}


def test_custom_stack_with_a_residual_unit():
    rows = _records(
        RES_INPUT,
        {"id": "c1", "kind": "conv2d", "out_channels": "4", "kernel_size": "3", "padding": "same"},
        {
            "id": "c2",
            "kind": "conv2d",
            "out_channels": "4",
            "kernel_size": "1, 3",
            "padding": "same",
            "groups": "4",
            "bias": False,
        },
        {"id": "sum", "kind": "add", "inputs": "c2, input"},
    )
    at = _run(state={"network.records": rows})
    assert not at.error
    table = _layer_table(at).set_index("id")
    assert table.loc["c2", "Weights"] == "12"  # depthwise 1x3 on 4 channels
    assert table.loc["sum", "Output"] == "8 × 8 × 4"
    assert table.loc["sum", "Receptive field"] == "3 × 5"
    assert "Edited" in page_text(at)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        # a skip to a layer with an incompatible shape
        (
            [
                RES_INPUT,
                {
                    "id": "wide",
                    "kind": "conv2d",
                    "out_channels": "8",
                    "kernel_size": "3",
                    "padding": "same",
                },
                {"id": "sum", "kind": "add", "inputs": "wide, input"},
            ],
            ["'sum'", "(8, 8, 8)", "(8, 8, 4)"],
        ),
        # a dense layer before any flatten
        ([RES_INPUT, {"id": "fc", "kind": "dense", "units": "10"}], ["'fc'", "Flatten"]),
        # a kernel larger than its input
        (
            [RES_INPUT, {"id": "big", "kind": "conv2d", "out_channels": "2", "kernel_size": "9"}],
            ["'big'", "9"],
        ),
        # a cell that is not a number
        (
            [RES_INPUT, {"id": "c", "kind": "conv2d", "out_channels": "two", "kernel_size": "3"}],
            ["Row 2", "out_channels", "'two'"],
        ),
        # an input that is not an earlier layer
        ([RES_INPUT, {"id": "c", "kind": "relu", "inputs": "nowhere"}], ["'nowhere'"]),
    ],
)
def test_bad_stacks_give_a_message_naming_the_layer(rows, needle):
    at = _run(state={"network.records": rows})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    for n in needle:
        assert n in errors, (n, errors)
    assert not [m for m in at.metric if m.label == "Trainable parameters"]


def test_an_empty_editor_says_what_to_add():
    at = _run(state={"network.records": []})
    assert any("add an input row" in i.value for i in at.info)


def test_residual_tab_steps_through_the_unit_on_conv_cores_numbers():
    at = _run()
    ex = nets.residual_unit_example()
    payloads = [
        c
        for c in at.get("bidi_component")
        if c.proto.id.endswith(("network.res.conv1", "network.res.conv2"))
    ]
    assert len(payloads) == 2
    # The steppers step through conv_core's own trace of each convolution of the unit.
    outputs = [np.asarray(json.loads(c.proto.json)["trace"]["output"])[0] for c in payloads]
    assert np.array_equal(outputs[0], ex.hidden) and np.array_equal(outputs[1], ex.residual)
    assert np.array_equal(ex.output, ex.x + ex.residual)
    text = page_text(at)
    assert "y = x + F(x)" in text
    g = nets.residual_gradients()
    metrics = _metrics(at)
    assert metrics["Plain stack: gradient at layer 1 ÷ top layer"] == f"{g.plain_ratio:.2e}"
    assert g.plain_ratio < 1 / 100 and 0.5 <= g.residual_ratio <= 10
    tables = [tb.value for tb in at.table]
    assert any(np.array_equal(tb.to_numpy(dtype=float), ex.output) for tb in tables)
    assert any(np.array_equal(tb.to_numpy(dtype=float), ex.activated) for tb in tables)


def test_factorised_and_dense_tabs_show_the_notes_numbers():
    at = _run()
    metrics = _metrics(at)
    assert metrics["3 × 3, 3 → 128"] == "3,456"
    assert metrics["1 × 1 → 1 × 3 → 3 × 1"] == "1,152"
    text = page_text(at)
    assert "49,152" in text
    successes = " ".join(s.value for s in at.success)
    assert "6 multiplications per output instead of 9" in successes
    assert "the dense layer is a convolution" in successes
    assert "Every cell equals the dense layer" in successes


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", ["lecture_mnist", "resnet34", "inception_3a"])
def test_both_languages_have_no_raw_keys(lang, name):
    at = _run(lang, state={"network.preset": name})
    assert_translated(at, "network")
    assert_translated(at, "architectures")
    if lang == "ko":
        assert "네트워크" in at.title[0].value


def test_korean_error_names_the_layer():
    rows = [RES_INPUT, {"id": "fc", "kind": "dense", "units": "10"}]
    at = _run("ko", state={"network.records": rows})
    errors = " ".join(e.value for e in at.error)
    assert "'fc'" in errors and "Flatten" in errors and "행" in errors


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_why_convolution_tab_counts_the_changed_values(lang: str):
    """The digit moved one pixel: conv_core's count of changed vector entries, the 28-entry
    gap between vertical neighbours, the maps that just move, the two assumptions."""
    at = _run(lang)
    assert not at.exception
    why = at.tabs[4]
    f = nets.flattened_shift(
        np.rint(load_sample("digit", as_gray=True)).astype(np.int64),
        cc.get_kernel("sobel_x").matrix,
    )
    text = " ".join(m.value for m in why.markdown)
    assert f.changed == 111 and str(f.changed) in text and "784" in text
    assert "28" in text
    assert [s.value for s in why.success] == [translate(lang, "network.why.maps_match")]
    assert translate(lang, "network.why.assumptions") in text
