"""Where a small input grid comes from: a lecture preset, random integers, a typed grid,
or a downsampled region of an image. Pure functions (no Streamlit), shared by the studio
and the concept pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

import conv_core as cc

#: The largest grid the stepper steps through (32x32 outputs, ~1000 steps, ~45 KB of JSON).
MAX_GRID = 32
#: Where a grid can come from, in the picker's order ("draw": ui/widgets/drawn_input.py).
SOURCES = ("preset", "random", "typed", "image", "draw")
#: The range of a typed grid's cells (and of a grid in a shared link).
TYPED_LOW, TYPED_HIGH = -999, 999


@dataclass(frozen=True)
class GridPreset:
    """A lecture example as the studio sets it up: the grid, the filter and the settings."""

    name: str
    grid: npt.NDArray[np.int64]
    kernel: npt.NDArray[Any]
    bias: int | float
    padding: int
    stride: int
    expected: npt.NDArray[Any]


def _is_single_channel_2d(preset: cc.Preset) -> bool:
    if preset.kind not in ("correlate2d", "conv2d"):
        return False
    grid = np.asarray(preset.inputs["x"])
    weight = np.asarray(preset.inputs.get("kernel", preset.inputs.get("weight")))
    return grid.ndim == 2 and weight.ndim == 2


def square_setting(value: int | tuple[int, int], name: str) -> int:
    """A preset's ``stride`` or ``kernel_size`` as the one number a page's control holds: an
    int, or a (rows, cols) pair of equal entries (the lecture's x_stride = y_stride = 3).

    >>> square_setting(2, "stride"), square_setting((3, 3), "stride")
    (2, 3)
    """
    if isinstance(value, (tuple, list)):
        rows, cols = (int(v) for v in value)
        if rows != cols:
            raise ValueError(f"{name} must be one number for rows and columns, but got {value}")
        return rows
    return int(value)


def grid_presets() -> dict[str, GridPreset]:
    """The lecture's single-channel 2D examples, by preset name (``conv_core.PRESETS``).

    >>> p = grid_presets()["feature_map_6x6"]
    >>> p.grid.shape, p.kernel.tolist(), p.bias, p.expected[0].tolist()
    ((6, 6), [[1, 0, 1], [0, 1, 0], [1, 0, 1]], 0, [3, 1, 1, 3])
    """
    out: dict[str, GridPreset] = {}
    for name, preset in cc.PRESETS.items():
        if not _is_single_channel_2d(preset):
            continue
        inputs, config = preset.inputs, preset.config
        kernel = np.asarray(inputs.get("kernel", inputs.get("weight")))
        bias = config.get("bias", 0)
        out[name] = GridPreset(
            name=name,
            grid=np.asarray(inputs["x"], dtype=np.int64),
            kernel=kernel,
            bias=bias,
            padding=int(config.get("padding", 0)),
            stride=square_setting(config.get("stride", 1), "stride"),
            expected=np.asarray(preset.expected),
        )
    return out


def random_grid(rows: int, cols: int, low: int = 0, high: int = 9, seed: int = 0) -> np.ndarray:
    """Random integers in ``low..high`` (both included), the same for the same seed.

    >>> random_grid(2, 3, 0, 9, seed=1).tolist()
    [[4, 5, 7], [9, 0, 1]]
    """
    if high < low:
        low, high = high, low
    rng = np.random.default_rng(seed)
    return rng.integers(low, high, size=(rows, cols), endpoint=True, dtype=np.int64)


def blank_grid(rows: int, cols: int) -> np.ndarray:
    """A grid of zeros to type into.

    >>> blank_grid(2, 2).tolist()
    [[0, 0], [0, 0]]
    """
    return np.zeros((rows, cols), dtype=np.int64)


def image_grid(
    image: npt.ArrayLike, rows: int, cols: int, *, top: float = 0.0, left: float = 0.0,
    zoom: float = 1.0,
) -> np.ndarray:  # fmt: skip
    """A rows x cols grid of 0-255 integers from a region of a (grey) image.

    The region is a ``1/zoom`` fraction of the image's height and width whose top-left
    corner is at ``(top, left)`` (fractions of the image, clamped so the region fits);
    it is area-averaged down to the grid (``conv_core.downscale_to_grid``). A colour
    image is turned grey first (BT.601 luma).

    >>> img = np.arange(64, dtype=np.float32).reshape(8, 8)
    >>> image_grid(img, 2, 2).tolist()
    [[14, 18], [46, 50]]
    >>> image_grid(img, 2, 2, top=0.5, left=0.5, zoom=2).tolist()
    [[41, 43], [57, 59]]
    """
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 3:
        arr = cc.to_grey(arr)
    h, w = arr.shape
    zoom = max(1.0, float(zoom))
    rh, rw = max(rows, round(h / zoom)), max(cols, round(w / zoom))
    rh, rw = min(rh, h), min(rw, w)
    r0 = min(max(round(top * h), 0), h - rh)
    c0 = min(max(round(left * w), 0), w - rw)
    region = arr[r0 : r0 + rh, c0 : c0 + rw]
    return cc.downscale_to_grid(region, (min(rows, rh), min(cols, rw)))
