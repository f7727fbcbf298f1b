"""AppTest of the Network stack page (pages/network.py).

The table and totals are checked against conv_core.shapes (through ui.teaching.network_stack's
presets and independent conv_core calls), the receptive-field summary against
conv_core.receptive_field, custom layers (set through the page's stored editor rows, which
AppTest cannot type into) and errors as clear messages, in English and Korean.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import open_page
from tests.app.apptest_helpers import rerun as _rerun
from ui.teaching import network_stack as ns

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "network.py"
TIMEOUT = 60


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    return open_page(PAGE, lang=lang, state=state, timeout=TIMEOUT)


def _metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def _table(at: AppTest):
    frames = [d.value for d in at.dataframe if "Output (H × W × C)" in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def _summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "input pixels" in m.value or "픽셀" in m.value)


def _no_raw_keys(at: AppTest) -> None:
    texts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    texts += [e.value for e in at.error] + [e.value for e in at.info]
    texts += [w.label for w in at.selectbox] + [w.label for w in at.number_input]
    for text in texts:
        assert not re.search(r"\bnetwork\.[a-z_]+\.", str(text)), text


def _conv_total(name: str) -> int:
    """conv_param_count over the preset's convs (independent of network_stack.layer_rows)."""
    net = ns.PRESETS[name]
    c, total = net.input_hwc[2], 0
    for lay in net.layers:
        if lay.kind == "conv":
            total += cc.conv_param_count(lay.kernel, c, lay.filters)
            c = lay.filters
    return total


@pytest.mark.parametrize(
    ("name", "total", "out", "rf"),
    [
        ("lecture", 1_109_888, "3 × 3 × 256", 38),
        ("lenet5", 2_572, "5 × 5 × 16", 16),
        ("alexnet", 3_747_200, "6 × 6 × 256", 195),
        ("vgg16", 14_714_688, "7 × 7 × 512", 212),
    ],
)
def test_presets_table_totals_and_rf(name, total, out, rf):
    at = _run()
    if name != "lecture":
        at.selectbox(key="network.preset").set_value(name)
        _rerun(at)
    assert not at.error
    assert _conv_total(name) == total
    metrics = _metrics(at)
    assert metrics[0] == f"{total:,}"
    assert metrics[2] == out
    net = ns.PRESETS[name]
    table = _table(at)
    assert len(table) == len(net.layers) + 1
    h, w, c = net.input_hwc
    assert table.iloc[0]["Output (H × W × C)"] == f"{h} × {w} × {c}"
    spatial = [(x.kernel, x.stride, 1, x.padding) for x in net.layers if x.kind != "relu"]
    fields = cc.receptive_field(spatial, input_hw=(h, w))
    assert fields[-1].size == (rf, rf)
    assert table.iloc[-1]["Receptive field"] == f"{rf} × {rf}"
    dense = sum(int(v.replace(",", "")) for v in table["Dense instead"] if v)
    assert metrics[1] == ns.short_count(dense)
    assert at.metric[1].help == f"{dense:,}"
    assert f"sees **{rf} × {rf}** input pixels" in _summary(at)
    assert at.slider(key="network.layer").value == len(net.layers)


def test_lenet_shapes_in_table():
    at = _run(state={"network.preset": "lenet5"})
    at.selectbox(key="network.preset").set_value("lenet5")
    _rerun(at)
    outputs = _table(at)["Output (H × W × C)"][1:]
    layers = ns.PRESETS["lenet5"].layers
    outs = [o for o, lay in zip(outputs, layers, strict=True) if lay.kind != "relu"]
    assert outs == ["28 × 28 × 6", "14 × 14 × 6", "10 × 10 × 16", "5 × 5 × 16"]
    assert _table(at)["Parameters"].tolist()[1] == f"{cc.conv_param_count(5, 1, 6):,}"


def test_layer_slider_unit_and_sample():
    at = _run()
    at.slider(key="network.layer").set_value(1)
    _rerun(at)
    # layer 1: 7x7 conv, padding 3 -> rf 7, the centre unit (14, 14)
    assert at.number_input(key="network.unit_row").value == 14
    assert "sees **7 × 7** input pixels: rows 11 to 17" in _summary(at)
    at.number_input(key="network.unit_row").set_value(0)
    at.number_input(key="network.unit_col").set_value(27)
    _rerun(at)
    assert "rows -3 to 3, columns 24 to 30" in _summary(at)
    assert any("padding" in c.value for c in at.caption)
    at.selectbox(key="network.sample").set_value("camera")
    _rerun(at)
    chart = at.get("plotly_chart")
    assert chart
    at.slider(key="network.layer").set_value(3)
    _rerun(at)
    # after the pool: rf 8, jump 2, start -3; a new layer shows its centre unit again
    assert at.number_input(key="network.unit_col").value == 7
    at.number_input(key="network.unit_row").set_value(0)
    at.number_input(key="network.unit_col").set_value(13)
    _rerun(at)
    fields = cc.receptive_field([(7, 1, 1, 3), (2, 2, 1, 0)], input_hw=(28, 28))
    top, left, hh, ww = ns.unit_rect(fields[-1], (0, 13))
    assert f"rows {top} to {top + hh - 1}, columns {left} to {left + ww - 1}" in _summary(at)


def test_input_size_changes_shapes():
    at = _run()
    at.number_input(key="network.height").set_value(32)
    at.number_input(key="network.channels").set_value(3)
    _rerun(at)
    table = _table(at)
    assert table.iloc[1]["Output (H × W × C)"] == "32 × 28 × 64"
    assert table.iloc[1]["Parameters"] == f"{cc.conv_param_count(7, 3, 64):,}"


def test_custom_layers_and_errors():
    custom = ns.layers_to_records([ns.conv(8, 3), ns.RELU, ns.pool(2)])
    at = _run(state={"network.records": custom})
    assert _metrics(at)[0] == f"{cc.conv_param_count(3, 1, 8):,}"
    assert _metrics(at)[2] == "13 × 13 × 8"
    # a conv too large for the input: which layer, and conv_core's reason
    big = ns.layers_to_records([ns.conv(8, 3), ns.pool(2), ns.conv(4, 15)])
    at = _run(state={"network.records": big})
    assert at.error and at.error[0].value.startswith("Layer 3 does not fit:")
    assert not at.metric
    bad = [{"type": "dense", "kernel": 3}, {"type": "conv", "kernel": 2.5}]
    at = _run(state={"network.records": bad})
    errors = [e.value for e in at.error]
    assert errors == [
        "Row 1: the type must be conv, pool or relu.",
        "Row 2: Kernel must be a whole number.",
    ]
    at = _run(state={"network.records": []})
    assert "No layers yet" in at.info[0].value
    at = _run(state={"network.records": [{"type": "relu"}]})
    assert "just its own input pixel" in at.info[0].value


def test_korean_and_english_have_no_raw_keys():
    at = _run("ko")
    assert at.title[0].value == "네트워크 층 쌓기"
    assert "픽셀" in _summary(at)
    _no_raw_keys(at)
    at.selectbox(key="network.preset").set_value("alexnet")
    _rerun(at)
    _no_raw_keys(at)
    at = _run("en")
    _no_raw_keys(at)
    bad = ns.layers_to_records([ns.conv(8, 15), ns.conv(4, 15)])
    at = _run("ko", state={"network.records": bad})
    assert at.error and "번 층이 맞지 않습니다" in at.error[0].value
    _no_raw_keys(at)
