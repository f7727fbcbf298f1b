"""The "Show code" panel on the studio, the lab and the output-size page (AppTest).

For each page: the panel's three snippets equal what ui.teaching.code_snippets generates for the
settings the test gave the page (through a link or the page's own widgets), and the
NumPy/SciPy snippet, run in a fresh Python, prints the page's own numbers: the studio's
stepper output, the lab's feature map (the values its chart carries), the output-size
page's summary.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import (
    open_code_panel,
    open_page,
    plotly_spec,
    rerun,
    stepper_payload,
)
from ui import widgets
from ui.frame.i18n import LANG_KEY, load_strings
from ui.teaching.code_snippets import CORNER, SnippetConfig, snippets
from ui.teaching.grid_sources import grid_presets
from ui.widgets.code_panel import IMAGE_FILE, lab_config, shape_config

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "pages" / "studio.py"
LAB = ROOT / "pages" / "lab.py"
OUTPUT_SIZE = ROOT / "pages" / "output_size.py"
TIMEOUT = 60
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")


def panel(at: AppTest) -> dict[str, str]:
    """The panel's three snippets, by library (the panel opened first, as a person does)."""
    open_code_panel(at)
    found = {}
    for block in at.code:
        code = block.value
        if "import torch\n" in code:
            found["torch"] = code
        elif "import tensorflow" in code:
            found["tensorflow"] = code
        elif "from scipy import" in code:
            found["numpy"] = code
    assert set(found) == {"torch", "numpy", "tensorflow"}, [b.value[:40] for b in at.code]
    return found


def generated(cfg: SnippetConfig) -> dict[str, str]:
    """What ui.teaching.code_snippets writes for ``cfg`` (st.code drops the final newline)."""
    return {lib: code.rstrip("\n") for lib, code in snippets(cfg).items()}


def run_fresh(code: str, cwd: Path) -> str:
    """Run a snippet in a clean Python (-I: ConvLab not importable), return its output."""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in NUMBER.findall(text)])


def _grid(text: str) -> np.ndarray:
    return np.array([[int(v) for v in row.split(",")] for row in text.split(";")])


# --------------------------------------------------------------------------- studio

STUDIO_LINKS = [
    ({}, None),  # the lecture's example
    (
        {"src": "typed", "grid": "1,2,3,0;4,5,6,1;7,8,9,2", "kernel": "1,0;0,-1", "bias": "2",
         "op": "convolve", "padding": "same", "mode": "reflect", "stride": "2,1",
         "dilation": "1,2"},
        None,
    ),
    (
        {"src": "typed", "grid": "3,1,4,1,5;9,2,6,5,3;5,8,9,7,9;3,2,3,8,4",
         "kernel": "1,2,1;0,0,0;-1,-2,-1", "bias": "0.5", "padding": "1", "mode": "symmetric"},
        None,
    ),
    (
        {"src": "typed", "grid": "3,1,4,1,5;9,2,6,5,3;5,8,9,7,9;3,2,3,8,4", "kernel": "1,1;1,1",
         "padding": "2,1", "mode": "circular", "stride": "2,3"},
        None,
    ),
]  # fmt: skip


def _studio_config(query: dict[str, str]) -> SnippetConfig:
    """The snippet configuration a link describes (the lecture example without one)."""
    if query.get("src") != "typed":
        preset = grid_presets()["feature_map_6x6"]
        return SnippetConfig(
            preset.grid, preset.kernel, preset.bias, padding=preset.padding,
            stride=(preset.stride, preset.stride),
        )  # fmt: skip
    padding: Any = query.get("padding", "0")
    if "," in padding:
        padding = tuple(int(v) for v in padding.split(","))
    elif padding.isdigit():
        padding = int(padding)
    pair = lambda name: tuple(int(v) for v in query.get(name, "1,1").split(","))  # noqa: E731
    return SnippetConfig(
        _grid(query["grid"]),
        _grid(query["kernel"]),
        float(query.get("bias", "0")),
        op=query.get("op", "correlate"),
        padding=padding,
        padding_mode=query.get("mode", "zeros"),
        stride=pair("stride"),
        dilation=pair("dilation"),
    )


@pytest.mark.parametrize(("query", "_"), STUDIO_LINKS)
def test_studio_panel_prints_the_steppers_numbers(query: dict[str, str], _: Any, tmp_path) -> None:
    at = AppTest.from_file(str(STUDIO), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = "en"
    for name, value in query.items():
        at.query_params[name] = value
    rerun(at)
    assert not at.warning, [w.value for w in at.warning]  # the link was read as meant
    shown = np.array(stepper_payload(at)["trace"]["output"][0])
    cfg = _studio_config(query)
    codes = panel(at)
    assert codes == generated(cfg)
    got = numbers(run_fresh(codes["numpy"], tmp_path))
    np.testing.assert_allclose(got, shown.ravel(), rtol=1e-9, atol=1e-9)
    if not query:  # the lecture's own answer
        np.testing.assert_array_equal(got, grid_presets()["feature_map_6x6"].expected.ravel())


def test_studio_panel_in_korean() -> None:
    at = open_page(STUDIO, lang="ko")
    strings = load_strings("ko")
    labels = [e.proto.label for e in at.get("expander")]
    assert strings["code.header"] in labels
    assert not [c for c in at.code if "import numpy" in c.value], "closed: no snippets built"
    open_code_panel(at)
    captions = [c.value for c in at.caption]
    assert any(strings["code.checked.numpy"] in c for c in captions)


# --------------------------------------------------------------------------- lab


def _conv_state(prefix: str, conv: widgets.ConvSettings) -> dict[str, Any]:
    """Session state that sets the shared conv controls (as widgets.set_conv_settings)."""
    c = widgets.controls_from_padding(conv.padding)
    key = lambda name: f"{prefix}.conv.{name}"  # noqa: E731
    return {
        key("padding_kind"): c["kind"],
        key("padding"): c["amount"],
        key("padding_split"): c["split"],
        key("padding_rows"): c["rows"],
        key("padding_cols"): c["cols"],
        key("padding_mode"): conv.padding_mode,
        key("stride_rows"): conv.stride[0],
        key("stride_cols"): conv.stride[1],
        key("dilation_rows"): conv.dilation[0],
        key("dilation_cols"): conv.dilation[1],
        key("initialised"): True,
    }


def _array(value: Any) -> np.ndarray:
    """A Plotly spec array: a typed array (``{"dtype", "bdata", "shape"}``) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(n) for n in str(value["shape"]).split(",")])
        return arr
    return np.asarray(value)


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("color", "conv"),
    [
        ("gray", widgets.ConvSettings(1, "reflect", (2, 1), (1, 1))),
        ("cnn", widgets.ConvSettings("same", "replicate", (1, 2), (2, 1))),
        ("gray", widgets.ConvSettings(0, "zeros", (1, 1), (1, 1))),
    ],
)
def test_lab_panel_prints_the_feature_map(color: str, conv: widgets.ConvSettings, tmp_path):
    rng = np.random.default_rng(5)
    shape = (13, 15) if color == "gray" else (13, 15, 3)
    picture = rng.integers(0, 256, shape).astype(np.uint8)
    (tmp_path / IMAGE_FILE).write_bytes(_png(picture))
    at = open_page(LAB, state={**_conv_state("lab", conv), "lab.color": color})
    at.button_group(key="lab.image.source").set_value("upload").run()
    at.file_uploader(key="lab.image.upload").upload("mine.png", _png(picture), "image/png")
    rerun(at)
    # The page's own numbers: the raw values its result chart carries for every pixel.
    probe = plotly_spec(at, "lab.result")["data"][1]
    rows, cols = _array(probe["y"]).astype(int), _array(probe["x"]).astype(int)
    shown = np.zeros((rows.max() + 1, cols.max() + 1))
    shown[rows, cols] = _array(probe["customdata"]).astype(float).reshape(len(rows), -1)[:, 0]
    kernel = cc.KERNELS["sobel_x"].matrix.astype(float)
    image = picture.astype(np.float32)
    cfg = lab_config(image, kernel, 0.0, color, conv)
    codes = panel(at)
    assert codes == generated(cfg)
    assert f'Image.open("{IMAGE_FILE}")' in codes["numpy"]
    first, rest = run_fresh(codes["numpy"], tmp_path).split("\n", 1)
    assert first == str(shown.shape)
    corner = shown[:CORNER, :CORNER]
    np.testing.assert_allclose(numbers(rest), corner.ravel(), rtol=1e-5, atol=1e-3)


def test_lab_photo_mode_says_what_the_code_covers() -> None:
    at = open_page(LAB, state={"lab.color": "photo"})
    if at.button_group(key="lab.image.source").value != "sample":
        pytest.skip("the lab opens without a sample image")
    open_code_panel(at)
    assert load_strings("en")["code.photo_mode"] in [c.value for c in at.caption]
    assert not [b for b in at.code if "from scipy import" in b.value]


# --------------------------------------------------------------------------- output size


def test_output_size_panel_prints_the_summary_shape(tmp_path) -> None:
    at = open_page(OUTPUT_SIZE)
    codes = panel(at)
    cfg = shape_config((8, 8), (3, 3), widgets.ConvSettings(padding=0, stride=(2, 2)))
    assert codes == generated(cfg)
    assert run_fresh(codes["numpy"], tmp_path).strip() == "(3, 3)"
    assert "output 3 × 3" in at.subheader[0].value
    # The lecture's TensorFlow 'SAME' example: 13 cells, kernel 6, stride 5 -> 3.
    at.button(key="output_size.preset.output_size_tf_same").click()
    rerun(at)
    codes = panel(at)
    cfg = shape_config((13, 13), (6, 6), widgets.ConvSettings(padding="same", stride=(5, 5)))
    assert codes == generated(cfg)
    assert 'padding="SAME"' in codes["tensorflow"]
    assert run_fresh(codes["numpy"], tmp_path).strip() == "(3, 3)"
    assert "output 3 × 3" in at.subheader[0].value
