"""Fuzz of what people type on the other pages: the network page's layer editor (its rows
go through ``ui.teaching.network_stack.records_to_layers`` and ``layer_rows``), the 1D page's typed
signal and kernel, and the pooling page's typed grid (through the real pages under
AppTest, a few examples each).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import conv_core as cc
from ui.frame.i18n import LANG_KEY
from ui.teaching import network_stack as ns

ROOT = Path(__file__).resolve().parents[2]


def fuzz(n: int) -> settings:
    return settings(max_examples=n, suppress_health_check=[HealthCheck.too_slow])


CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.integers(),  # also beyond what a float holds
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["", "nan", "None", "3", " 2 ", "1e400", "-0", "2.5", True, 10**400]),
)
RECORD = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from([*ns.KINDS, "CONV", " pool ", "dense", ""]), CELL)},
    optional={col: CELL for col in ns.LIMITS},
)


@fuzz(300)
@given(st.lists(RECORD, max_size=8), st.integers(1, 512), st.integers(1, 512), st.integers(1, 64))
def test_layer_editor_rows(records: list[dict[str, Any]], h: int, w: int, c: int) -> None:
    layers, problems = ns.records_to_layers(records)
    for lay in layers:
        assert lay.kind in ns.KINDS
        if lay.kind != "relu":
            for col, (low, high) in ns.LIMITS.items():
                value = getattr(lay, col)
                assert value == 0 or low <= value <= high, (lay, col)
    for p in problems:
        assert 0 <= p.row < len(records) and p.reason in ("bad_type", "not_whole", "out_of_range")
    bad = ns.first_bad_layer((h, w, c), layers)
    good = layers if bad < 0 else layers[:bad]
    rows = ns.layer_rows((h, w, c), good)
    assert len(rows) == len(good)
    for row in rows:
        assert all(v >= 1 for v in row.out_hwc)


def test_a_huge_integer_cell_is_a_problem_not_a_crash() -> None:
    """Found by this suite: float(10**400) raised OverflowError out of the editor's rows."""
    layers, problems = ns.records_to_layers([{"type": "conv", "kernel": 10**400}])
    assert layers == [] and [p.column for p in problems] == ["kernel"]


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state[LANG_KEY] = "en"
    at.run()
    assert not at.exception, at.exception
    return at


NUMBERS_TEXT = st.one_of(
    st.text(alphabet="0123456789 ,.-+eE", max_size=30),
    st.text(max_size=12),
    st.sampled_from(
        [
            "1e308 1e308",
            "-1e308, 1e308, 1e308",
            "nan",
            "inf 1",
            "1_0 2",
            "\u22121 2",
            "١ ٢",
            "1 " * 200,
            "",
            ",,,",
            "1e-320 1",
        ]
    ),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NUMBERS_TEXT, NUMBERS_TEXT)
def test_flip_1d_typed_signal_and_kernel(signal: str, kernel: str) -> None:
    at = _page("flip_1d")
    at.text_input(key="flip_1d.signal").set_value(signal)
    at.text_input(key="flip_1d.kernel").set_value(kernel)
    at.run()
    assert not at.exception, (signal, kernel, at.exception)
    # Valid again afterwards.
    at.text_input(key="flip_1d.signal").set_value("1 2 3 4")
    at.text_input(key="flip_1d.kernel").set_value("1, 0, -1")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_flip_1d_huge_values() -> None:
    at = _page("flip_1d")
    at.text_input(key="flip_1d.signal").set_value("1e308 1e308 1e308 -1e308")
    at.text_input(key="flip_1d.kernel").set_value("1e308, 1e308")
    at.run()
    assert not at.exception, at.exception


def _typed_page(name: str) -> AppTest:
    at = _page(name)
    at.segmented_control(key=f"{name}.src").set_value("typed").run()
    assert not at.exception, at.exception
    return at


def _type_cell(at: AppTest, name: str, value: Any) -> AppTest:
    at.session_state[f"{name}.grid_editor"] = {
        "edited_rows": {0: {"0": value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    return at


@pytest.mark.parametrize("name", ["pooling", "studio"])
def test_typed_grid_odd_cells(name: str) -> None:
    at = _typed_page(name)
    for value in [1e300, -1e300, 1e15, 1.5, None, "x", 7]:
        _type_cell(at, name, value)
        assert not at.exception, (value, at.exception)
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("name", ["pooling", "studio"])
def test_typed_grid_cell_just_beyond_int64(name: str) -> None:
    at = _typed_page(name)
    # 1e19 once broke pandas inside st.data_editor (an int64 table): now a message names it.
    for value in (1e19, 2.0**63, -1e19, 1000, -1000):
        _type_cell(at, name, value)
        assert not at.exception, (value, at.exception)
        assert [e.value for e in at.error] == [
            f"Cell (row 0, column 0) holds {value:g}: type a whole number from -999 to 999."
        ]
    _type_cell(at, name, 999)
    assert not at.exception and not at.error


@fuzz(200)
@given(
    st.lists(
        st.tuples(
            st.integers(-2, 20), st.integers(-2, 10), st.integers(-2, 10), st.integers(-2, 10)
        ),
        max_size=6,
    ),
    st.tuples(st.integers(-1, 600), st.integers(-1, 600)),
)
def test_receptive_field_and_sizes(
    layers: list[tuple[int, int, int, int]], hw: tuple[int, int]
) -> None:
    try:
        fields = cc.receptive_field(layers, input_hw=hw)
    except cc.ConvLabError:
        return
    assert len(fields) == len(layers)
