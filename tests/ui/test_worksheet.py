"""The printable worksheet (ui/teaching/worksheet.py): every number on it against conv_core.

The HTML is parsed with the standard library's ``html.parser``; each grid's numbers are
compared with conv_core's (and NumPy's ``np.pad`` for the padding), the size formula's
blanks with ``conv_core.resolve_padding`` / ``conv2d_output_shape``, the worked example
with ``format_step``. Page 1 must leave every answer blank, page 2 must fill them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import conv_core as cc
from ui.frame.i18n import load_strings, translate
from ui.teaching.traces import TraceSettings
from ui.teaching.worksheet import (
    MAX_INPUT,
    MAX_KERNEL,
    MAX_OUTPUT,
    WorksheetTooLarge,
    fmt,
    too_large_reason,
    worksheet_html,
)

NP_MODES = {
    "zeros": "constant",
    "replicate": "edge",
    "reflect": "reflect",
    "symmetric": "symmetric",
    "circular": "wrap",
}
LECTURE = cc.PRESETS["feature_map_6x6"]


# --------------------------------------------------------------------------------------
# A small reader for the sheet


@dataclass
class Cell:
    text: str
    classes: set[str]


@dataclass
class Page:
    kind: str
    grids: dict[str, list[list[Cell]]] = field(default_factory=dict)
    blanks: dict[str, tuple[str, str]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    step_text: str | None = None
    text: list[str] = field(default_factory=list)

    def numbers(self, name: str) -> list[list[str]]:
        return [[c.text for c in row] for row in self.grids[name]]

    def classes(self, name: str, cls: str) -> np.ndarray:
        return np.array([[cls in c.classes for c in row] for row in self.grids[name]])


class SheetReader(HTMLParser):
    """Pages (``section.sheet``), their grids, blanks, settings and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[Page] = []
        self.tags: list[str] = []
        self.grid: str | None = None
        self.cell: Cell | None = None
        self.blank: tuple[str, str] | None = None
        self.blank_text = ""
        self.setting: str | None = None
        self.setting_text = ""
        self.in_setting_td = False
        self.in_step = False
        self.style = ""
        self.in_style = False
        self.title = ""
        self.in_title = False
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "style":
            self.in_style = True
        if tag == "title":
            self.in_title = True
        if tag == "section" and "sheet" in classes:
            self.pages.append(Page(kind=(classes - {"sheet"}).pop()))
        if tag == "table" and "data-grid" in a:
            self.grid = a["data-grid"]
            assert self.grid not in self.pages[-1].grids, f"two {self.grid} grids on a page"
            self.pages[-1].grids[self.grid] = []
        if tag == "tr" and self.grid is not None:
            self.pages[-1].grids[self.grid].append([])
        if tag == "td" and self.grid is not None:
            self.cell = Cell("", classes)
        if tag == "span" and "data-blank" in a:
            self.blank = (a["data-blank"], "blank" if "blank" in classes else "fill")
            self.blank_text = ""
        if tag == "tr" and "data-setting" in a:
            self.setting, self.setting_text = a["data-setting"], ""
        if tag == "td" and self.setting is not None:
            self.in_setting_td = True
        if tag == "p" and "step-text" in classes:
            self.in_step = True
            self.pages[-1].step_text = ""
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        if tag == "title":
            self.in_title = False
        if tag == "table":
            self.grid = None
        if tag == "td" and self.cell is not None:
            self.pages[-1].grids[self.grid][-1].append(self.cell)
            self.cell = None
        if tag == "span" and self.blank is not None:
            name, kind = self.blank
            assert name not in self.pages[-1].blanks, f"blank {name} twice"
            self.pages[-1].blanks[name] = (kind, self.blank_text)
            self.blank = None
        if tag == "td" and self.in_setting_td:
            self.pages[-1].settings[self.setting] = self.setting_text
            self.in_setting_td, self.setting = False, None
        if tag == "p":
            self.in_step = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.style += data
            return
        if self.in_title:
            self.title += data
        if self.pages:
            self.pages[-1].text.append(data)
        if self.cell is not None:
            self.cell.text += data
        if self.blank is not None:
            self.blank_text += data
        if self.in_setting_td:
            self.setting_text += data
        if self.in_step:
            self.pages[-1].step_text += data


def read(html: str) -> SheetReader:
    reader = SheetReader()
    reader.feed(html)
    reader.close()
    return reader


# --------------------------------------------------------------------------------------
# Helpers


def make_trace(
    grid: Any,
    kernel: Any,
    op: str = "correlate",
    padding: Any = 0,
    mode: str = "zeros",
    stride: Any = 1,
    dilation: Any = 1,
    bias: float | None = None,
) -> cc.ConvTrace:
    fn = cc.trace_correlate2d if op == "correlate" else cc.trace_convolve2d
    return fn(np.asarray(grid), np.asarray(kernel), stride, padding, dilation, mode, bias=bias)


def as_text(arr: Any) -> list[list[str]]:
    return [[fmt(v) for v in row] for row in np.asarray(arr).tolist()]


def check_sheet(
    grid: Any,
    kernel: Any,
    op: str,
    padding: Any,
    mode: str,
    stride: Any,
    dilation: Any,
    bias: float | None,
    lang: str,
) -> SheetReader:
    """Build the sheet from the compact trace and check every number on it against
    conv_core's functions (not the trace) and np.pad."""
    grid, kernel = np.asarray(grid), np.asarray(kernel)
    trace = make_trace(grid, kernel, op, padding, mode, stride, dilation, bias)
    sheet = read(worksheet_html(cc.to_compact(trace, digits=9), lang=lang))
    assert [p.kind for p in sheet.pages] == ["task", "key"]
    task, key = sheet.pages
    stride2 = (stride, stride) if isinstance(stride, int) else stride
    dil2 = (dilation, dilation) if isinstance(dilation, int) else dilation
    pads = cc.resolve_padding(padding, grid.shape, kernel.shape, stride2, dil2)

    # the padded input, padding marked
    padded = np.pad(grid, pads, mode=NP_MODES[mode])
    assert task.numbers("input") == as_text(padded)
    inside = np.zeros(padded.shape, bool)
    inside[pads[0][0] : pads[0][0] + grid.shape[0], pads[1][0] : pads[1][0] + grid.shape[1]] = 1
    assert (task.classes("input", "pad") == ~inside).all()
    assert not task.classes("input", "blank").any()
    assert "input" not in key.grids  # the key does not repeat the input

    # the kernel as typed; for convolution an empty grid to flip it into, filled on page 2
    assert task.numbers("kernel") == as_text(kernel)
    if op == "convolve":
        assert task.classes("kernel-flipped", "blank").all()
        assert np.shape(task.grids["kernel-flipped"]) == kernel.shape
        assert all(c.text == "" for row in task.grids["kernel-flipped"] for c in row)
        assert key.numbers("kernel-flipped") == as_text(kernel[::-1, ::-1])
    else:
        assert "kernel-flipped" not in task.grids and "kernel-flipped" not in key.grids

    # the output: empty on page 1, conv_core's numbers on page 2
    fn = cc.correlate2d if op == "correlate" else cc.convolve2d
    expected = fn(grid, kernel, stride2, padding, dil2, mode) + (bias or 0)
    oh, ow = cc.conv2d_output_shape(grid.shape, kernel.shape, stride2, padding, dil2)
    assert expected.shape == (oh, ow)
    assert np.shape(task.grids["output"]) == (oh, ow)
    assert task.classes("output", "blank").all()
    assert all(c.text == "" for row in task.grids["output"] for c in row)
    got = np.array([[float(t) for t in row] for row in key.numbers("output")])
    assert np.allclose(got, expected, rtol=0, atol=5e-4 + 1e-9 * np.abs(expected).max())
    assert not key.classes("output", "blank").any()

    # the size formula: blanks on page 1, the numbers on page 2
    expected_blanks = {}
    for axis, i in (("rows", 0), ("cols", 1)):
        span = dil2[i] * (kernel.shape[i] - 1) + 1
        expected_blanks |= {
            f"{axis}.n": grid.shape[i],
            f"{axis}.p1": pads[i][0],
            f"{axis}.p2": pads[i][1],
            f"{axis}.k": span,
            f"{axis}.s": stride2[i],
            f"{axis}.size": (oh, ow)[i],
        }
        if dil2[i] > 1:
            expected_blanks |= {f"{axis}.d": dil2[i], f"{axis}.f": kernel.shape[i]}
            expected_blanks[f"{axis}.span"] = span
    assert task.blanks == {name: ("blank", "") for name in expected_blanks}
    assert key.blanks == {name: ("fill", str(v)) for name, v in expected_blanks.items()}

    # the worked example: the first output cell, as conv_core writes it
    assert key.step_text == cc.format_step(trace.step(0))
    assert task.step_text is None
    step = trace.step(0)
    assert key.numbers("window") == as_text(np.reshape(step.patch, kernel.shape))
    assert key.numbers("kernel-applied") == as_text(trace.kernel_applied)
    if "products" in key.grids:  # left out when three grids do not fit on one line
        assert key.numbers("products") == as_text(np.reshape(step.products, kernel.shape))
    else:
        assert kernel.shape[1] >= 5

    # the settings say what the sheet shows
    s = "worksheet.setting."
    assert task.settings["op"] == translate(lang, s + f"op_{op}")
    assert task.settings["mode"] == translate(lang, f"padding_modes.{mode}.title")
    if bias is None:
        assert task.settings["bias"] == translate(lang, s + "bias_none")
    else:
        assert task.settings["bias"] == translate(lang, s + "bias_value", bias=fmt(bias))
    return sheet


# --------------------------------------------------------------------------------------
# Numbers against conv_core


def test_lecture_example_in_korean() -> None:
    sheet = check_sheet(
        LECTURE.inputs["x"], LECTURE.inputs["kernel"], "correlate", 0, "zeros", 1, 1, None, "ko"
    )
    key = sheet.pages[1]
    assert key.numbers("output") == as_text(LECTURE.expected)
    assert key.step_text == LECTURE.expected_first_step


@pytest.mark.parametrize("mode", cc.CONV_PADDING_MODES)
@pytest.mark.parametrize("op", ["correlate", "convolve"])
def test_every_op_and_padding_mode(op: str, mode: str) -> None:
    grid = np.arange(30).reshape(5, 6) % 7 - 2
    kernel = [[1, 0, -1], [2, 0, -2], [0, 1, 3]]
    check_sheet(grid, kernel, op, 2, mode, 1, 1, 3, "en")


@pytest.mark.parametrize(
    ("padding", "stride", "dilation"),
    [
        (1, 2, 1),
        ((0, 2), (1, 2), 1),
        (1, 1, 2),
        (2, (2, 1), (2, 1)),
        ("same", 1, 1),  # 'same' with a 2x2 kernel pads one side more (PyTorch's rule)
        ("full", 2, 1),
        ("valid", 3, 2),
    ],
)
def test_padding_stride_dilation(padding: Any, stride: Any, dilation: Any) -> None:
    grid = np.arange(64).reshape(8, 8) % 11
    check_sheet(grid, [[1, -1], [2, 0]], "convolve", padding, "zeros", stride, dilation, -2, "en")


def test_float_kernel_and_bias() -> None:
    kernel = np.round(np.ones((3, 3)) / 9, 3)
    check_sheet(np.arange(25).reshape(5, 5), kernel, "correlate", 1, "replicate", 1, 1, 0.5, "ko")


def test_uneven_stride_output_size_rounds_down() -> None:
    sheet = check_sheet(
        np.ones((6, 6), int), np.ones((3, 3), int), "correlate", 0, "zeros", 2, 1, None, "en"
    )
    key = sheet.pages[1]
    assert key.blanks["rows.size"] == ("fill", "2")  # (6 - 3) / 2 + 1 = 5/2 -> 2
    assert "5/2 → 2" in "".join(key.text)  # conv_core's own formula, with the fraction


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    h=st.integers(1, 8),
    w=st.integers(1, 8),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    op=st.sampled_from(["correlate", "convolve"]),
    mode=st.sampled_from(cc.CONV_PADDING_MODES),
    pad=st.integers(0, 3),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    bias=st.none() | st.integers(-5, 5) | st.sampled_from([0.5, -1.25]),
    lang=st.sampled_from(["en", "ko"]),
    seed=st.integers(0, 2**16),
)
def test_random_small_configurations(
    h, w, kh, kw, op, mode, pad, stride, dilation, bias, lang, seed
) -> None:
    rng = np.random.default_rng(seed)
    grid = rng.integers(-20, 100, (h, w))
    kernel = rng.integers(-3, 4, (kh, kw))
    try:
        trace = make_trace(grid, kernel, op, pad, mode, stride, dilation, bias)
    except cc.ArgumentError:
        assume(False)
    assume(bias != 0)  # a bias of 0 is no bias in the studio (TraceSettings passes None)
    compact = cc.to_compact(trace, digits=9)
    reason = too_large_reason(compact, lang=lang)
    if reason is not None:
        with pytest.raises(WorksheetTooLarge, match=re.escape(reason)):
            worksheet_html(compact, lang=lang)
        return
    check_sheet(grid, kernel, op, pad, mode, stride, dilation, bias, lang)


def test_sources_agree_compact_trace_and_settings() -> None:
    s = TraceSettings(
        "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]", "[[1, 0], [0, -1]]", 2.0, "convolve", 1,
        "reflect", (2, 1), (1, 1),
    )  # fmt: skip
    html = worksheet_html(cc.to_compact(s.trace(), digits=9), lang="en")
    assert worksheet_html(s, lang="en") == html
    assert worksheet_html(s.trace(), lang="en") == html


def test_not_a_single_channel_2d_convolution_is_refused() -> None:
    pool = cc.to_compact(cc.trace_pool2d(np.ones((4, 4)), 2))
    with pytest.raises(ValueError, match="2D convolution"):
        worksheet_html(pool, lang="en")
    two_channels = cc.to_compact(cc.trace_conv2d(np.ones((2, 4, 4)), np.ones((1, 2, 3, 3))))
    with pytest.raises(ValueError, match="one input channel"):
        worksheet_html(two_channels, lang="en")
    with pytest.raises(TypeError):
        worksheet_html([[1, 2]], lang="en")


# --------------------------------------------------------------------------------------
# Pages, languages, escaping, limits


def test_two_pages_the_second_starts_a_new_page() -> None:
    html = worksheet_html(make_trace(np.eye(5, dtype=int), [[1, 2], [3, 4]]), lang="en")
    sheet = read(html)
    assert [p.kind for p in sheet.pages] == ["task", "key"]
    rule = re.search(r"\.key\s*\{([^}]*)\}", sheet.style)
    assert rule and "break-before: page" in rule.group(1)
    assert re.search(r"@page\s*\{[^}]*margin", sheet.style)
    assert "print-color-adjust: exact" in sheet.style  # the padding's grey prints
    task_text, key_text = ("".join(p.text) for p in sheet.pages)
    assert translate("en", "worksheet.name") in task_text
    assert translate("en", "worksheet.name") not in key_text
    assert translate("en", "worksheet.worked") in key_text
    assert translate("en", "worksheet.worked") not in task_text


def test_self_contained_no_script_no_network() -> None:
    html = worksheet_html(make_trace(np.eye(4, dtype=int), [[1]]), lang="ko")
    lowered = html.lower()
    for banned in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"):
        assert banned not in lowered, banned
    assert not re.search(r"https?://", lowered)
    assert html.startswith("<!DOCTYPE html>")


def test_korean_sheet_is_in_korean() -> None:
    trace = make_trace(np.arange(16).reshape(4, 4), [[0, 1], [1, 0]], "convolve", bias=1)
    sheet = read(worksheet_html(trace, lang="ko"))
    assert sheet.html_lang == "ko"
    ko = load_strings("ko")
    assert sheet.title == ko["worksheet.title_convolve"] == "합성곱 연습 문제지"
    task_text, key_text = ("".join(p.text) for p in sheet.pages)
    for key in ("worksheet.name", "worksheet.date", "worksheet.task", "worksheet.size"):
        assert ko[key] in task_text, key
    assert ko["worksheet.steps.flip"] in task_text
    assert "정답" in key_text and ko["worksheet.worked"] in key_text
    assert "편향" in task_text and "패딩" in task_text and "스트라이드" in task_text
    # no English left over from the worksheet's strings
    en = load_strings("en")
    for key in ("worksheet.name", "worksheet.task", "worksheet.answer_note"):
        assert en[key] not in task_text + key_text


def test_correlation_sheet_says_no_flip() -> None:
    sheet = read(worksheet_html(make_trace(np.ones((3, 3), int), [[1, 2], [3, 4]]), lang="en"))
    text = "".join(sheet.pages[0].text)
    assert translate("en", "worksheet.steps.no_flip") in text
    assert translate("en", "worksheet.steps.flip") not in text
    assert sheet.title == translate("en", "worksheet.title_correlate")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_text_is_escaped(lang: str) -> None:
    evil = '<script>alert("x")</script> & <b>bold</b>'
    html = worksheet_html(make_trace(np.eye(3, dtype=int), [[1]]), lang=lang, title=evil)
    assert "<script" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;") == 4
    sheet = read(html)  # the parser reads the text back unchanged
    assert sheet.title == evil


def test_padding_legend_only_when_there_is_padding() -> None:
    legend = translate("en", "worksheet.pad_legend", mode="")[:20]
    no_pad = worksheet_html(make_trace(np.eye(3, dtype=int), [[1]]), lang="en")
    padded = worksheet_html(make_trace(np.eye(3, dtype=int), [[1]], padding=1), lang="en")
    assert legend not in no_pad and legend in padded


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_too_large_input_output_kernel(lang: str) -> None:
    big = make_trace(np.zeros((MAX_INPUT + 1, 5), int), [[1]])
    reason = too_large_reason(big, lang=lang)
    assert reason == translate(
        lang, "worksheet.too_large.input", rows=MAX_INPUT + 1, cols=5, max=MAX_INPUT
    )
    with pytest.raises(WorksheetTooLarge) as err:
        worksheet_html(big, lang=lang)
    assert str(err.value) == reason

    n = MAX_OUTPUT + 1
    wide = make_trace(np.zeros((3, n), int), [[1]])
    assert too_large_reason(wide, lang=lang) == translate(
        lang, "worksheet.too_large.output", rows=3, cols=n, max=MAX_OUTPUT
    )
    k = MAX_KERNEL + 1
    kernel = make_trace(np.zeros((10, 10), int), np.ones((k, k), int))
    assert too_large_reason(kernel, lang=lang) == translate(
        lang, "worksheet.too_large.kernel", rows=k, cols=k, max=MAX_KERNEL
    )
    # within each limit, but the padded input and the output cannot share a page
    page = make_trace(np.zeros((20, 20), int), np.ones((5, 5), int), padding=0)
    assert too_large_reason(page, lang=lang) == translate(
        lang, "worksheet.too_large.page", prow=20, pcol=20, krow=5, kcol=5, rows=16, cols=16
    )


def test_the_studio_defaults_and_classroom_sizes_print() -> None:
    """What a class uses: the lecture example, 8x8 with 3x3 and padding 1, 10x10 with
    stride 2, a 12x12 digit-sized grid with a 5x5 kernel."""
    rng = np.random.default_rng(0)
    for grid, kernel, padding, stride in [
        (LECTURE.inputs["x"], LECTURE.inputs["kernel"], 0, 1),
        (rng.integers(0, 10, (8, 8)), rng.integers(-1, 2, (3, 3)), 1, 1),
        (rng.integers(0, 256, (10, 10)), rng.integers(-2, 3, (3, 3)), 1, 2),
        (rng.integers(0, 256, (12, 12)), rng.integers(-1, 2, (5, 5)), 0, 1),
        (rng.integers(0, 256, (16, 16)), rng.integers(-1, 2, (3, 3)), 0, 2),
    ]:
        for lang in ("en", "ko"):
            trace = make_trace(grid, kernel, "convolve", padding, "zeros", stride)
            assert too_large_reason(trace, lang=lang) is None, (np.shape(grid), lang)
