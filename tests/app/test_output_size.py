"""AppTest of the output-size page (pages/output_size.py).

Every control is changed through the widget AppTest finds by its key, and what the page
shows is compared with conv_core: the size line ("Input 8 × 8 → padded 8 × 8 → output
3 × 3"), the formula of each axis (``ConvOutputSize.formula()``), the PyTorch/TensorFlow
table (``resolve_padding``), the not-divisible warning with the input rows/columns no
window visits, pooling's floor and ceil_mode sizes (``pool_output_size``), the two lecture
presets, impossible settings, and the Korean page.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import rerun as _rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.test_studio import _ALL_KEYS, _PLACEHOLDER, _proto_strings
from ui.figures.sizes import Axis, unvisited_inputs
from ui.frame.i18n import LANG_KEY, load_strings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "output_size.py"
TIMEOUT = 60


def _texts(node: Any) -> Iterator[str]:
    """Every string the page shows, but not the figure's JSON (its hover templates hold
    Plotly's own ``%{text}``); the figure's labels are checked apart."""
    proto = getattr(node, "proto", None)
    if proto is not None and getattr(node, "type", "") != "plotly_chart":
        yield from _proto_strings(proto)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _texts(child)


def _figure_texts(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    for trace in spec["data"]:
        for row in trace.get("text") or []:
            texts += list(row)
    return texts


def _assert_fully_translated(at: AppTest, lang: str) -> None:
    """No raw dotted key, no unfilled placeholder, and in Korean no English string that
    has a different Korean translation (page text and the figure's labels)."""
    assert not at.exception, at.exception
    texts = list(_texts(at._tree))
    if at.get("plotly_chart"):
        texts += _figure_texts(at)
    assert texts
    raw = [s for s in texts if any(key in s for key in _ALL_KEYS)]
    assert not raw, f"raw translation keys on screen: {raw}"
    unfilled = [s for s in texts if _PLACEHOLDER.search(s)]
    assert not unfilled, f"unfilled placeholders: {unfilled}"
    if lang != "en":
        english, local = load_strings("en"), load_strings(lang)
        english_only = {v for k, v in english.items() if local.get(k) != v and len(v) > 3}
        leaked = [s for s in texts if s in english_only]
        assert not leaked, f"English strings in the {lang} page: {leaked}"
        figure = _figure_texts(at) if at.get("plotly_chart") else []
        english_words = [s for s in figure if re.search(r"input|output|padding", s)]
        assert not english_words, english_words


def _run(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _summary(at: AppTest) -> str:
    return at.subheader[0].value


def _formulas(at: AppTest) -> list[str]:
    # Not the "Show code" panel's snippets (tests/app/test_code_panel.py checks those).
    return [c.value for c in at.code if not c.value.startswith("import numpy as np")]


def _table(at: AppTest):
    return at.table[0].value


def _configure(
    at: AppTest,
    h: int,
    w: int,
    kh: int,
    kw: int,
    padding: int | str,
    stride: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
) -> AppTest:
    for key, value in (
        ("output_size.h", h),
        ("output_size.w", w),
        ("output_size.kh", kh),
        ("output_size.kw", kw),
    ):
        at.number_input(key=key).set_value(value)
    if isinstance(padding, str):
        at.button_group(key="size.conv.padding_kind").set_value(padding)
    else:
        at.button_group(key="size.conv.padding_kind").set_value("number")
    _rerun(at)
    if not isinstance(padding, str):
        at.number_input(key="size.conv.padding").set_value(padding)
    at.number_input(key="size.conv.stride_rows").set_value(stride[0])
    at.number_input(key="size.conv.stride_cols").set_value(stride[1])
    at.number_input(key="size.conv.dilation_rows").set_value(dilation[0])
    at.number_input(key="size.conv.dilation_cols").set_value(dilation[1])
    return _rerun(at)


def _expected_summary(h, w, kh, kw, padding, stride, dilation) -> str:
    r = cc.conv_output_size_detail(h, kh, stride[0], padding, dilation[0])
    c = cc.conv_output_size_detail(w, kw, stride[1], padding, dilation[1])
    return f"Input {h} × {w} → padded {r.padded} × {c.padded} → output {r.size} × {c.size}"


# --------------------------------------------------------------------------------------
# First view


def test_first_view() -> None:
    at = _run()
    assert at.title[0].value == "Output size and padding"
    assert _summary(at) == "Input 8 × 8 → padded 8 × 8 → output 3 × 3"
    d = cc.conv_output_size_detail(8, 3, stride=2)
    assert _formulas(at) == [d.formula(), d.formula()]
    assert d.formula() == "(8 + 0 + 0 - 3) / 2 + 1 = 7/2 → 3"
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2
    assert "not divisible by the stride 2 (remainder 1)" in warnings[0]
    assert "Input rows no window visits (counting from 0): 7" in warnings[0]
    assert "Input columns no window visits (counting from 0): 7" in warnings[1]
    assert not at.error
    assert len(at.get("plotly_chart")) == 1


# --------------------------------------------------------------------------------------
# Every control against conv_core

CONFIGS = [
    (7, 9, 3, 2, 0, (2, 3), (1, 1)),
    (5, 5, 3, 3, 1, (2, 2), (1, 1)),
    (13, 4, 6, 2, "same", (5, 1), (1, 1)),
    (10, 11, 3, 5, "same", (3, 2), (2, 1)),
    (6, 7, 3, 3, "valid", (2, 2), (1, 2)),
    (4, 4, 3, 3, "full", (1, 1), (1, 1)),
    (9, 8, 4, 3, "full", (3, 2), (2, 2)),
    (12, 12, 5, 5, 2, (4, 3), (1, 1)),
    (1, 1, 1, 1, 0, (1, 1), (1, 1)),
    (64, 31, 11, 7, 3, (8, 5), (3, 4)),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
def test_controls_match_conv_core(config) -> None:
    h, w, kh, kw, padding, stride, dilation = config
    at = _configure(_run(), h, w, kh, kw, padding, stride, dilation)
    # only the pooling section (2 × 2 windows) may refuse a 1-cell input
    assert len(at.error) == (1 if min(h, w) < 2 else 0), [e.value for e in at.error]
    assert _summary(at) == _expected_summary(h, w, kh, kw, padding, stride, dilation)
    r = cc.conv_output_size_detail(h, kh, stride[0], padding, dilation[0])
    c = cc.conv_output_size_detail(w, kw, stride[1], padding, dilation[1])
    assert _formulas(at) == [r.formula(), c.formula()]
    assert r.size == cc.conv_output_size(h, kh, stride[0], padding, dilation[0])
    # the table: this padding, TF 'VALID', TF 'SAME', each against conv_core
    table = _table(at)
    for row, spec in zip(range(3), (padding, "valid", "same"), strict=True):
        (top, bottom), (left, right) = cc.resolve_padding(
            spec, (h, w), (kh, kw), stride=stride, dilation=dilation
        )
        assert table.iloc[row, 1] == f"({top}, {bottom})"
        assert table.iloc[row, 2] == f"({left}, {right})"
        oh = cc.conv_output_size(h, kh, stride[0], spec, dilation[0])
        ow = cc.conv_output_size(w, kw, stride[1], spec, dilation[1])
        assert table.iloc[row, 3] == f"{oh} × {ow}"
    # TF 'SAME' is ceil(n / s) whatever the kernel
    assert table.iloc[2, 3] == f"{-(-h // stride[0])} × {-(-w // stride[1])}"
    # the warnings name exactly the input rows/cols no tap reaches
    text = " ".join(x.value for x in at.warning)
    for d, n, k, s, dil, word in (
        (r, h, kh, stride[0], dilation[0], "rows"),
        (c, w, kw, stride[1], dilation[1], "columns"),
    ):
        axis = Axis(n, *d.padding, d.size, s, dil, k)
        missing = unvisited_inputs(axis)
        if not d.is_exact:
            assert f"remainder {d.remainder}" in text
        if missing:
            assert f"{', '.join(map(str, missing))}" in text
            assert word in text


def test_many_sizes_match_conv_core() -> None:
    """One session, many size changes: the summary follows conv_core each time."""
    at = _run()
    for h, k, s in itertools.product((3, 6, 11), (1, 2, 5), (1, 3)):
        at.number_input(key="output_size.h").set_value(h)
        at.number_input(key="output_size.kh").set_value(k)
        at.number_input(key="size.conv.stride_rows").set_value(s)
        _rerun(at)
        if k > h:
            assert at.error and "larger than the padded input" in at.error[0].value
            continue
        d = cc.conv_output_size_detail(h, k, s)
        assert _formulas(at)[0] == d.formula()
        assert re.search(rf"→ output {d.size} × \d+$", _summary(at))


def test_unvisited_helper_matches_conv_core_trailing_count() -> None:
    """Trailing unvisited inputs equal conv_core's ``unvisited`` when dilation leaves no gap."""
    for n, k, s, p in itertools.product(range(1, 12), range(1, 5), range(1, 5), range(3)):
        if n + 2 * p < k:
            continue
        d = cc.conv_output_size_detail(n, k, s, p)
        if s > k:  # the stride jumps over cells: gaps inside too
            continue
        missing = unvisited_inputs(Axis(n, p, p, d.size, s, 1, k))
        assert missing == list(range(n - d.unvisited, n))


# --------------------------------------------------------------------------------------
# Lecture presets


def test_preset_padding_keeps_the_size() -> None:
    preset = cc.PRESETS["output_size_padding"]
    at = _run()
    at.button(key="output_size.preset.output_size_padding").click()
    _rerun(at)
    assert preset.expected == 4
    assert _summary(at) == "Input 4 × 4 → padded 6 × 6 → output 4 × 4"
    assert _formulas(at) == ["(4 + 1 + 1 - 3) / 1 + 1 = 4"] * 2
    assert not at.warning
    assert _table(at).iloc[0, 3] == f"{preset.expected} × {preset.expected}"


def test_preset_tf_same_asymmetric_padding() -> None:
    preset = cc.PRESETS["output_size_tf_same"]
    at = _run()
    at.button(key="output_size.preset.output_size_tf_same").click()
    _rerun(at)
    n, expected = preset.inputs["n"], preset.expected
    top, bottom = preset.expected_details["padding"]
    assert _summary(at) == f"Input {n} × {n} → padded 16 × 16 → output {expected} × {expected}"
    table = _table(at)
    assert table.iloc[2, 1] == f"({top}, {bottom})" == "(1, 2)"
    assert table.iloc[2, 2] == "(1, 2)"
    assert table.iloc[2, 3] == "3 × 3"
    assert "ceil(13 / 5)" in table.iloc[2, 4]
    # the page's padding is now 'same': its own row agrees
    assert table.iloc[0, 1] == "(1, 2)" and table.iloc[0, 3] == "3 × 3"
    d = cc.conv_output_size_detail(13, 6, 5, "same")
    assert _formulas(at)[0] == d.formula() == "(13 + 1 + 2 - 6) / 5 + 1 = 3"


# --------------------------------------------------------------------------------------
# Warnings and impossible settings


def test_not_divisible_names_the_unvisited_row() -> None:
    at = _configure(_run(), 7, 6, 3, 3, 0, (3, 3))
    rows = at.warning[0].value
    assert "(7 + 0 − 3) = 4 is not divisible by the stride 3 (remainder 1)" in rows
    assert "Input rows no window visits (counting from 0): 6" in rows
    cols = cc.conv_output_size_detail(6, 3, 3)
    assert cols.is_exact and len(at.warning) == 1


def test_leftover_only_padding() -> None:
    at = _configure(_run(), 6, 6, 3, 3, 1, (2, 2))
    assert len(at.warning) == 2
    assert "remainder 1" in at.warning[0].value
    assert "all padding" in at.warning[0].value


def test_stride_jumping_over_inputs() -> None:
    at = _configure(_run(), 7, 7, 1, 1, 0, (3, 3))
    assert cc.conv_output_size_detail(7, 1, 3).is_exact
    text = at.warning[0].value
    assert "jumps over input rows" in text and "1, 2, 4, 5" in text


def test_kernel_larger_than_padded_input() -> None:
    at = _configure(_run(), 3, 3, 3, 3, 0, (1, 1))
    at.number_input(key="output_size.kh").set_value(5)
    _rerun(at)
    assert len(at.error) == 2
    assert "larger than the padded input" in at.error[0].value
    assert "5" in at.error[1].value
    assert not at.get("plotly_chart")
    # padding makes it possible again
    at.number_input(key="size.conv.padding").set_value(1)
    _rerun(at)
    assert not at.error
    assert _summary(at) == "Input 3 × 3 → padded 5 × 5 → output 1 × 3"
    table = _table(at)
    assert table.iloc[1, 3] == "no output (kernel larger than the input)"
    assert table.iloc[2, 3] == "3 × 3"


def test_dilation_too_large() -> None:
    at = _configure(_run(), 5, 5, 3, 3, 0, (1, 1), (3, 1))
    assert at.error and "larger than the padded input" in at.error[0].value


def test_selected_window_is_clamped() -> None:
    at = _run()
    at.number_input(key="output_size.sel_row").set_value(2)
    _rerun(at)
    at.number_input(key="size.conv.stride_rows").set_value(4)
    _rerun(at)
    assert at.number_input(key="output_size.sel_row").value == 1


# --------------------------------------------------------------------------------------
# Pooling


@pytest.mark.parametrize(
    "n,k,s,p",
    [(8, 2, 2, 0), (7, 2, 2, 0), (5, 3, 3, 1), (9, 3, 2, 1), (6, 4, 3, 2), (11, 5, 4, 0)],
)
def test_pooling_floor_and_ceil(n: int, k: int, s: int, p: int) -> None:
    at = _run()
    at.number_input(key="output_size.h").set_value(n)
    at.number_input(key="output_size.pool_k").set_value(k)
    at.number_input(key="output_size.pool_s").set_value(s)
    at.number_input(key="output_size.pool_p").set_value(p)
    _rerun(at)
    floor = cc.pool_output_size(n, k, s, p)
    ceil = cc.pool_output_size(n, k, s, p, ceil_mode=True)
    line = next(m.value for m in at.markdown if m.value.startswith("**Rows**: "))
    assert line.startswith(f"**Rows**: ({n} + 2·{p} − {k}) / {s} + 1 = ")
    assert f"floor: **{floor}**, ceil_mode=True: **{ceil}**" in line
    d = cc.conv_output_size_detail(n, k, s, p)
    dropped = bool(d.remainder) and ceil == floor
    assert ("is dropped" in line) == dropped
    assert bool(at.info) == (2 * p > k)


def test_pooling_dropped_window() -> None:
    at = _run()
    at.number_input(key="output_size.h").set_value(5)
    at.number_input(key="output_size.pool_k").set_value(3)
    at.number_input(key="output_size.pool_s").set_value(3)
    at.number_input(key="output_size.pool_p").set_value(1)
    _rerun(at)
    line = next(m.value for m in at.markdown if m.value.startswith("**Rows**: "))
    assert "floor: **2**, ceil_mode=True: **2**" in line
    assert "starting at 6" in line and "(< 6)" in line


# --------------------------------------------------------------------------------------
# Languages


def test_english_has_no_raw_keys() -> None:
    _assert_fully_translated(_configure(_run(), 7, 7, 3, 3, 0, (3, 3)), "en")


def test_korean_renders() -> None:
    at = _run("ko")
    _assert_fully_translated(at, "ko")
    assert at.title[0].value == "출력 크기와 패딩"
    assert _summary(at) == "입력 8 × 8 → 패딩 후 8 × 8 → 출력 3 × 3"
    assert "스트라이드 2" in at.warning[0].value
    _set(at, "button_group", "size.conv.padding_kind", "same")
    _assert_fully_translated(at, "ko")
    at.number_input(key="output_size.kh").set_value(11)
    at.button_group(key="size.conv.padding_kind").set_value("valid")
    _rerun(at)
    _assert_fully_translated(at, "ko")
    assert "커널" in at.error[0].value and "패딩" in at.error[1].value


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sizes_the_lecture_works_out(lang: str) -> None:
    """6,912 inputs from a flattened 48x48 RGB image, depth 10 from 10 filters, and the
    TensorFlow filter [3, 3, 1, 32] with PyTorch's order beside it: conv_core's numbers."""
    at = _run(lang)
    assert not at.exception
    table = at.table[-1].value
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    assert "6,912" in cells
    assert "28 × 28 × 10" in cells
    assert "[3, 3, 1, 32]" in cells and "32 × 1 × 3 × 3" in cells and "288" in cells
