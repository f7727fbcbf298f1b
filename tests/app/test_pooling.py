"""AppTest of the Pooling page (pages/pooling.py).

Every control is changed through the widget AppTest finds by its key, and the effect is
checked on the data handed to the browser-side stepper (``payload["trace"]`` is the
compact trace the browser steps through) against conv_core's ``trace_pool2d`` / ``pool2d``,
on the output-size lines against ``conv_core.pool_output_size``, on the "why pooling"
panel against conv_core's pooling of the shifted grid, and on the "Show code" panel: its
snippets are ui.teaching.pool_snippets' for the page's settings and the NumPy one, run in a
fresh Python, prints the stepper's output.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import open_code_panel
from tests.app.apptest_helpers import rerun as _rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.apptest_helpers import stepper_payload as _payload
from tests.snippet_run import numbers, run_fresh
from ui.frame.i18n import LANG_KEY, load_strings
from ui.teaching.grid_sources import random_grid
from ui.teaching.pool_snippets import PoolConfig, pool_snippets

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "pooling.py"
TIMEOUT = 60
LECTURE = np.asarray(cc.PRESETS["max_pool_2x2"].inputs["x"])


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return _rerun(at)


def _trace(at: AppTest) -> dict[str, Any]:
    payload = _payload(at)
    assert payload is not None, [e.value for e in at.error]
    return payload["trace"]


def _output(at: AppTest) -> np.ndarray:
    return np.asarray(_trace(at)["output"][0])


def _configure(at: AppTest, **settings: Any) -> AppTest:
    """Set the pooling controls (method, kernel, stride, padding, ceil_mode, count_include_pad)."""
    kinds = {
        "method": "radio",
        "kernel": "number_input",
        "stride": "number_input",
        "padding": "number_input",
        "ceil_mode": "checkbox",
        "count_include_pad": "checkbox",
    }
    for name, value in settings.items():
        getattr(at, kinds[name])(key=f"pooling.{name}").set_value(value)
    return _rerun(at)


def _random(at: AppTest, rows: int, cols: int, seed: int) -> AppTest:
    _set(at, "segmented_control", "pooling.src", "random")
    at.number_input(key="pooling.rows").set_value(rows)
    at.number_input(key="pooling.cols").set_value(cols)
    at.number_input(key="pooling.seed").set_value(seed)
    return _rerun(at)


def _same_caption(at: AppTest) -> tuple[int, int]:
    for md in at.markdown:
        m = re.search(r"(\d+) of (\d+) pooled values stayed the same", md.value)
        if m:
            return int(m.group(1)), int(m.group(2))
    raise AssertionError("no shift count shown")


# ------------------------------------------------------------------------------ presets


@pytest.mark.parametrize(
    ("name", "expected"),
    [("max_pool_2x2", [[3, 12], [3, 4]]), ("avg_pool_2x2", [[0, 3], [0, 1]])],
)
def test_lecture_presets_match_conv_core(name: str, expected: list[list[int]]) -> None:
    at = _run()
    _set(at, "selectbox", "pooling.preset", name)
    preset = cc.PRESETS[name]
    assert at.radio(key="pooling.method").value == preset.config["method"]
    assert at.number_input(key="pooling.kernel").value == 2
    assert at.number_input(key="pooling.stride").value == 2
    out = _output(at)
    np.testing.assert_array_equal(out, preset.expected)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out, cc.pool2d(**preset.arguments))
    trace = _trace(at)
    np.testing.assert_array_equal(np.asarray(trace["padded"][0]), LECTURE)
    assert trace["config"]["method"] == preset.config["method"]
    assert trace["n_steps"] == 4
    # the lecture's windows, in step order
    windows = [LECTURE[r : r + 2, c : c + 2].ravel().tolist() for r in (0, 2) for c in (0, 2)]
    assert windows == [[3, -1, -3, 1], [12, -1, 0, 1], [2, -3, 3, -2], [0, 1, 4, -1]]


def test_max_preset_winners_are_highlighted_cells() -> None:
    """The stepper's trace names each window's winning cell (the stepper highlights it)."""
    at = _run()
    trace = _trace(at)
    full = cc.trace_pool2d(**cc.PRESETS["max_pool_2x2"].arguments)
    assert trace == cc.to_compact(full, digits=9)
    assert trace["winners"] is not None and len(trace["winners"]) == 4
    assert trace["first_step_text"] == "max(3, -1, -3, 1) = 3"


def test_default_is_the_max_preset_with_size_formula() -> None:
    at = _run()
    text = " ".join(md.value for md in at.markdown)
    assert "rows: ⌊(4 + 2·0 − 2) / 2⌋ + 1 = ⌊2 / 2⌋ + 1 = **2**" in text
    assert "4 × 4 = 16 values → 2 × 2 = 4 values (25% kept)" in text
    assert any("Input 4 × 4 → output 2 × 2 (4 steps)" in c.value for c in at.caption)


# ------------------------------------------------------------------------------ controls

CONFIGS = [
    dict(method=m, kernel=k, stride=s, padding=p, ceil_mode=c, count_include_pad=i)
    for m, k, s, p, c, i in itertools.product(
        ("max", "avg"), (2, 3), (1, 2, 3), (0, 1), (False, True), (True, False)
    )
    if p <= k // 2
]


@pytest.mark.parametrize("shape", [(5, 5), (6, 7)])
def test_every_control_matches_conv_core(shape: tuple[int, int]) -> None:
    rows, cols = shape
    at = _random(_run(), rows, cols, seed=7)
    grid = random_grid(rows, cols, -9, 9, seed=7)
    for config in CONFIGS:
        _configure(at, **config)
        kwargs = {
            "kernel_size": config["kernel"],
            "stride": config["stride"],
            "padding": config["padding"],
            "method": config["method"],
            "ceil_mode": config["ceil_mode"],
            "count_include_pad": config["count_include_pad"],
        }
        trace = _trace(at)
        assert trace == cc.to_compact(cc.trace_pool2d(grid, **kwargs), digits=9), config
        np.testing.assert_allclose(_output(at), cc.pool2d(grid, **kwargs), err_msg=str(config))
        oh = cc.pool_output_size(
            rows,
            config["kernel"],
            config["stride"],
            config["padding"],
            ceil_mode=config["ceil_mode"],
        )
        ow = cc.pool_output_size(
            cols,
            config["kernel"],
            config["stride"],
            config["padding"],
            ceil_mode=config["ceil_mode"],
        )
        assert _output(at).shape == (oh, ow)
        lines = next(md.value for md in at.markdown if md.value.startswith("- rows"))
        assert f"= **{oh}**" in lines.split("\n")[0] and f"= **{ow}**" in lines.split("\n")[1]


def test_count_include_pad_changes_avg_with_padding_only() -> None:
    at = _run()
    _configure(at, method="avg", kernel=3, stride=2, padding=1, count_include_pad=True)
    with_pad = _output(at)
    np.testing.assert_allclose(
        with_pad, cc.pool2d(LECTURE, 3, 2, 1, method="avg", count_include_pad=True)
    )
    assert not any("changes nothing here" in c.value for c in at.caption)
    _configure(at, count_include_pad=False)
    without = _output(at)
    np.testing.assert_allclose(
        without, cc.pool2d(LECTURE, 3, 2, 1, method="avg", count_include_pad=False)
    )
    assert not np.allclose(with_pad, without)
    _configure(at, method="max")
    assert any("changes nothing here" in c.value for c in at.caption)


def test_ceil_mode_keeps_a_partial_window() -> None:
    at = _random(_run(), 5, 5, seed=3)
    _configure(at, kernel=2, stride=2, padding=0, ceil_mode=False)
    assert _output(at).shape == (2, 2)
    _configure(at, ceil_mode=True)
    assert _output(at).shape == (3, 3)
    text = next(md.value for md in at.markdown if md.value.startswith("- rows"))
    assert "⌈(5 + 2·0 − 2) / 2⌉ + 1 = ⌈3 / 2⌉ + 1 = **3** (ceil_mode)" in text


def test_ceil_mode_drops_a_window_starting_in_the_padding() -> None:
    at = _random(_run(), 4, 4, seed=3)
    _configure(at, kernel=2, stride=2, padding=1, ceil_mode=True)
    assert cc.pool_output_size(4, 2, 2, 1, ceil_mode=True) == 3
    text = next(md.value for md in at.markdown if md.value.startswith("- rows"))
    assert "= **3**" in text
    # kernel 3, stride 3, padding 1, n 4: ceil((4+2-3)/3)+1 = 2, and the 2nd window starts at 3
    _configure(at, kernel=3, stride=3, padding=1)
    assert _output(at).shape == (cc.pool_output_size(4, 3, 3, 1, ceil_mode=True),) * 2


def test_random_and_typed_sources() -> None:
    at = _random(_run(), 3, 4, seed=11)
    np.testing.assert_array_equal(
        np.asarray(_trace(at)["padded"][0]), random_grid(3, 4, -9, 9, seed=11)
    )
    at.button(key="pooling.new_random").click()
    _rerun(at)
    seed = int(at.number_input(key="pooling.seed").value)
    np.testing.assert_array_equal(
        np.asarray(_trace(at)["padded"][0]), random_grid(3, 4, -9, 9, seed=seed)
    )
    _set(at, "segmented_control", "pooling.src", "typed")
    # the typed grid starts as the lecture grid
    np.testing.assert_array_equal(np.asarray(_trace(at)["padded"][0])[:3, :4], LECTURE[:3, :4])
    # growing the grid keeps the typed cells and fills the new row with 0
    at.number_input(key="pooling.rows").set_value(4)
    _rerun(at)
    grown = np.vstack([LECTURE[:3], np.zeros((1, 4), dtype=int)])
    np.testing.assert_array_equal(np.asarray(_trace(at)["padded"][0]), grown)


# ------------------------------------------------------------------------------ why pooling


@pytest.mark.parametrize("direction", ["right", "down", "left", "up"])
@pytest.mark.parametrize("method", ["max", "avg"])
def test_shift_panel_numbers(direction: str, method: str) -> None:
    at = _random(_run(), 6, 6, seed=5)
    _configure(at, method=method, kernel=2, stride=2, padding=0)
    _set(at, "segmented_control", "pooling.shift", direction)
    grid = random_grid(6, 6, -9, 9, seed=5)
    moved = np.zeros_like(grid)
    if direction == "right":
        moved[:, 1:] = grid[:, :-1]
    elif direction == "left":
        moved[:, :-1] = grid[:, 1:]
    elif direction == "down":
        moved[1:] = grid[:-1]
    else:
        moved[:-1] = grid[1:]
    before = cc.pool2d(grid, 2, 2, method=method)
    after = cc.pool2d(moved, 2, 2, method=method)
    # the four tables in script order: input, pooled | shifted input, shifted pooled
    tables = [d.value.to_numpy(dtype=float) for d in at.dataframe]
    assert len(tables) == 4
    np.testing.assert_array_equal(tables[0], grid)
    np.testing.assert_allclose(tables[1], before, atol=5e-4)
    np.testing.assert_array_equal(tables[2], moved)
    np.testing.assert_allclose(tables[3], after, atol=5e-4)
    same, total = _same_caption(at)
    assert total == 9
    assert same == int(np.sum(np.isclose(before, after)))
    text = " ".join(md.value for md in at.markdown)
    assert "6 × 6 = 36 values → 3 × 3 = 9 values (25% kept)" in text


def test_lecture_shift_right_keeps_every_max() -> None:
    at = _run()
    assert _same_caption(at) == (4, 4)


# ------------------------------------------------------------------------------ impossible


def test_kernel_larger_than_input_gives_a_message() -> None:
    at = _run()
    _configure(at, kernel=6, stride=1, padding=0)
    assert _payload(at) is None
    assert at.error and "the output would be empty" in at.error[0].value
    assert any("Change the kernel size" in c.value for c in at.caption)
    _configure(at, kernel=2)
    assert _payload(at) is not None and not at.error


def test_padding_larger_than_half_the_kernel_gives_a_message() -> None:
    at = _run()
    _configure(at, kernel=2, padding=2)
    assert _payload(at) is None
    assert "kernel_size // 2" in at.error[0].value


def test_typed_source_starts_from_the_lecture_grid() -> None:
    at = _run()
    _set(at, "segmented_control", "pooling.src", "typed")
    at.number_input(key="pooling.rows").set_value(4)
    at.number_input(key="pooling.cols").set_value(4)
    _rerun(at)
    np.testing.assert_array_equal(np.asarray(_trace(at)["padded"][0]), LECTURE)
    np.testing.assert_array_equal(_output(at), [[3, 12], [3, 4]])


# ------------------------------------------------------------------------------ languages


def _raw_keys(at: AppTest, lang: str) -> list[str]:
    keys = set(load_strings(lang))
    texts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.error)]
    texts += [w.label for w in (*at.radio, *at.number_input, *at.checkbox, *at.selectbox)]
    return [s for s in texts if s in keys or re.search(r"\bpooling\.[a-z_]+\.", str(s))]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_renders_with_no_raw_keys(lang: str) -> None:
    at = _run(lang)
    assert not _raw_keys(at, lang)
    _configure(at, method="avg", kernel=3, stride=2, padding=1, ceil_mode=True)
    assert not _raw_keys(at, lang)
    _configure(at, kernel=2, padding=2)
    assert not _raw_keys(at, lang)


def test_korean_terms() -> None:
    at = _run("ko")
    assert at.title[0].value == "풀링"
    assert at.radio(key="pooling.method").options == ["최대 풀링", "평균 풀링"]
    labels = [w.label for w in at.number_input]
    assert "스트라이드" in labels and "패딩" in labels
    assert any("특성 맵" in s.value for s in at.subheader)
    assert any("작은 이동에 강합니다" in md.value for md in at.markdown)
    np.testing.assert_array_equal(_output(at), [[3, 12], [3, 4]])


# ------------------------------------------------------------------------------ presets list


def test_every_pool2d_preset_is_listed() -> None:
    at = _run()
    expected = [cc.PRESETS[n].title for n in cc.preset_names("pool2d")]
    assert at.selectbox(key="pooling.preset").options == expected


@pytest.mark.parametrize("stride", [3, (3, 3)])
def test_a_preset_stride_as_int_or_pair(stride: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool2d preset may give its stride as an int or an (sh, sw) pair of equal entries."""
    preset = cc.PRESETS["avg_pool_2x2"]
    config = {"kernel_size": 3, "stride": stride, "method": "avg"}
    monkeypatch.setitem(cc.PRESETS, preset.name, dataclasses.replace(preset, config=config))
    at = _run()
    _configure(at, padding=1)
    _set(at, "selectbox", "pooling.preset", preset.name)
    assert at.number_input(key="pooling.kernel").value == 3
    assert at.number_input(key="pooling.stride").value == 3
    assert at.number_input(key="pooling.padding").value == 0
    np.testing.assert_allclose(_output(at), cc.pool2d(LECTURE, 3, 3, method="avg"))


# ------------------------------------------------------------------------------ show code


def _panel(at: AppTest) -> dict[str, str]:
    """The "Show code" panel's three snippets, by library (the panel opened first)."""
    open_code_panel(at)
    found = {}
    for block in at.code:
        if "import torch\n" in block.value:
            found["torch"] = block.value
        elif "import tensorflow as tf\n" in block.value:
            found["tensorflow"] = block.value
        elif "sliding_window_view" in block.value:
            found["numpy"] = block.value
    assert set(found) == {"torch", "numpy", "tensorflow"}, [b.value[:40] for b in at.code]
    return found


def _run_fresh(code: str, cwd: Path) -> np.ndarray:
    """Run a snippet in a clean Python (-I: ConvLab not importable); the numbers it printed."""
    return numbers(run_fresh(code, cwd))


def test_code_panel_is_closed_until_opened() -> None:
    at = _run()
    assert load_strings("en")["code.header"] in [e.label for e in at.expander]
    assert not [c for c in at.code if "import numpy" in c.value], "closed: no snippets built"


@pytest.mark.parametrize(
    "config",
    [
        {},  # the lecture's max pooling
        dict(method="avg", kernel=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        dict(method="max", kernel=3, stride=2, padding=1, ceil_mode=True),
        dict(method="avg", kernel=2, stride=1, padding=1, count_include_pad=True),
    ],
)
def test_code_panel_prints_the_pages_numbers(config: dict[str, Any], tmp_path: Path) -> None:
    at = _random(_run(), 6, 7, seed=4) if config else _run()
    _configure(at, **config)
    grid = random_grid(6, 7, -9, 9, seed=4) if config else LECTURE
    settings = {"method": "max", "kernel": 2, "stride": 2, "padding": 0, "ceil_mode": False,
                "count_include_pad": True, **config}  # fmt: skip
    names = ("kernel", "stride", "padding", "method", "ceil_mode", "count_include_pad")
    cfg = PoolConfig(grid, *(settings[n] for n in names))
    codes = _panel(at)
    assert codes == {lib: code.rstrip("\n") for lib, code in pool_snippets(cfg).items()}
    shown = _output(at)
    np.testing.assert_allclose(_run_fresh(codes["numpy"], tmp_path), shown.ravel(), atol=1e-7)
    fn = "max_pool2d" if settings["method"] == "max" else "avg_pool2d"
    torch_args = f"x, kernel_size={settings['kernel']}, stride={settings['stride']}"
    assert re.search(rf"F\.{fn}\(\s*{re.escape(torch_args)}", codes["torch"])
    assert ("tf.nn.max_pool(" if fn == "max_pool2d" else "tf.nn.avg_pool2d(") in codes["tensorflow"]
    oh, ow = shown.shape
    captions = [c.value for c in at.caption]
    assert any(f"the {oh} × {ow} numbers shown above" in c for c in captions)
    if not config:  # the lecture's answer
        np.testing.assert_array_equal(_run_fresh(codes["numpy"], tmp_path), [3, 12, 3, 4])
        # as the notes write it (here 'SAME' pads nothing)
        assert "ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')" in codes["tensorflow"]


def test_code_panel_in_korean() -> None:
    at = _run("ko")
    strings = load_strings("ko")
    assert strings["code.header"] in [e.label for e in at.expander]
    codes = _panel(at)
    assert "F.max_pool2d(x, kernel_size=2, stride=2, padding=0, ceil_mode=False)" in codes["torch"]
    captions = [c.value for c in at.caption]
    assert strings["pooling.code.intro"] in captions
    assert any(strings["pooling.code.checked.numpy"] in c for c in captions)
    assert any("2 × 2개의 숫자" in c for c in captions)
    tabs = [t.label for t in at.tabs]
    assert tabs == [strings[f"pooling.code.tabs.{lib}"] for lib in ("torch", "numpy", "tensorflow")]
    assert not _raw_keys(at, "ko")
