"""AppTest of the Image Filter Lab page (pages/lab.py), and of the whole app in Korean.

Every control is changed through the widget AppTest finds by its key, and the effect is
checked on what the page sends: the shapes line ("Input: 512 × 512 × 1 → Convolution:
510 × 510 × 1 → …"), the size formulas, the figures' data and the stepper's payload.
The numbers are checked against conv_core run here on the same preview image
(``conv_core.run_pipeline``, ``pixel_step``, ``pool_window``, ``trace_conv2d``):

* a figure's spec is in its proto (``json.loads(chart.proto.spec)``); the result
  figure's ``data[0].z`` is ``conv_core.to_display(map, mode)`` (uint8, every pixel) and
  its probe scatter ``data[1]`` carries the raw values (``customdata``) at ``(y, x)``;
* a click on the result is simulated as the browser sends it: the chart's widget state
  (``{"selection": {"points": [{"x": col, "y": row}], ...}}`` as ``string_value``) added
  to the states of the next run (:func:`_click`; AppTest has no API for a plotly
  selection, and writing ``at.session_state["lab.result"]`` does not reach the chart);
* download bytes live in the run's media storage, which AppTest drops after each run:
  the ``media`` fixture keeps them (:func:`_download`);
* the full-resolution queue: the test holds both of ``ui.frame.jobs.FULL_RES_JOBS``'s slots
  from threads; the ``alerts`` fixture records every alert the page sends during a run
  (an ``st.empty`` keeps only its last one in the final tree).

Bad files go through the real uploader (``at.file_uploader(...).upload``), one test each.
Tests marked ``xfail(strict=True, reason="BUG: ...")`` show a page bug not fixed yet.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import conv_core as cc
from tests.app.apptest_helpers import rerun as _rerun
from tests.app.apptest_helpers import set_widget as _set
from tests.app.apptest_helpers import stepper_payload as _payload
from tests.core.test_image_io import _frames, _palette_image, noise_image, png_1bit, save
from ui.frame.i18n import LANG_KEY, load_strings, translate
from ui.frame.jobs import FULL_RES_JOBS, JobLimiter
from ui.frame.page_registry import APP_ROOT
from ui.teaching.grid_sources import image_grid
from ui.teaching.samples import load_sample

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "pages" / "lab.py"
APP = Path(__file__).resolve().parent / "app_entry.py"  # app.py; see app_entry.py for why
TIMEOUT = 60
PREVIEW_SIDE = 640  # pages/lab.py PREVIEW_SIDE
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
SOBEL_X = cc.KERNELS["sobel_x"].matrix.astype(float)
NO_CONV = {"stride": 1, "padding": 0, "dilation": 1, "padding_mode": "zeros"}


# --------------------------------------------------------------------------------------
# Running the page


def _run(
    sample: str | None = None, lang: str = "en", state: dict[str, Any] | None = None
) -> AppTest:
    """The lab page alone (a sample chosen before its first run)."""
    at = AppTest.from_file(str(LAB), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    if sample is not None:
        at.session_state["lab.image.sample"] = sample
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return _rerun(at)


def _upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    """Choose "upload" and send a file through the real file_uploader widget."""
    if at.button_group(key="lab.image.source").value != "upload":
        _set(at, "button_group", "lab.image.source", "upload")
    at.file_uploader(key="lab.image.upload").upload(name, data, mime)
    return _rerun(at)


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")


def _shapes(at: AppTest) -> str | None:
    """The shapes line, bold removed ("Input: … → Convolution: … → …"); None when absent."""
    found = [_plain(m.value) for m in at.markdown if m.value.startswith("**Input: ")]
    assert len(found) <= 1
    return found[0] if found else None


def _formulas(at: AppTest) -> list[str]:
    """The size formulas under the shapes line, without the list markup."""
    found = [m.value for m in at.markdown if m.value.startswith("- `Rows:")]
    assert len(found) == 1, found
    return [line.strip("- `") for line in found[0].splitlines()]


def _stage_line(*parts: str) -> str:
    return " → ".join(parts)


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _no_result(at: AppTest) -> None:
    """Nothing computed is shown: no shapes line, no result figure, no stepper."""
    assert _shapes(at) is None
    assert "lab.result" not in _chart_keys(at)
    assert not at.get("bidi_component")


# --------------------------------------------------------------------------------------
# Figures


def _array(value: Any) -> np.ndarray:
    """A plotly spec array: a typed array (``{"dtype", "bdata", "shape"}``) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(n) for n in str(value["shape"]).split(",")])
        return arr
    return np.asarray(value)


def _chart_keys(at: AppTest) -> list[str]:
    return [c.key for c in at.get("plotly_chart")]


def _spec(at: AppTest, key: str) -> dict[str, Any]:
    found = [c for c in at.get("plotly_chart") if c.key == key]
    assert len(found) == 1, (key, _chart_keys(at))
    return json.loads(found[0].proto.spec)


def _figure_values(at: AppTest, key: str) -> tuple[np.ndarray, np.ndarray]:
    """A feature-map figure's display image (z) and its probe points as (rows, cols, raw)."""
    spec = _spec(at, key)
    image, probe = spec["data"][0], spec["data"][1]
    assert probe["type"] == "scatter"
    rows, cols = _array(probe["y"]).astype(int), _array(probe["x"]).astype(int)
    return _array(image["z"]), (rows, cols, _array(probe["customdata"]))


def _assert_map_figure(at: AppTest, key: str, expected: np.ndarray, mode: str) -> None:
    """The figure shows ``expected`` exactly: every pixel through the display mode, and the
    raw float32 values under its probe points."""
    z, (rows, cols, raw) = _figure_values(at, key)
    np.testing.assert_array_equal(z, cc.to_display(expected, mode))
    assert len(rows) > 0
    np.testing.assert_array_equal(raw, expected[rows, cols].astype(np.float32))


def _block_means(values: np.ndarray, factor: int) -> np.ndarray:
    """Means of factor x factor blocks (edge blocks: of what they hold), in float64."""
    starts_r = np.arange(0, values.shape[0], factor)
    starts_c = np.arange(0, values.shape[1], factor)
    sums = np.add.reduceat(np.add.reduceat(values.astype(float), starts_r, 0), starts_c, 1)
    counts_r = np.diff(np.append(starts_r, values.shape[0]))
    counts_c = np.diff(np.append(starts_c, values.shape[1]))
    counts = np.outer(counts_r, counts_c)
    return sums / (counts if values.ndim == 2 else counts[:, :, None])


def _assert_thumbnail(at: AppTest, key: str, values: np.ndarray, mode: str = "abs") -> None:
    """A small map figure: a block-averaged copy of ``values`` (its factor is the image
    trace's ``dx``) whose probes give the map's own coordinates."""
    spec = _spec(at, key)
    factor = int(spec["data"][0].get("dx", 1))
    assert factor == int(spec["data"][0].get("dy", 1))
    small = _block_means(values, factor)
    z, (rows, cols, raw) = _figure_values(at, key)
    assert z.shape[:2] == small.shape[:2]
    assert raw.size > 0 and (rows % factor == 0).all() and (cols % factor == 0).all()
    np.testing.assert_allclose(raw, small[rows // factor, cols // factor], rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(z, cc.to_display(small.astype(np.float32), mode))


def _window_values(at: AppTest, key: str) -> np.ndarray:
    """The numbers written in a window/kernel grid figure (its heatmap's z)."""
    heat = next(d for d in _spec(at, key)["data"] if d["type"] == "heatmap")
    return _array(heat["z"]).astype(float)


# --------------------------------------------------------------------------------------
# What the page should compute (conv_core on the same preview)


def _preview(sample: str, color: str) -> np.ndarray:
    """The sample as the page computes on it: at most PREVIEW_SIDE pixels a side, grey
    (BT.601 luma) or 3 channels, whole 0-255 numbers."""
    array = cc.downscale(load_sample(sample), PREVIEW_SIDE)
    return _working(array, color)


def _working(array: np.ndarray, color: str) -> np.ndarray:
    if color == "gray" and array.ndim == 3:
        array = array @ LUMA
    elif color != "gray" and array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return np.rint(array).astype(np.float32)


def _weights(kernel: np.ndarray, color: str) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=float)
    if color == "cnn" and kernel.ndim == 2:
        kernel = np.stack([kernel] * 3)
    return kernel[np.newaxis]


def _expected(
    image: np.ndarray, kernel: np.ndarray, color: str, bias: float = 0.0, **settings: Any
) -> cc.PipelineResult:
    args = NO_CONV | settings
    return cc.run_pipeline(image, _weights(kernel, color), [bias], color_mode=color, **args)


def _final(result: cc.PipelineResult) -> np.ndarray:
    return np.ascontiguousarray(result.result.maps[0])


# --------------------------------------------------------------------------------------
# Clicks, stepper, downloads, alerts


def _click(at: AppTest, row: int, col: int) -> AppTest:
    """Click pixel (row, col) of the result figure, as the browser reports a plotly
    selection of the probe point there (the widget state of the chart, JSON text)."""
    chart = next(c for c in at.get("plotly_chart") if c.key == "lab.result")
    assert chart.proto.selection_mode, "the result figure must be selectable"
    states: WidgetStates = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    point = {"x": col, "y": row, "curve_number": 1, "point_number": 0, "point_index": 0}
    state.string_value = json.dumps(
        {"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}}
    )
    at._run(states)
    assert not at.exception, at.exception
    return at


def _codes(at: AppTest) -> list[str]:
    # Not the "Show code" panel's snippets (tests/app/test_code_panel.py checks those).
    return [c.value for c in at.code if not c.value.startswith("import numpy as np")]


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """Every media file manager AppTest makes (one per run), kept so downloads can be read."""
    made: list[MediaFileManager] = []

    class Keeping(MediaFileManager):
        def __init__(self, storage: Any) -> None:
            super().__init__(storage)
            made.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", Keeping)
    return made


def _download(at: AppTest, media: list[MediaFileManager], key: str) -> bytes:
    """The bytes behind a download button of the last run: stored with the page, or made
    by its callable on a click (run as the server runs it: in another thread, outside
    the script run)."""
    button = next(b for b in at.get("download_button") if b.key == key)
    manager = media[-1]
    url = button.proto.url
    if not url:
        assert button.proto.deferred_file_id, "neither data nor a callable"
        result: dict[str, Any] = {}

        def click() -> None:
            try:
                result["url"] = manager.execute_deferred(button.proto.deferred_file_id)
            except Exception as err:  # what the server logs as "Failed to generate file"
                result["error"] = err

        thread = threading.Thread(target=click)
        thread.start()
        thread.join(60)
        if "error" in result:
            raise result["error"]
        url = result["url"]
    return manager._storage.get_file(url.rsplit("/", 1)[-1]).content


def _png_pixels(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im)


@pytest.fixture
def alerts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every alert (info, warning, success, error) the page sends, in order,
    also those an ``st.empty`` replaces later in the same run."""
    seen: list[str] = []

    class Recording(ForwardMsgQueue):
        def enqueue(self, msg: Any) -> None:
            if msg.HasField("delta") and msg.delta.HasField("new_element"):
                element = msg.delta.new_element
                if element.WhichOneof("type") == "alert":
                    seen.append(element.alert.body)
            super().enqueue(msg)

    monkeypatch.setattr("streamlit.testing.v1.local_script_runner.ForwardMsgQueue", Recording)
    return seen


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def busy_server() -> Iterator[threading.Event]:
    """Both FULL_RES_JOBS slots held by other "students" until the event is set."""
    gate = threading.Event()
    holders = [
        threading.Thread(target=FULL_RES_JOBS.run, args=(partial(gate.wait, 30),), daemon=True)
        for _ in range(FULL_RES_JOBS.slots)
    ]
    assert FULL_RES_JOBS.running == 0 and FULL_RES_JOBS.waiting == 0
    for holder in holders:
        holder.start()
    try:
        assert _wait_for(lambda: FULL_RES_JOBS.running == FULL_RES_JOBS.slots, 5)
        yield gate
    finally:
        gate.set()
        for holder in holders:
            holder.join(10)
    assert FULL_RES_JOBS.running == 0 and FULL_RES_JOBS.waiting == 0


# --------------------------------------------------------------------------------------
# Files


def _photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A photo-like grey image: the camera sample scaled to width x height, plus noise."""
    camera = Image.fromarray(load_sample("camera").astype(np.uint8))
    big = np.asarray(camera.resize((width, height), Image.Resampling.BILINEAR), dtype=float)
    noise = np.random.default_rng(seed).normal(0, 6, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


def _png(pixels: np.ndarray) -> bytes:
    return save(Image.fromarray(np.asarray(pixels, dtype=np.uint8)), "PNG")


def _load_error(data: bytes) -> str:
    """conv_core's message for a bad file (the English page shows it as it is)."""
    with pytest.raises(cc.ImageLoadError) as info:
        cc.load_image(data)
    return str(info.value)


# ======================================================================================
# Colour modes


def test_first_view_is_the_camera_in_grey_with_sobel_x() -> None:
    at = _run()
    assert at.title[0].value == "Image Filter Lab"
    assert not at.exception and not _errors(at) and not at.warning
    image = _preview("camera", "gray")
    assert _shapes(at) == _stage_line(
        "Input: 512 × 512 × 1", "Convolution: 510 × 510 × 1", "+ bias 0: 510 × 510 × 1"
    )
    assert _formulas(at) == [
        "Rows: (512 + 0 + 0 - 3) / 1 + 1 = 510",
        "Columns: (512 + 0 + 0 - 3) / 1 + 1 = 510",
    ]
    original = _spec(at, "lab.original")["data"][0]
    np.testing.assert_array_equal(_array(original["z"]), image.astype(np.uint8))
    expected = _final(_expected(image, SOBEL_X, "gray"))
    _assert_map_figure(at, "lab.result", expected, "abs")
    probe = _spec(at, "lab.result")["data"][1]
    assert probe["hovertemplate"].startswith("row %{y}, col %{x}<br>value %{customdata")
    # original and result at the same scale: the heights follow the row counts
    heights = [_spec(at, k)["layout"]["height"] for k in ("lab.original", "lab.result")]
    assert heights[0] >= heights[1]
    assert translate("en", "lab.color.explain_gray") in [c.value for c in at.caption]
    assert "1 filter(s) give 1 feature map(s): output depth 1." in [m.value for m in at.markdown]
    assert "Stacked, the maps form a block of 510 × 510 × 1." in [c.value for c in at.caption]


def test_cnn_mode_sums_the_three_channel_maps_plus_bias() -> None:
    at = _run("chelsea")
    _set(at, "number_input", "lab.kernel.bias", -20.0)
    _set(at, "radio", "lab.color", "cnn")
    assert _shapes(at) == _stage_line(
        "Input: 300 × 451 × 3", "Convolution: 298 × 449 × 1", "+ bias -20: 298 × 449 × 1"
    )
    image = _preview("chelsea", "cnn")
    expected = _expected(image, SOBEL_X, "cnn", bias=-20)
    _assert_map_figure(at, "lab.result", _final(expected), "abs")
    np.testing.assert_array_equal(
        _array(_spec(at, "lab.original")["data"][0]["z"]), image.astype(np.uint8)
    )
    # channel by channel: R, G, B maps and their sum plus the bias, titled so
    keys = _chart_keys(at)
    assert [k for k in keys if k.startswith("lab.channel.")] == [
        "lab.channel.0",
        "lab.channel.1",
        "lab.channel.2",
        "lab.channel.sum",
    ]
    titles = [_spec(at, k)["layout"]["title"]["text"] for k in keys if k.startswith("lab.ch")]
    assert titles == ["Channel R", "Channel G", "Channel B", "Sum + bias -20"]
    channel_maps = expected.channel_maps[0]
    np.testing.assert_allclose(
        channel_maps.sum(axis=0) - 20, expected.stage("bias").maps[0], rtol=1e-5, atol=1e-3
    )
    for c in range(3):
        _assert_thumbnail(at, f"lab.channel.{c}", channel_maps[c], "abs")
    _assert_thumbnail(at, "lab.channel.sum", expected.stage("bias").maps[0], "abs")
    assert translate("en", "lab.color.explain_cnn") in [c.value for c in at.caption]


def test_photo_mode_gives_a_colour_image() -> None:
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "photo")
    _set(at, "radio", "lab.display", "clip")
    assert _shapes(at) == _stage_line(
        "Input: 300 × 451 × 3", "Convolution: 298 × 449 × 3", "+ bias 0: 298 × 449 × 3"
    )
    expected = _final(_expected(_preview("chelsea", "photo"), SOBEL_X, "photo"))
    assert expected.shape == (298, 449, 3)
    spec = _spec(at, "lab.result")
    assert spec["data"][0]["type"] == "image"
    _assert_map_figure(at, "lab.result", expected, "clip")
    assert not [k for k in _chart_keys(at) if k.startswith("lab.channel.")]
    assert translate("en", "lab.color.explain_photo") in [c.value for c in at.caption]


def test_gray_mode_on_a_colour_sample_uses_luma() -> None:
    at = _run("chelsea")
    assert at.radio(key="lab.color").value == "gray"
    assert _shapes(at).startswith("Input: 300 × 451 × 1 → Convolution: 298 × 449 × 1")
    image = _preview("chelsea", "gray")
    _assert_map_figure(at, "lab.result", _final(_expected(image, SOBEL_X, "gray")), "abs")


def test_cnn_per_channel_kernels() -> None:
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "cnn")
    assert at.toggle(key="lab.per_channel").value is False
    _set(at, "toggle", "lab.per_channel", True)
    # one editor per channel: R keeps the main editor's keys, G and B their own
    presets = [w.key for w in at.selectbox if w.key and w.key.endswith("kernel.preset")]
    assert presets == ["lab.kernel.preset", "lab.ch1.kernel.preset", "lab.ch2.kernel.preset"]
    _set(at, "selectbox", "lab.ch1.kernel.preset", "sobel_y")
    _set(at, "selectbox", "lab.ch2.kernel.preset", "laplacian_4")
    weights = np.stack(
        [SOBEL_X, cc.KERNELS["sobel_y"].matrix, cc.KERNELS["laplacian_4"].matrix]
    ).astype(float)
    expected = _expected(_preview("chelsea", "cnn"), weights, "cnn")
    _assert_map_figure(at, "lab.result", _final(expected), "abs")
    assert _shapes(at).startswith("Input: 300 × 451 × 3 → Convolution: 298 × 449 × 1")
    # the slide panel steps through the three different kernels
    trace = _payload(at)["trace"]
    np.testing.assert_array_equal(np.asarray(trace["kernel"])[0], weights)


def test_gallery_shows_every_kernel_of_a_per_channel_filter() -> None:
    at = _run("shapes")
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "toggle", "lab.per_channel", True)
    _set(at, "selectbox", "lab.ch1.kernel.preset", "sobel_y")
    _set(at, "selectbox", "lab.ch2.kernel.preset", "laplacian_4")
    shown = []
    for key in _chart_keys(at):
        if key.startswith("lab.gallery.kernel.0"):
            for trace in _spec(at, key)["data"]:
                if trace["type"] == "heatmap":
                    shown.append(_array(trace["z"]).astype(float).tolist())
    for name in ("sobel_x", "sobel_y", "laplacian_4"):
        assert cc.KERNELS[name].matrix.astype(float).tolist() in shown, name


def test_cnn_per_channel_kernels_of_different_sizes_is_a_message() -> None:
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "toggle", "lab.per_channel", True)
    _set(at, "selectbox", "lab.ch2.kernel.rows", 5)
    assert _errors(at) == [translate("en", "lab.color.channel_shapes")]
    _no_result(at)


# ======================================================================================
# Several filters: the gallery


def test_more_filters_give_a_gallery_with_the_output_depth() -> None:
    at = _run("shapes")
    _set(at, "multiselect", "lab.more", ["sobel_y", "laplacian_8"])
    markdown = [m.value for m in at.markdown]
    assert "3 filter(s) give 3 feature map(s): output depth 3." in markdown
    assert "Stacked, the maps form a block of 254 × 254 × 3." in [c.value for c in at.caption]
    image = _preview("shapes", "gray")
    kernels = [SOBEL_X, cc.KERNELS["sobel_y"].matrix, cc.KERNELS["laplacian_8"].matrix]
    for i, kernel in enumerate(kernels):
        np.testing.assert_array_equal(_window_values(at, f"lab.gallery.kernel.{i}"), kernel)
        _assert_thumbnail(at, f"lab.gallery.map.{i}", _final(_expected(image, kernel, "gray")))
    titles = [m for m in markdown if m.startswith("**Feature map ")]
    assert titles == [
        "**Feature map 1: Sobel x (vertical edges)**",
        f"**Feature map 2: {translate('en', cc.KERNELS['sobel_y'].title_key)}**",
        f"**Feature map 3: {translate('en', cc.KERNELS['laplacian_8'].title_key)}**",
    ]
    # the shapes line is filter 1's
    assert _shapes(at).startswith("Input: 256 × 256 × 1 → Convolution: 254 × 254 × 1")


def test_filters_of_different_sizes_get_the_size_note() -> None:
    at = _run("shapes")
    _set(at, "multiselect", "lab.more", ["gaussian_blur"])  # 5x5
    captions = [c.value for c in at.caption]
    assert translate("en", "lab.filters.depth_sizes") in captions
    assert not [c for c in captions if c.startswith("Stacked,")]
    _, (_, _, raw) = _figure_values(at, "lab.gallery.map.1")
    assert raw.size > 0


def test_photo_mode_output_depth_agrees_with_the_stacked_shape() -> None:
    at = _run("shapes")
    _set(at, "radio", "lab.color", "photo")
    _set(at, "multiselect", "lab.more", ["sobel_y"])
    captions = [c.value for c in at.caption]
    assert "Stacked, the maps form a block of 254 × 254 × 6." in captions
    depth = [m.value for m in at.markdown if "output depth" in m.value]
    assert depth and depth[0].endswith("output depth 6."), depth


# ======================================================================================
# Activation and pooling


ACTIVATION_NAMES = {
    "relu": "ReLU: max(0, x)",
    "leaky_relu": "Leaky ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "tanh",
}


@pytest.mark.parametrize("activation", list(ACTIVATION_NAMES))
def test_each_activation(activation: str) -> None:
    at = _run("shapes")
    _set(at, "number_input", "lab.kernel.bias", -50.0)
    _set(at, "selectbox", "lab.activation", activation)
    name = ACTIVATION_NAMES[activation]
    assert _shapes(at) == _stage_line(
        "Input: 256 × 256 × 1",
        "Convolution: 254 × 254 × 1",
        "+ bias -50: 254 × 254 × 1",
        f"{name}: 254 × 254 × 1",
    )
    expected = _expected(_preview("shapes", "gray"), SOBEL_X, "gray", -50, activation=activation)
    _assert_map_figure(at, "lab.result", _final(expected), "abs")
    if activation == "relu":
        assert _final(expected).min() == 0
    slope_inputs = [w for w in at.number_input if w.key == "lab.slope"]
    assert len(slope_inputs) == (activation == "leaky_relu")


def test_leaky_relu_slope() -> None:
    at = _run("shapes")
    _set(at, "selectbox", "lab.activation", "leaky_relu")
    assert at.number_input(key="lab.slope").value == pytest.approx(0.01)
    _set(at, "number_input", "lab.slope", 0.25)
    expected = _expected(
        _preview("shapes", "gray"), SOBEL_X, "gray", activation="leaky_relu", negative_slope=0.25
    )
    final = _final(expected)
    assert final.min() < 0
    _set(at, "radio", "lab.display", "clip")
    _assert_map_figure(at, "lab.result", final, "clip")


@pytest.mark.parametrize(
    ("pool", "size", "stride", "shape", "rows_formula"),
    [
        ("max", 2, 2, "127 × 127 × 1", "Pooled rows: (254 + 0 + 0 - 2) / 2 + 1 = 127"),
        ("avg", 2, 2, "127 × 127 × 1", "Pooled rows: (254 + 0 + 0 - 2) / 2 + 1 = 127"),
        ("max", 3, 2, "126 × 126 × 1", "Pooled rows: (254 + 0 + 0 - 3) / 2 + 1 = 253/2 → 126"),
        ("avg", 4, 1, "251 × 251 × 1", "Pooled rows: (254 + 0 + 0 - 4) / 1 + 1 = 251"),
    ],
)
def test_each_pooling(pool: str, size: int, stride: int, shape: str, rows_formula: str) -> None:
    at = _run("shapes")
    assert not [w for w in at.number_input if w.key == "lab.pool_size"], "no size without pool"
    _set(at, "button_group", "lab.pool", pool)
    _set(at, "number_input", "lab.pool_size", size)
    _set(at, "number_input", "lab.pool_stride", stride)
    name = "Max" if pool == "max" else "Average"
    assert _shapes(at) == _stage_line(
        "Input: 256 × 256 × 1",
        "Convolution: 254 × 254 × 1",
        "+ bias 0: 254 × 254 × 1",
        f"{name} pooling {size}×{size}, stride {stride}: {shape}",
    )
    formulas = _formulas(at)
    assert formulas[2] == rows_formula
    assert formulas[3] == rows_formula.replace("Pooled rows", "Pooled columns")
    expected = _expected(
        _preview("shapes", "gray"), SOBEL_X, "gray", pool=pool, pool_size=size, pool_stride=stride
    )
    _assert_map_figure(at, "lab.result", _final(expected), "abs")


def test_pool_window_larger_than_the_map_is_a_message() -> None:
    at = _run("digit")
    _upload(at, "small.png", _png(np.arange(16).reshape(4, 4) * 10))
    _set(at, "button_group", "lab.pool", "max")
    _set(at, "number_input", "lab.pool_size", 3)  # the 4x4 image gives a 2x2 map
    errors = _errors(at)
    assert len(errors) == 1 and errors[0].startswith("the output would be empty"), errors
    _no_result(at)


# ======================================================================================
# Display modes


def test_every_display_mode_is_explained_in_one_line() -> None:
    at = _run("digit")
    radio = at.radio(key="lab.display")
    modes = list(cc.DISPLAY_MODES)
    assert radio.options == [translate("en", f"display_mode_names.{m}") for m in modes]
    captions = list(radio.proto.captions)
    assert captions == [translate("en", f"display_modes.{m}") for m in modes]
    assert all(len(c) < 100 and "\n" not in c for c in captions)


@pytest.mark.parametrize("mode", ["clip", "abs", "minmax", "symmetric"])
def test_each_display_mode(mode: str) -> None:
    at = _run("shapes")
    _set(at, "radio", "lab.display", mode)
    expected = _final(_expected(_preview("shapes", "gray"), SOBEL_X, "gray"))
    _assert_map_figure(at, "lab.result", expected, mode)
    heat = _spec(at, "lab.result")["data"][0]
    assert heat["showscale"] is (mode == "symmetric")  # a colour bar for the diverging map
    if mode == "symmetric":
        assert heat["colorscale"][0][1] != heat["colorscale"][-1][1]
        assert "colorbar" in heat


def test_download_follows_the_display_mode(media: list) -> None:
    at = _run("digit")
    _set(at, "radio", "lab.display", "symmetric")
    expected = _final(_expected(_preview("digit", "gray"), SOBEL_X, "gray"))
    np.testing.assert_array_equal(
        _png_pixels(_download(at, media, "lab.download.0")), cc.to_display(expected, "symmetric")
    )


# ======================================================================================
# Padding, stride, dilation


CONV_CASES = {
    "padding 1": (
        [("number_input", "lab.conv.padding", 1)],
        {"padding": 1},
        "Convolution: 256 × 256 × 1",
        "Rows: (256 + 1 + 1 - 3) / 1 + 1 = 256",
    ),
    "same": (
        [("button_group", "lab.conv.padding_kind", "same")],
        {"padding": "same"},
        "Convolution: 256 × 256 × 1",
        "Rows: (256 + 1 + 1 - 3) / 1 + 1 = 256",
    ),
    "full": (
        [("button_group", "lab.conv.padding_kind", "full")],
        {"padding": "full"},
        "Convolution: 258 × 258 × 1",
        "Rows: (256 + 2 + 2 - 3) / 1 + 1 = 258",
    ),
    "split padding": (
        [
            ("toggle", "lab.conv.padding_split", True),
            ("number_input", "lab.conv.padding_rows", 2),
            ("number_input", "lab.conv.padding_cols", 0),
        ],
        {"padding": (2, 0)},
        "Convolution: 258 × 254 × 1",
        "Rows: (256 + 2 + 2 - 3) / 1 + 1 = 258",
    ),
    "stride 2,3": (
        [
            ("number_input", "lab.conv.stride_rows", 2),
            ("number_input", "lab.conv.stride_cols", 3),
        ],
        {"stride": (2, 3)},
        "Convolution: 127 × 85 × 1",
        "Rows: (256 + 0 + 0 - 3) / 2 + 1 = 255/2 → 127",
    ),
    "dilation 2": (
        [
            ("number_input", "lab.conv.dilation_rows", 2),
            ("number_input", "lab.conv.dilation_cols", 2),
        ],
        {"dilation": 2},
        "Convolution: 252 × 252 × 1",
        "Rows: (256 + 0 + 0 - 5) / 1 + 1 = 252",
    ),
    "reflect padding": (
        [
            ("number_input", "lab.conv.padding", 2),
            ("selectbox", "lab.conv.padding_mode", "reflect"),
        ],
        {"padding": 2, "padding_mode": "reflect"},
        "Convolution: 258 × 258 × 1",
        "Rows: (256 + 2 + 2 - 3) / 1 + 1 = 258",
    ),
}


@pytest.mark.parametrize("case", list(CONV_CASES))
def test_padding_stride_dilation(case: str) -> None:
    changes, settings, conv_shape, rows_formula = CONV_CASES[case]
    at = _run("shapes")
    for kind, key, value in changes:
        _set(at, kind, key, value)
    assert _shapes(at).split(" → ")[1] == conv_shape
    assert _formulas(at)[0] == rows_formula
    expected = _final(_expected(_preview("shapes", "gray"), SOBEL_X, "gray", **settings))
    _assert_map_figure(at, "lab.result", expected, "abs")


def test_dilation_too_large_for_the_image_is_a_message() -> None:
    at = _run("digit")
    _upload(at, "ten.png", _png(np.full((10, 10), 128)))
    _set(at, "number_input", "lab.conv.dilation_rows", 4)  # 3x3 spans 9 rows: fits 10
    assert _shapes(at).startswith("Input: 10 × 10 × 1 → Convolution: 2 × 8 × 1")
    _set(at, "selectbox", "lab.kernel.rows", 5)  # 5 rows span 17 > 10
    errors = _errors(at)
    assert len(errors) == 1 and "output would be empty" in errors[0], errors
    _no_result(at)


# ======================================================================================
# Clicking a result pixel


def test_click_shows_the_window_and_the_arithmetic() -> None:
    at = _run("shapes")
    assert not _codes(at)
    assert translate("en", "lab.result.click_hint") in [c.value for c in at.caption]
    _click(at, 100, 37)
    image = _preview("shapes", "gray")
    markdown = [m.value for m in at.markdown]
    assert "**Pixel (row 100, column 37) of filter 1**" in markdown
    assert "**The arithmetic**" in markdown
    np.testing.assert_array_equal(_window_values(at, "lab.window.None.0"), image[100:103, 37:40])
    step = cc.pixel_step(image, _weights(SOBEL_X, "gray"), [0.0], filter_index=0, row=100, col=37)
    assert _codes(at) == [cc.format_step(step)]
    final = _final(_expected(image, SOBEL_X, "gray"))
    assert step.value == pytest.approx(float(final[100, 37]))
    # the click stays on the next run (another setting that keeps the figure)
    _rerun(at)
    assert "**Pixel (row 100, column 37) of filter 1**" in [m.value for m in at.markdown]


def test_click_with_padding_and_stride_maps_to_the_right_window() -> None:
    at = _run("shapes")
    _set(at, "number_input", "lab.conv.padding", 1)
    _set(at, "number_input", "lab.conv.stride_rows", 2)
    _click(at, 0, 0)
    image = _preview("shapes", "gray")
    step = cc.pixel_step(
        image, _weights(SOBEL_X, "gray"), [0.0], filter_index=0, row=0, col=0,
        padding=1, stride=(2, 1),
    )  # fmt: skip
    assert _codes(at) == [cc.format_step(step)]
    window = _window_values(at, "lab.window.None.0")
    assert window[0].tolist() == [0, 0, 0] and window[:, 0].tolist() == [0, 0, 0]  # padding
    np.testing.assert_array_equal(window[1:, 1:], image[0:2, 0:2])
    # dilation 2: every other pixel
    _set(at, "number_input", "lab.conv.dilation_cols", 2)
    _click(at, 30, 40)
    step = cc.pixel_step(
        image, _weights(SOBEL_X, "gray"), [0.0], filter_index=0, row=30, col=40,
        padding=1, stride=(2, 1), dilation=(1, 2),
    )  # fmt: skip
    assert _codes(at) == [cc.format_step(step)]
    np.testing.assert_array_equal(_window_values(at, "lab.window.None.0"), image[59:62, 39:44:2])


def test_click_in_cnn_mode_shows_three_windows() -> None:
    at = _run("chelsea")
    _set(at, "number_input", "lab.kernel.bias", 5.0)
    _set(at, "radio", "lab.color", "cnn")
    _click(at, 40, 60)
    image = _preview("chelsea", "cnn")
    for c in range(3):
        np.testing.assert_array_equal(
            _window_values(at, f"lab.window.None.{c}"), image[40:43, 60:63, c]
        )
    step = cc.pixel_step(
        image, _weights(SOBEL_X, "cnn"), [5.0], filter_index=0, row=40, col=60,
        color_mode="cnn",
    )  # fmt: skip
    assert _codes(at) == [cc.format_step(step, channel_names=["R", "G", "B"])]
    final = _final(_expected(image, SOBEL_X, "cnn", bias=5))
    assert step.value == pytest.approx(float(final[40, 60]), abs=1e-3)


def test_click_in_photo_mode_explains_each_channel() -> None:
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "photo")
    _click(at, 12, 34)
    image = _preview("chelsea", "photo")
    expected = []
    for c in range(3):
        step = cc.pixel_step(
            image, _weights(SOBEL_X, "photo"), [0.0], filter_index=0, row=12, col=34,
            channel=c, color_mode="photo",
        )  # fmt: skip
        expected.append(cc.format_step(step))
        np.testing.assert_array_equal(
            _window_values(at, f"lab.window.{c}.0"), image[12:15, 34:37, c]
        )
    assert _codes(at) == expected
    assert [m.value for m in at.markdown if m.value.startswith("##### channel")] == [
        "##### channel R",
        "##### channel G",
        "##### channel B",
    ]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_click_in_cnn_mode_names_the_channels_r_g_b(lang: str) -> None:
    at = _run("chelsea", lang=lang)
    _set(at, "radio", "lab.color", "cnn")
    _click(at, 40, 60)
    lines = _codes(at)[0].splitlines()
    names = translate(lang, "lab.color.channel_names").split(",")
    assert [line.split(":")[0] for line in lines[:3]] == names, lines
    assert "channel" not in _codes(at)[0]


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_click_on_a_pooled_result_shows_the_pooling_window(pool: str) -> None:
    at = _run("shapes")
    _set(at, "button_group", "lab.pool", pool)
    _click(at, 30, 40)
    image = _preview("shapes", "gray")
    result = _expected(image, SOBEL_X, "gray", pool=pool)
    window, (r, c) = cc.pool_window(
        result.stage("activation").maps, 0, 30, 40, pool=pool, pool_size=2
    )
    np.testing.assert_array_equal(_window_values(at, "lab.pool_window.None"), window)
    assert f"It comes from pixel (row {r}, column {c}) of the map before pooling:" in [
        m.value for m in at.markdown
    ]
    step = cc.pixel_step(image, _weights(SOBEL_X, "gray"), [0.0], filter_index=0, row=r, col=c)
    assert _codes(at) == [cc.format_step(step)]
    if pool == "max":
        assert step.value == pytest.approx(float(_final(result)[30, 40]))


def test_click_outside_the_result_says_so() -> None:
    at = _run("digit")  # 26 x 26 result
    _click(at, 26, 3)
    assert translate("en", "lab.click.outside") in [c.value for c in at.caption]
    assert not _codes(at)


def test_click_photo_max_pool_explains_each_channels_own_maximum() -> None:
    image = _preview("chelsea", "photo")
    result = _expected(image, SOBEL_X, "photo", pool="max")
    before = result.stage("activation").maps
    # a pooled pixel whose R, G and B maxima lie at different places of the window
    row = col = None
    for r in range(40, before.shape[1] // 2):
        wheres = {cc.pool_window(before, 0, r, 50, pool="max", pool_size=2, channel=c)[1]
                  for c in range(3)}  # fmt: skip
        if len(wheres) > 1:
            row, col = r, 50
            break
    assert row is not None
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "photo")
    _set(at, "button_group", "lab.pool", "max")
    _click(at, row, col)
    finals = [float(code.rsplit("=", 1)[1]) for code in _codes(at)]
    np.testing.assert_allclose(finals, _final(result)[row, col], atol=1e-3)


def test_click_with_relu_ends_at_the_pixel_value() -> None:
    at = _run("shapes")
    _set(at, "selectbox", "lab.activation", "relu")
    image = _preview("shapes", "gray")
    bias_stage = _expected(image, SOBEL_X, "gray").stage("bias").maps[0]
    r, c = (int(v) for v in np.argwhere(bias_stage < 0)[0])
    _click(at, r, c)
    text = "\n".join(_codes(at) + [m.value for m in at.markdown])
    assert re.search(r"(ReLU|max)\s*\(.*\)\s*=\s*0\b", text), _codes(at)


# ======================================================================================
# The window sliding over a region (the studio's stepper)


def _region(image: np.ndarray, rows: int = 12, cols: int = 12, **region: float) -> np.ndarray:
    region = {"top": 0.4, "left": 0.4, "zoom": 8} | region
    return image_grid(image, rows, cols, **region)


def test_slide_panel_gray_is_conv_core_on_the_region() -> None:
    at = _run()
    payload = _payload(at)
    trace = payload["trace"]
    grid = _region(_preview("camera", "gray"))
    expected = cc.trace_correlate2d(grid, SOBEL_X)
    np.testing.assert_array_equal(trace["padded"][0], grid)
    np.testing.assert_array_equal(trace["output"][0], expected.output)
    assert trace["n_steps"] == 100
    assert payload["channel_names"] is None and payload["url_param"] is None
    # the bias, padding and stride of the page go into the region's trace too
    _set(at, "number_input", "lab.kernel.bias", 3.0)
    _set(at, "number_input", "lab.conv.padding", 1)
    _set(at, "number_input", "lab.conv.stride_cols", 2)
    trace = _payload(at)["trace"]
    expected = cc.trace_correlate2d(grid, SOBEL_X, (1, 2), 1, bias=3)
    np.testing.assert_array_equal(trace["output"][0], expected.output)
    assert cc.to_compact(expected, digits=9)["sums"] == trace["sums"]


def test_slide_region_controls() -> None:
    at = _run()
    _set(at, "number_input", "lab.slide_rows", 32)
    _set(at, "number_input", "lab.slide_cols", 5)
    _set(at, "slider", "lab.slide_top", 0)
    _set(at, "slider", "lab.slide_left", 90)
    _set(at, "slider", "lab.slide_zoom", 2)
    grid = _region(_preview("camera", "gray"), 32, 5, top=0, left=0.9, zoom=2)
    trace = _payload(at)["trace"]
    np.testing.assert_array_equal(trace["padded"][0], grid)
    assert np.shape(trace["output"][0]) == (30, 3)
    assert at.number_input(key="lab.slide_rows").max == 32  # at most 32 x 32


def test_slide_panel_cnn_steps_through_three_channels() -> None:
    at = _run("chelsea")
    _set(at, "number_input", "lab.kernel.bias", -4.0)
    _set(at, "radio", "lab.color", "cnn")
    payload = _payload(at)
    trace = payload["trace"]
    image = _preview("chelsea", "cnn")
    grids = np.stack([_region(image[:, :, c]) for c in range(3)])
    weight = _weights(SOBEL_X, "cnn")
    expected = cc.trace_conv2d(grids, weight, [-4])
    np.testing.assert_array_equal(trace["padded"], grids)
    np.testing.assert_array_equal(trace["output"], expected.output)
    assert trace["input_shape"][0] == 3
    assert payload["channel_names"] == ["R", "G", "B"]
    # the stepper's arithmetic is the pipeline's on that region
    pipeline = cc.run_pipeline(grids.transpose(1, 2, 0), weight, [-4], color_mode="cnn")
    np.testing.assert_allclose(trace["output"][0], pipeline.stage("bias").maps[0], atol=1e-4)


def test_slide_panel_photo_steps_through_the_chosen_channel() -> None:
    at = _run("chelsea")
    _set(at, "radio", "lab.color", "photo")
    image = _preview("chelsea", "photo")
    assert at.button_group(key="lab.slide_channel").value == 0
    for channel in (0, 1, 2):
        if channel:
            _set(at, "button_group", "lab.slide_channel", channel)
        trace = _payload(at)["trace"]
        grid = _region(image[:, :, channel])
        np.testing.assert_array_equal(trace["padded"][0], grid)
        expected = cc.trace_correlate2d(grid, SOBEL_X).output
        np.testing.assert_array_equal(trace["output"][0], expected)


def test_slide_panel_with_a_kernel_larger_than_the_region_is_a_message() -> None:
    at = _run()
    _set(at, "number_input", "lab.slide_rows", 2)
    errors = _errors(at)
    assert len(errors) == 1 and "output would be empty" in errors[0], errors
    assert not at.get("bidi_component")
    assert _shapes(at) is not None, "the rest of the page stays"


# ======================================================================================
# Downloads and the full-resolution queue


def test_small_image_downloads_at_once(media: list) -> None:
    at = _run("shapes")
    _set(at, "multiselect", "lab.more", ["sobel_y"])
    assert translate("en", "lab.download.preview_small") in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "lab.full_res"]
    buttons = at.get("download_button")
    assert [(b.key, b.label) for b in buttons] == [
        ("lab.download.0", "Result (PNG)"),
        ("lab.download.1", "Feature map 2 (PNG)"),
    ]
    image = _preview("shapes", "gray")
    for i, kernel in enumerate([SOBEL_X, cc.KERNELS["sobel_y"].matrix]):
        pixels = _png_pixels(_download(at, media, f"lab.download.{i}"))
        final = _final(_expected(image, kernel, "gray"))
        assert pixels.shape == final.shape == (254, 254)
        np.testing.assert_array_equal(pixels, cc.to_display(final, "abs"))


BIG_W, BIG_H = 2000, 1500


@pytest.fixture(scope="module")
def big_photo() -> tuple[np.ndarray, bytes]:
    pixels = _photo(BIG_W, BIG_H)
    return pixels, _png(pixels)


def _big(big_photo: tuple[np.ndarray, bytes]) -> AppTest:
    at = _run("digit")
    _upload(at, "big.png", big_photo[1])
    return at


def test_large_upload_preview_is_downscaled(big_photo: tuple[np.ndarray, bytes]) -> None:
    at = _big(big_photo)
    captions = [c.value for c in at.caption]
    assert (
        "Computed on a 640 × 480 copy of your 2000 × 1500 image; download below at full "
        "resolution." in captions
    )
    assert _shapes(at).startswith("Input: 480 × 640 × 1 → Convolution: 478 × 638 × 1")
    # only downscaled images go to the browser
    assert _array(_spec(at, "lab.original")["data"][0]["z"]).shape == (480, 640)
    for key in _chart_keys(at):
        for trace in _spec(at, key)["data"]:
            if "z" in trace:
                assert max(_array(trace["z"]).shape[:2]) <= PREVIEW_SIDE, key
    preview = _working(cc.downscale(big_photo[0].astype(np.float32), PREVIEW_SIDE), "gray")
    _assert_map_figure(at, "lab.result", _final(_expected(preview, SOBEL_X, "gray")), "abs")
    assert not at.get("download_button"), "full resolution only when asked"
    assert at.button(key="lab.full_res").label == "Compute at full resolution"


def test_full_resolution_download_has_the_images_size(
    big_photo: tuple[np.ndarray, bytes], media: list, alerts: list[str]
) -> None:
    at = _big(big_photo)
    _set(at, "number_input", "lab.conv.padding", 1)  # 'same' size
    _set(at, "multiselect", "lab.more", ["box_blur"])
    at.button(key="lab.full_res").click().run()
    assert not at.exception, at.exception
    assert any(a.startswith("Full resolution ready (") for a in alerts), alerts
    assert not any(a.startswith("Waiting for the server") for a in alerts)
    full = big_photo[0].astype(np.float32)
    for i, kernel in enumerate([SOBEL_X, cc.KERNELS["box_blur"].matrix]):
        pixels = _png_pixels(_download(at, media, f"lab.download.{i}"))
        assert pixels.shape == (BIG_H, BIG_W)
        expected = _final(_expected(full, kernel, "gray", padding=1))
        np.testing.assert_array_equal(pixels, cc.to_display(expected, "abs"))
    # the buttons stay on the next run (from the bounded cache), and go when settings change
    _rerun(at)
    assert len(at.get("download_button")) == 2
    _set(at, "number_input", "lab.conv.padding", 0)
    assert not at.get("download_button")


def test_full_resolution_cnn_with_pooling(big_photo: tuple[np.ndarray, bytes], media) -> None:
    at = _big(big_photo)
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "button_group", "lab.pool", "max")
    _set(at, "selectbox", "lab.activation", "relu")
    at.button(key="lab.full_res").click().run()
    assert not at.exception, at.exception
    pixels = _png_pixels(_download(at, media, "lab.download.0"))
    assert pixels.shape == ((BIG_H - 2) // 2, (BIG_W - 2) // 2)


def test_full_resolution_waits_in_the_queue_and_says_so(
    big_photo: tuple[np.ndarray, bytes],
    alerts: list[str],
    busy_server: threading.Event,
    media: list,
) -> None:
    at = _big(big_photo)
    queued_prefix = "Waiting for the server:"

    def release_when_queued() -> None:
        # the page has told its place in the queue: the other jobs finish
        _wait_for(lambda: any(a.startswith(queued_prefix) for a in alerts))
        busy_server.set()

    releaser = threading.Thread(target=release_when_queued, daemon=True)
    releaser.start()
    try:
        at.button(key="lab.full_res").click().run()
    finally:
        busy_server.set()
        releaser.join(10)
    assert not at.exception, at.exception
    queued = [i for i, a in enumerate(alerts) if a.startswith(queued_prefix)]
    ready = [i for i, a in enumerate(alerts) if a.startswith("Full resolution ready")]
    assert len(queued) == 1 and len(ready) == 1 and queued[0] < ready[0], alerts
    assert [a.value for a in at.success] == [alerts[ready[0]]], "the message is replaced"
    assert _png_pixels(_download(at, media, "lab.download.0")).shape == (BIG_H - 2, BIG_W - 2)


def test_full_resolution_queued_message_counts_the_jobs_ahead(
    big_photo: tuple[np.ndarray, bytes],
    alerts: list[str],
    busy_server: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _big(big_photo)
    monkeypatch.setattr(FULL_RES_JOBS, "run", partial(JobLimiter.run, FULL_RES_JOBS, timeout_s=0.2))
    at.button(key="lab.full_res").click().run()
    queued = [a for a in alerts if a.startswith("Waiting for the server:")]
    assert queued == [translate("en", "lab.download.queued", n=2)], queued


def test_full_resolution_when_the_server_stays_busy(
    big_photo: tuple[np.ndarray, bytes],
    alerts: list[str],
    busy_server: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _big(big_photo)
    # The page waits up to 600 s; this test gives up after 0.3 s (same code path).
    monkeypatch.setattr(FULL_RES_JOBS, "run", partial(JobLimiter.run, FULL_RES_JOBS, timeout_s=0.3))
    at.button(key="lab.full_res").click().run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [translate("en", "lab.download.busy")]
    assert translate("en", "lab.download.queued", n=2) in alerts  # both slots taken
    assert not at.get("download_button")
    assert FULL_RES_JOBS.waiting == 0, "the page left the queue"


def test_evicted_full_resolution_is_not_recomputed_outside_the_queue(
    big_photo: tuple[np.ndarray, bytes],
    busy_server: threading.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import streamlit as st

    busy_server.set()  # free the slots for the first, legitimate job
    assert _wait_for(lambda: FULL_RES_JOBS.running == 0, 5)
    at = _big(big_photo)
    at.button(key="lab.full_res").click().run()
    assert len(at.get("download_button")) == 1
    st.cache_data.clear()  # what four other full-resolution jobs would do
    holders_done = threading.Event()
    hold = [
        threading.Thread(target=FULL_RES_JOBS.run, args=(partial(holders_done.wait, 30),))
        for _ in range(FULL_RES_JOBS.slots)
    ]
    for h in hold:
        h.start()
    full_size_runs: list[tuple[int, ...]] = []
    real = cc.run_pipeline

    def spy(image: Any, *args: Any, **kwargs: Any) -> cc.PipelineResult:
        if np.shape(image)[:2] == (BIG_H, BIG_W) and FULL_RES_JOBS.running == 2:
            full_size_runs.append(np.shape(image))
        return real(image, *args, **kwargs)

    monkeypatch.setattr(cc, "run_pipeline", spy)
    try:
        assert _wait_for(lambda: FULL_RES_JOBS.running == 2, 5)
        _click(at, 5, 5)
    finally:
        holders_done.set()
        for h in hold:
            h.join(10)
    assert not full_size_runs, "a full-resolution job ran while both slots were taken"


def test_full_resolution_download_after_a_rerun_and_an_eviction(
    big_photo: tuple[np.ndarray, bytes], media: list
) -> None:
    """A later run's buttons make the PNGs on the click, in the server's thread: from the
    cache, or again (through the queue) when other students' jobs have evicted them."""
    import streamlit as st

    at = _big(big_photo)
    at.button(key="lab.full_res").click().run()
    first = _download(at, media, "lab.download.0")
    _rerun(at)  # e.g. a click on a pixel: the buttons stay
    assert _download(at, media, "lab.download.0") == first
    st.cache_data.clear()  # what four other full-resolution jobs would do
    again = _download(at, media, "lab.download.0")
    assert _png_pixels(again).shape == (BIG_H - 2, BIG_W - 2)
    assert again == first


# ======================================================================================
# Bad inputs (shared/recipes/BAD-INPUTS.md), one by one through the real uploader


def _bad_upload(name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at = _run("digit")  # the smallest sample first: the upload replaces it
    _set(at, "button_group", "lab.image.source", "upload")
    assert translate("en", "image.upload_prompt") in [c.value for c in at.caption]
    return _upload(at, name, data, mime)


def _assert_refused(at: AppTest, message: str) -> None:
    assert not at.exception
    assert _errors(at) == [message]
    _no_result(at)
    assert not at.get("download_button")


def test_text_file_named_png() -> None:
    data = b"Hello, this is a text file renamed photo.png\n"
    at = _bad_upload("photo.png", data)
    _assert_refused(at, _load_error(data))
    assert "not a supported image (JPEG, PNG, WebP, BMP, GIF or TIFF)" in _errors(at)[0]


def test_pdf_bytes() -> None:
    data = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    at = _bad_upload("notes.jpg", data, "image/jpeg")
    _assert_refused(at, _load_error(data))
    assert "looks like PDF" in _errors(at)[0]


def test_zero_byte_file() -> None:
    at = _bad_upload("empty.png", b"")
    _assert_refused(at, _load_error(b""))
    assert "empty (0 bytes)" in _errors(at)[0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file(fmt: str) -> None:
    full = save(noise_image(64, 64), fmt)
    cut = full[: len(full) // 2]
    at = _bad_upload(f"cut.{fmt.lower()}", cut, f"image/{fmt.lower()}")
    _assert_refused(at, _load_error(cut))
    assert "damaged" in _errors(at)[0]


def test_decompression_bomb_png() -> None:
    data = png_1bit(30000, 30000)  # 900 MP in a tiny file
    assert len(data) < 1_000_000
    start = time.perf_counter()
    at = _bad_upload("bomb.png", data)
    assert time.perf_counter() - start < 10
    _assert_refused(at, _load_error(data))
    assert "900,000,000 pixels" in _errors(at)[0]


def test_16_bit_png_is_scaled_not_white() -> None:
    values = (np.linspace(0, 65535, 32 * 32).reshape(32, 32)).astype(np.uint16)
    at = _bad_upload("deep.png", save(Image.fromarray(values), "PNG"))
    assert not _errors(at)
    assert translate("en", "image_notes.rescaled_16bit") in [i.value for i in at.info]
    original = _array(_spec(at, "lab.original")["data"][0]["z"])
    assert original.min() == 0 and original.max() == 255
    assert (original == 255).mean() < 0.01, "not a white image"
    np.testing.assert_allclose(original, np.rint(values / 65535 * 255), atol=1)
    assert _shapes(at).startswith("Input: 32 × 32 × 1")


def test_cmyk_jpeg_works_in_colour() -> None:
    cyan = Image.new("CMYK", (24, 16), (255, 0, 0, 0))
    at = _bad_upload("print.jpg", save(cyan, "JPEG", quality=95), "image/jpeg")
    assert not _errors(at)
    _set(at, "radio", "lab.color", "photo")
    original = _array(_spec(at, "lab.original")["data"][0]["z"])
    assert original.shape == (16, 24, 3)
    np.testing.assert_allclose(original.mean(axis=(0, 1)), [0, 255, 255], atol=3)
    assert _shapes(at).startswith("Input: 16 × 24 × 3 → Convolution: 14 × 22 × 3")


def test_palette_png_with_transparency_is_composited_on_white() -> None:
    im = _palette_image().resize((12, 4), Image.Resampling.NEAREST)  # red, clear, blue
    at = _bad_upload("palette.png", save(im, "PNG", transparency=1))
    assert not _errors(at)
    assert translate("en", "image_notes.alpha_composited") in [i.value for i in at.info]
    _set(at, "radio", "lab.color", "photo")
    original = _array(_spec(at, "lab.original")["data"][0]["z"])
    np.testing.assert_array_equal(original[0, 0], [255, 0, 0])
    np.testing.assert_array_equal(original[0, 6], [255, 255, 255])  # transparent: white
    np.testing.assert_array_equal(original[0, 11], [0, 0, 255])


def test_animated_gif_uses_the_first_frame_with_a_note() -> None:
    first, *rest = _frames([(255, 0, 0), (0, 255, 0), (0, 0, 255)], size=(10, 8))
    data = save(first, "GIF", save_all=True, append_images=rest)
    at = _bad_upload("anim.gif", data, "image/gif")
    assert not _errors(at)
    info = [i.value for i in at.info]
    assert translate("en", "image_notes.animated", format="GIF") in info
    _set(at, "radio", "lab.color", "photo")
    original = _array(_spec(at, "lab.original")["data"][0]["z"])
    np.testing.assert_array_equal(original, np.broadcast_to([255, 0, 0], (8, 10, 3)))


@pytest.mark.parametrize("color", ["gray", "cnn", "photo"])
def test_one_pixel_image_says_the_output_would_be_empty(color: str) -> None:
    at = _bad_upload("dot.png", _png([[200]]))
    if color != "gray":
        _set(at, "radio", "lab.color", color)
    errors = _errors(at)
    assert len(errors) == 1, errors
    assert errors[0].startswith("the output would be empty"), errors
    assert "3" in errors[0] and "1" in errors[0]
    _no_result(at)
    # a 1x1 kernel on it works
    _set(at, "selectbox", "lab.kernel.rows", 1)
    _set(at, "selectbox", "lab.kernel.cols", 1)
    assert not _errors(at)
    assert _shapes(at).split(" → ")[1] == f"Convolution: 1 × 1 × {3 if color == 'photo' else 1}"


def test_kernel_larger_than_the_image() -> None:
    at = _bad_upload("tiny.png", _png(np.arange(16).reshape(4, 4) * 15))
    assert _shapes(at).startswith("Input: 4 × 4 × 1 → Convolution: 2 × 2 × 1")
    _set(at, "selectbox", "lab.kernel.rows", 7)
    _set(at, "selectbox", "lab.kernel.cols", 7)
    errors = _errors(at)
    assert len(errors) == 1, errors
    with pytest.raises(cc.ArgumentError) as info:
        cc.run_pipeline(np.zeros((4, 4)), np.zeros((1, 7, 7)), [0.0])
    assert errors[0] == str(info.value)
    assert "output would be empty" in errors[0]
    _no_result(at)
    # padding makes it possible again
    _set(at, "button_group", "lab.conv.padding_kind", "same")
    assert _shapes(at).startswith("Input: 4 × 4 × 1 → Convolution: 4 × 4 × 1")


def test_a_good_upload_after_a_bad_one() -> None:
    at = _bad_upload("photo.png", b"not an image")
    assert _errors(at)
    _upload(at, "ok.png", _png(np.full((6, 6), 90)))
    assert not _errors(at)
    assert _shapes(at).startswith("Input: 6 × 6 × 1 → Convolution: 4 × 4 × 1")


# ======================================================================================
# Languages


def _proto_strings(message: Any) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in ("id", "form_id", "spec", "json", "js_content", "html_content"):
            continue
        values = value if field.is_repeated else [value]
        if field.type == field.TYPE_STRING:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for v in values:
                yield from _proto_strings(v)


def _texts(node: Any) -> Iterator[str]:
    """Every string the page sends besides figures and the stepper's data: values, labels,
    options, captions, help, tab and expander labels."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield from _proto_strings(proto)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _texts(child)


def _figure_texts(at: AppTest, skip: tuple[str, ...] = ()) -> list[str]:
    """Titles and hover words of every figure (but those keyed in ``skip``)."""
    out = []
    for chart in at.get("plotly_chart"):
        if chart.key in skip:
            continue
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title")
        if isinstance(title, dict):
            out.append(title.get("text", ""))
        out += [d.get("hovertemplate", "") for d in spec["data"]]
    return out


_ALL_KEYS = frozenset(load_strings("en"))
_PLACEHOLDER = re.compile(r"(?<!%)\{[a-z_]+\}")


def _assert_translated(at: AppTest, lang: str) -> list[str]:
    """No exception, no raw dotted key, no unfilled ``{placeholder}``, and in Korean no
    English string that has a different Korean translation (figures included)."""
    assert not at.exception, at.exception
    texts = [s for s in _texts(at._tree) if s] + _figure_texts(at)
    assert texts
    raw = [s for s in texts if any(key in s for key in _ALL_KEYS if key.startswith("lab."))]
    assert not raw, f"raw translation keys on screen: {raw}"
    unfilled = [s for s in texts if _PLACEHOLDER.search(s)]
    assert not unfilled, f"unfilled placeholders: {unfilled}"
    if lang != "en":
        english, local = load_strings("en"), load_strings(lang)
        english_only = {v for k, v in english.items() if local.get(k) != v and len(v) > 3}
        leaked = [s for s in texts if s in english_only]
        assert not leaked, f"English strings in the {lang} page: {leaked}"
        # (the original image's hover: see test_korean_hover_on_the_original_image)
        hovers = _figure_texts(at, skip=("lab.original",))
        english_words = [s for s in hovers if re.search(r"\b(row|col|value)\b", s)]
        assert not english_words, english_words
    return texts


def _open_app(lang: str) -> AppTest:
    """The whole app (frame with the sidebar language switch), on the lab page."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.switch_page(str(APP_ROOT / "pages" / "lab.py")).run()
    assert not at.exception, at.exception
    return at


def test_whole_app_opens_the_lab_in_korean() -> None:
    at = _open_app("ko")
    assert at.title[0].value == translate("ko", "lab.title")
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "button_group", "lab.pool", "max")
    _set(at, "multiselect", "lab.more", ["sobel_y"])
    texts = _assert_translated(at, "ko")
    shape = translate("ko", "lab.result.stage_input", shape="512 × 512 × 3")
    assert any(s.startswith(f"**{shape}**") for s in texts), "Korean shapes line"
    assert translate("ko", "lab.filters.depth", n=2) in texts
    assert translate("ko", "lab.result.channels_header") in texts
    _click(at, 3, 4)
    texts = _assert_translated(at, "ko")
    assert f"**{translate('ko', 'lab.click.arithmetic')}**" in texts


def test_whole_app_language_switch_and_leaving_the_lab_keep_the_settings() -> None:
    at = _open_app("en")
    _set(at, "radio", "lab.color", "cnn")
    _set(at, "button_group", "lab.pool", "avg")
    _set(at, "multiselect", "lab.more", ["sobel_y"])
    _set(at, "radio", "lab.display", "symmetric")
    before = _shapes(at)
    at.sidebar.button_group(key=LANG_KEY).set_value("ko").run()
    assert not at.exception, at.exception
    _assert_translated(at, "ko")
    assert at.radio(key="lab.color").value == "cnn"
    assert at.radio(key="lab.display").value == "symmetric"
    assert at.multiselect(key="lab.more").value == ["sobel_y"]
    assert translate("ko", "lab.filters.depth", n=2) in [m.value for m in at.markdown]
    at.switch_page(str(APP_ROOT / "pages" / "home.py")).run()
    assert not at.exception, at.exception
    at.switch_page(str(APP_ROOT / "pages" / "lab.py")).run()
    assert not at.exception, at.exception
    at.sidebar.button_group(key=LANG_KEY).set_value("en").run()
    assert not at.exception, at.exception
    assert at.button_group(key="lab.pool").value == "avg"
    assert _shapes(at) == before


def test_whole_app_korean_error_for_a_bad_upload_and_an_empty_output() -> None:
    at = _open_app("ko")
    _set(at, "button_group", "lab.image.source", "upload")
    _upload(at, "x.png", b"not an image")
    assert _errors(at) and not _errors(at)[0].startswith("not a supported image")
    _assert_translated(at, "ko")
    _upload(at, "dot.png", _png([[7]]))
    errors = _errors(at)
    assert len(errors) == 1 and errors[0].startswith("출력이 비게 됩니다"), errors
    _assert_translated(at, "ko")


def test_korean_page_alone_with_everything_open() -> None:
    at = _run("chelsea", lang="ko")
    _set(at, "radio", "lab.color", "photo")
    _set(at, "selectbox", "lab.activation", "leaky_relu")
    _set(at, "radio", "lab.display", "symmetric")
    texts = _assert_translated(at, "ko")
    assert translate("ko", "display_modes.symmetric") in texts


def test_korean_hover_on_the_original_image() -> None:
    at = _run("digit", lang="ko")
    hover = _spec(at, "lab.original")["data"][0]["hovertemplate"]
    for word in ("row", "col", "value"):
        assert translate("ko", f"figures.{word}") in hover, hover
