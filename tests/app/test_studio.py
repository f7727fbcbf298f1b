"""AppTest of the Sliding-Window Studio page (pages/studio.py).

Every control is changed through the widget AppTest finds by its key, and the effect is
checked on what the page shows: the size caption ("Input 6 × 6 → padded 8 × 8 → output
6 × 6 (36 steps)") and the data handed to the browser-side stepper. AppTest does not
render a ``st.components.v2`` component, but it keeps the element: its proto's ``json``
field is exactly the ``data`` the page passed (``ui.components.stepper.stepper_data``), so
``_payload(at)["trace"]`` is the compact trace the browser would step through.

Sections: grid sources, lecture presets, operation, kernel, padding/stride/dilation,
links (restore, round trip, bad values), impossible settings, export, languages (the page
alone and the whole app with its sidebar switch). The payload's numbers against
conv_core are in tests/app/test_studio_payload.py.

Tests marked ``xfail(strict=True, reason="BUG: ...")`` show a bug in the page that is
not fixed yet; when it is fixed the test passes, strict xfail fails, and the mark goes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import rerun as _rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.apptest_helpers import stepper_payload as _payload
from ui.components.stepper import stepper_strings
from ui.frame.i18n import LANG_KEY, load_strings, translate
from ui.frame.page_registry import APP_ROOT
from ui.teaching.grid_sources import grid_presets, image_grid, random_grid
from ui.teaching.samples import load_sample_with_info
from ui.widgets import apply_edits, frame_to_cells

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "pages" / "studio.py"
APP = Path(__file__).resolve().parent / "app_entry.py"  # app.py; see app_entry.py for why
TIMEOUT = 60
LECTURE = cc.PRESETS["feature_map_6x6"]
LECTURE_GRID = np.asarray(LECTURE.inputs["x"])
LECTURE_KERNEL = np.asarray(LECTURE.inputs["kernel"])
GRID_PRESETS = grid_presets()


# --------------------------------------------------------------------------------------
# Helpers


def _run(
    query: dict[str, str] | None = None, lang: str = "en", state: dict[str, Any] | None = None
) -> AppTest:
    """The studio page alone, opened with a link's ``query`` in ``lang``."""
    at = AppTest.from_file(str(STUDIO), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    for name, value in (state or {}).items():
        at.session_state[name] = value
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _trace(at: AppTest) -> dict[str, Any]:
    payload = _payload(at)
    assert payload is not None, [e.value for e in at.error]
    return payload["trace"]


def _output(at: AppTest) -> np.ndarray:
    return np.asarray(_trace(at)["output"][0])


def _grid(at: AppTest) -> np.ndarray:
    """The input grid the stepper got (the padded grid without its padding)."""
    trace = _trace(at)
    padded = np.asarray(trace["padded"][0])
    (top, bottom), (left, right) = trace["config"]["padding"]
    return padded[top : padded.shape[0] - bottom, left : padded.shape[1] - right]


def _shape_caption(at: AppTest) -> str | None:
    """The "Input … → padded … → output …" caption (None when not shown)."""
    found = [c.value for c in at.caption if c.value.startswith("Input ")]
    assert len(found) <= 1
    return found[0] if found else None


def _caption(h: int, w: int, hp: int, wp: int, oh: int, ow: int, lang: str = "en") -> str:
    return translate(lang, "studio.result.shape", h=h, w=w, hp=hp, wp=wp, oh=oh, ow=ow, n=oh * ow)


def _kernel_key(at: AppTest) -> str:
    return f"studio.kernel.grid.v{at.session_state['studio.kernel.version']}"


def _edit_kernel(at: AppTest, edits: dict[int, dict[str, Any]]) -> AppTest:
    """Type into the kernel editor (rows 0-based, columns labelled '1'..'KW')."""
    at.session_state[_kernel_key(at)] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return _rerun(at)


def _kernel_cells(at: AppTest) -> list[list[str]]:
    """The kernel editor's cells as the person sees them (stored cells plus typed edits)."""
    key = _kernel_key(at)
    cells = frame_to_cells(at.data_editor(key=key).value)
    return apply_edits(cells, at.session_state[key] if key in at.session_state else None)


def _edit_grid(at: AppTest, edits: dict[int, dict[str, Any]]) -> AppTest:
    """Type into the typed-grid editor (rows 0-based, columns labelled '0'..'W-1')."""
    at.session_state["studio.grid_editor"] = {
        "edited_rows": edits,
        "added_rows": [],
        "deleted_rows": [],
    }
    return _rerun(at)


def _query(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}


def _sample_array(name: str) -> np.ndarray:
    """A sample as the page's picker holds it (grey, at most 512 pixels a side)."""
    image, _ = load_sample_with_info(name, True)
    return cc.downscale(image, 512)


def _widget_values(at: AppTest) -> dict[str, Any]:
    """Every studio widget's value (the stepper and the export panel left out)."""
    values: dict[str, Any] = {}
    for kind in ("button_group", "selectbox", "number_input", "radio", "toggle", "slider"):
        for widget in getattr(at, kind):
            key = widget.key or ""
            if key.startswith("studio.") and not key.startswith("studio.gif"):
                values[key] = widget.value
    values["kernel cells"] = _kernel_cells(at)
    return values


def _proto_strings(message: Any) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in ("id", "form_id", "js_content", "html_content", "css_content"):
            continue
        values = value if field.is_repeated else [value]
        if field.type == field.TYPE_STRING:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for v in values:
                yield from _proto_strings(v)


def _texts(node: Any) -> Iterator[str]:
    """Every string the page sends to the browser: values, labels, options, help, captions,
    tab and expander labels (not the stepper component's JS/HTML/CSS)."""
    proto = getattr(node, "proto", None)
    if proto is not None and getattr(node, "type", "") != "bidi_component":
        yield from _proto_strings(proto)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _texts(child)


_ALL_KEYS = frozenset(load_strings("en"))
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _assert_fully_translated(at: AppTest, lang: str) -> list[str]:
    """No exception (a key missing in every language raises KeyError in ui.frame.i18n.translate),
    no raw dotted key such as ``studio.title`` on screen, no unfilled ``{placeholder}``,
    and in Korean no English string that has a different Korean translation."""
    assert not at.exception, at.exception
    texts = list(_texts(at._tree))
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
    return texts


# --------------------------------------------------------------------------------------
# First view: the lecture example


def test_first_view_is_the_lecture_example() -> None:
    at = _run()
    assert at.title[0].value == "Sliding-Window Studio"
    assert _shape_caption(at) == "Input 6 × 6 → padded 6 × 6 → output 4 × 4 (16 steps)"
    assert np.array_equal(_output(at), np.asarray(LECTURE.expected))
    assert np.array_equal(_grid(at), LECTURE_GRID)
    assert not at.error and not at.warning and not at.info
    assert _query(at) == {}, "the default view needs no parameters in its link"
    payload = _payload(at)
    assert payload["step"] == 0 and payload["practice"] is False
    assert payload["original_kernel"] is None


# --------------------------------------------------------------------------------------
# Grid sources


@pytest.mark.parametrize(
    ("source", "caption"),
    [
        ("random", "Input 8 × 8 → padded 8 × 8 → output 6 × 6 (36 steps)"),
        ("typed", "Input 8 × 8 → padded 8 × 8 → output 6 × 6 (36 steps)"),
        ("image", "Input 8 × 8 → padded 8 × 8 → output 6 × 6 (36 steps)"),
        ("preset", "Input 6 × 6 → padded 6 × 6 → output 4 × 4 (16 steps)"),
    ],
)
def test_grid_source_picker(source: str, caption: str) -> None:
    at = _run({"src": "typed"} if source == "preset" else None)
    _set(at, "button_group", "studio.src", source)
    assert _shape_caption(at) == caption
    expected = {
        "random": random_grid(8, 8, 0, 9, 1),
        "typed": np.zeros((8, 8), np.int64),
        "image": image_grid(_sample_array("camera"), 8, 8),
        "preset": LECTURE_GRID,
    }[source]
    assert np.array_equal(_grid(at), expected)
    assert _query(at).get("src") == (None if source == "preset" else source)


@pytest.mark.parametrize(
    ("source", "then"),
    [
        ("random", ("number_input", "studio.rows", 5)),
        ("image", ("slider", "studio.top", 10)),
        ("typed", ("number_input", "studio.conv.padding", 1)),
    ],
)
def test_second_change_after_switching_the_source(source: str, then: tuple) -> None:
    at = _run()
    _set(at, "button_group", "studio.src", source)
    _set(at, *then)
    _set(at, "button_group", "studio.src", "preset")
    _set(at, "radio", "studio.op", "convolve")


def test_random_controls() -> None:
    at = _run({"src": "random"})
    _set(at, "number_input", "studio.rows", 5)
    _set(at, "number_input", "studio.cols", 7)
    _set(at, "number_input", "studio.low", -3)
    _set(at, "number_input", "studio.high", 3)
    _set(at, "number_input", "studio.seed", 42)
    assert _shape_caption(at) == "Input 5 × 7 → padded 5 × 7 → output 3 × 5 (15 steps)"
    grid = random_grid(5, 7, -3, 3, 42)
    assert np.array_equal(_grid(at), grid)
    assert np.array_equal(_output(at), cc.correlate2d(grid, LECTURE_KERNEL))
    assert _query(at) == {
        "src": "random",
        "rows": "5",
        "cols": "7",
        "low": "-3",
        "high": "3",
        "seed": "42",
    }


def test_random_low_above_high_still_gives_a_grid() -> None:
    at = _run({"src": "random", "low": "9", "high": "0"})
    assert np.array_equal(_grid(at), random_grid(8, 8, 9, 0, 1))
    assert _grid(at).min() >= 0 and _grid(at).max() <= 9


def test_new_random_button_draws_a_new_seed() -> None:
    at = _run({"src": "random"})
    before = _grid(at)
    at.button(key="studio.new_random").click().run()
    assert not at.exception
    seed = at.number_input(key="studio.seed").value
    assert seed != 1  # 1 chance in 99,999 of drawing the old seed
    assert np.array_equal(_grid(at), random_grid(8, 8, 0, 9, seed))
    assert not np.array_equal(_grid(at), before)
    assert _query(at)["seed"] == str(seed)


def test_typed_grid_through_the_data_editor() -> None:
    at = _run({"src": "typed"})
    _set(at, "number_input", "studio.rows", 3)
    _set(at, "number_input", "studio.cols", 4)
    assert _shape_caption(at) == "Input 3 × 4 → padded 3 × 4 → output 1 × 2 (2 steps)"
    assert at.data_editor(key="studio.grid_editor").value.shape == (3, 4)
    assert not _grid(at).any(), "a new typed grid starts as zeros"
    _edit_grid(at, {0: {"0": 5, "3": -2}, 2: {"1": 7}})
    typed = np.array([[5, 0, 0, -2], [0, 0, 0, 0], [0, 7, 0, 0]])
    assert np.array_equal(_grid(at), typed)
    assert np.array_equal(_output(at), cc.correlate2d(typed, LECTURE_KERNEL))
    assert _query(at)["grid"] == "5,0,0,-2;0,0,0,0;0,7,0,0"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Cell (row 1, column 2) is empty: type a whole number."),
        # Streamlit itself parses text that is no number as an empty cell.
        ("abc", "Cell (row 1, column 2) is empty: type a whole number."),
        (2.5, "Cell (row 1, column 2) must hold a whole number; it is 2.5."),
        (1000, "Cell (row 1, column 2) holds 1000: type a whole number from -999 to 999."),
        (1e19, "Cell (row 1, column 2) holds 1e+19: type a whole number from -999 to 999."),
        (float("inf"), "Cell (row 1, column 2) holds inf: type a whole number from -999 to 999."),
    ],
)
def test_typed_grid_bad_cell_names_the_cell(value: Any, message: str) -> None:
    at = _run({"src": "typed", "rows": "3", "cols": "3"})
    _edit_grid(at, {1: {"2": value}})
    assert [e.value for e in at.error] == [message]
    assert _payload(at) is None and _shape_caption(at) is None
    # Typing a number again brings the stepper back.
    _edit_grid(at, {1: {"2": 4}})
    assert not at.error and _grid(at)[1, 2] == 4


def test_typed_grid_never_passes_a_fraction_on() -> None:
    # The editor's cells are float64 (so 1e19 cannot break pandas): a typed 2.5 reaches the
    # page, which names the cell, and the stepper never gets a fraction in the input grid.
    at = _run({"src": "typed", "rows": "3", "cols": "3"})
    _edit_grid(at, {0: {"1": 2.5}})
    assert [e.value for e in at.error] == [
        "Cell (row 0, column 1) must hold a whole number; it is 2.5."
    ]
    assert _payload(at) is None
    _edit_grid(at, {0: {"1": 3}})
    assert not at.error and _trace(at)["dtype"] == "int64" and _grid(at)[0, 1] == 3


def test_typed_grid_cleared_cell_message_does_not_say_nan() -> None:
    at = _run({"src": "typed", "rows": "3", "cols": "3"})
    _edit_grid(at, {1: {"2": None}})
    assert at.error and "nan" not in at.error[0].value.lower()


def test_typed_values_survive_a_size_change() -> None:
    at = _run({"src": "typed", "rows": "4", "cols": "4"})
    _edit_grid(at, {0: {"0": 5}, 1: {"2": 7}})
    assert _grid(at)[0, 0] == 5 and _grid(at)[1, 2] == 7
    at.number_input(key="studio.rows").set_value(5).run()
    assert not at.exception
    grid = _grid(at)
    assert grid.shape == (5, 4)
    assert grid[0, 0] == 5 and grid[1, 2] == 7


@pytest.mark.parametrize(
    ("sample", "rows", "cols", "top", "left", "zoom"),
    [
        ("camera", 8, 8, 30, 60, 4),
        ("digit", 6, 5, 10, 20, 2),
        ("chelsea", 10, 12, 50, 0, 16),
        ("checkerboard", 4, 4, 100, 100, 1),
    ],
)
def test_image_region_controls(sample, rows, cols, top, left, zoom) -> None:
    at = _run({"src": "image"})
    assert at.selectbox(key="studio.image.sample").value == "camera"
    _set(at, "selectbox", "studio.image.sample", sample)
    _set(at, "number_input", "studio.rows", rows)
    _set(at, "number_input", "studio.cols", cols)
    _set(at, "slider", "studio.top", top)
    _set(at, "slider", "studio.left", left)
    _set(at, "slider", "studio.zoom", zoom)
    assert not at.error
    expected = image_grid(
        _sample_array(sample), rows, cols, top=top / 100, left=left / 100, zoom=zoom
    )
    assert np.array_equal(_grid(at), expected)
    assert _shape_caption(at).startswith(f"Input {rows} × {cols} → ")
    query = _query(at)
    assert query["src"] == "image"
    for name, value, default in (("top", top, 0), ("left", left, 0), ("zoom", zoom, 1)):
        assert query.get(name) == (None if value == default else str(value))


def test_image_region_from_an_upload() -> None:
    pixels = (np.arange(64).reshape(8, 8) * 4).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    at = _run({"src": "image", "rows": "4", "cols": "4"})
    at.button_group(key="studio.image.source").set_value("upload").run()
    assert _payload(at) is None and not at.error, "no file yet: no stepper, no error"
    at.file_uploader(key="studio.image.upload").upload("g.png", buf.getvalue(), "image/png")
    _rerun(at)
    assert np.array_equal(_grid(at), image_grid(pixels.astype(np.float32), 4, 4))
    assert _shape_caption(at) == "Input 4 × 4 → padded 4 × 4 → output 2 × 2 (4 steps)"


def test_image_bad_upload_is_a_message() -> None:
    at = _run({"src": "image"})
    at.button_group(key="studio.image.source").set_value("upload").run()
    at.file_uploader(key="studio.image.upload").upload("x.png", b"not an image", "image/png")
    _rerun(at)
    assert "not a supported image" in at.error[0].value
    assert _payload(at) is None


# --------------------------------------------------------------------------------------
# Lecture presets


def test_only_single_channel_2d_presets_are_offered() -> None:
    at = _run()
    box = at.selectbox(key="studio.preset")
    assert len(box.options) == len(GRID_PRESETS) == 9
    assert box.options == [translate("en", cc.PRESETS[n].title_key) for n in GRID_PRESETS]


@pytest.mark.parametrize("name", list(GRID_PRESETS))
def test_each_lecture_preset_gives_its_expected_output(name: str) -> None:
    preset = cc.PRESETS[name]
    at = _run()
    if name == "feature_map_6x6":
        _set(at, "selectbox", "studio.preset", "zero_padding_bias")
    # Leave the preset's settings behind first: the choice must set all of them.
    _set(at, "radio", "studio.op", "convolve")
    _set(at, "number_input", "studio.conv.stride_cols", 2)
    _set(at, "number_input", "studio.conv.dilation_rows", 2)
    _set(at, "number_input", "studio.conv.padding", 3)
    _set(at, "selectbox", "studio.preset", name)
    assert not at.error
    assert np.array_equal(_output(at), np.asarray(preset.expected))
    assert np.array_equal(_grid(at), np.asarray(preset.inputs["x"]))
    gp = GRID_PRESETS[name]
    assert at.radio(key="studio.op").value == "correlate"
    assert at.number_input(key="studio.conv.padding").value == gp.padding
    assert at.number_input(key="studio.conv.stride_rows").value == gp.stride
    assert at.number_input(key="studio.conv.stride_cols").value == gp.stride
    assert at.number_input(key="studio.kernel.bias").value == gp.bias
    assert at.number_input(key="studio.conv.dilation_rows").value == 1
    assert np.array_equal(_trace(at)["kernel"][0][0], gp.kernel)
    assert translate("en", preset.description_key) in [c.value for c in at.caption]
    oh, ow = np.shape(preset.expected)
    assert _shape_caption(at).endswith(f"output {oh} × {ow} ({oh * ow} steps)")
    # The preset's own settings are the link's defaults: only the choice is in the link.
    assert _query(at) == ({} if name == "feature_map_6x6" else {"preset": name})


# --------------------------------------------------------------------------------------
# Operation


def test_convolve_with_an_asymmetric_kernel_shows_the_flip_note() -> None:
    at = _run({"kernel": "1,2;3,4"})
    assert not at.info
    at.radio(key="studio.op").set_value("convolve").run()
    assert [i.value for i in at.info] == [translate("en", "studio.op.flipped")]
    trace = _trace(at)
    assert trace["op"] == "convolve2d" and trace["config"]["flipped"] is True
    assert trace["kernel"][0][0] == [[4, 3], [2, 1]], "the stepper gets the flipped kernel"
    assert _payload(at)["original_kernel"] == [[1, 2], [3, 4]]
    assert np.array_equal(_output(at), cc.convolve2d(LECTURE_GRID, [[1, 2], [3, 4]]))
    assert _query(at) == {"op": "convolve", "kernel": "1,2;3,4"}
    at.radio(key="studio.op").set_value("correlate").run()
    assert not at.info and _trace(at)["config"]["flipped"] is False


def test_convolve_with_a_symmetric_kernel_says_both_agree() -> None:
    at = _run()
    at.radio(key="studio.op").set_value("convolve").run()
    assert [i.value for i in at.info] == [translate("en", "studio.op.symmetric")]
    assert np.array_equal(_output(at), np.asarray(LECTURE.expected))


# --------------------------------------------------------------------------------------
# Kernel


def test_kernel_preset_picker() -> None:
    at = _run()
    at.selectbox(key="studio.kernel.preset").set_value("sobel_x").run()
    sobel = cc.KERNELS["sobel_x"].matrix
    assert np.array_equal(_trace(at)["kernel"][0][0], sobel)
    assert np.array_equal(_output(at), cc.correlate2d(LECTURE_GRID, sobel))
    assert _query(at) == {"kernel": "-1,0,1;-2,0,2;-1,0,1"}
    at.selectbox(key="studio.kernel.preset").set_value("gaussian_blur").run()
    assert np.shape(_trace(at)["kernel"][0][0]) == (5, 5)
    assert _shape_caption(at) == "Input 6 × 6 → padded 6 × 6 → output 2 × 2 (4 steps)"


def test_kernel_size() -> None:
    at = _run()
    at.selectbox(key="studio.kernel.rows").set_value(5).run()
    assert np.shape(_trace(at)["kernel"][0][0]) == (5, 3)
    assert _shape_caption(at) == "Input 6 × 6 → padded 6 × 6 → output 2 × 4 (8 steps)"
    at.selectbox(key="studio.kernel.cols").set_value(1).run()
    assert _shape_caption(at) == "Input 6 × 6 → padded 6 × 6 → output 2 × 6 (12 steps)"
    # The centre is kept: the 5x1 kernel is the old middle column with zeros above and below.
    assert _trace(at)["kernel"][0][0] == [[0], [0], [1], [0], [0]]


def test_kernel_cells_with_fractions() -> None:
    at = _run()
    ninth = {str(c): "1/9" for c in range(1, 4)}
    _edit_kernel(at, {0: ninth, 1: ninth, 2: ninth})
    assert not at.error
    assert at.selectbox(key="studio.kernel.preset").value == "custom"
    kernel = np.full((3, 3), 1 / 9)
    np.testing.assert_allclose(_trace(at)["kernel"][0][0], kernel, rtol=1e-8)
    np.testing.assert_allclose(
        _output(at), cc.correlate2d(LECTURE_GRID, kernel), rtol=1e-12, atol=1e-12
    )
    assert _query(at)["kernel"] == "1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9"


def test_kernel_bad_cell_is_a_message_and_no_stepper() -> None:
    at = _run()
    _edit_kernel(at, {1: {"3": "x"}})
    assert len(at.error) == 1 and "(row 2, column 3)" in at.error[0].value
    assert _payload(at) is None and _shape_caption(at) is None
    # The bad cell never reaches the link: it keeps the last kernel that worked.
    assert "kernel" not in _query(at)  # the default (lecture) kernel
    at.selectbox(key="studio.kernel.preset").set_value("sobel_x").run()
    _edit_kernel(at, {0: {"1": "1/"}})
    assert at.error and _payload(at) is None
    assert _query(at)["kernel"] == "-1,0,1;-2,0,2;-1,0,1"


def test_divide_by_the_sum() -> None:
    at = _run()
    at.toggle(key="studio.kernel.divide").set_value(True).run()
    kernel = LECTURE_KERNEL / 5
    np.testing.assert_allclose(_trace(at)["kernel"][0][0], kernel, rtol=1e-8)
    np.testing.assert_allclose(_output(at), cc.correlate2d(LECTURE_GRID, kernel), rtol=1e-12)
    assert _query(at)["kernel"] == "0.2,0,0.2;0,0.2,0;0.2,0,0.2"


@pytest.mark.parametrize("bias", [2.5, -3.0])
def test_bias(bias: float) -> None:
    at = _run()
    at.number_input(key="studio.kernel.bias").set_value(bias).run()
    assert _trace(at)["bias"] == [bias]
    assert np.array_equal(_output(at), np.asarray(LECTURE.expected) + bias)
    assert _query(at) == {"bias": "2.5" if bias == 2.5 else "-3"}


def test_random_kernel_button() -> None:
    at = _run()
    at.button(key="studio.kernel.random").click().run()
    assert not at.exception
    kernel = np.asarray(_trace(at)["kernel"][0][0])
    assert kernel.shape == (3, 3) and kernel.min() >= -2 and kernel.max() <= 2
    assert _kernel_cells(at) == [[str(v) for v in row] for row in kernel.tolist()]
    assert at.selectbox(key="studio.kernel.preset").value == "custom"
    assert np.array_equal(_output(at), cc.correlate2d(LECTURE_GRID, kernel))


# --------------------------------------------------------------------------------------
# Padding, stride, dilation (on the lecture's 6x6 grid and 3x3 kernel)


def _changes_id(changes: list[tuple[str, str, Any]]) -> str:
    return "-".join(f"{name}={value}" for _, name, value in changes)


@pytest.mark.parametrize(
    ("changes", "caption", "padding"),
    [
        ([("number_input", "padding", 1)], (6, 6, 8, 8, 6, 6), [[1, 1], [1, 1]]),
        ([("number_input", "padding", 3)], (6, 6, 12, 12, 10, 10), [[3, 3], [3, 3]]),
        ([("button_group", "padding_kind", "valid")], (6, 6, 6, 6, 4, 4), [[0, 0], [0, 0]]),
        ([("button_group", "padding_kind", "same")], (6, 6, 8, 8, 6, 6), [[1, 1], [1, 1]]),
        ([("button_group", "padding_kind", "full")], (6, 6, 10, 10, 8, 8), [[2, 2], [2, 2]]),
        (
            [
                ("toggle", "padding_split", True),
                ("number_input", "padding_rows", 2),
                ("number_input", "padding_cols", 0),
            ],
            (6, 6, 10, 6, 8, 4),
            [[2, 2], [0, 0]],
        ),
        ([("number_input", "stride_rows", 2)], (6, 6, 6, 6, 2, 4), [[0, 0], [0, 0]]),
        (
            [("number_input", "stride_rows", 2), ("number_input", "stride_cols", 3)],
            (6, 6, 6, 6, 2, 2),
            [[0, 0], [0, 0]],
        ),
        ([("number_input", "dilation_rows", 2)], (6, 6, 6, 6, 2, 4), [[0, 0], [0, 0]]),
        ([("number_input", "dilation_cols", 2)], (6, 6, 6, 6, 4, 2), [[0, 0], [0, 0]]),
        (
            [("button_group", "padding_kind", "same"), ("number_input", "stride_cols", 2)],
            (6, 6, 8, 7, 6, 3),
            [[1, 1], [0, 1]],
        ),
    ],
    ids=lambda v: _changes_id(v) if isinstance(v, list) and isinstance(v[0], tuple) else "",
)
def test_padding_stride_dilation_controls(changes, caption, padding) -> None:
    at = _run()
    for kind, name, value in changes:
        _set(at, kind, f"studio.conv.{name}", value)
    assert _shape_caption(at) == _caption(*caption)
    trace = _trace(at)
    config = trace["config"]
    assert config["padding"] == padding
    settings = {name: value for _, name, value in changes}
    stride = (settings.get("stride_rows", 1), settings.get("stride_cols", 1))
    dilation = (settings.get("dilation_rows", 1), settings.get("dilation_cols", 1))
    assert config["stride"] == list(stride) and config["dilation"] == list(dilation)
    spec = settings.get("padding_kind", "number")
    if spec == "number":
        spec = (
            (settings["padding_rows"], settings["padding_cols"])
            if settings.get("padding_split")
            else settings.get("padding", 0)
        )
    expected = cc.correlate2d(LECTURE_GRID, LECTURE_KERNEL, stride, spec, dilation)
    assert np.array_equal(_output(at), expected)
    assert trace["n_steps"] == expected.size


@pytest.mark.parametrize("mode", cc.CONV_PADDING_MODES)
def test_padding_mode(mode: str) -> None:
    at = _run({"src": "random", "rows": "5", "cols": "6", "kernel": "1,2,0;0,-1,3;2,0,1"})
    _set(at, "number_input", "studio.conv.padding", 2)
    _set(at, "selectbox", "studio.conv.padding_mode", mode)
    trace = _trace(at)
    assert trace["config"]["padding_mode"] == mode
    grid = random_grid(5, 6, 0, 9, 1)
    padded = cc.pad2d(grid, 2, mode)
    assert np.array_equal(trace["padded"][0], padded)
    kernel = [[1, 2, 0], [0, -1, 3], [2, 0, 1]]
    assert np.array_equal(_output(at), cc.correlate2d(grid, kernel, 1, 2, 1, mode))
    explain = translate("en", f"padding_modes.{mode}.explain")
    assert explain in [c.value for c in at.caption]
    assert _query(at).get("mode") == (None if mode == "zeros" else mode)


# --------------------------------------------------------------------------------------
# Links: restore, round trip


def test_link_restores_every_widget() -> None:
    query = {
        "src": "random",
        "preset": "bias_diagonal",
        "rows": "7",
        "cols": "9",
        "low": "-5",
        "high": "5",
        "seed": "123",
        "op": "convolve",
        "kernel": "1,2;3,1/4",
        "bias": "1.5",
        "padding": "1,2",
        "mode": "reflect",
        "stride": "2,1",
        "dilation": "1,2",
        "step": "3",
        "practice": "1",
    }
    at = _run(query)
    assert not at.warning and not at.error
    assert at.button_group(key="studio.src").value == "random"
    assert at.session_state["studio.preset"] == "bias_diagonal"
    assert at.number_input(key="studio.rows").value == 7
    assert at.number_input(key="studio.cols").value == 9
    assert at.number_input(key="studio.low").value == -5
    assert at.number_input(key="studio.high").value == 5
    assert at.number_input(key="studio.seed").value == 123
    assert at.radio(key="studio.op").value == "convolve"
    assert at.selectbox(key="studio.kernel.preset").value == "custom"
    assert at.selectbox(key="studio.kernel.rows").value == 2
    assert at.selectbox(key="studio.kernel.cols").value == 2
    assert _kernel_cells(at) == [["1", "2"], ["3", "1/4"]]
    assert at.number_input(key="studio.kernel.bias").value == 1.5
    assert at.toggle(key="studio.kernel.divide").value is False
    assert at.button_group(key="studio.conv.padding_kind").value == "number"
    assert at.toggle(key="studio.conv.padding_split").value is True
    assert at.number_input(key="studio.conv.padding_rows").value == 1
    assert at.number_input(key="studio.conv.padding_cols").value == 2
    assert at.selectbox(key="studio.conv.padding_mode").value == "reflect"
    assert at.number_input(key="studio.conv.stride_rows").value == 2
    assert at.number_input(key="studio.conv.stride_cols").value == 1
    assert at.number_input(key="studio.conv.dilation_rows").value == 1
    assert at.number_input(key="studio.conv.dilation_cols").value == 2
    payload = _payload(at)
    assert payload["step"] == 3 and payload["practice"] is True
    grid = random_grid(7, 9, -5, 5, 123)
    kernel = [[1, 2], [3, 0.25]]
    expected = cc.convolve2d(grid, kernel, (2, 1), (1, 2), (1, 2), "reflect") + 1.5
    assert np.array_equal(_output(at), expected)
    assert _shape_caption(at) == _caption(7, 9, 9, 13, *expected.shape)
    # The page writes back exactly the link it was opened with.
    assert _query(at) == query


@pytest.mark.parametrize(
    ("query", "padding", "bias", "output"),
    [
        ({"preset": "feature_map_6x6", "padding": "1"}, 1, 0, (6, 6)),
        ({"preset": "zero_padding_bias"}, 1, 10, (4, 4)),
        ({"preset": "zero_padding_bias", "padding": "0"}, 0, 10, (2, 2)),
        ({"preset": "bias_diagonal", "padding": "2", "bias": "0"}, 2, 0, (6, 6)),
    ],
)
def test_link_with_a_preset_keeps_what_the_teacher_changed(query, padding, bias, output) -> None:
    at = _run(query)
    assert not at.warning
    assert at.number_input(key="studio.conv.padding").value == padding
    assert at.number_input(key="studio.kernel.bias").value == bias
    preset = GRID_PRESETS[query["preset"]]
    expected = cc.correlate2d(preset.grid, preset.kernel, 1, padding) + bias
    assert expected.shape == output
    assert np.array_equal(_output(at), expected)
    # The link survives the page's own rewrite (less what equals a default).
    assert _query(at) == {k: v for k, v in query.items() if v != "feature_map_6x6"}


def test_link_step_is_clamped_to_the_trace() -> None:
    assert _payload(_run({"step": "15"}))["step"] == 15
    assert _payload(_run({"step": "400"}))["step"] == 15


def _round_trip_random(at: AppTest) -> None:
    _set(at, "number_input", "studio.rows", 7)
    _set(at, "number_input", "studio.cols", 9)
    _set(at, "number_input", "studio.low", -4)
    at.button(key="studio.new_random").click().run()
    _set(at, "radio", "studio.op", "convolve")
    _set(at, "selectbox", "studio.kernel.preset", "sobel_y")
    _set(at, "number_input", "studio.kernel.bias", 1.5)
    _set(at, "toggle", "studio.conv.padding_split", True)
    _set(at, "number_input", "studio.conv.padding_rows", 1)
    _set(at, "number_input", "studio.conv.padding_cols", 2)
    _set(at, "selectbox", "studio.conv.padding_mode", "reflect")
    _set(at, "number_input", "studio.conv.stride_rows", 2)
    _set(at, "number_input", "studio.conv.dilation_cols", 2)


def _round_trip_preset(at: AppTest) -> None:
    _set(at, "selectbox", "studio.preset", "zero_padding_bias")
    _set(at, "number_input", "studio.conv.padding", 2)
    _set(at, "selectbox", "studio.conv.padding_mode", "circular")
    _set(at, "number_input", "studio.kernel.bias", -1.0)


def _round_trip_typed(at: AppTest) -> None:
    _set(at, "number_input", "studio.rows", 3)
    _set(at, "number_input", "studio.cols", 4)
    _edit_grid(at, {0: {"0": 5, "3": -2}, 2: {"1": 7}})
    _set(at, "button_group", "studio.conv.padding_kind", "same")
    _set(at, "selectbox", "studio.conv.padding_mode", "replicate")
    _edit_kernel(at, {0: {"1": "1/4", "3": "-2"}})


def _round_trip_image(at: AppTest) -> None:
    _set(at, "number_input", "studio.rows", 6)
    _set(at, "number_input", "studio.cols", 5)
    _set(at, "slider", "studio.top", 30)
    _set(at, "slider", "studio.left", 60)
    _set(at, "slider", "studio.zoom", 4)
    at.button(key="studio.kernel.random").click().run()
    _set(at, "button_group", "studio.conv.padding_kind", "full")
    _set(at, "number_input", "studio.conv.stride_cols", 3)


@pytest.mark.parametrize(
    ("source", "change", "encoded"),
    [
        (
            "random",
            _round_trip_random,
            {
                "src": "random",
                "rows": "7",
                "cols": "9",
                "low": "-4",
                "op": "convolve",
                "kernel": "-1,-2,-1;0,0,0;1,2,1",
                "bias": "1.5",
                "padding": "1,2",
                "mode": "reflect",
                "stride": "2,1",
                "dilation": "1,2",
            },
        ),
        (
            "preset",
            _round_trip_preset,
            {"preset": "zero_padding_bias", "padding": "2", "mode": "circular", "bias": "-1"},
        ),
        (
            "typed",
            _round_trip_typed,
            {
                "src": "typed",
                "rows": "3",
                "cols": "4",
                "grid": "5,0,0,-2;0,0,0,0;0,7,0,0",
                "kernel": "1/4,0,-2;0,1,0;1,0,1",
                "padding": "same",
                "mode": "replicate",
            },
        ),
        (
            "image",
            _round_trip_image,
            {
                "src": "image",
                "rows": "6",
                "cols": "5",
                "top": "30",
                "left": "60",
                "zoom": "4",
                "padding": "full",
                "stride": "1,3",
            },
        ),
    ],
)
def test_link_round_trip(source, change, encoded) -> None:
    # The source comes from the link: switching it with the widget, then changing more,
    # crashes (see test_second_change_after_switching_the_source).
    at = _run({"src": source})
    change(at)
    assert not at.exception and not at.error
    query = _query(at)
    assert encoded.items() <= query.items(), "the changes are in the link"
    shared = [c.value for c in at.code][-1]
    assert all(f"{name}=" in shared for name in query), "the share panel shows the link"
    again = _run(query)
    assert not again.warning and not again.error
    assert _trace(again) == _trace(at)
    assert _widget_values(again) == _widget_values(at)
    assert _query(again) == query


def test_link_round_trip_keeps_the_image_sample() -> None:
    at = _run({"src": "image"})
    _set(at, "selectbox", "studio.image.sample", "digit")
    again = _run(_query(at))
    assert again.selectbox(key="studio.image.sample").value == "digit"
    assert _trace(again) == _trace(at)


def test_link_typed_grid_without_rows_and_cols_keeps_its_shape() -> None:
    at = _run({"src": "typed", "grid": "1,2,3;4,5,6;7,8,9"})
    assert np.array_equal(_grid(at), [[1, 2, 3], [4, 5, 6], [7, 8, 9]])


# --------------------------------------------------------------------------------------
# Links: bad values


@pytest.mark.parametrize(
    ("name", "value", "fallback", "extra"),
    [
        ("stride", "0", "1", {}),
        ("stride", "abc", "1", {}),
        ("stride", "1,2,3", "1", {}),
        ("dilation", "9", "1", {}),
        ("kernel", "1,x;2", "1,0,1;0,1,0;1,0,1", {}),
        ("kernel", "1e300", "1,0,1;0,1,0;1,0,1", {}),
        ("kernel", "__import__('os')", "1,0,1;0,1,0;1,0,1", {}),
        ("padding", "banana", "0", {}),
        ("padding", "99", "0", {}),
        ("padding", "-1", "0", {}),
        ("rows", "999", "8", {"src": "random"}),
        ("cols", "0", "8", {"src": "random"}),
        ("grid", "1,2;junk", "0,0,0,0,0;0,0,0,0,0;0,0,0,0,0;0,0,0,0,0;0,0,0,0,0", {"src": "typed"}),
        ("grid", "1,2;3", "0,0,0,0,0;0,0,0,0,0;0,0,0,0,0;0,0,0,0,0;0,0,0,0,0", {"src": "typed"}),
        ("mode", "wavy", "zeros", {}),
        ("op", "flip", "correlate", {}),
        ("src", "video", "preset", {}),
        ("preset", "rgb_one_position", "feature_map_6x6", {}),
        ("bias", "nan", "0", {}),
        ("bias", "1e400", "0", {}),
        ("seed", "-1", "1", {"src": "random"}),
        ("zoom", "0", "1", {"src": "image"}),
        ("low", "1.5", "0", {"src": "random"}),
        ("practice", "maybe", "0", {}),
    ],
)
def test_bad_link_value_falls_back_with_a_warning(name, value, fallback, extra) -> None:
    at = _run({**extra, name: value})
    assert len(at.warning) == 1
    warning = at.warning[0].value
    assert f"{name}={value[:40]}" in warning and f"using {fallback}." in warning
    assert _payload(at) is not None, "the page still steps through the fallback"
    assert _query(at).get(name) != value, "the bad value is dropped from the address bar"


def test_bad_link_value_widget_takes_the_default() -> None:
    at = _run({"stride": "0", "dilation": "abc", "padding": "banana", "mode": "wavy"})
    assert len(at.warning) == 4
    assert at.number_input(key="studio.conv.stride_rows").value == 1
    assert at.number_input(key="studio.conv.dilation_cols").value == 1
    assert at.number_input(key="studio.conv.padding").value == 0
    assert at.selectbox(key="studio.conv.padding_mode").value == "zeros"
    assert np.array_equal(_output(at), np.asarray(LECTURE.expected))


def test_bad_link_value_in_korean() -> None:
    at = _run({"stride": "abc"}, lang="ko")
    assert "stride=abc" in at.warning[0].value
    assert at.warning[0].value == translate(
        "ko",
        "url.bad_value",
        name="stride",
        value="abc",
        expected=translate("ko", "url.expected.pair", low=1, high=8),
        fallback="1",
    )


@pytest.mark.parametrize("value", ["-3", "abc"])
def test_bad_step_in_the_link_gives_a_warning(value: str) -> None:
    at = _run({"step": value})
    assert _payload(at)["step"] == 0
    assert any(f"step={value}" in w.value for w in at.warning)


def test_asymmetric_padding_in_the_link_does_not_crash() -> None:
    at = AppTest.from_file(str(STUDIO), default_timeout=TIMEOUT)
    at.query_params["padding"] = "0,1,2,3"
    at.run()
    assert not at.exception, at.exception
    assert any("padding=0,1,2,3" in w.value for w in at.warning) or _payload(at)


# --------------------------------------------------------------------------------------
# Impossible settings


def _fails_line(axis: str, n: int, before: int, after: int, span: int, stride: int = 1) -> str:
    return translate(
        "en",
        "studio.result.fails",
        axis=translate("en", f"studio.result.axis_{axis}"),
        n=n,
        before=before,
        after=after,
        span=span,
        stride=stride,
        padded=n + before + after,
    )


def test_kernel_larger_than_the_padded_input() -> None:
    at = _run({"src": "random", "rows": "2", "cols": "2"})
    assert len(at.error) == 1
    assert at.error[0].value.startswith("the output would be empty: the padded input has 2")
    lines = [m.value for m in at.markdown if m.value.startswith(("Rows", "Columns"))]
    assert lines == [_fails_line("rows", 2, 0, 0, 3), _fails_line("cols", 2, 0, 0, 3)]
    assert translate("en", "studio.result.impossible") in [c.value for c in at.caption]
    assert _payload(at) is None and _shape_caption(at) is None
    assert not at.get("download_button"), "no export without a trace"
    # One cell of padding makes room for the window.
    _set(at, "number_input", "studio.conv.padding", 1)
    assert not at.error
    assert _shape_caption(at) == "Input 2 × 2 → padded 4 × 4 → output 2 × 2 (4 steps)"


@pytest.mark.parametrize("axis", ["rows", "cols"])
def test_dilation_too_large_lists_only_the_failing_axis(axis: str) -> None:
    at = _run({"src": "random", "rows": "5", "cols": "5"})
    _set(at, "number_input", f"studio.conv.dilation_{axis}", 3)
    assert "the kernel spans 7 (dilation*(kernel_size - 1) + 1 = 3*(3 - 1) + 1)" in (
        at.error[0].value
    )
    lines = [m.value for m in at.markdown if m.value.startswith(("Rows", "Columns"))]
    assert lines == [_fails_line(axis, 5, 0, 0, 7)]
    assert _payload(at) is None


def test_wide_kernel_lists_only_the_columns() -> None:
    at = _run({"src": "random", "rows": "5", "cols": "5", "kernel": "1,1,1,1,1,1,1"})
    lines = [m.value for m in at.markdown if m.value.startswith(("Rows", "Columns"))]
    assert lines == [_fails_line("cols", 5, 0, 0, 7)]


def test_impossible_with_stride_shows_the_stride_in_the_formula() -> None:
    at = _run({"src": "random", "rows": "2", "cols": "6", "kernel": "1;1;1;1", "stride": "3"})
    lines = [m.value for m in at.markdown if m.value.startswith(("Rows", "Columns"))]
    assert lines == [_fails_line("rows", 2, 0, 0, 4, stride=3)]


def test_reflect_padding_too_wide_is_a_message() -> None:
    at = _run({"src": "random", "rows": "2", "cols": "2", "padding": "3", "mode": "reflect"})
    assert len(at.error) == 1 and "reflect padding must be smaller" in at.error[0].value
    assert not [m.value for m in at.markdown if m.value.startswith(("Rows", "Columns"))]
    assert _payload(at) is None


def test_stride_cannot_be_zero_through_the_widgets() -> None:
    at = _run()
    for key in ("studio.conv.stride_rows", "studio.conv.dilation_cols"):
        at.number_input(key=key).set_value(0).run()
        assert not at.exception
        assert at.number_input(key=key).value >= 1
    assert _payload(at) is not None and not at.error


def test_stride_zero_in_a_link_gives_a_notice() -> None:
    at = _run({"stride": "0"})
    assert "stride=0" in at.warning[0].value
    assert at.number_input(key="studio.conv.stride_rows").value == 1
    assert _shape_caption(at) == "Input 6 × 6 → padded 6 × 6 → output 4 × 4 (16 steps)"


# --------------------------------------------------------------------------------------
# Export


def test_png_button() -> None:
    at = _run()
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("studio.png")]
    assert len(buttons) == 1
    assert buttons[0].proto.label == translate("en", "studio.export.png")


def _gif_frames(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.format == "GIF"
        return gif.n_frames


def test_gif_of_a_short_run() -> None:
    at = _run()
    assert translate("en", "studio.export.gif_all", n=16) in [c.value for c in at.caption]
    assert "studio.gif" not in at.session_state
    at.button(key="studio.gif_make").click().run()
    assert not at.exception
    _, data = at.session_state["studio.gif"]
    assert data[:4] == b"GIF8"
    assert _gif_frames(data) == 16
    labels = [b.proto.label for b in at.get("download_button")]
    assert translate("en", "studio.export.gif_download") in labels
    assert any(c.value.startswith("GIF ready: 16 frames") for c in at.caption)
    # A new setting means a new run: the old GIF is no longer offered.
    _set(at, "number_input", "studio.conv.padding", 1)
    labels = [b.proto.label for b in at.get("download_button")]
    assert translate("en", "studio.export.gif_download") not in labels


def test_gif_of_a_long_run_takes_a_range() -> None:
    at = _run({"src": "random", "rows": "32", "cols": "32"})
    assert _shape_caption(at).endswith("output 30 × 30 (900 steps)")
    captions = [c.value for c in at.caption]
    assert translate("en", "studio.export.gif_many", n=900, cap=400) in captions
    assert at.number_input(key="studio.gif_start").value == 1
    assert at.number_input(key="studio.gif_stop").value == 900
    assert at.number_input(key="studio.gif_every").value == 3
    assert "300 frames" in captions
    _set(at, "number_input", "studio.gif_start", 11)
    _set(at, "number_input", "studio.gif_stop", 100)
    _set(at, "number_input", "studio.gif_every", 10)
    assert "9 frames" in [c.value for c in at.caption]  # steps 11, 21, ..., 91
    at.button(key="studio.gif_make").click().run()
    assert not at.exception
    _, data = at.session_state["studio.gif"]
    assert data[:4] == b"GIF8" and _gif_frames(data) == 9


# --------------------------------------------------------------------------------------
# Languages


CONFIGS = {
    "preset": {},
    "random-convolve": {"src": "random", "op": "convolve", "kernel": "1,2;3,4", "bias": "2"},
    "typed": {"src": "typed", "rows": "3", "cols": "3", "grid": "1,2,3;4,5,6;7,8,9"},
    "image": {"src": "image", "zoom": "4"},
    "impossible": {"src": "random", "rows": "2", "cols": "2"},
    "long-export": {"src": "random", "rows": "32", "cols": "32", "padding": "same"},
    "bad-link": {"stride": "abc", "kernel": "1,x"},
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_page_renders_in_both_languages(config: str, lang: str) -> None:
    at = _run(CONFIGS[config], lang=lang)
    texts = _assert_fully_translated(at, lang)
    assert at.title[0].value == translate(lang, "studio.title")
    assert translate(lang, "studio.intro") in texts
    payload = _payload(at)
    if config == "impossible":
        assert payload is None
        assert translate(lang, "studio.result.impossible") in texts
        assert at.error[0].value.startswith("출력" if lang == "ko" else "the output")
        return
    trace = payload["trace"]
    h, w = trace["input_shape"][1:]
    _, hp, wp = np.shape(trace["padded"])
    oh, ow = trace["sizes"]["rows"]["size"], trace["sizes"]["cols"]["size"]
    assert _caption(h, w, hp, wp, oh, ow, lang) in texts
    assert payload["strings"] == stepper_strings(lang)
    assert translate(lang, "studio.export.header") in texts
    if config == "long-export":
        assert translate(lang, "studio.export.gif_many", n=1024, cap=400) in texts
    if config == "random-convolve":
        assert translate(lang, "studio.op.flipped") in texts
    if config == "bad-link":
        assert len(at.warning) == 2


def test_korean_caption_and_title() -> None:
    at = _run(lang="ko")
    assert at.title[0].value == "슬라이딩 윈도우 스튜디오"
    assert _shape_caption(at) is None, "no English caption"
    assert "입력 6 × 6 → 패딩 후 6 × 6 → 출력 4 × 4 (16단계)" in [c.value for c in at.caption]


def test_korean_impossible_formula() -> None:
    at = _run({"src": "random", "rows": "5", "cols": "5", "dilation": "3,1"}, lang="ko")
    lines = [m.value for m in at.markdown if m.value.startswith(("행", "열"))]
    assert lines == [
        "행 (H): (n + 앞 + 뒤 − 범위) / 스트라이드 + 1 = (5 + 0 + 0 − 7) / 1 + 1 < 1: "
        "창 하나가 7칸인데 패딩된 입력은 5칸뿐입니다."
    ]


def _open_app(lang: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    """The whole app (frame with the sidebar language switch), on the studio page."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    at.switch_page(str(APP_ROOT / "pages" / "studio.py")).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("config", ["preset", "random-convolve", "typed", "image", "impossible"])
def test_whole_app_opens_the_studio_in_each_language(config: str, lang: str) -> None:
    query = CONFIGS[config]
    at = _open_app(lang, query)
    assert at.sidebar.button_group(key=LANG_KEY).value == lang
    texts = _assert_fully_translated(at, lang)
    assert at.title[0].value == translate(lang, "studio.title")
    assert translate(lang, "studio.input.sources." + query.get("src", "preset")) in texts
    assert _query(at) == ({"lang": "ko"} if lang == "ko" else {}) | query
    if config == "impossible":
        assert _payload(at) is None
        assert translate(lang, "studio.result.impossible") in texts
        return
    trace = _trace(at)
    h, w = trace["input_shape"][1:]
    _, hp, wp = np.shape(trace["padded"])
    oh, ow = np.shape(trace["output"][0])
    assert _caption(h, w, hp, wp, oh, ow, lang) in texts
    if config == "preset":
        assert np.array_equal(_output(at), np.asarray(LECTURE.expected))
        assert (lang == "ko") == ("입력 6 × 6 → 패딩 후 6 × 6 → 출력 4 × 4 (16단계)" in texts)


def test_whole_app_language_switch_keeps_the_settings() -> None:
    at = _open_app()
    _set(at, "radio", "studio.op", "convolve")
    _set(at, "number_input", "studio.conv.padding", 1)
    at.sidebar.button_group(key=LANG_KEY).set_value("ko").run()
    assert not at.exception
    _assert_fully_translated(at, "ko")
    assert at.title[0].value == "슬라이딩 윈도우 스튜디오"
    assert at.radio(key="studio.op").value == "convolve"
    assert [i.value for i in at.info] == [translate("ko", "studio.op.symmetric")]
    assert "입력 6 × 6 → 패딩 후 8 × 8 → 출력 6 × 6 (36단계)" in [c.value for c in at.caption]
    assert _query(at) == {"lang": "ko", "op": "convolve", "padding": "1"}


def test_leaving_the_studio_and_coming_back_keeps_the_settings() -> None:
    at = _open_app()
    _set(at, "radio", "studio.op", "convolve")
    _set(at, "number_input", "studio.conv.padding", 1)
    at.switch_page(str(APP_ROOT / "pages" / "home.py")).run()
    assert not at.exception
    at.switch_page(str(APP_ROOT / "pages" / "studio.py")).run()
    assert not at.exception, at.exception
    assert at.radio(key="studio.op").value == "convolve"
    assert at.button_group(key="studio.src").value == "preset"
    assert _shape_caption(at) == "Input 6 × 6 → padded 8 × 8 → output 6 × 6 (36 steps)"


def test_korean_page_can_be_used_after_its_first_run() -> None:
    at = _open_app("ko")
    at.radio(key="studio.op").set_value("convolve").run()
    assert not at.exception
    at.sidebar.button_group(key=LANG_KEY).set_value("en").run()
    assert at.title[0].value == "Sliding-Window Studio"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pattern_detector_section_shows_the_three_filters(lang: str) -> None:
    """The scribble under the three filters, side by side: only the diagonal one detects it."""
    at = _run(lang=lang)
    box = next(e for e in at.expander if e.label == translate(lang, "studio.detector.header"))
    text = " ".join(m.value for m in box.markdown) + " ".join(c.value for c in box.caption)
    assert translate(lang, "studio.detector.detected", best=200) in text
    assert translate(lang, "studio.detector.not_detected", best=50) in text
    assert translate(lang, "studio.detector.not_detected", best=60) in text
    assert translate(lang, "studio.detector.similarity") in text
    assert not at.exception


def test_stride_3_preset_sets_stride_3_and_gives_zeros() -> None:
    """The stride-3 preset sets x_stride = y_stride = 3; the 2x2 output is all zeros."""
    at = _run()
    _set(at, "selectbox", "studio.preset", "stride_3_skips_diagonal")
    assert at.number_input(key="studio.conv.stride_rows").value == 3
    assert at.number_input(key="studio.conv.stride_cols").value == 3
    assert _output(at).tolist() == [[0, 0], [0, 0]]
    assert "row and column 1" in " ".join(c.value for c in at.caption)


# --------------------------------------------------------------------------------------
# The formula with the current numbers


def _latex(at: AppTest) -> list[str]:
    """The formula panel's LaTeX lines (st.latex wraps each in $$ ... $$)."""
    return [e.value.strip("$\n") for e in at.get("latex")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_formula_cross_correlation_at_the_linked_step(lang: str) -> None:
    """Step 6 of the lecture example (cell (1, 1)): S(1, 1) on the input, its first terms
    with conv_core's numbers, and both general forms; every string translated."""
    at = _run({"step": "5"}, lang=lang)
    lines = _latex(at)
    assert lines[0] == r"S(i, j) = \sum_m \sum_n I(i - m, j - n)\, K(m, n)"
    assert lines[1] == r"S(i, j) = \sum_m \sum_n I(i + m, j + n)\, K(m, n)"
    assert lines[2] == r"S(1, 1) = \sum_{m=0}^{2} \sum_{n=0}^{2} I(1 + m, 1 + n)\, K(m, n)"
    assert lines[3].startswith(r"S(1, 1) = I(1, 1)\,K(0, 0) + I(1, 2)\,K(0, 1) + ")
    step = cc.trace_correlate2d(LECTURE_GRID, LECTURE_KERNEL).step(5)
    g, k = step.patch.ravel(), step.kernel_applied.ravel()
    first = " + ".join(rf"{int(a)} \cdot {int(b)}" for a, b in zip(g[:3], k[:3], strict=True))
    assert lines[4] == rf"= {first} + \cdots + {int(g[-1])} \cdot {int(k[-1])} = {step.value}"
    assert step.value == np.asarray(LECTURE.expected)[1, 1]
    _assert_fully_translated(at, lang)


def test_formula_convolution_index_starts_at_k_minus_1() -> None:
    """True convolution: output cell (r, c) is S(r·s + k − 1, c·s + k − 1), reading
    I(i − m, j − n) with the kernel as typed; stride 2 and a bias."""
    at = _run({"step": "1", "op": "convolve", "kernel": "1,2;3,4", "stride": "2", "bias": "3"})
    lines = _latex(at)
    grid = _grid(at)
    trace = cc.trace_convolve2d(grid, [[1, 2], [3, 4]], stride=2, bias=3)
    assert trace.step(1).out_index == (0, 0, 1)
    assert lines[2] == r"S(1, 3) = \sum_{m=0}^{1} \sum_{n=0}^{1} I(1 - m, 3 - n)\, K(m, n) + b"
    assert lines[3] == (
        r"S(1, 3) = I(1, 3)\,K(0, 0) + I(1, 2)\,K(0, 1) + I(0, 3)\,K(1, 0) + I(0, 2)\,K(1, 1)"
        r" + b"
    )
    products = [grid[1, 3] * 1, grid[1, 2] * 2, grid[0, 3] * 3, grid[0, 2] * 4]
    assert sum(products) + 3 == trace.step(1).value == _output(at)[0, 1]
    assert lines[4].endswith(f"+ 3 = {sum(products)} + 3 = {trace.step(1).value}")
    text = "\n".join(m.value for m in at.markdown)
    assert "S(1, 3)" in text and "k_h − 1" in text
