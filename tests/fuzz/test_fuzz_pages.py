"""Fuzz of what people type on the other pages: the network page's layer editor (its
rows go through ``ui.teaching.architectures``' table and
``conv_core.networks.records_to_network``), the 1D page's typed signal and kernel, and the
pooling page's typed grid (through the real pages under AppTest, a few examples each).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import conv_core as cc
from conv_core import networks as nets
from ui.frame.i18n import LANG_KEY
from ui.teaching import architectures as arch

ROOT = Path(__file__).resolve().parents[2]


def fuzz(n: int) -> settings:
    return settings(max_examples=n, suppress_health_check=[HealthCheck.too_slow])


CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.integers(),  # also beyond what a float holds
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["", "nan", "None", "3", " 2 ", "1e400", "-0", "2.5", "1, 3", "same", 10**400]),
)
KIND = st.one_of(st.sampled_from([*nets.LAYER_TYPES, "CONV", " pool ", "Dense", "gap", ""]), CELL)
RECORD = st.fixed_dictionaries(
    {"kind": KIND},
    optional={col: CELL for col in nets.RECORD_COLUMNS if col != "kind"}
    | {"bias": st.one_of(st.none(), st.booleans(), CELL)},
)
INPUT_ROW = st.fixed_dictionaries(
    {
        "kind": st.just("input"),
        "shape": st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 8)).map(
            lambda s: ", ".join(map(str, s))
        ),
    }
)


@fuzz(300)
@given(
    st.one_of(
        st.lists(RECORD, max_size=8),
        INPUT_ROW.flatmap(
            lambda first: st.lists(RECORD, max_size=7).map(lambda rest: [first, *rest])
        ),
    )
)
def test_layer_editor_rows(records: list[dict[str, Any]]) -> None:
    """Whatever the editor holds: layers and row-numbered problems, or a summary; never a raise."""
    frame = arch.records_frame(records)
    rows = arch.frame_records(frame)
    assert len(rows) == len(records)
    layers, problems = nets.records_to_network(rows)
    for p in problems:
        assert 0 <= p.row < max(len(rows), 1) and (
            p.column == "" or p.column in nets.RECORD_COLUMNS
        )
        assert p.message  # worded, with its numbers
    if not problems and layers:
        summary = nets.network_summary(layers)
        assert len(summary) == len(layers)
        for info in summary:
            assert all(v >= 1 for v in info.output_shape)
            assert info.weights >= 0 and info.macs >= 0
        plan = arch.network_diagram(summary, collapse=False)
        assert sorted(arch.diagram_layers(plan)) == list(range(len(summary)))


def test_a_huge_integer_cell_is_a_problem_not_a_crash() -> None:
    """float(10**400) must not raise OverflowError out of the editor's rows."""
    rows = [
        {"kind": "input", "shape": "8, 8, 1"},
        {"kind": "conv2d", "out_channels": 2, "kernel_size": 10**400},
    ]
    _, problems = nets.records_to_network(arch.frame_records(arch.records_frame(rows)))
    assert [(p.row, p.column) for p in problems] == [(1, "kernel_size")]


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
