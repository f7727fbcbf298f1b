"""AppTest of the Tiny CNN page (pages/tiny_cnn.py).

Everything the page shows is checked against conv_core.nn on the same input: the answer
and its probabilities (conv_core.forward of the shipped weights), every stage of the
stages figure, the stepper's trace (conv_core.trace_correlate2d of one filter), the
hand-designed comparison, the parameter counts, and a network trained through the Train
button (conv_core.train with the same settings). Inputs: test images, a drawing (the
browser's report simulated as the drawing component's state), uploads good and bad.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

import conv_core as cc
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

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "tiny_cnn.py"
P = "tiny_cnn"
DIGITS = cc.load_digits()
SHIPPED, SHIPPED_INIT = cc.load_pretrained()
FIRST_SEVEN = int(np.flatnonzero(DIGITS.test_labels == 7)[0])


def _run(lang: str = "en", state: dict[str, Any] | None = None) -> AppTest:
    return open_page(PAGE, lang=lang, state=state, timeout=90)


def _z(spec: dict[str, Any], i: int) -> np.ndarray:
    """Trace i's z as an array (plotly may ship it as base64 'bdata')."""
    z = spec["data"][i]["z"]
    if isinstance(z, dict):
        import base64

        raw = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        shape = [int(n) for n in str(z.get("shape", len(raw))).split(",")]
        return raw.reshape(shape)
    return np.asarray(z, dtype=np.float64)


def _heatmaps(spec: dict[str, Any]) -> list[np.ndarray]:
    return [_z(spec, i) for i, tr in enumerate(spec["data"]) if tr["type"] == "heatmap"]


def _bar_values(spec: dict[str, Any]) -> np.ndarray:
    y = spec["data"][0]["x"]  # horizontal bars: the values run along x
    if isinstance(y, dict):
        import base64

        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=np.float64)


def _params(at: AppTest) -> Any:
    """The parameter-count table (the one whose first column is "Layer")."""
    found = [d.value for d in at.dataframe if d.value.columns[0] in ("Layer", "층")]
    assert len(found) == 1
    return found[0]


def _says(at: AppTest) -> int:
    """The digit in "The network says **d**"."""
    found = [m.value for m in at.markdown if "**" in m.value and m.value.startswith("### ")]
    assert len(found) == 1, found
    return int(found[0].split("**")[1])


def _check_network_view(at: AppTest, model: cc.TinyCNN, counts: np.ndarray) -> None:
    """Every number the page draws equals conv_core's forward pass of ``counts``."""
    fwd = cc.forward(model, counts)
    n = model.n_filters
    np.testing.assert_array_equal(_heatmaps(plotly_spec(at, f"{P}.counts"))[0], counts)
    assert _says(at) == int(np.argmax(fwd.probs))
    np.testing.assert_allclose(_bar_values(plotly_spec(at, f"{P}.probs")), 100 * fwd.probs)
    maps = _heatmaps(plotly_spec(at, f"{P}.chart"))
    assert len(maps) == 4 * n
    for f in range(n):
        np.testing.assert_allclose(maps[f], model.conv_weight[f, 0])
        np.testing.assert_allclose(maps[n + f], fwd.conv[f])
        np.testing.assert_allclose(maps[2 * n + f], fwd.relu[f])
        np.testing.assert_allclose(maps[3 * n + f], fwd.pool[f])
    np.testing.assert_allclose(_heatmaps(plotly_spec(at, f"{P}.flat"))[0][0], fwd.flat)
    np.testing.assert_allclose(_bar_values(plotly_spec(at, f"{P}.scores")), fwd.scores)


# ----------------------------------------------------------------------------- default view


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_default_is_a_test_seven_called_seven_with_every_stage(lang: str) -> None:
    at = _run(lang)
    assert not at.error
    assert_translated(at, "tiny_cnn")
    assert at.number_input(key=f"{P}.sample").value == FIRST_SEVEN
    counts = DIGITS.test_images[FIRST_SEVEN]
    _check_network_view(at, SHIPPED, counts)
    assert _says(at) == 7
    assert at.success, "the right answer is confirmed"
    acc = cc.accuracy(SHIPPED, DIGITS.test_images, DIGITS.test_labels)
    right = round(acc * len(DIGITS.test_labels))
    assert f"({right} " in page_text(at) or f"{right}개" in page_text(at)


def test_stepper_steps_filter_one_over_the_digit_by_default() -> None:
    at = _run()
    payload = stepper_payload(at)
    assert payload is not None
    counts = DIGITS.test_images[FIRST_SEVEN]
    trace = cc.trace_correlate2d(
        counts, SHIPPED.conv_weight[0, 0], padding=1, bias=float(SHIPPED.conv_bias[0])
    )
    assert payload["trace"]["output"] == cc.to_compact(trace, digits=9)["output"]
    fwd = cc.forward(SHIPPED, counts)
    np.testing.assert_allclose(
        np.asarray(payload["trace"]["output"]).reshape(8, 8), fwd.conv[0], atol=1e-6
    )


def test_choosing_a_filter_steps_through_that_filter() -> None:
    at = _run()
    _set(at, "button_group", f"{P}.filter", 3)
    payload = stepper_payload(at)
    fwd = cc.forward(SHIPPED, DIGITS.test_images[FIRST_SEVEN])
    np.testing.assert_allclose(
        np.asarray(payload["trace"]["output"]).reshape(8, 8), fwd.conv[2], atol=1e-6
    )
    spec = plotly_spec(at, f"{P}.chart")
    assert len(spec["layout"]["shapes"]) == 1  # the chosen filter's column is outlined
    assert "<b>Filter 3</b>" in [a["text"] for a in spec["layout"]["annotations"]]
    assert any("filter 3" in s.value.lower() for s in at.subheader)


def test_other_test_images_and_a_wrong_answer_is_said_so() -> None:
    at = _run()
    probs = cc.predict_proba(SHIPPED, DIGITS.test_images)
    wrong = int(np.flatnonzero(np.argmax(probs, axis=1) != DIGITS.test_labels)[0])
    _set(at, "number_input", f"{P}.sample", wrong)
    _check_network_view(at, SHIPPED, DIGITS.test_images[wrong])
    assert at.warning and str(DIGITS.test_labels[wrong]) in at.warning[0].value
    at.button(key=f"{P}.random").click()
    rerun(at)
    index = at.number_input(key=f"{P}.sample").value
    _check_network_view(at, SHIPPED, DIGITS.test_images[index])


def test_hand_designed_filters_beside_the_closest_learned_ones() -> None:
    at = _run()
    counts = DIGITS.test_images[FIRST_SEVEN]
    spec = plotly_spec(at, f"{P}.compare")
    maps = _heatmaps(spec)
    kernels = [cc.get_kernel(n).matrix for n in ("sobel_x", "sobel_y", "laplacian_4", "box_blur")]
    fwd = cc.forward(SHIPPED, counts)
    for i, k in enumerate(kernels):
        np.testing.assert_allclose(maps[i], k)
        np.testing.assert_allclose(maps[4 + i], cc.correlate2d(counts, k, padding=1))
        # the learned filter shown under it is the most similar one, with its own map
        learned = SHIPPED.conv_weight[:, 0].reshape(SHIPPED.n_filters, -1)
        kv = np.asarray(k, float).ravel()
        sims = learned @ kv / (np.linalg.norm(learned, axis=1) * np.linalg.norm(kv))
        best = int(np.argmax(sims))
        np.testing.assert_allclose(maps[8 + i], SHIPPED.conv_weight[best, 0])
        np.testing.assert_allclose(maps[12 + i], fwd.conv[best])


def test_filters_at_initialisation_beside_the_trained_ones() -> None:
    at = _run()
    maps = _heatmaps(plotly_spec(at, f"{P}.before_after"))
    n = SHIPPED.n_filters
    for f in range(n):
        np.testing.assert_allclose(maps[f], SHIPPED_INIT.conv_weight[f, 0])
        np.testing.assert_allclose(maps[n + f], SHIPPED.conv_weight[f, 0])
        np.testing.assert_allclose(
            maps[2 * n + f], SHIPPED.conv_weight[f, 0] - SHIPPED_INIT.conv_weight[f, 0]
        )


def test_parameter_counts_beside_a_dense_layer() -> None:
    at = _run()
    frame = _params(at)
    cnn, dense = frame.iloc[:, 1].tolist(), frame.iloc[:, 2].tolist()
    conv = cc.conv_param_count(3, 1, 8)
    fc = cc.dense_param_count(128, 10)
    assert conv == 80 and fc == 1290
    assert cnn == ["80", "0", "0", "1,290", "1,370"]
    assert dense == ["33,280", "0", "0", "1,290", "34,570"]
    assert sum(w + b for _, w, b in SHIPPED.param_counts()) == 1370
    assert "416" in page_text(at)


# ----------------------------------------------------------------------------- drawing


def _seven_bitmap() -> np.ndarray:
    bitmap = np.zeros((32, 32), bool)
    bitmap[8:11, 10:24] = True  # the bar, drawn small and off-centre
    for r in range(11, 28):
        c = 23 - (r - 11) // 2
        bitmap[r, c - 1 : c + 2] = True
    return bitmap


def _draw(at: AppTest, bitmap: np.ndarray) -> AppTest:
    payload = component_payload(at, DRAW_GRID)
    assert payload is not None
    at.session_state[f"{P}.draw"] = {
        "bitmap": {"bits": encode_bitmap(bitmap), "token": payload["token"]}
    }
    return rerun(at)


def test_drawing_starts_empty_and_says_so() -> None:
    at = _run(state={f"{P}.source": "draw"})
    assert not at.error
    assert at.info and "empty" in at.info[0].value
    np.testing.assert_array_equal(_heatmaps(plotly_spec(at, f"{P}.counts"))[0], np.zeros((8, 8)))


def test_a_drawn_seven_is_centred_counted_and_called_seven() -> None:
    at = _run(state={f"{P}.source": "draw"})
    bitmap = _seven_bitmap()
    _draw(at, bitmap)
    assert not at.info
    counts = cc.bitmap_to_counts(cc.normalise_bitmap(bitmap))
    _check_network_view(at, SHIPPED, counts)
    assert _says(at) == 7
    # without centring the network reads the raw blocks
    _set(at, "toggle", f"{P}.centre", False)
    _check_network_view(at, SHIPPED, cc.bitmap_to_counts(bitmap))
    # the stepper goes over what the network reads
    payload = stepper_payload(at)
    padded = np.asarray(payload["trace"]["padded"], dtype=float).reshape(10, 10)
    np.testing.assert_array_equal(padded[1:-1, 1:-1], cc.bitmap_to_counts(bitmap))


# ----------------------------------------------------------------------------- uploads


def _photo_of_a_seven(dark_on_light: bool = True) -> bytes:
    ink, paper = (30, 240) if dark_on_light else (240, 30)
    img = Image.new("L", (200, 240), paper)
    draw = ImageDraw.Draw(img)
    draw.line([(50, 50), (150, 50), (90, 200)], fill=ink, width=18)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    if at.button_group(key=f"{P}.source").value != "upload":
        _set(at, "button_group", f"{P}.source", "upload")
    at.file_uploader(key=f"{P}.image.upload").upload(name, data, mime)
    return rerun(at)


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_an_uploaded_photo_of_a_seven_is_read_like_a_drawing(dark_on_light: bool) -> None:
    at = _run()
    data = _photo_of_a_seven(dark_on_light)
    _upload(at, "seven.png", data)
    assert not at.error
    counts = cc.image_to_digit(cc.load_image(data, as_gray=True))
    _check_network_view(at, SHIPPED, counts)
    assert _says(at) == 7


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        # The browser's file picker filters by extension; a renamed file gets through.
        ("notes.png", b"not an image at all", "image/png"),
        ("empty.png", b"", "image/png"),
        ("cut.png", _photo_of_a_seven()[:60], "image/png"),
    ],
)
def test_a_bad_upload_gets_a_message_not_a_traceback(name: str, data: bytes, mime: str) -> None:
    at = _run()
    _upload(at, name, data, mime)
    assert at.error, "a clear message"
    assert plotly_spec(at, f"{P}.chart") is None  # no network view for no input
    assert not any(m.value.startswith("### ") for m in at.markdown)  # no answer for no input


def test_a_blank_photo_is_said_to_have_no_digit() -> None:
    img = Image.new("L", (64, 64), 200)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    at = _run()
    _upload(at, "blank.png", buf.getvalue())
    assert at.warning and "No digit" in at.warning[0].value


# ----------------------------------------------------------------------------- training


def test_training_four_filters_for_one_epoch_replaces_the_network() -> None:
    at = _run()
    _set(at, "slider", f"{P}.t_filters", 4)
    _set(at, "slider", f"{P}.t_epochs", 1)
    at.button(key=f"{P}.train").click()
    rerun(at)
    mine = at.session_state[f"{P}.mine"]
    expected, history = cc.train(cc.init_tiny_cnn(4, seed=0), DIGITS, epochs=1, lr=0.03, seed=0)
    np.testing.assert_allclose(mine.model.conv_weight, expected.conv_weight)
    np.testing.assert_allclose(mine.model.fc_weight, expected.fc_weight)
    assert mine.test_accuracy == pytest.approx(history[-1].test_accuracy)
    assert at.button_group(key=f"{P}.model").value == "mine"
    _check_network_view(at, mine.model, DIGITS.test_images[FIRST_SEVEN])
    assert len(plotly_spec(at, f"{P}.before_after")["data"]) == 12  # init, trained, change
    spec = plotly_spec(at, f"{P}.history_chart")
    assert spec is not None and spec["data"][0]["name"] == "loss"
    frame = _params(at)
    assert frame.iloc[0, 1] == "40"  # 4 x 9 weights + 4 biases
    # back and forth between the two networks
    _set(at, "button_group", f"{P}.model", "shipped")
    _check_network_view(at, SHIPPED, DIGITS.test_images[FIRST_SEVEN])
    at.button(key=f"{P}.forget").click()
    rerun(at)
    assert f"{P}.mine" not in at.session_state
    assert all(b.key != f"{P}.model" for b in at.button_group)


def test_silent_filters_are_pointed_out() -> None:
    """A large learning rate kills filters; the page names them (conv_core.silent_filters)."""
    at = _run()
    _set(at, "slider", f"{P}.t_epochs", 2)
    _set(at, "select_slider", f"{P}.t_lr", 0.3)
    at.button(key=f"{P}.train").click()
    rerun(at)
    mine = at.session_state[f"{P}.mine"]
    silent = cc.silent_filters(mine.model, DIGITS.test_images)
    assert silent.size > 0, "this setting is expected to kill a filter"
    assert mine.silent == tuple(silent.tolist())
    assert at.warning and ", ".join(str(f + 1) for f in silent) in at.warning[-1].value


def test_korean_training_run_and_whole_page() -> None:
    at = _run("ko")
    _set(at, "slider", f"{P}.t_epochs", 1)
    at.button(key=f"{P}.train").click()
    rerun(at)
    assert_translated(at, "tiny_cnn")
    assert "학습" in page_text(at)


def test_training_again_while_your_network_is_shown() -> None:
    """The weights control is drawn once a network was trained; a second run must not crash."""
    at = _run()
    _set(at, "slider", f"{P}.t_epochs", 1)
    at.button(key=f"{P}.train").click()
    rerun(at)
    _set(at, "slider", f"{P}.t_filters", 4)
    at.button(key=f"{P}.train").click()
    rerun(at)
    assert at.session_state[f"{P}.mine"].model.n_filters == 4
    assert at.button_group(key=f"{P}.model").value == "mine"
    # and again after going back to the shipped weights
    _set(at, "button_group", f"{P}.model", "shipped")
    at.button(key=f"{P}.train").click()
    rerun(at)
    assert at.button_group(key=f"{P}.model").value == "mine"
