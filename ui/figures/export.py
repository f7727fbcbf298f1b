"""Slides from a trace: one step as a PNG, a run of steps as an animated GIF.

Pure Pillow + conv_core (no Streamlit), so the pictures are tested as bytes. Labels come
in already translated; they are drawn with the font shipped in ``assets/fonts`` so Korean
renders the same on every machine.

Speed: a 32x32 run is up to ~1000 steps, so frames are not drawn from scratch. The grids
with their numbers are drawn once; output values are added to a running canvas as the
steps pass; each frame is that canvas plus the window, the current cell and the
arithmetic. Frames are palette images with a fixed palette, so the GIF encoder does not
quantize each one.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from conv_core import ConvTrace, format_step

FONT_PATH = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "NanumGothicCoding.ttf"
#: Most frames a GIF gets; longer runs take a range or every n-th step.
MAX_GIF_FRAMES = 400

# A fixed palette (Okabe-Ito colours, which colour-blind viewers can tell apart).
_COLOURS = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "grid": (150, 150, 150),
    "padding": (225, 225, 225),
    "padding_text": (110, 110, 110),
    "window": (0, 114, 178),  # blue
    "window_fill": (214, 234, 248),
    "current": (213, 94, 0),  # vermillion
    "current_fill": (250, 224, 204),
    "done_fill": (242, 242, 242),
}
_INDEX = {name: i for i, name in enumerate(_COLOURS)}
_PALETTE = [v for rgb in _COLOURS.values() for v in rgb]


@dataclass(frozen=True)
class FrameLabels:
    """The words on a frame, in the reader's language."""

    input: str = "Input (padded)"
    kernel: str = "Kernel"
    output: str = "Output"
    step: str = "step {i} / {n}"


def frame_indices(
    n_steps: int, *, start: int = 0, stop: int | None = None, every: int = 1,
    cap: int = MAX_GIF_FRAMES,
) -> list[int]:  # fmt: skip
    """The steps a GIF shows: ``start..stop`` every ``every``-th, thinned to at most ``cap``.

    >>> frame_indices(10)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> frame_indices(10, start=2, stop=8, every=3)
    [2, 5]
    >>> len(frame_indices(1000)), frame_indices(1000)[:3], frame_indices(1000)[-1]
    (400, [0, 3, 5], 999)
    """
    stop = n_steps if stop is None else min(stop, n_steps)
    start = min(max(start, 0), max(stop - 1, 0))
    picked = list(range(start, stop, max(every, 1)))
    if len(picked) > cap:
        # evenly spread, keeping the first and the last step
        picked = [picked[round(j * (len(picked) - 1) / (cap - 1))] for j in range(cap)]
    return picked


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def _number(value: Any) -> str:
    """A grid value as short text: integers as they are, floats to 2 decimals trimmed."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class _Layout:
    cell: int
    font: int
    margin: int
    gap: int
    input_xy: tuple[int, int]
    kernel_xy: tuple[int, int]
    output_xy: tuple[int, int]
    text_xy: tuple[int, int]
    text_width_chars: int
    size: tuple[int, int]


def _layout(trace: ConvTrace, max_width: int) -> _Layout:
    hp, wp = trace.padded.shape
    kh, kw = trace.kernel_applied.shape
    oh, ow = trace.output.shape
    margin, gap = 16, 28
    cols_total = wp + kw + ow
    cell = int((max_width - 2 * margin - 2 * gap) // cols_total)
    cell = max(14, min(cell, 44))
    font = max(8, int(cell * 0.42))
    title_h = 64  # the step line, then the grid labels above the grids
    top = margin + title_h
    input_xy = (margin, top)
    kernel_xy = (input_xy[0] + wp * cell + gap, top)
    output_xy = (kernel_xy[0] + kw * cell + gap, top)
    grids_h = max(hp, kh, oh) * cell
    width = output_xy[0] + ow * cell + margin
    text_xy = (margin, top + grids_h + 20)
    text_font = 18
    chars = max(30, int((width - 2 * margin) / (text_font * 0.55)))
    height = text_xy[1] + 4 * (text_font + 8) + margin
    return _Layout(cell, font, margin, gap, input_xy, kernel_xy, output_xy, text_xy, chars,
                   (width, height))  # fmt: skip


def _grid(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    values: np.ndarray,
    cell: int,
    font: ImageFont.FreeTypeFont,
    *,
    fill: np.ndarray | None = None,
    text_colour: np.ndarray | None = None,
) -> None:
    x0, y0 = xy
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            box = (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
            f = _INDEX["white"] if fill is None else int(fill[r, c])
            draw.rectangle(box, fill=f, outline=_INDEX["grid"])
            colour = _INDEX["black"] if text_colour is None else int(text_colour[r, c])
            draw.text(
                ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                _number(values[r, c]),
                fill=colour,
                font=font,
                anchor="mm",
            )


def _outline(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], cell: int, rows: Sequence[int],
    cols: Sequence[int], colour: str, width: int,
) -> None:  # fmt: skip
    """Outline the cells (rows x cols): one rectangle round a block of adjacent cells (as
    the stepper draws the window), else each cell (a dilated window is only its taps)."""
    x0, y0 = xy
    rows, cols = list(rows), list(cols)
    if rows == list(range(rows[0], rows[-1] + 1)) and cols == list(range(cols[0], cols[-1] + 1)):
        draw.rectangle(
            (x0 + cols[0] * cell, y0 + rows[0] * cell, x0 + (cols[-1] + 1) * cell,
             y0 + (rows[-1] + 1) * cell),
            outline=_INDEX[colour],
            width=width,
        )  # fmt: skip
        return
    for r in rows:
        for c in cols:
            draw.rectangle(
                (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell),
                outline=_INDEX[colour],
                width=width,
            )


class _FramePainter:
    """Draws the frames of one trace, reusing everything that does not change."""

    def __init__(self, trace: ConvTrace, labels: FrameLabels, max_width: int) -> None:
        if trace.layout != "2d":
            raise ValueError("frames are drawn for single-channel 2D traces")
        self.trace, self.labels = trace, labels
        self.lay = lay = _layout(trace, max_width)
        self.font = _font(lay.font)
        self.title_font = _font(18)
        img = Image.new("P", lay.size, _INDEX["white"])
        img.putpalette(_PALETTE)
        draw = ImageDraw.Draw(img)
        draw.fontmode = "1"  # palette frames: no anti-aliasing shades outside the palette
        mask = trace.pad_mask
        _grid(
            draw, lay.input_xy, trace.padded, lay.cell, self.font,
            fill=np.where(mask, _INDEX["padding"], _INDEX["white"]),
            text_colour=np.where(mask, _INDEX["padding_text"], _INDEX["black"]),
        )  # fmt: skip
        _grid(draw, lay.kernel_xy, trace.kernel_applied, lay.cell, self.font)
        oh, ow = trace.output.shape
        for r in range(oh):
            for c in range(ow):
                x, y = lay.output_xy[0] + c * lay.cell, lay.output_xy[1] + r * lay.cell
                draw.rectangle((x, y, x + lay.cell, y + lay.cell), outline=_INDEX["grid"])
        for text, xy in (
            (labels.input, lay.input_xy),
            (labels.kernel, lay.kernel_xy),
            (labels.output, lay.output_xy),
        ):
            draw.text((xy[0], xy[1] - 8), text, fill=_INDEX["black"], font=self.title_font,
                      anchor="ls")  # fmt: skip
        self.canvas = img  # the output fills in on this one as steps pass
        self.filled = 0

    def _fill_outputs(self, upto: int) -> None:
        """Write the output values of steps < upto onto the canvas (moving forward only)."""
        if upto < self.filled:  # going back: start again from the empty grid
            self.__init__(self.trace, self.labels, self.lay.size[0])
        draw = ImageDraw.Draw(self.canvas)
        draw.fontmode = "1"
        _, _, ow = self.trace._grid_shape
        flat = self.trace.output.reshape(-1)
        cell = self.lay.cell
        for i in range(self.filled, upto):
            r, c = divmod(i, ow)
            x, y = self.lay.output_xy[0] + c * cell, self.lay.output_xy[1] + r * cell
            draw.rectangle((x, y, x + cell, y + cell), fill=_INDEX["done_fill"],
                           outline=_INDEX["grid"])  # fmt: skip
            draw.text((x + cell / 2, y + cell / 2), _number(flat[i]), fill=_INDEX["black"],
                      font=self.font, anchor="mm")  # fmt: skip
        self.filled = max(self.filled, upto)

    def frame(self, i: int) -> Image.Image:
        step = self.trace.step(i)
        self._fill_outputs(i + 1)
        img = self.canvas.copy()
        draw = ImageDraw.Draw(img)
        draw.fontmode = "1"
        lay = self.lay
        _outline(draw, lay.input_xy, lay.cell, step.rows.tolist(), step.cols.tolist(),
                 "window", 3)  # fmt: skip
        kh, kw = self.trace.kernel_applied.shape
        _outline(draw, lay.kernel_xy, lay.cell, range(kh), range(kw), "window", 1)
        _, r, c = step.out_index
        _outline(draw, lay.output_xy, lay.cell, [r], [c], "current", 3)
        title = self.labels.step.format(i=i + 1, n=len(self.trace))
        draw.text((lay.margin, lay.margin + 4), title, fill=_INDEX["black"], font=self.title_font)
        # the bias part ("; 2 + 10 = 12") gets a line of its own, as the lecture writes it
        lines = [
            line
            for part in format_step(step).replace("; ", "\n").splitlines()
            for line in textwrap.wrap(part, width=lay.text_width_chars)
        ][:4]
        for j, line in enumerate(lines):
            draw.text((lay.text_xy[0], lay.text_xy[1] + j * 26), line, fill=_INDEX["black"],
                      font=self.title_font)  # fmt: skip
        return img


def step_png(
    trace: ConvTrace, i: int, labels: FrameLabels = FrameLabels(), *, max_width: int = 1200
) -> bytes:
    """One step as a PNG slide (the outputs computed so far, the window, the arithmetic)."""
    buf = io.BytesIO()
    _FramePainter(trace, labels, max_width).frame(i).convert("RGB").save(buf, format="PNG")
    return buf.getvalue()


def steps_gif(
    trace: ConvTrace,
    indices: Sequence[int],
    labels: FrameLabels = FrameLabels(),
    *,
    frame_ms: int = 400,
    max_width: int = 960,
    progress: Callable[[float], None] | None = None,
) -> bytes:
    """An animated GIF of the given steps (in order), looping; ``progress`` gets 0..1."""
    if not indices:
        raise ValueError("a GIF needs at least one step")
    painter = _FramePainter(trace, labels, max_width)
    frames = []
    for n, i in enumerate(sorted(indices)):
        frames.append(painter.frame(i))
        if progress is not None and (n % 10 == 0 or n == len(indices) - 1):
            progress((n + 1) / len(indices))
    buf = io.BytesIO()
    frames[0].save(
        # Pillow stores each frame as the rectangle that changed since the last one
        # (about 4 KB a frame for a 32x32 run instead of 26 KB).
        buf, format="GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0
    )  # fmt: skip
    return buf.getvalue()
