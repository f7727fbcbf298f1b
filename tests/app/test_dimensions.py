"""AppTest of the 1D, 2D and 3D convolution page (pages/dimensions.py), in both languages.

The step view is checked against conv_core's trace_conv3d (position, products, sum, the
window drawn on the slices it covers), the output shape against conv3d, the "2D convolution
of a 3D input" section against conv2d, the 1x1 section against conv2d, and a bad setting
(a filter deeper than the padded volume) against the ArgumentError's own message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import (
    assert_translated,
    open_page,
    open_table_alternatives,
    page_text,
    plotly_spec,
)
from tests.app.apptest_helpers import set_widget as _set
from ui.frame.strings import error_text
from ui.teaching.grid_sources import random_grid
from ui.teaching.volumes import demo_filter, demo_volume

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "dimensions.py"


#: The page's dataframes in order (AppTest gives a plain st.dataframe no key to look up).
FRAMES = (
    "flat.in_0", "flat.in_1", "flat.in_2", "flat.kernel", "flat.conv3d", "flat.conv2d",
    "one.weights", "one.out_0", "one.out_1",
)  # fmt: skip


def _frame(at: AppTest, name: str):
    """The dataframe the page keys ``dimensions.<name>``."""
    assert len(at.dataframe) == len(FRAMES)
    return at.dataframe[FRAMES.index(name)].value


def _run(lang: str = "en", **state) -> AppTest:
    return open_page(PAGE, lang=lang, state={f"dimensions.{k}": v for k, v in state.items()})


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_opens_translated_without_errors(lang: str) -> None:
    at = _run(lang)
    assert not at.error
    assert_translated(at, "dimensions")
    title = {"en": "1D, 2D and 3D convolution", "ko": "1D, 2D, 3D 합성곱"}[lang]
    assert at.title[0].value == title
    # the classification table: five kinds, three columns (translated)
    table = at.table[-1].value
    assert table.shape == (5, 2)
    if lang == "ko":
        assert "3D 합성곱(d < L)" in table.index
    else:
        assert list(table["The filter moves in"]) == [
            "1 direction", "2 directions", "2 directions", "3 directions", "2 directions"
        ]  # fmt: skip


def test_first_step_matches_the_trace() -> None:
    at = _run()
    trace = cc.trace_conv3d(demo_volume(), demo_filter(3, 3))
    step = trace.step(0)
    text = page_text(at)
    assert "**Step 1 of 27**" in text
    assert f"= {step.value}" in text
    assert "3 × 3 × 3 (D × H × W)" in text
    # each filter slice's line holds its products and its sum
    for a in range(3):
        part = int(step.products[a].sum())
        assert any(
            m.value.startswith(f"filter slice {a} on input slice {a}:")
            and m.value.endswith(f"= **{part}**")
            for m in at.markdown
        )
    spec = plotly_spec(at, "dimensions.volume")
    windows = [s for s in spec["layout"]["shapes"] if s["name"] == "window"]
    assert [s["xref"] for s in windows] == ["x", "x2", "x3"]  # slices 0, 1, 2
    assert (windows[0]["x0"], windows[0]["x1"]) == (-0.5, 2.5)


def test_stepping_moves_the_window() -> None:
    at = _run()
    trace = cc.trace_conv3d(demo_volume(), demo_filter(3, 3))
    _set(at, "number_input", "dimensions.step", 10)  # (0, 1, 0, 0): the next slice
    step = trace.step(9)
    assert step.out_index == (0, 1, 0, 0)
    text = page_text(at)
    assert "**Step 10 of 27**" in text and "(slice 1, row 0, col 0)" in text
    assert f"= {step.value}" in text
    spec = plotly_spec(at, "dimensions.volume")
    windows = [s for s in spec["layout"]["shapes"] if s["name"] == "window"]
    assert [s["xref"] for s in windows] == ["x2", "x3", "x4"]  # slices 1, 2, 3
    out = plotly_spec(at, "dimensions.output")
    current = [s for s in out["layout"]["shapes"] if s["name"] == "window"]
    assert [s["xref"] for s in current] == ["x2"]


def test_settings_change_the_output_shape_and_clamp_the_step() -> None:
    at = _run(step=27)
    _set(at, "number_input", "dimensions.stride", 2)
    # stride 2: (5 - 3) / 2 + 1 = 2 per axis, 8 steps: the step is clamped to the last one
    assert at.number_input(key="dimensions.step").value == 8
    assert "**Step 8 of 8**" in page_text(at)
    assert "2 × 2 × 2 (D × H × W)" in page_text(at)
    _set(at, "number_input", "dimensions.padding", 1)
    expected = cc.conv3d(demo_volume(), demo_filter(3, 3), stride=2, padding=1)
    assert expected.shape == (3, 3, 3) and "3 × 3 × 3 (D × H × W)" in page_text(at)
    _set(at, "number_input", "dimensions.d", 1)
    _set(at, "number_input", "dimensions.padding", 0)
    # d = 1, stride 2: depth (5 - 1) / 2 + 1 = 3, rows and cols 2
    assert "**Step 8 of 12**" in page_text(at)
    assert "3 × 2 × 2 (D × H × W)" in page_text(at)
    spec = plotly_spec(at, "dimensions.volume")
    assert len(spec["data"]) == 5
    assert len(plotly_spec(at, "dimensions.kernel")["data"]) == 1


def test_padding_slices_are_labelled() -> None:
    at = _run(padding=1)
    spec = plotly_spec(at, "dimensions.volume")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[0] == "slice 0 (padding)" and titles[-1] == "slice 6 (padding)"
    assert len(titles) == 7
    assert any(s["name"] == "input" for s in spec["layout"]["shapes"])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_filter_deeper_than_the_volume_is_an_error_message(lang: str) -> None:
    at = _run(lang, d=7)
    assert not at.exception
    with pytest.raises(cc.ArgumentError) as info:
        cc.trace_conv3d(demo_volume(), demo_filter(3, 7))
    assert [e.value for e in at.error] == [error_text(lang, info.value)]
    if lang == "en":
        assert "kernel depth 7 (dilated 7) is larger than the padded input depth 5" in (
            at.error[0].value
        )
    else:
        assert "커널 깊이 7" in at.error[0].value
    assert plotly_spec(at, "dimensions.volume") is None
    # the rest of the page still draws
    assert at.success and at.table


def test_2d_convolution_of_a_3d_input_equals_conv2d() -> None:
    at = _run()
    a = _frame(at, "flat.conv3d")
    b = _frame(at, "flat.conv2d")
    assert a.equals(b) and a.shape == (3, 3)
    assert any("same output" in s.value for s in at.success)


def test_one_by_one_mixes_channels() -> None:
    at = _run()
    text = page_text(at)
    assert (
        "Input 3 × 3 × 4 (H × W × C), weights 1 × 1 × 4 × 2 (KH × KW × C_in × C_out), "
        "output 3 × 3 × 2 (H × W × C)." in text
    )
    out = _frame(at, "one.out_0")
    x = np.stack([random_grid(3, 3, 0, 9, 40 + i) for i in range(4)])
    expected = cc.conv2d(x, np.array([[1, 0, -1, 2], [1, 1, 1, 1]])[:, :, None, None])
    assert out.to_numpy().tolist() == expected[0].astype(str).tolist()


def test_table_alternatives_hold_every_slice() -> None:
    at = open_table_alternatives(_run())
    assert not at.exception
    tables = [tb.value.to_numpy().tolist() for tb in at.table]
    first = demo_volume()[0].astype(str).tolist()
    assert first in tables
