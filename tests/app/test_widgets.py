"""AppTest of the shared widgets, each on a one-widget page built with AppTest.from_function.

The page stores what the widget returned in ``st.session_state["out"]``, so a test reads
the KernelChoice / ConvSettings / ImagePick directly.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import conv_core as cc
from ui.frame.i18n import LANG_KEY

TIMEOUT = 30


def kernel_page(default="identity", show=True):
    import streamlit as st

    from ui.widgets import kernel_editor

    if st.session_state.get("show", show):
        st.session_state["out"] = kernel_editor("t", default=default)


def conv_page(default=None):
    import streamlit as st

    from ui.widgets import ConvSettings, conv_controls

    if st.session_state.get("show", True):
        st.session_state["out"] = conv_controls("t", default=default or ConvSettings())


def image_page(as_gray=False, max_side=1024, default_sample="camera"):
    import streamlit as st

    from ui.widgets import image_picker

    if st.session_state.get("show", True):
        st.session_state["out"] = image_picker(
            "t", as_gray=as_gray, max_side=max_side, default_sample=default_sample
        )


def _run(page, lang="en", **kwargs) -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT, kwargs=kwargs)
    at.session_state[LANG_KEY] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _grid_key(at: AppTest) -> str:
    return f"t.kernel.grid.v{at.session_state['t.kernel.version']}"


def _edit(at: AppTest, edits: dict) -> AppTest:
    at.session_state[_grid_key(at)] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def _grid_cells(at: AppTest) -> list[list[str]]:
    frame = at.data_editor(key=_grid_key(at)).value
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


# --------------------------------------------------------------------------------------
# Kernel editor


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_kernel_editor_default(lang: str) -> None:
    at = _run(kernel_page, lang=lang)
    choice = at.session_state["out"]
    assert choice.ok and choice.name == "identity" and choice.bias == 0 and not choice.divided
    assert np.array_equal(choice.matrix, cc.KERNELS["identity"].matrix)
    assert _grid_cells(at) == [["0", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]]
    assert at.selectbox(key="t.kernel.preset").value == "identity"
    explain = cc.KERNELS["identity"].explanation
    assert any(c.value == explain for c in at.caption) == (lang == "en")


def test_kernel_editor_default_matrix_is_custom() -> None:
    at = _run(kernel_page, default=np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]]))
    choice = at.session_state["out"]
    assert choice.name is None and at.selectbox(key="t.kernel.preset").value == "custom"
    assert choice.matrix.tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


def test_preset_change_refills_the_grid() -> None:
    at = _run(kernel_page)
    old_key = _grid_key(at)
    at.selectbox(key="t.kernel.preset").set_value("sobel_x").run()
    choice = at.session_state["out"]
    assert _grid_key(at) != old_key, "a new editor is mounted"
    assert choice.name == "sobel_x" and np.array_equal(choice.matrix, cc.KERNELS["sobel_x"].matrix)
    assert _grid_cells(at) == [["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]]
    # A 5x5 preset changes the size pickers too.
    at.selectbox(key="t.kernel.preset").set_value("gaussian_blur").run()
    assert (
        at.selectbox(key="t.kernel.rows").value == 5
        and at.selectbox(key="t.kernel.cols").value == 5
    )
    assert np.array_equal(at.session_state["out"].matrix, cc.KERNELS["gaussian_blur"].matrix)


def test_preset_change_after_an_edit_drops_the_edit() -> None:
    at = _run(kernel_page)
    _edit(at, {0: {"1": "7"}})
    assert at.session_state["out"].matrix[0, 0] == 7
    assert at.session_state["out"].name is None
    at.selectbox(key="t.kernel.preset").set_value("outline").run()
    assert np.array_equal(at.session_state["out"].matrix, cc.KERNELS["outline"].matrix)
    assert _grid_cells(at)[0] == ["-1", "-1", "-1"]
    # Choosing "custom" keeps the weights on screen.
    at.selectbox(key="t.kernel.preset").set_value("custom").run()
    assert np.array_equal(at.session_state["out"].matrix, cc.KERNELS["outline"].matrix)
    assert at.session_state["out"].name is None


def test_fractions_are_accepted() -> None:
    at = _run(kernel_page)
    _edit(at, {0: {"1": "1/9", "2": "-2/16"}, 1: {"2": " 0.5 "}})
    choice = at.session_state["out"]
    assert choice.ok
    assert choice.matrix.tolist() == [[1 / 9, -0.125, 0], [0, 0.5, 0], [0, 0, 0]]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("abc", "kernel_cell_not_number"),
        (None, "kernel_cell_empty"),
        ("", "kernel_cell_empty"),
        ("1/0", "kernel_cell_zero_division"),
        ("nan", "kernel_cell_not_finite"),
        ("__import__('os')", "kernel_cell_not_number"),
        ("1e300", "kernel_cell_too_large"),
    ],
)
def test_bad_cell_gives_a_message_naming_the_cell(value, key) -> None:
    at = _run(kernel_page)
    _edit(at, {1: {"3": value}})
    choice = at.session_state["out"]
    assert not choice.ok and choice.matrix is None and choice.error.key == key
    assert len(at.error) == 1 and "(row 2, column 3)" in at.error[0].value


def test_bad_cell_message_in_korean() -> None:
    at = _run(kernel_page, lang="ko")
    _edit(at, {1: {"3": "abc"}})
    assert "2행, 3열" in at.error[0].value


def test_size_change_keeps_the_centre_and_becomes_custom() -> None:
    at = _run(kernel_page, default="sobel_x")
    at.selectbox(key="t.kernel.cols").set_value(5).run()
    choice = at.session_state["out"]
    assert choice.matrix.tolist() == [[0, -1, 0, 1, 0], [0, -2, 0, 2, 0], [0, -1, 0, 1, 0]]
    assert choice.name is None and at.selectbox(key="t.kernel.preset").value == "custom"
    at.selectbox(key="t.kernel.rows").set_value(1).run()
    assert at.session_state["out"].matrix.tolist() == [[0, -2, 0, 2, 0]]


def test_size_change_keeps_typed_cells() -> None:
    at = _run(kernel_page)
    _edit(at, {0: {"1": "4"}})
    at.selectbox(key="t.kernel.rows").set_value(4).run()
    assert at.session_state["out"].matrix[0, 0] == 4
    assert at.session_state["out"].matrix.shape == (4, 3)


@pytest.mark.parametrize(
    ("preset", "axis", "size"),
    [("box_blur", "rows", 4), ("gaussian_blur", "cols", 3), ("motion_blur", "rows", 7)],
)
def test_blur_presets_stay_square_blurs_at_a_new_size(preset: str, axis: str, size: int) -> None:
    at = _run(kernel_page, default=preset)
    at.selectbox(key=f"t.kernel.{axis}").set_value(size).run()
    choice = at.session_state["out"]
    assert choice.name == preset and choice.matrix.shape == (size, size)
    assert np.allclose(choice.matrix, cc.get_kernel(preset, size=size).matrix)
    assert at.selectbox(key="t.kernel.rows").value == at.selectbox(key="t.kernel.cols").value


def test_gaussian_at_an_even_size_becomes_custom() -> None:
    at = _run(kernel_page, default="gaussian_blur")
    at.selectbox(key="t.kernel.rows").set_value(4).run()
    choice = at.session_state["out"]
    assert choice.name is None and choice.matrix.shape == (4, 5)


def test_random_kernel_button() -> None:
    at = _run(kernel_page, default="sobel_x")
    at.selectbox(key="t.kernel.cols").set_value(4).run()
    at.button(key="t.kernel.random").click().run()
    choice = at.session_state["out"]
    assert choice.ok and choice.matrix.shape == (3, 4) and choice.matrix.dtype == np.int64
    assert choice.matrix.min() >= -2 and choice.matrix.max() <= 2
    assert at.selectbox(key="t.kernel.preset").value == "custom"
    assert _grid_cells(at) == [[str(v) for v in row] for row in choice.matrix.tolist()]


def test_divide_by_the_sum() -> None:
    at = _run(kernel_page, default=np.array([[1, 1], [1, 1]]))
    at.toggle(key="t.kernel.divide").set_value(True).run()
    choice = at.session_state["out"]
    assert choice.divided and choice.matrix.tolist() == [[0.25, 0.25], [0.25, 0.25]]
    assert any("(4)" in c.value for c in at.caption)


def test_divide_with_a_zero_sum_says_so() -> None:
    at = _run(kernel_page, default="sobel_x")
    at.toggle(key="t.kernel.divide").set_value(True).run()
    choice = at.session_state["out"]
    assert not choice.divided and np.array_equal(choice.matrix, cc.KERNELS["sobel_x"].matrix)
    assert "add up to 0" in at.info[0].value


def test_bias() -> None:
    at = _run(kernel_page)
    at.number_input(key="t.kernel.bias").set_value(2.5).run()
    assert at.session_state["out"].bias == 2.5
    at.number_input(key="t.kernel.bias").set_value(-3.0).run()
    bias = at.session_state["out"].bias
    assert bias == -3 and isinstance(bias, int)


def test_set_kernel_before_the_widget() -> None:
    def page():
        import streamlit as st

        from ui.widgets import kernel_editor, set_kernel

        if "seeded" not in st.session_state:
            st.session_state["seeded"] = True
            set_kernel("t", [[1, 2], [3, 4]], bias=5, divide=True)
        st.session_state["out"] = kernel_editor("t")

    at = _run(page)
    choice = at.session_state["out"]
    assert choice.bias == 5 and choice.divided
    assert choice.matrix.tolist() == [[0.1, 0.2], [0.3, 0.4]]


def _hide_and_show(at: AppTest) -> None:
    """Leave the widget out of a run and draw it again (what a page switch does to it)."""
    at.session_state["show"] = False
    at.run()
    at.session_state["show"] = True
    at.run()
    assert not at.exception, at.exception


def test_kernel_editor_state_survives_when_not_drawn() -> None:
    at = _run(kernel_page, default="sobel_x")
    at.number_input(key="t.kernel.bias").set_value(4.0).run()
    at.toggle(key="t.kernel.divide").set_value(True).run()
    _hide_and_show(at)
    choice = at.session_state["out"]
    assert choice.name == "sobel_x" and choice.bias == 4
    assert at.selectbox(key="t.kernel.rows").value == 3
    assert at.toggle(key="t.kernel.divide").value is True


def test_typed_cells_survive_when_the_editor_is_not_drawn() -> None:
    # The data editor's own state is dropped when it is not drawn; what was typed stays.
    at = _run(kernel_page)
    _edit(at, {2: {"3": "9"}})
    assert at.session_state["out"].matrix[2, 2] == 9
    _hide_and_show(at)
    assert at.session_state["out"].matrix[2, 2] == 9
    assert at.selectbox(key="t.kernel.cols").value == 3


def test_language_switch_keeps_the_kernel() -> None:
    at = _run(kernel_page, default="laplacian_4")
    at.session_state[LANG_KEY] = "ko"
    at.run()
    assert at.session_state["out"].name == "laplacian_4"
    assert at.selectbox(key="t.kernel.preset").label == "커널"


# --------------------------------------------------------------------------------------
# Padding, stride, dilation


def test_conv_controls_default() -> None:
    at = _run(conv_page)
    assert at.session_state["out"] == _settings()


def _settings(**kwargs):
    from ui.widgets import ConvSettings

    return ConvSettings(**kwargs)


def test_padding_words_and_numbers() -> None:
    at = _run(conv_page)
    at.number_input(key="t.conv.padding").set_value(2).run()
    assert at.session_state["out"].padding == 2
    for word in ("valid", "same", "full"):
        at.button_group(key="t.conv.padding_kind").set_value(word).run()
        assert at.session_state["out"].padding == word
    at.button_group(key="t.conv.padding_kind").set_value("number").run()
    assert at.session_state["out"].padding == 2, "the number is kept while hidden"


def test_padding_rows_and_cols() -> None:
    at = _run(conv_page)
    at.toggle(key="t.conv.padding_split").set_value(True).run()
    at.number_input(key="t.conv.padding_rows").set_value(1).run()
    at.number_input(key="t.conv.padding_cols").set_value(3).run()
    assert at.session_state["out"].padding == (1, 3)


def test_padding_mode_shows_its_picture_and_meaning() -> None:
    at = _run(conv_page)
    at.selectbox(key="t.conv.padding_mode").set_value("replicate").run()
    assert at.session_state["out"].padding_mode == "replicate"
    assert any('"same padding"' in c.value for c in at.caption)
    options = at.selectbox(key="t.conv.padding_mode").options
    assert "replicate · a a | a b c d | d d" in options
    assert set(cc.CONV_PADDING_MODES) == {o.split(" · ")[0] for o in options}


def test_stride_and_dilation_rows_and_cols() -> None:
    at = _run(conv_page)
    at.number_input(key="t.conv.stride_rows").set_value(2).run()
    at.number_input(key="t.conv.dilation_cols").set_value(3).run()
    out = at.session_state["out"]
    assert out.stride == (2, 1) and out.dilation == (1, 3)


def test_stride_cannot_be_zero() -> None:
    at = _run(conv_page)
    at.number_input(key="t.conv.stride_rows").set_value(0).run()
    assert not at.exception
    assert at.session_state["out"].stride[0] >= 1


def test_conv_settings_survive_when_not_drawn() -> None:
    at = _run(conv_page)
    at.toggle(key="t.conv.padding_split").set_value(True).run()
    at.number_input(key="t.conv.padding_cols").set_value(2).run()
    at.selectbox(key="t.conv.padding_mode").set_value("reflect").run()
    at.number_input(key="t.conv.stride_cols").set_value(3).run()
    _hide_and_show(at)
    assert at.session_state["out"] == _settings(
        padding=(0, 2), padding_mode="reflect", stride=(1, 3)
    )


def test_conv_controls_start_from_given_settings() -> None:
    at = _run(conv_page, default=_settings(padding=(1, 2), padding_mode="circular", stride=(2, 3)))
    assert at.session_state["out"] == _settings(
        padding=(1, 2), padding_mode="circular", stride=(2, 3)
    )
    assert at.toggle(key="t.conv.padding_split").value is True


def test_conv_controls_in_korean() -> None:
    at = _run(conv_page, lang="ko")
    assert at.number_input(key="t.conv.stride_rows").label == "스트라이드 (행)"
    assert (
        "zeros (0으로 채움) · 0 0 | a b c d | 0 0"
        in at.selectbox(key="t.conv.padding_mode").options
    )


# --------------------------------------------------------------------------------------
# Image picker


def _png(array: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buf, format="PNG")
    return buf.getvalue()


def test_image_picker_default_sample() -> None:
    at = _run(image_page)
    pick = at.session_state["out"]
    assert pick.name == "camera" and pick.source == "sample" and pick.digest == "sample:camera"
    assert pick.array.shape == (512, 512) and pick.array.dtype == np.float32
    assert any("512 × 512" in c.value for c in at.caption)


@pytest.mark.parametrize(("name", "shape"), [("digit", (28, 28)), ("chelsea", (300, 451, 3))])
def test_image_picker_sample_choice(name: str, shape: tuple) -> None:
    at = _run(image_page)
    at.selectbox(key="t.image.sample").set_value(name).run()
    pick = at.session_state["out"]
    assert pick.name == name and pick.array.shape == shape


def test_image_picker_gray_and_downscaled() -> None:
    at = _run(image_page, as_gray=True, max_side=256, default_sample="chelsea")
    pick = at.session_state["out"]
    assert pick.array.shape == (170, 256) and pick.downscaled
    assert any("451 × 300" in c.value for c in at.caption)


def test_upload_without_a_file_returns_none() -> None:
    at = _run(image_page)
    at.button_group(key="t.image.source").set_value("upload").run()
    assert at.session_state["out"] is None and not at.error
    assert "25 MB" in at.file_uploader(key="t.image.upload").help


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"hello, not an image", "not a supported image"),
        (b"", "empty"),
        (b"%PDF-1.4 fake", "not a supported image"),
    ],
)
def test_bad_upload_gives_a_message(data: bytes, expected: str) -> None:
    at = _run(image_page)
    at.button_group(key="t.image.source").set_value("upload").run()
    at.file_uploader(key="t.image.upload").upload("photo.png", data, "image/png").run()
    assert not at.exception
    assert at.session_state["out"] is None
    assert expected in at.error[0].value


def test_truncated_upload_in_korean() -> None:
    at = _run(image_page, lang="ko")
    data = _png(np.zeros((64, 64), np.uint8) + 100)[:-30]
    at.button_group(key="t.image.source").set_value("upload").run()
    at.file_uploader(key="t.image.upload").upload("cut.png", data, "image/png").run()
    assert at.session_state["out"] is None
    assert "손상" in at.error[0].value


def test_good_upload_with_notes() -> None:
    rgba = np.zeros((10, 20, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, :10, 3] = 255  # left half opaque red, right half transparent
    at = _run(image_page)
    at.button_group(key="t.image.source").set_value("upload").run()
    at.file_uploader(key="t.image.upload").upload("<b>x</b>.png", _png(rgba), "image/png").run()
    pick = at.session_state["out"]
    assert pick.source == "upload" and pick.array.shape == (10, 20, 3)
    assert pick.name == "<b>x</b>.png" and len(pick.digest) == 64
    assert pick.array[0, 15].tolist() == [255, 255, 255]  # composited on white
    assert at.info[0].value == "Transparent areas are shown on white."


def test_sample_choice_survives_when_not_drawn() -> None:
    at = _run(image_page)
    at.selectbox(key="t.image.sample").set_value("brick").run()
    _hide_and_show(at)
    assert at.session_state["out"].name == "brick"


def test_set_image_sample() -> None:
    def page():
        import streamlit as st

        from ui.widgets import image_picker, set_image_sample

        if "seeded" not in st.session_state:
            st.session_state["seeded"] = True
            set_image_sample("t", "checkerboard")
        st.session_state["out"] = image_picker("t")

    at = _run(page)
    assert at.session_state["out"].name == "checkerboard"
