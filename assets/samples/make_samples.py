"""Regenerate ConvLab's synthetic sample images: `python assets/samples/make_samples.py`.

Three images are drawn here, deterministically (no randomness, fixed geometry), so
they belong to the project (same licence as the code, see LICENSES.md):

* ``digit.png``: a handwritten-style 7, 28x28, light on dark like an MNIST digit. It
  is drawn with Pillow strokes at 10x size and area-averaged down to 28x28, which
  gives the soft grey edge pixels a scanned digit has.
* ``shapes.png``: a square, a circle, a triangle and a thin line on grey, 256x256.
* ``checkerboard.png``: 8x8 black and white squares of 32 pixels, 256x256.

The photographs (camera, chelsea, brick) come from scikit-image's data folder; see
LICENSES.md for their source and licence. PNGs are written without metadata
(``conv_core.encode_png``), so the same code gives the same pixels.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for conv_core

from conv_core import downscale, encode_png  # noqa: E402

# The digit is drawn at SCALE times its final size, then area-averaged down.
SCALE = 10


def _curve(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], n: int = 24
) -> list[tuple[float, float]]:
    """Points along the quadratic Bezier curve p0 -> p2 pulled towards p1."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    pts = (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t**2 * np.array(p2)
    return [(float(x), float(y)) for x, y in pts]


def _stroke(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: int) -> None:
    """A pen stroke: the polyline with round joints and round ends."""
    draw.line(points, fill=255, width=width, joint="curve")
    r = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def digit() -> npt.NDArray[np.uint8]:
    """A handwritten-style 7 on a 28x28 grid, 0 (background) to 255 (ink)."""
    size = 28 * SCALE
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    width = 24  # 2.4 pixels after downscaling, like an MNIST pen stroke
    # The top bar rises slightly to the right and sags a little in the middle.
    _stroke(draw, _curve((62, 78), (135, 84), (206, 66)), width)
    # The stem leaves the bar's right end and bends as it falls to the bottom left.
    _stroke(draw, _curve((206, 66), (150, 140), (118, 222)), width)
    small = downscale(np.asarray(canvas, dtype=np.float32), 28)
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def shapes() -> npt.NDArray[np.uint8]:
    """A white square, a black circle, a light triangle and a thin white line on grey."""
    canvas = Image.new("L", (256, 256), 128)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((24, 24, 103, 103), fill=255)
    draw.ellipse((144, 24, 231, 111), fill=0)
    draw.polygon([(64, 148), (112, 232), (16, 232)], fill=200)
    draw.line([(144, 232), (232, 144)], fill=255, width=3)
    return np.asarray(canvas, dtype=np.uint8).copy()


def checkerboard() -> npt.NDArray[np.uint8]:
    """8x8 squares of 32x32 pixels, white in the top-left corner."""
    squares = (np.add.outer(np.arange(8), np.arange(8)) % 2 == 0).astype(np.uint8) * 255
    return np.kron(squares, np.ones((32, 32), dtype=np.uint8))


#: Every synthetic sample: file name -> function drawing its pixels.
SYNTHETIC: dict[str, Callable[[], npt.NDArray[np.uint8]]] = {
    "digit.png": digit,
    "shapes.png": shapes,
    "checkerboard.png": checkerboard,
}


def main() -> None:
    for name, draw in SYNTHETIC.items():
        path = HERE / name
        path.write_bytes(encode_png(draw()))
        print(f"wrote {path.relative_to(HERE.parents[1])} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
