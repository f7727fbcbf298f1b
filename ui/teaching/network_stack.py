"""A stack of conv / pool / ReLU layers: presets, the per-layer table and the receptive field.

Pure (no Streamlit): the Network stack page (pages/network.py) builds on it. Every number
comes from ``conv_core.shapes`` (conv_output_size, pool_output_size, conv_param_count,
dense_param_count, receptive_field).

Preset variants (parameter counts are of the conv part only, weights + biases):

- ``lenet5``: LeNet-5 (LeCun et al. 1998) C1-S2-C3-S4 on a 32x32x1 input, with C3 fully
  connected to all 6 S2 maps (the common modern variant; the paper's sparse C3 has 1,516
  parameters) and S2/S4 as parameter-free 2x2 stride-2 pooling (the paper's subsampling
  has 2 trainable values per map). 32x32 -> 28x28x6 -> 14x14x6 -> 10x10x16 -> 5x5x16;
  156 + 2,416 = 2,572 parameters.
- ``alexnet``: AlexNet's five conv layers (Krizhevsky et al. 2012) with the paper's filter
  counts 96-256-384-384-256 on a 227x227x3 input, as one tower (no two-GPU grouping):
  227 -> 55x55x96 -> 27 -> 27x27x256 -> 13 -> 13x13x384 -> 13x13x384 -> 13x13x256 -> 6x6x256;
  3,747,200 parameters (overlapping 3x3 stride-2 max pooling; LRN left out).
- ``vgg16``: VGG-16 (configuration D, Simonyan & Zisserman 2014) conv part on 224x224x3:
  13 3x3 convs with padding 1 and 5 2x2 pools -> 7x7x512; 14,714,688 parameters.
- ``lecture``: the lecture's Keras model on 28x28x1 (Fashion-MNIST): Conv2D(64, 7,
  padding="same"), MaxPool(2), 2 x Conv2D(128, 3, "same"), MaxPool(2), 2 x Conv2D(256, 3,
  "same"), MaxPool(2) -> 3x3x256; 1,109,888 parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import conv_core as cc

KINDS = ("conv", "pool", "relu")
#: Largest kernel / stride / padding / filters / input side the editor accepts.
MAX_KERNEL = 15
MAX_STRIDE = 8
MAX_PADDING = 10
MAX_FILTERS = 4096
MAX_INPUT = 512
MAX_LAYERS = 40


@dataclass(frozen=True)
class Layer:
    """One layer. ``filters`` is used by conv only; pool and ReLU keep the channel count."""

    kind: str
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    filters: int = 0


@dataclass(frozen=True)
class Network:
    """A preset: input size (height, width, channels) and its layers."""

    name: str
    input_hwc: tuple[int, int, int]
    layers: tuple[Layer, ...]

    @property
    def title_key(self) -> str:
        return f"network.presets.{self.name}"


def conv(filters: int, kernel: int, stride: int = 1, padding: int = 0) -> Layer:
    return Layer("conv", kernel, stride, padding, filters)


def pool(kernel: int, stride: int | None = None, padding: int = 0) -> Layer:
    return Layer("pool", kernel, kernel if stride is None else stride, padding, 0)


RELU = Layer("relu")


def _conv_relu(*convs: Layer) -> tuple[Layer, ...]:
    return tuple(x for c in convs for x in (c, RELU))


def _vgg_block(filters: int, n: int) -> tuple[Layer, ...]:
    return (*_conv_relu(*([conv(filters, 3, 1, 1)] * n)), pool(2))


PRESETS: dict[str, Network] = {
    n.name: n
    for n in (
        Network(
            "lecture",
            (28, 28, 1),
            (
                *_conv_relu(conv(64, 7, 1, 3)),
                pool(2),
                *_conv_relu(conv(128, 3, 1, 1), conv(128, 3, 1, 1)),
                pool(2),
                *_conv_relu(conv(256, 3, 1, 1), conv(256, 3, 1, 1)),
                pool(2),
            ),
        ),
        Network(
            "lenet5",
            (32, 32, 1),
            (conv(6, 5), RELU, pool(2), conv(16, 5), RELU, pool(2)),
        ),
        Network(
            "alexnet",
            (227, 227, 3),
            (
                *_conv_relu(conv(96, 11, 4)),
                pool(3, 2),
                *_conv_relu(conv(256, 5, 1, 2)),
                pool(3, 2),
                *_conv_relu(conv(384, 3, 1, 1), conv(384, 3, 1, 1), conv(256, 3, 1, 1)),
                pool(3, 2),
            ),
        ),
        Network(
            "vgg16",
            (224, 224, 3),
            _vgg_block(64, 2)
            + _vgg_block(128, 2)
            + _vgg_block(256, 3)
            + _vgg_block(512, 3)
            + _vgg_block(512, 3),
        ),
    )
}


@dataclass(frozen=True)
class Row:
    """One row of the layer table: the layer, its output, parameters and receptive field."""

    index: int
    layer: Layer
    in_hwc: tuple[int, int, int]
    out_hwc: tuple[int, int, int]
    params: int
    dense_params: int | None  # conv only: a dense layer from flattened input to output
    rf: cc.ReceptiveField | None  # None for the input row only

    @property
    def rf_size(self) -> tuple[int, int]:
        return self.rf.size if self.rf else (1, 1)


def layer_rows(input_hwc: Sequence[int], layers: Sequence[Layer]) -> list[Row]:
    """Output shape, parameters, dense comparison and receptive field of every layer.

    Raises ``conv_core.ArgumentError`` when a layer does not fit (output smaller than 1,
    pooling padding over half the kernel, ...).

    >>> rows = layer_rows((32, 32, 1), PRESETS["lenet5"].layers)
    >>> [r.out_hwc for r in rows if r.layer.kind != "relu"]
    [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    """
    h, w, c = (int(v) for v in input_hwc)
    spatial = [
        (lay.kernel, lay.stride, 1, lay.padding) for lay in layers if lay.kind in ("conv", "pool")
    ]
    fields = iter(cc.receptive_field(spatial, input_hw=(h, w)))
    rf: cc.ReceptiveField | None = None
    rows: list[Row] = []
    for index, lay in enumerate(layers):
        in_hwc = (h, w, c)
        params = 0
        dense = None
        if lay.kind == "conv":
            oh = cc.conv_output_size(h, lay.kernel, lay.stride, lay.padding)
            ow = cc.conv_output_size(w, lay.kernel, lay.stride, lay.padding)
            params = cc.conv_param_count(lay.kernel, c, lay.filters)
            dense = cc.dense_param_count(h * w * c, oh * ow * lay.filters)
            h, w, c = oh, ow, lay.filters
            rf = next(fields)
        elif lay.kind == "pool":
            h = cc.pool_output_size(h, lay.kernel, lay.stride, lay.padding)
            w = cc.pool_output_size(w, lay.kernel, lay.stride, lay.padding)
            rf = next(fields)
        rows.append(Row(index, lay, in_hwc, (h, w, c), params, dense, rf))
    return rows


def first_bad_layer(input_hwc: Sequence[int], layers: Sequence[Layer]) -> int:
    """Index of the first layer :func:`layer_rows` cannot compute (-1: all fit)."""
    for k in range(1, len(layers) + 1):
        try:
            layer_rows(input_hwc, layers[:k])
        except cc.ArgumentError:
            return k - 1
    return -1


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def short_count(n: int) -> str:
    """A count for a metric box: with thousands separators below 10⁹, else mantissa × 10ᵉ.

    >>> short_count(14_714_688), short_count(16_707_012_704_256)
    ('14,714,688', '1.67 × 10¹³')
    """
    if n < 1_000_000_000:
        return f"{n:,}"
    exponent = len(str(n)) - 1
    return f"{n / 10**exponent:.2f} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def total_params(rows: Sequence[Row]) -> int:
    return sum(r.params for r in rows)


def total_dense(rows: Sequence[Row]) -> int:
    return sum(r.dense_params or 0 for r in rows)


# ----------------------------------------------------------------------------- editor table

COLUMNS = ("type", "kernel", "stride", "padding", "filters")


def layers_to_records(layers: Sequence[Layer]) -> list[dict[str, Any]]:
    """The layers as editor rows (filters empty for pool / ReLU)."""
    return [
        {
            "type": lay.kind,
            "kernel": lay.kernel if lay.kind != "relu" else None,
            "stride": lay.stride if lay.kind != "relu" else None,
            "padding": lay.padding if lay.kind != "relu" else None,
            "filters": lay.filters if lay.kind == "conv" else None,
        }
        for lay in layers
    ]


@dataclass(frozen=True)
class Problem:
    """A cell the editor cannot use: its row (0-based), column and why (``bad_type``,
    ``not_whole``, ``out_of_range``)."""

    row: int
    column: str
    reason: str
    low: int = 0
    high: int = 0


LIMITS = {
    "kernel": (1, MAX_KERNEL),
    "stride": (1, MAX_STRIDE),
    "padding": (0, MAX_PADDING),
    "filters": (1, MAX_FILTERS),
}
DEFAULT_CELL = {"kernel": 3, "stride": 1, "padding": 0, "filters": 16}


def _cell(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond 1e308
        return float("nan")
    return None if np.isnan(number) and str(value).strip() in ("", "nan", "None") else number


def records_to_layers(records: Sequence[dict[str, Any]]) -> tuple[list[Layer], list[Problem]]:
    """Editor rows -> layers, with the first problem of each bad row.

    Empty rows are skipped; an empty kernel/stride/padding/filters cell takes a default
    (3, 1 — or the kernel for a pool's stride —, 0, 16).

    >>> records_to_layers([{"type": "pool", "kernel": 2}])[0]
    [Layer(kind='pool', kernel=2, stride=2, padding=0, filters=0)]
    """
    layers: list[Layer] = []
    problems: list[Problem] = []
    for i, rec in enumerate(records):
        kind = rec.get("type")
        kind = None if kind is None else str(kind).strip().lower()
        values = {col: _cell(rec.get(col)) for col in LIMITS}
        if not kind and all(v is None for v in values.values()):
            continue
        if kind not in KINDS:
            problems.append(Problem(i, "type", "bad_type"))
            continue
        if kind == "relu":
            layers.append(RELU)
            continue
        used = ("kernel", "stride", "padding", "filters") if kind == "conv" else LIMITS.keys()
        used = [c for c in used if kind == "conv" or c != "filters"]
        got: dict[str, int] = {}
        bad = None
        for col in used:
            v = values[col]
            if v is None:
                v = float(got["kernel"]) if (col == "stride" and kind == "pool") else None
                v = float(DEFAULT_CELL[col]) if v is None else v
            low, high = LIMITS[col]
            if not np.isfinite(v) or v != round(v):
                bad = Problem(i, col, "not_whole")
                break
            if not low <= v <= high:
                bad = Problem(i, col, "out_of_range", low, high)
                break
            got[col] = int(v)
        if bad:
            problems.append(bad)
            continue
        layers.append(
            Layer(kind, got["kernel"], got["stride"], got["padding"], got.get("filters", 0))
        )
    return layers, problems


# ------------------------------------------------------------------- receptive fields


def unit_rect(rf: cc.ReceptiveField, unit: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, height, width) in input cells of the receptive field of output ``unit``."""
    top = rf.start[0] + unit[0] * rf.jump[0]
    left = rf.start[1] + unit[1] * rf.jump[1]
    return top, left, rf.size[0], rf.size[1]


def nearest_unit(rf: cc.ReceptiveField, center: tuple[float, float]) -> tuple[int, int]:
    """The output unit of a layer whose receptive field is centred nearest ``center``."""
    out = rf.output_hw or (1, 1)
    unit = []
    for axis in (0, 1):
        first = rf.start[axis] + (rf.size[axis] - 1) / 2
        i = round((center[axis] - first) / rf.jump[axis])
        unit.append(int(min(max(i, 0), out[axis] - 1)))
    return unit[0], unit[1]


def resize_gray(image: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """A grey (H, W) or colour (H, W, 3) 0-255 image as grey, resized to ``hw`` (nearest-area)."""
    from PIL import Image

    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3:
        image = cc.to_grey(image)
    pil = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    return np.asarray(pil.resize((hw[1], hw[0]), Image.BILINEAR), dtype=np.float32)
