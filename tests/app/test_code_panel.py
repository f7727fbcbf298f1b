"""The "Show code" panel on the studio, the lab, the channels and the output-size page (AppTest).

For each page: the panel's three snippets equal what ui.teaching.code_snippets generates for the
settings the test gave the page (through a link or the page's own widgets), and the
NumPy/SciPy snippet, run in a fresh Python, prints the page's own numbers: the studio's
stepper output, the lab's feature map (the values its chart carries; in the CNN mode every
filter of filter 1's size), the channels page's N feature maps, the output-size page's
summary.
"""

from __future__ import annotations

import base64
import io
import re
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
    set_widget,
    stepper_payload,
)
from tests.snippet_run import numbers, run_fresh
from ui import widgets
from ui.frame.i18n import LANG_KEY, load_strings, translate
from ui.teaching.code_snippets import CORNER, SnippetConfig, snippets
from ui.teaching.grid_sources import grid_presets
from ui.widgets.code_panel import IMAGE_FILE, channels_config, lab_config, shape_config

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "pages" / "studio.py"
LAB = ROOT / "pages" / "lab.py"
OUTPUT_SIZE = ROOT / "pages" / "output_size.py"
CHANNELS = ROOT / "pages" / "channels.py"
TIMEOUT = 60
LABEL = re.compile(r"^filter (\d+):$")


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


def split_maps(text: str) -> tuple[str, list[int], str]:
    """A snippet's output for N > 1 filters: its shape line, the "filter i:" labels' numbers,
    and the rest (the maps' numbers)."""
    first, *lines = text.splitlines()
    labels = [int(m.group(1)) for ln in lines if (m := LABEL.match(ln.strip()))]
    rest = "\n".join(ln for ln in lines if not LABEL.match(ln.strip()))
    return first.split("#")[0].strip(), labels, rest


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
    cfg = lab_config(image, [kernel], [0.0], color, conv)
    codes = panel(at)
    assert codes == generated(cfg)
    assert f'Image.open("{IMAGE_FILE}")' in codes["numpy"]
    first, rest = run_fresh(codes["numpy"], tmp_path).split("\n", 1)
    assert first == str(shown.shape)
    corner = shown[:CORNER, :CORNER]
    np.testing.assert_allclose(numbers(rest), corner.ravel(), rtol=1e-5, atol=1e-3)


def _lab_first_map(at: AppTest) -> np.ndarray:
    """The raw values the lab's result chart (filter 1) carries for every pixel."""
    probe = plotly_spec(at, "lab.result")["data"][1]
    rows, cols = _array(probe["y"]).astype(int), _array(probe["x"]).astype(int)
    shown = np.zeros((rows.max() + 1, cols.max() + 1))
    shown[rows, cols] = _array(probe["customdata"]).astype(float).reshape(len(rows), -1)[:, 0]
    return shown


def test_lab_cnn_panel_shows_every_filter_of_filter_1s_size(tmp_path) -> None:
    """CNN mode, Sobel x plus Sobel y, a 5x5 Gaussian and a Laplacian: one layer of the three
    3x3 filters ((N, C, KH, KW) = (3, 3, 3, 3)), the Gaussian named as left out."""
    conv = widgets.ConvSettings(1, "zeros", (1, 1), (1, 1))
    picture = np.random.default_rng(8).integers(0, 256, (13, 15, 3)).astype(np.uint8)
    (tmp_path / IMAGE_FILE).write_bytes(_png(picture))
    more = ["sobel_y", "gaussian_blur", "laplacian_4"]
    at = open_page(LAB, state={**_conv_state("lab", conv), "lab.color": "cnn", "lab.more": more})
    at.button_group(key="lab.image.source").set_value("upload").run()
    at.file_uploader(key="lab.image.upload").upload("mine.png", _png(picture), "image/png")
    rerun(at)
    kernels = [cc.KERNELS[n].matrix.astype(float) for n in ("sobel_x", *more)]
    cfg = lab_config(picture.astype(np.float32), kernels, [0.0] * 4, "cnn", conv)
    assert cfg.n_filters == 3 and cfg.ka.shape == (3, 3, 3, 3)
    codes = panel(at)
    assert codes == generated(cfg)
    assert "# (N, C, KH, KW) = (3, 3, 3, 3): 3 filters" in codes["torch"]
    assert "torch.nn.Conv2d(\n    3, 3, (3, 3)," in codes["torch"]
    assert "= [3, 3, 3, 3]" in codes["tensorflow"]
    assert "tf.keras.layers.Conv2D(\n    3, (3, 3)," in codes["tensorflow"]
    captions = [c.value for c in at.caption]
    assert translate("en", "code.lab_left_out", filters="3", kh=3, kw=3) in captions
    shape, labels, rest = split_maps(run_fresh(codes["numpy"], tmp_path))
    assert shape == "(3, 13, 15)" and labels == [1, 2, 3]
    got = numbers(rest).reshape(3, CORNER, CORNER)
    np.testing.assert_allclose(got, cfg.reference()[:, :CORNER, :CORNER], rtol=1e-9)
    first = _lab_first_map(at)[:CORNER, :CORNER]  # the page's own numbers for filter 1
    np.testing.assert_allclose(got[0], first, rtol=1e-5, atol=1e-3)


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


# --------------------------------------------------------------------------- channels


def _channels_grid(at: AppTest, index: int) -> np.ndarray:
    """The channels page's tables: R, filter R, G, filter G, B, filter B, the partial sums,
    then the N feature maps."""
    return at.dataframe[index].value.to_numpy(dtype=float)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_channels_panel_prints_every_feature_map(lang: str, tmp_path) -> None:
    at = open_page(CHANNELS, lang=lang)
    strings = load_strings(lang)
    assert strings["code.header"] in [e.proto.label for e in at.get("expander")]
    assert not [c for c in at.code if "import numpy" in c.value], "closed: no snippets built"
    # The lecture's one filter: (1, 3, 3, 3), bias 1, output -25.
    args = cc.PRESETS["rgb_one_position"].arguments
    codes = panel(at)
    assert codes == generated(channels_config(args["x"], args["weight"], args["bias"]))
    assert (
        "# filters: [height, width, in channels, out channels] = [3, 3, 3, 1]"
        in codes["tensorflow"]
    )
    assert numbers(run_fresh(codes["numpy"], tmp_path)).tolist() == [-25]
    # Three random filters, each with its bias: all three maps, labelled.
    set_widget(at, "segmented_control", "channels.src", "random")
    set_widget(at, "number_input", "channels.filters", 3)
    set_widget(at, "number_input", "channels.size", 6)
    set_widget(at, "number_input", "channels.seed", 7)
    codes = panel(at)
    maps = np.stack([_channels_grid(at, 7 + i) for i in range(3)])
    assert maps.shape == (3, 4, 4)
    assert "# (N, C, KH, KW) = (3, 3, 3, 3): 3 filters" in codes["torch"]
    assert "torch.nn.Conv2d(\n    3, 3, (3, 3)," in codes["torch"]
    assert "b = torch.tensor([" in codes["torch"]
    assert (
        "# filters: [height, width, in channels, out channels] = [3, 3, 3, 3]"
        in codes["tensorflow"]
    )
    assert "tf.keras.layers.Conv2D(\n    3, (3, 3)," in codes["tensorflow"]
    shape, labels, rest = split_maps(run_fresh(codes["numpy"], tmp_path))
    assert shape == "(3, 4, 4)" and labels == [1, 2, 3]
    np.testing.assert_array_equal(numbers(rest), maps.ravel())
    captions = [c.value for c in at.caption]
    assert translate(lang, "code.prints.values_n", n=3, oh=4, ow=4) in " ".join(captions)
