"""AppTest of the Convolution vs cross-correlation page (pages/flip_1d.py).

Every control is changed through its keyed widget; the stepper payload (the compact trace
the browser steps through) is checked against conv_core's trace_correlate1d /
trace_convolve1d, the both-results table against correlate1d / convolve1d, the smoothing
chart against convolve1d with a box kernel, and the FFT table against the direct full
convolution.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import rerun as _rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.apptest_helpers import stepper_payload as _payload
from ui.frame.i18n import LANG_KEY, load_strings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "flip_1d.py"
TIMEOUT = 60
PRESET = cc.PRESETS["smoothing_1d"]


def _run(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    return _rerun(at)


def _trace(at: AppTest) -> dict[str, Any]:
    payload = _payload(at)
    assert payload is not None, [e.value for e in at.error]
    return payload["trace"]


def _charts(at: AppTest) -> list[dict[str, Any]]:
    """The page's data charts (the flip animation, which has frames, left out)."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [spec for spec in specs if not spec.get("frames")]


def test_convolution_shows_the_flip_animation() -> None:
    at = _run()  # the lecture preset opens on convolution
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    animated = [spec for spec in specs if spec.get("frames")]
    assert len(animated) == 1
    last = animated[0]["frames"][-1]["data"][0]
    assert last["text"] == ["0.25", "0.5", "0.25"]


def test_lecture_preset_convolution_with_original_kernel() -> None:
    at = _run()
    trace = _trace(at)
    assert trace["op"] == "convolve1d" and trace["ndim"] == 1
    expected = cc.to_compact(cc.trace_convolve1d(**PRESET.arguments), digits=9)
    assert trace["output"] == expected["output"]
    np.testing.assert_allclose(np.ravel(trace["output"]), PRESET.expected)  # [1, 1, 1]
    assert _payload(at)["original_kernel"] == [[0.25, 0.5, 0.25]]
    assert any("is symmetric" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert table.to_numpy().tolist() == [["1", "1", "1"], ["1", "1", "1"]]


def test_toggle_to_cross_correlation() -> None:
    at = _run()
    _set(at, "radio", "flip_1d.op", "correlate")
    trace = _trace(at)
    assert trace["op"] == "correlate1d"
    assert _payload(at)["original_kernel"] is None
    expected = cc.to_compact(cc.trace_correlate1d(**PRESET.arguments), digits=9)
    assert trace["output"] == expected["output"] and trace["sums"] == expected["sums"]


def test_asymmetric_example_differs() -> None:
    at = _run()
    _set(at, "selectbox", "flip_1d.example", "asymmetric")
    x, k = [3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1]
    assert at.text_input(key="flip_1d.signal").value == "3, 1, 4, 1, 5, 9, 2, 6, 5"
    assert _trace(at)["output"] == [[cc.convolve1d(x, k).tolist()]]
    table = at.dataframe[0].value.to_numpy().tolist()
    assert table[0] == [str(v) for v in cc.correlate1d(x, k)]
    assert table[1] == [str(v) for v in cc.convolve1d(x, k)]
    assert table[0] != table[1]
    assert not at.success
    assert any("not symmetric" in i.value and "-1, 0, 1" in i.value for i in at.info)
    _set(at, "radio", "flip_1d.op", "correlate")
    assert _trace(at)["output"] == [[cc.correlate1d(x, k).tolist()]]


def test_typed_symmetric_kernel_detected_and_bad_inputs() -> None:
    at = _run()
    at.text_input(key="flip_1d.signal").set_value("1 2 3 4 5 6")
    at.text_input(key="flip_1d.kernel").set_value("1, 2, 1")
    _rerun(at)
    assert _trace(at)["output"] == [[cc.convolve1d([1, 2, 3, 4, 5, 6], [1, 2, 1]).tolist()]]
    assert any("[1, 2, 1] is symmetric" in s.value for s in at.success)
    at.text_input(key="flip_1d.kernel").set_value("1, x")
    _rerun(at)
    assert [e.value for e in at.error] == [
        "The Kernel must be numbers separated by commas or spaces."
    ]
    assert _payload(at) is None
    at.text_input(key="flip_1d.kernel").set_value("1 2 3 4 5 6 7")
    _rerun(at)
    assert len(at.error) == 1 and "output would be empty" in at.error[0].value
    assert _payload(at) is None


def _values(y: Any) -> np.ndarray:
    """A Plotly array: a plain list, or plotly's typed array ``{"dtype", "bdata"}``."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def test_smoothing_width_and_noise() -> None:
    at = _run()
    before = _values(_charts(at)[0]["data"][0]["y"])
    _set(at, "slider", "flip_1d.width", 5)
    _set(at, "slider", "flip_1d.noise", 0.5)
    fig = _charts(at)[0]
    noisy = _values(fig["data"][0]["y"])
    assert noisy.size == 200 and not np.allclose(noisy, before)  # more noise
    assert fig["data"][1]["name"] == "Smoothed (width 5)"
    smoothed = cc.convolve1d(noisy, np.full(5, 0.2), padding="same")
    np.testing.assert_allclose(_values(fig["data"][1]["y"]), smoothed, atol=1e-12)
    assert any("smoothed with width 5" in c.value for c in at.caption)


def test_fft_matches_direct() -> None:
    at = _run()
    _set(at, "selectbox", "flip_1d.example", "asymmetric")
    table = at.dataframe[1].value
    direct = cc.convolve1d([3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1], padding="full")
    assert table.iloc[:, 0].tolist() == [f"{v:.6g}" for v in direct]
    np.testing.assert_allclose(table.iloc[:, 1].astype(float), direct, atol=1e-12)
    line = next(m.value for m in at.markdown if "Largest difference" in m.value)
    assert float(re.search(r"difference: ([0-9.e+-]+)", line).group(1)) < 1e-12


def _raw_keys(at: AppTest, lang: str) -> list[str]:
    keys = set(load_strings(lang))
    texts = [
        e.value
        for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.error, *at.success)
    ]
    texts += [e.value for e in at.info]
    texts += [w.label for w in (*at.radio, *at.slider, *at.text_input, *at.selectbox)]
    return [s for s in texts if s in keys or re.search(r"\bflip_1d\.[a-z_]+", str(s))]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_raw_keys(lang: str) -> None:
    at = _run(lang)
    assert not _raw_keys(at, lang)
    _set(at, "radio", "flip_1d.op", "correlate")
    _set(at, "selectbox", "flip_1d.example", "asymmetric")
    assert not _raw_keys(at, lang)


def test_korean_terms() -> None:
    at = _run("ko")
    assert at.title[0].value == "합성곱과 교차 상관, 그리고 1D"
    assert at.radio(key="flip_1d.op").options == ["교차 상관", "합성곱"]
    assert any("대칭" in s.value for s in at.success)


# --------------------------------------------------------------------------------------
# The formula with the current numbers


def _latex(at: AppTest) -> list[str]:
    """The formula panel's LaTeX lines (st.latex wraps each in $$ ... $$)."""
    return [e.value.strip("$\n") for e in at.get("latex")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_formula_convolution_lecture(lang: str) -> None:
    """Both general forms, then s(2) = x(2)k(0) + x(1)k(1) + x(0)k(2) with its numbers."""
    at = _run(lang)
    strings = load_strings(lang)
    lines = _latex(at)
    assert lines[:2] == [r"s(i) = \sum_m x(i - m)\, k(m)", r"s(i) = \sum_m x(i + m)\, k(m)"]
    assert lines[3] == r"s(2) = x(2)\,k(0) + x(1)\,k(1) + x(0)\,k(2)"
    assert lines[4] == r"= 1 \cdot 0.25 + 1 \cdot 0.5 + 1 \cdot 0.25 = 1"
    text = "\n".join(m.value for m in at.markdown)
    assert strings["formulas.general.convolve"] in text
    # The convention: output cell 0 of a 'valid' convolution is s(K - 1) = s(2).
    assert strings["formulas.one_d.convention_convolve"].split(":")[0] in text
    assert "s(2)" in text and "{" not in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_formula_cross_correlation_follows_the_stored_step(lang: str) -> None:
    """The asymmetric example, cross-correlation, the browser reports step 4: s(4) with
    conv_core's numbers, x(4)k(0) + x(5)k(1) + x(6)k(2)."""
    at = _run(lang)
    _set(at, "selectbox", "flip_1d.example", "asymmetric")
    _set(at, "radio", "flip_1d.op", "correlate")
    at.session_state["flip_1d.stepper"] = {"step": 4, "score": None}  # the browser's report
    _rerun(at)
    x, k = [3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1]
    lines = _latex(at)
    assert lines[2] == r"s(4) = \sum_{m=0}^{2} x(4 + m)\, k(m)"
    assert lines[3] == r"s(4) = x(4)\,k(0) + x(5)\,k(1) + x(6)\,k(2)"
    value = int(cc.correlate1d(x, k)[4])
    assert value == 5 * 1 + 9 * 0 + 2 * -1
    assert lines[4] == rf"= 5 \cdot 1 + 9 \cdot 0 + 2 \cdot (-1) = {value}"
    captions = [c.value for c in at.caption]
    assert translate_step(lang, 5, 7) in captions


def translate_step(lang: str, step: int, n: int) -> str:
    return load_strings(lang)["formulas.step"].format(step=step, n=n)
