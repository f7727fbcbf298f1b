"""AppTest of the MNIST page (pages/mnist.py): every number it draws is conv_core.tinyvgg's.

The overview's 101 maps equal the forward pass of the digit shown; the chosen map's
explanation (input maps, kernels, intermediate maps, their sum plus the bias) adds up to
it; the stepper's window is that map's; ReLU, pooling, flatten, dense and softmax show the
forward pass's numbers. Inputs: test digits, a drawing (the component's report simulated),
uploads good and bad. Both languages.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from conv_core import tinyvgg as tv
from conv_core.image_io import load_image
from conv_core.mnist import load_mnist, mnist_preprocess, photo_to_mnist
from tests.app.apptest_helpers import (
    assert_translated,
    component_payload,
    open_page,
    page_text,
    plotly_spec,
    rerun,
    stepper_payload,
)
from tests.app.apptest_helpers import set_widget as _set
from ui.components.draw_grid import COMPONENT_NAME as DRAW_GRID
from ui.components.draw_grid import encode_bitmap
from ui.teaching.mnist_models import MAP_LAYERS, output_window, top_examples

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "mnist.py"
P = "mnist"
SPLIT = load_mnist()
MODEL = tv.load_tinyvgg()
FIRST_SEVEN = int(np.flatnonzero(SPLIT.test_labels == 7)[0])


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    return open_page(PAGE, lang=lang, state=state, timeout=120)


def _z(trace: dict[str, Any]) -> np.ndarray:
    z = trace["z"]
    if isinstance(z, dict):
        raw = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return raw.reshape([int(n) for n in str(z["shape"]).split(",")])
    return np.asarray(z, dtype=np.float64)


def _heatmaps(at: AppTest, key: str) -> list[np.ndarray]:
    spec = plotly_spec(at, key)
    assert spec is not None, key
    return [_z(tr) for tr in spec["data"] if tr["type"] == "heatmap"]


def _says(at: AppTest) -> int:
    found = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert len(found) == 1, found
    return int(found[0].split("**")[1])


def _check_overview(at: AppTest, digit: np.ndarray) -> tv.TinyVGGForward:
    """The digit read, the answer and every map of the overview equal conv_core's forward."""
    fwd = tv.forward(MODEL, digit)
    np.testing.assert_array_equal(_heatmaps(at, f"{P}.digit")[0], digit)
    assert _says(at) == fwd.prediction
    maps = _heatmaps(at, f"{P}.chart")
    expected = [m for name in MAP_LAYERS for m in fwd.layers[name]]
    assert len(maps) == len(expected) == 1 + 10 * 10
    for got, want in zip(maps, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    return fwd


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_default_test_seven_whole_network(lang: str) -> None:
    at = _run(lang)
    assert not at.error
    assert_translated(at, "mnist")
    assert at.number_input(key=f"{P}.sample").value == FIRST_SEVEN
    fwd = _check_overview(at, SPLIT.test_images[FIRST_SEVEN])
    assert _says(at) == 7 and at.success
    meta = tv.load_tinyvgg_meta()
    text = page_text(at)
    assert "98.2%" in text and f"{meta['training_seconds']:.0f}" in text
    assert "26×26×10" in text and "4×4×10" in text and "4,440" in text
    # the softmax table is the forward pass's
    (table,) = [d.value for d in at.dataframe if len(d.value.columns) == 4]
    np.testing.assert_allclose(table.iloc[:, 1], np.round(fwd.layers["output"], 3))
    flat = _heatmaps(at, f"{P}.flat")[0][0]
    np.testing.assert_allclose(flat, fwd.layers["flatten"])


def test_pick_a_test_digit() -> None:
    at = _run()
    _set(at, "number_input", f"{P}.sample", 123)
    _check_overview(at, SPLIT.test_images[123])


def test_conv_explanation_adds_up_and_steps_the_chosen_pixel() -> None:
    at = _run(state={f"{P}.layer": "conv_2_1", f"{P}.map": 3, f"{P}.row": 9, f"{P}.col": 0})
    fwd = tv.forward(MODEL, SPLIT.test_images[FIRST_SEVEN])
    parts = _heatmaps(at, f"{P}.parts")
    inputs, kernels, partials = parts[:10], parts[10:20], parts[20:30]
    for k in range(10):
        np.testing.assert_allclose(inputs[k], fwd.layers["max_pool_1"][k])
        np.testing.assert_allclose(kernels[k], MODEL.conv_weights[2][2, k])
    total, out = _heatmaps(at, f"{P}.sum")
    np.testing.assert_allclose(sum(partials), total)
    np.testing.assert_allclose(total + MODEL.conv_biases[2][2], out, atol=1e-12)
    np.testing.assert_allclose(out, fwd.layers["conv_2_1"][2], atol=1e-12)
    # the stepper: the 6x6 block of the map around (9, 0), starting at that pixel
    trace = stepper_payload(at)["trace"]
    top, left, bh, bw = output_window((10, 10), 9, 0)
    want = fwd.layers["conv_2_1"][2][top : top + bh, left : left + bw]
    np.testing.assert_allclose(np.asarray(trace["output"], float).reshape(bh, bw), want, atol=1e-6)
    assert at.session_state[f"{P}.step"] == (9 - top) * bw + (0 - left)
    assert f"= **{fwd.layers['conv_2_1'][2][9, 0]:.3f}**" in page_text(at)


def test_pool_map_is_stepped_at_the_chosen_pixel() -> None:
    """A click on the overview sets these two keys (the chart's on_select callback)."""
    at = _run(state={f"{P}.layer": "max_pool_2", f"{P}.map": 5})
    assert at.selectbox(key=f"{P}.layer").value == "max_pool_2"
    fwd = tv.forward(MODEL, SPLIT.test_images[FIRST_SEVEN])
    assert stepper_payload(at) is not None
    assert "max(" in page_text(at)
    r, c = at.number_input(key=f"{P}.row").value, at.number_input(key=f"{P}.col").value
    assert f"**{fwd.layers['max_pool_2'][4][r, c]:.3f}**" in page_text(at)


def test_relu_view() -> None:
    at = _run(state={f"{P}.layer": "relu_1_1", f"{P}.map": 2, f"{P}.row": 5, f"{P}.col": 7})
    fwd = tv.forward(MODEL, SPLIT.test_images[FIRST_SEVEN])
    before, after = _heatmaps(at, f"{P}.relu")
    np.testing.assert_allclose(before, fwd.layers["conv_1_1"][1])
    np.testing.assert_allclose(after, np.maximum(before, 0))
    assert stepper_payload(at) is None


def _stroke_one() -> np.ndarray:
    bitmap = np.zeros((28, 28), bool)
    bitmap[3:12, 20:22] = True  # a small "1" in a corner
    return bitmap


def _draw(at: AppTest, bitmap: np.ndarray) -> AppTest:
    payload = component_payload(at, DRAW_GRID)
    assert payload is not None
    at.session_state[f"{P}.draw"] = {
        "bitmap": {"bits": encode_bitmap(bitmap), "token": payload["token"]}
    }
    return rerun(at)


def test_drawing_is_preprocessed_as_mnist_and_predicted() -> None:
    at = _run(state={f"{P}.source": "draw"})
    assert any("empty" in i.value for i in at.info)
    bitmap = _stroke_one()
    _draw(at, bitmap)
    assert not any("empty" in i.value for i in at.info)
    digit = mnist_preprocess(bitmap)
    _check_overview(at, digit)
    assert _says(at) == 1


def _photo(dark_on_light: bool = True) -> bytes:
    ink, paper = (30, 240) if dark_on_light else (240, 30)
    img = Image.new("L", (200, 240), paper)
    ImageDraw.Draw(img).line([(50, 50), (150, 50), (90, 200)], fill=ink, width=18)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    _set(at, "button_group", f"{P}.source", "upload")
    at.file_uploader(key=f"{P}.image.upload").upload(name, data, mime)
    return rerun(at)


def test_uploaded_photo_of_a_seven() -> None:
    at = _run()
    data = _photo()
    _upload(at, "seven.png", data)
    assert not at.error
    digit = photo_to_mnist(load_image(data, as_gray=True))
    _check_overview(at, digit)
    assert _says(at) == 7


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_bad_upload_gets_a_message(lang: str) -> None:
    at = _run(lang)
    _upload(at, "notes.png", b"not an image at all")
    assert at.error, "a clear message"
    assert plotly_spec(at, f"{P}.chart") is None
    assert not any(m.value.startswith("### ") for m in at.markdown)


def test_features_show_each_filters_strongest_digits() -> None:
    at = _run()
    digits = _heatmaps(at, f"{P}.feat_digits")
    patches = _heatmaps(at, f"{P}.feat_patches")
    assert len(digits) == len(patches) == 10 * 6
    assert all(p.shape == (5, 5) for p in patches)
    _set(at, "button_group", f"{P}.block", 2)
    patches = _heatmaps(at, f"{P}.feat_patches")
    assert all(p.shape == (14, 14) for p in patches)
    # each patch is a piece of its digit, and the filter fires there most
    ex = top_examples("relu_2_2")[0]
    d = tv.forward(MODEL, SPLIT.train_images[ex.indices[0]]).layers["relu_2_2"][0]
    assert d.max() == pytest.approx(ex.values[0])
    t0, l0, h, w = ex.boxes[0]
    np.testing.assert_array_equal(
        ex.patches[0], SPLIT.train_images[ex.indices[0]][t0 : t0 + h, l0 : l0 + w]
    )


def test_the_two_digit_pages_link_to_each_other() -> None:
    assert "](/tiny_cnn)" in page_text(_run())
    other = open_page(ROOT / "pages" / "tiny_cnn.py", timeout=120)
    assert "](/mnist)" in page_text(other)


# ----------------------------------------------------------------------------- your own network


def test_own_network_needs_layers_then_trains() -> None:
    at = _run()
    assert any("No network built yet" in i.value for i in at.info)
    at.button(key=f"{P}.own.tinyvgg").click()
    rerun(at)
    assert "Your network: input 28×28×1" in page_text(at)
    # a small stack instead, as the Network page would have checked it, trained for 1 epoch
    from conv_core.networks import Dense, Flatten, Input, MaxPool2d, network_to_records

    records = network_to_records([Input((28, 28, 1)), MaxPool2d(2), Flatten(), Dense(10)])
    at.session_state["network.built"] = records
    at.session_state[f"{P}.t_epochs"] = 1
    rerun(at)
    at.button(key=f"{P}.own.train").click()
    rerun(at)
    mine = at.session_state[f"{P}.mine"]
    assert mine["records"] == records and mine["accuracy"] > 0.5
    assert any("Your network gets" in s.value for s in at.success)
    assert "Your network says **" in page_text(at)


def test_own_network_refused_layers_are_named() -> None:
    from conv_core.networks import Conv2d, Dense, Flatten, Input, network_to_records

    records = network_to_records([Input((28, 28, 1)), Conv2d(4, 3, stride=2), Flatten(), Dense(10)])
    at = _run("ko", state={"network.built": records})
    assert at.error and "conv2d" in at.error[0].value
    assert_translated(at, "mnist")


def test_lenet5_starts_from_its_32x32_layers_and_trains_with_average_pooling() -> None:
    """The LeNet-5 button loads the Network page's LeNet-5 (32×32×1, 61,706 parameters); an
    average-pooling stack trains too."""
    at = _run()
    at.button(key=f"{P}.own.lenet5").click()
    rerun(at)
    text = page_text(at)
    assert "Your network: input 32×32×1" in text and "61,706" in text
    assert not at.error
    from conv_core.networks import AvgPool2d, Dense, Flatten, Input, network_to_records

    records = network_to_records([Input((28, 28, 1)), AvgPool2d(2), Flatten(), Dense(10)])
    at.session_state["network.built"] = records
    at.session_state[f"{P}.t_epochs"] = 1
    rerun(at)
    at.button(key=f"{P}.own.train").click()
    rerun(at)
    assert at.session_state[f"{P}.mine"]["accuracy"] > 0.5
