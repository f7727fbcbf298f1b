"""AppTest of the Dilated and transposed convolution page (pages/arithmetic.py).

Each of the guide's cases is picked with the case radio, in both directions, and the data
handed to the browser-side steppers is checked against conv_core: the direct convolution
against ``trace_correlate2d``, the transposed one's scatter view against
``conv_transpose2d`` and its zero-inserted view against ``transpose_as_convolution`` (both
views must give the same output), and the size lines against
``conv_output_size_detail`` / ``conv_transpose_output_size``.
"""

from __future__ import annotations

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
from ui.frame.i18n import LANG_KEY, load_strings
from ui.teaching.grid_sources import random_grid

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "arithmetic.py"
TIMEOUT = 60

#: The guide's cases: (i, k, s, p, d) and the output size of the convolution.
CASES = {
    "no_padding": ((4, 3, 1, 0, 1), 2),
    "padding": ((5, 4, 1, 2, 1), 6),
    "half": ((5, 3, 1, 1, 1), 5),
    "full": ((5, 3, 1, 2, 1), 7),
    "stride": ((5, 3, 2, 0, 1), 2),
    "stride_padding": ((5, 3, 2, 1, 1), 3),
    "dilation": ((7, 3, 1, 0, 2), 3),
}
FIELDS = ("n", "k", "stride", "padding", "dilation")


def _run(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    return _rerun(at)


def _traces(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.json)["trace"] for c in at.get("bidi_component")]


def _out(trace: dict[str, Any]) -> np.ndarray:
    return np.asarray(trace["output"][0])


def _text(at: AppTest) -> str:
    return " ".join(e.value for e in (*at.markdown, *at.caption, *at.success, *at.error))


def _x(n: int) -> np.ndarray:
    return random_grid(n, n, 0, 3, seed=1)


def _w(k: int) -> np.ndarray:
    return random_grid(k, k, -1, 2, seed=2)


def _check_direct(at: AppTest, i: int, k: int, s: int, p: int, d: int) -> None:
    traces = _traces(at)
    assert len(traces) == 1 and traces[0]["view"] == "gather"
    expected = cc.trace_correlate2d(_x(i), _w(k), (s, s), p, (d, d)).output
    np.testing.assert_array_equal(_out(traces[0]), expected)
    detail = cc.conv_output_size_detail(i, k, s, p, d)
    assert expected.shape == (detail.size, detail.size)
    assert f"o = {detail.formula()}, so the output is **{detail.size} × {detail.size}**" in _text(
        at
    )


def _check_transposed(at: AppTest, i: int, k: int, s: int, p: int, d: int) -> int:
    detail = cc.conv_output_size_detail(i, k, s, p, d)
    small, a = detail.size, detail.remainder
    out = cc.conv_transpose_output_size(small, k, s, p, a, d)
    traces = _traces(at)
    assert [tr["view"] for tr in traces] == ["scatter", "gather"]
    scatter, gather = (_out(tr) for tr in traces)
    expected = cc.conv_transpose2d(
        _x(small), _w(k), stride=s, padding=p, output_padding=a, dilation=d
    )
    np.testing.assert_array_equal(scatter, expected)
    np.testing.assert_array_equal(gather, expected)
    tac = cc.transpose_as_convolution(_x(small), _w(k), s, p, a, d)
    np.testing.assert_array_equal(np.asarray(traces[1]["padded"][0]), tac.padded_input)
    np.testing.assert_array_equal(
        np.asarray(traces[1]["kernel"]).reshape(tac.kernel.shape), tac.kernel
    )
    assert expected.shape == (out, out)
    text = _text(at)
    assert f"o′ = ({small} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {a} + 1 = **{out}**" in text
    assert f"Both views give the same {out} × {out} output." in text
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_each_case_both_directions(case: str) -> None:
    at = _run()
    _set(at, "radio", "arithmetic.case", case)
    (i, k, s, p, d), size = CASES[case]
    assert [at.number_input(key=f"arithmetic.{f}").value for f in FIELDS] == [i, k, s, p, d]
    _check_direct(at, i, k, s, p, d)
    assert _out(_traces(at)[0]).shape == (size, size)
    _set(at, "radio", "arithmetic.direction", "transposed")
    # the transposed counterpart maps the convolution's output size back to the input size
    assert _check_transposed(at, i, k, s, p, d) == i


def test_free_controls_and_uneven_stride() -> None:
    at = _run()
    values = {"n": 6, "k": 3, "stride": 2, "padding": 0, "dilation": 1}
    for field, value in values.items():
        at.number_input(key=f"arithmetic.{field}").set_value(value)
    _rerun(at)
    _check_direct(at, 6, 3, 2, 0, 1)
    assert "the last 1 padded row(s)/column(s) are never under a window" in _text(at)
    _set(at, "radio", "arithmetic.direction", "transposed")
    assert _check_transposed(at, 6, 3, 2, 0, 1) == 6  # output padding 1 restores 6
    for field, value in {"k": 2, "stride": 3, "padding": 1, "dilation": 2, "n": 8}.items():
        _set(at, "number_input", f"arithmetic.{field}", value)
        cfg = [at.number_input(key=f"arithmetic.{f}").value for f in FIELDS]
        _check_transposed(at, *cfg)
    _set(at, "radio", "arithmetic.direction", "direct")
    _check_direct(at, 8, 2, 3, 1, 2)


def test_kernel_too_large_gives_a_message() -> None:
    at = _run()
    _set(at, "number_input", "arithmetic.n", 2)
    _set(at, "number_input", "arithmetic.k", 5)
    assert not _traces(at)
    assert at.error and "the output would be empty" in at.error[0].value
    assert "Change the kernel size" in _text(at)
    _set(at, "radio", "arithmetic.direction", "transposed")
    assert at.error and not _traces(at)
    _set(at, "number_input", "arithmetic.padding", 2)
    assert not at.error and len(_traces(at)) == 2


def _raw_keys(at: AppTest, lang: str) -> list[str]:
    keys = set(load_strings(lang))
    texts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.error)]
    texts += [e.value for e in at.success]
    texts += [w.label for w in (*at.radio, *at.number_input)]
    texts += [o for w in at.radio for o in w.options]
    return [s for s in texts if s in keys or re.search(r"\barithmetic\.[a-z_]+", str(s))]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_renders_with_no_raw_keys(lang: str) -> None:
    at = _run(lang)
    assert not _raw_keys(at, lang)
    at.radio(key="arithmetic.direction").set_value("transposed")
    _rerun(at)
    assert not _raw_keys(at, lang)
    _set(at, "number_input", "arithmetic.k", 5)
    assert at.error and not _raw_keys(at, lang)


def test_korean_terms() -> None:
    at = _run("ko")
    assert at.title[0].value == "팽창 합성곱과 전치 합성곱"
    assert at.radio(key="arithmetic.direction").options == ["합성곱", "전치 합성곱"]
    labels = [w.label for w in at.number_input]
    assert "스트라이드 s" in labels and "패딩 p" in labels and "팽창 d" in labels
    _set(at, "radio", "arithmetic.direction", "transposed")
    assert any("같은 4 × 4 출력" in s.value for s in at.success)
