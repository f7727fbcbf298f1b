"""Slides from a trace: PNG and GIF bytes, frame choice, what a frame shows."""

import io

import numpy as np
import pytest
from PIL import Image

import conv_core as cc
from ui.figures.export import (
    _COLOURS,
    FrameLabels,
    _FramePainter,
    frame_indices,
    step_png,
    steps_gif,
)

LECTURE_X = np.array(
    [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
     [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
)  # fmt: skip
LECTURE_K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


@pytest.mark.parametrize(
    ("n", "kwargs", "expected_len", "first", "last"),
    [
        (16, {}, 16, 0, 15),
        (1000, {}, 400, 0, 999),
        (1000, {"start": 100, "stop": 200}, 100, 100, 199),
        (1000, {"every": 5}, 200, 0, 995),
        (5, {"start": 9}, 1, 4, 4),  # a start past the end still gives the last step
    ],
)
def test_frame_indices(n, kwargs, expected_len, first, last):
    got = frame_indices(n, **kwargs)
    assert len(got) == expected_len
    assert (got[0], got[-1]) == (first, last)
    assert got == sorted(set(got))


def test_step_png_is_a_clean_png():
    trace = cc.trace_correlate2d(LECTURE_X, LECTURE_K)
    data = step_png(trace, 3)
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.mode == "RGB"
    assert not img.info.get("exif")


def _rgb_at(img: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    return img.convert("RGB").getpixel(xy)


def test_frame_outlines_the_window_and_current_cell():
    trace = cc.trace_correlate2d(LECTURE_X, LECTURE_K, padding=1)
    painter = _FramePainter(trace, FrameLabels(), 900)
    lay = painter.lay
    step = trace.step(9)  # output (1, 3): window rows 1..3, cols 3..5 of the padded grid
    img = painter.frame(9)
    x0, y0 = lay.input_xy
    top_left_of_window = (x0 + step.cols[0] * lay.cell + 1, y0 + step.rows[0] * lay.cell + 1)
    assert _rgb_at(img, top_left_of_window) == _COLOURS["window"]
    ox, oy = lay.output_xy
    _, r, c = step.out_index
    assert _rgb_at(img, (ox + c * lay.cell + 1, oy + r * lay.cell + 1)) == _COLOURS["current"]
    # cells computed before this step are filled, later ones are still empty
    done = (ox + 0 * lay.cell + lay.cell // 4, oy + 0 * lay.cell + lay.cell // 4)
    todo = (ox + 5 * lay.cell + lay.cell // 4, oy + 5 * lay.cell + lay.cell // 4)
    assert _rgb_at(img, done) == _COLOURS["done_fill"]
    assert _rgb_at(img, todo) == _COLOURS["white"]


def test_frames_going_back_start_from_an_empty_output():
    trace = cc.trace_correlate2d(LECTURE_X, LECTURE_K)
    painter = _FramePainter(trace, FrameLabels(), 900)
    later = np.asarray(painter.frame(12).convert("RGB"))
    earlier = np.asarray(painter.frame(2).convert("RGB"))
    fresh = np.asarray(_FramePainter(trace, FrameLabels(), 900).frame(2).convert("RGB"))
    assert not np.array_equal(later, earlier)
    np.testing.assert_array_equal(earlier, fresh)


def test_gif_has_one_frame_per_step_and_reports_progress():
    trace = cc.trace_correlate2d(LECTURE_X, LECTURE_K, stride=2)
    seen: list[float] = []
    data = steps_gif(trace, frame_indices(len(trace)), progress=seen.append)
    img = Image.open(io.BytesIO(data))
    assert img.format == "GIF" and img.n_frames == len(trace) == 4
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_korean_labels_render():
    trace = cc.trace_correlate2d(LECTURE_X, LECTURE_K)
    en = step_png(trace, 0, FrameLabels())
    ko = step_png(trace, 0, FrameLabels("입력", "커널", "출력", "단계 {i} / {n}"))
    assert en != ko
    assert Image.open(io.BytesIO(ko)).size == Image.open(io.BytesIO(en)).size


def test_only_single_channel_traces_are_drawn():
    trace = cc.trace_conv2d(np.ones((2, 4, 4), int), np.ones((1, 2, 3, 3), int))
    with pytest.raises(ValueError, match="single-channel"):
        step_png(trace, 0)
    with pytest.raises(ValueError, match="at least one step"):
        steps_gif(cc.trace_correlate2d(LECTURE_X, LECTURE_K), [])
