"""The widgets' pure helpers: cells <-> kernels, editor deltas, resizing, padding controls."""

import numpy as np
import pandas as pd
import pytest

import conv_core as cc
from ui import widgets as w


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (-1, "-1"),
        (2.0, "2"),
        (1 / 9, "1/9"),
        (-2 / 16, "-1/8"),
        (0.5, "0.5"),
        (0.2, "0.2"),
        (0.07511360795411207, "0.0751136"),
        (1.8378971759747254, "1.8379"),  # 6 significant digits
    ],
)
def test_format_cell(value, text) -> None:
    assert w.format_cell(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0000000000000002, "1"), (0, "0"), (-3.0, "-3"), (0.5, "0.5"), (1 / 3, "0.333333")],
)
def test_format_total(value, text) -> None:
    assert w.format_total(value) == text


def test_cells_frame_round_trip() -> None:
    cells = w.matrix_to_cells(cc.KERNELS["sobel_x"].matrix)
    assert cells == [["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]]
    frame = w.cells_to_frame(cells)
    assert list(frame.columns) == ["1", "2", "3"] and list(frame.index) == ["1", "2", "3"]
    assert w.frame_to_cells(frame) == cells


def test_frame_to_cells_turns_cleared_cells_into_empty_strings() -> None:
    frame = pd.DataFrame([["1", None], [np.nan, "x"]], columns=["1", "2"], dtype="object")
    assert w.frame_to_cells(frame) == [["1", ""], ["", "x"]]


def test_box_blur_cells_are_fractions() -> None:
    assert w.matrix_to_cells(cc.KERNELS["box_blur"].matrix) == [["1/9"] * 3] * 3


def test_apply_edits() -> None:
    cells = [["1", "2"], ["3", "4"]]
    state = {"edited_rows": {0: {"2": "5"}, "1": {"1": None}}, "added_rows": [], "deleted_rows": []}
    assert w.apply_edits(cells, state) == [["1", "5"], ["", "4"]]
    assert cells == [["1", "2"], ["3", "4"]], "the input is not changed"
    # No state, empty state, unknown rows/columns: nothing changes.
    assert w.apply_edits(cells, None) == cells
    assert w.apply_edits(cells, {}) == cells
    assert w.apply_edits(cells, {"edited_rows": {5: {"1": "9"}, 0: {"7": "9", "x": "9"}}}) == cells
    assert w.apply_edits(cells, {"edited_rows": {"_index": {"1": "9"}}}) == cells


@pytest.mark.parametrize(
    ("rows", "cols", "expected"),
    [
        (3, 3, [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]),
        (1, 1, [["5"]]),
        (1, 3, [["4", "5", "6"]]),
        (2, 2, [["1", "2"], ["4", "5"]]),  # odd difference: the extra cut is after
        (
            5,
            5,
            [
                ["0"] * 5,
                ["0", "1", "2", "3", "0"],
                ["0", "4", "5", "6", "0"],
                ["0", "7", "8", "9", "0"],
                ["0"] * 5,
            ],
        ),
        (4, 3, [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["0", "0", "0"]]),
    ],
)
def test_resize_cells_keeps_the_centre(rows, cols, expected) -> None:
    cells = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]
    assert w.resize_cells(cells, rows, cols) == expected


def test_kernel_from_cells_parses_without_eval() -> None:
    assert w.kernel_from_cells([["1/9", "-2/16"]]).tolist() == [[1 / 9, -0.125]]
    with pytest.raises(cc.ArgumentError) as info:
        w.kernel_from_cells([["1", "2"], ["3", "__import__('os')"]])
    assert info.value.key == "kernel_cell_not_number"
    assert (info.value.params["row"], info.value.params["col"]) == (2, 2)
    with pytest.raises(cc.ArgumentError) as info:
        w.kernel_from_cells([["1", ""]])
    assert info.value.key == "kernel_cell_empty" and info.value.params["col"] == 2


def test_kernel_from_cells_keeps_the_exact_preset_until_edited() -> None:
    gauss = cc.KERNELS["gaussian_blur"].matrix
    cells = w.matrix_to_cells(gauss)
    assert cells[2][2] == "0.162103"  # shown rounded
    exact = w.kernel_from_cells(cells, cells, gauss)
    assert np.array_equal(exact, gauss)
    edited = [row[:] for row in cells]
    edited[0][0] = "0"
    parsed = w.kernel_from_cells(edited, cells, gauss)
    assert parsed[0, 0] == 0 and parsed[2, 2] == pytest.approx(0.162103)


def test_match_kernel_name() -> None:
    for name, kernel in cc.KERNELS.items():
        assert w.match_kernel_name(kernel.matrix) == name
        assert w.match_kernel_name(kernel.matrix.astype(float)) == name
    assert w.match_kernel_name(np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])) is None


@pytest.mark.parametrize(
    ("controls", "spec"),
    [
        (("number", 0), 0),
        (("number", 3), 3),
        (("valid",), "valid"),
        (("same", 5), "same"),
        (("full",), "full"),
    ],
)
def test_padding_from_controls(controls, spec) -> None:
    assert w.padding_from_controls(*controls) == spec


def test_padding_from_controls_split() -> None:
    assert w.padding_from_controls("number", 9, split=True, rows=1, cols=2) == (1, 2)


@pytest.mark.parametrize("spec", [0, 2, "valid", "same", "full", (1, 2), ((1, 1), (0, 0))])
def test_controls_round_trip(spec) -> None:
    c = w.controls_from_padding(spec)
    back = w.padding_from_controls(c["kind"], c["amount"], c["split"], c["rows"], c["cols"])
    if isinstance(spec, tuple) and isinstance(spec[0], tuple):
        assert back == (spec[0][0], spec[1][0])
    else:
        assert back == spec


def test_controls_refuse_one_sided_padding() -> None:
    with pytest.raises(ValueError, match="symmetrically"):
        w.controls_from_padding(((0, 1), (0, 0)))


@pytest.mark.parametrize("mode", cc.CONV_PADDING_MODES)
def test_padding_mode_label_shows_the_picture(mode: str) -> None:
    label = w.padding_mode_label(mode, mode)
    assert label.startswith(mode) and cc.PADDING_MODES[mode].picture in label


def test_conv_settings_kwargs_feed_conv_core() -> None:
    settings = w.ConvSettings(padding="same", padding_mode="replicate", stride=(2, 1))
    out = cc.correlate2d(np.arange(25).reshape(5, 5), np.ones((3, 3), int), **settings.kwargs())
    assert out.shape == (3, 5)
    assert settings.padding_text == "same"
    assert w.ConvSettings(padding=(1, 2)).padding_text == "1,2"
