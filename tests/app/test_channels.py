"""AppTest of the Channels and filters page (pages/channels.py).

The lecture preset's per-channel sums and output (conv_core.PRESETS['rgb_one_position']),
the stepper's trace (conv_core.trace_conv2d of the chosen filter), the N feature maps
(conv_core.conv2d), the parameter counts (conv_param_count / dense_param_count, preset
'param_count_3x3_3_to_128') and the 1x1 convolution, in English and Korean.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import open_page
from tests.app.apptest_helpers import set_widget as _set
from tests.app.apptest_helpers import stepper_payload as _payload
from ui.frame.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "channels.py"
TIMEOUT = 60


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    return open_page(PAGE, lang=lang, state=state, timeout=TIMEOUT)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in at.subheader] + [h.value for h in at.title]
    return "\n".join(parts)


def _no_raw_keys(at: AppTest) -> None:
    text = _text(at)
    assert not re.search(r"\bchannels\.[a-z_]+\.[a-z_]+", text), text
    assert "{" not in text, text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lecture_preset_sums_and_stepper(lang: str) -> None:
    at = _run(lang)
    assert not at.error
    _no_raw_keys(at)
    preset = cc.PRESETS["rgb_one_position"]
    details = preset.expected_details
    sums = details["channel_sums"]
    assert [int(v) for v in sums] == [308, -498, 164]
    text = _text(at)
    assert "308 + (-498) + 164 + 1 = **-25**" in text
    payload = _payload(at)
    assert payload is not None
    trace = cc.to_compact(cc.trace_conv2d(**preset.arguments), digits=9)
    assert payload["trace"]["output"] == trace["output"]
    assert payload["channel_names"] == ["R", "G", "B"]
    assert np.asarray(payload["trace"]["output"]).ravel().tolist() == [-25]
    table = at.dataframe[6].value
    assert table.iloc[:, 1].tolist() == [308, -498, 164, 1, -25]


def test_param_panel_preset_and_controls() -> None:
    at = _run()
    text = _text(at)
    preset = cc.PRESETS["param_count_3x3_3_to_128"]
    assert cc.conv_param_count(3, 3, 128) == preset.expected == 3584
    assert "= **3,584** parameters" in text
    dense = cc.dense_param_count(32 * 32 * 3, 30 * 30 * 128)
    assert f"**{dense:,}** parameters" in text
    assert f"**{dense / 3584:,.0f}×**" in text
    for key, value in (("k", 5), ("c_in", 16), ("c_out", 8), ("h", 10), ("w", 12)):
        _set(at, "number_input", f"channels.{key}", value)
    text = _text(at)
    conv = cc.conv_param_count(5, 16, 8)
    dense = cc.dense_param_count(10 * 12 * 16, 6 * 8 * 8)
    assert f"**{conv:,}** parameters" in text
    assert f"**{dense:,}** parameters" in text
    _set(at, "number_input", "channels.k", 11)  # kernel larger than the 10-row input
    assert at.error and "empty" in at.error[0].value


def test_random_source_filters_and_feature_maps() -> None:
    at = _run()
    _set(at, "segmented_control", "channels.src", "random")
    _set(at, "number_input", "channels.filters", 3)
    _set(at, "number_input", "channels.size", 6)
    _set(at, "number_input", "channels.seed", 7)
    _set(at, "number_input", "channels.filter", 2)
    _set(at, "number_input", "channels.row", 3)
    _set(at, "number_input", "channels.col", 1)
    x = np.stack([_grid(at, 2 * c) for c in range(3)])
    assert x.shape == (3, 6, 6)
    w2 = np.stack([_grid(at, 2 * c + 1) for c in range(3)])
    payload = _payload(at)
    assert payload is not None
    bias = float(_text(at).split("(bias ")[2].split(")")[0])  # feature map 2's bias
    trace = cc.to_compact(cc.trace_conv2d(x, w2[np.newaxis], [bias]), digits=9)
    assert payload["trace"]["output"] == trace["output"]
    out = np.asarray(cc.conv2d(x, w2[np.newaxis], [bias]))[0]
    assert np.array_equal(_grid(at, 8), out)
    assert "output **4 × 4 × 3**" in _text(at)
    sums = [int(np.sum(x[c, 3:6, 1:4] * w2[c])) for c in range(3)]
    table = at.dataframe[6].value
    assert table.iloc[:, 1].tolist() == [*sums, int(bias), int(out[3, 1])]
    assert sum(sums) + bias == out[3, 1]


def _grid(at: AppTest, index: int) -> np.ndarray:
    """The page's tables in order: R, filter R, G, filter G, B, filter B, the partial sums,
    the N feature maps, the 1x1 example's 4 input and 2 output channels."""
    return at.dataframe[index].value.to_numpy(dtype=float)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_one_by_one(lang: str) -> None:
    at = _run(lang)
    _set(at, "number_input", "channels.one_seed", 3)
    _set(at, "number_input", "channels.one_row", 2)
    _set(at, "number_input", "channels.one_col", 1)
    _no_raw_keys(at)
    x = np.stack([_grid(at, i - 6) for i in range(4)])
    w = np.array([[1, 0, -1, 2], [1, 1, 1, 1]])[:, :, None, None]
    out = np.asarray(cc.conv2d(x, w))
    assert out.shape == (2, 3, 3)
    for o in range(2):
        assert np.array_equal(_grid(at, o - 2), out[o])
        assert np.isclose(out[o, 2, 1], np.dot(w[o, :, 0, 0], x[:, 2, 1]))
    text = _text(at)
    assert "3 × 3 × 4" in text and "1 × 1 × 4 × 2" in text and "3 × 3 × 2" in text
    assert f"= **{int(out[0, 2, 1])}**" in text


def _latex(at: AppTest) -> list[str]:
    """The formula panel's LaTeX lines (st.latex wraps each in $$ ... $$)."""
    return [e.value.strip("$\n") for e in at.get("latex")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_neuron_formula_lecture(lang: str) -> None:
    """The notes' z(i, j, k) with the lecture's numbers: 1 + 308 + (-498) + 164 = -25."""
    at = _run(lang)
    _no_raw_keys(at)
    lines = _latex(at)
    assert lines[0].startswith("z(i, j, k) = b(k) + ")
    assert "i' = i \\cdot s_h + u" in lines[1]
    assert lines[-1] == "z(0, 0, 0) = b(0) + z_0 + z_1 + z_2 = 1 + 308 + (-498) + 164 = -25"
    assert [line.rsplit("= ", 1)[1] for line in lines[4:9:2]] == ["308", "-498", "164"]
    text = _text(at)
    # Shapes as the notes' blocks: H × W × C, weights KH × KW × C × FN, bias 1 × 1 × FN.
    assert "3 × 3 × 3 × 1" in text and "1 × 1 × 1" in text
    assert f"**{translate(lang, 'formulas.header')}**" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_neuron_formula_follows_the_stored_step(lang: str) -> None:
    """Random image, filter 2, the stored step 5: z(1, 2, 1) with conv_core's sums and bias."""
    at = _run(lang)
    _set(at, "segmented_control", "channels.src", "random")
    _set(at, "number_input", "channels.filters", 2)
    _set(at, "number_input", "channels.size", 5)
    _set(at, "number_input", "channels.filter", 2)
    at.session_state["channels.stepper"] = {"step": 5, "score": None}  # the browser's report
    at.run()
    assert not at.exception
    x = np.stack([_grid(at, 2 * c) for c in range(3)]).astype(int)
    w2 = np.stack([_grid(at, 2 * c + 1) for c in range(3)]).astype(int)
    payload = _payload(at)
    assert payload is not None
    (bias,) = (int(v) for v in payload["trace"]["bias"])
    out = np.asarray(cc.conv2d(x, w2[np.newaxis], [bias]))[0]
    sums = [int(np.sum(x[c, 1:4, 2:5] * w2[c])) for c in range(3)]  # step 5 = cell (1, 2)
    values = " + ".join([str(bias), *(f"({v})" if v < 0 else str(v) for v in sums)])
    expected = f"z(1, 2, 1) = b(1) + z_0 + z_1 + z_2 = {values} = {out[1, 2]}"
    assert _latex(at)[-1] == expected
    assert "5 × 5 × 3" in _text(at) and "1 × 1 × 2" in _text(at)
    _no_raw_keys(at)
