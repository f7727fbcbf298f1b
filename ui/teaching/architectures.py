"""The Network page's model: editor rows as a table, the network's drawing plan, receptive fields.

Pure (no Streamlit): ``pages/network.py`` builds on it. Every number comes from
``conv_core.networks`` (``records_to_network``, ``network_summary``); this module only
arranges them for the screen.

* :func:`records_frame` / :func:`frame_records`: the editor's table and back, every cell
  text except ``bias`` (a checkbox), so ``"1, 3"`` and ``'same'`` fit the same column as 3.
* :func:`layer_title`, :func:`shape_text`: a layer's short name and shape, in the words a
  translation function gives.
* :func:`network_diagram`: the network as boxes in series and parallel (an Inception
  module's branches side by side, a residual unit's skip beside its branch), each
  BatchNorm, activation and dropout folded into the box above it, and a run of identical
  boxes or units drawn once with its count (VGG's "3×3 conv ×3", ResNet's "unit ×5").
* :func:`unit_rect`, :func:`nearest_unit`, :func:`resize_gray`: the receptive field of one
  output unit, drawn over a sample image.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import conv_core as cc
from conv_core.networks import ACTIVATION_FUNCTIONS, RECORD_COLUMNS, LayerInfo, NetworkSummary

#: Most rows the editor takes (ResNet-152, the largest preset, has 516).
MAX_LAYERS = 800

#: Kinds folded into the box of the layer they read from, when that layer feeds only them.
FOLDED_KINDS = frozenset({"batchnorm", "dropout"} | set(ACTIVATION_FUNCTIONS))


# ----------------------------------------------------------------------------- the editor


def records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Editor rows as the editor's table: every column of RECORD_COLUMNS, text but ``bias``.

    >>> from conv_core.networks import NETWORK_PRESETS, network_to_records
    >>> f = records_frame(network_to_records(NETWORK_PRESETS["lenet5"].layers))
    >>> [*f.loc[1, ["kind", "out_channels", "kernel_size"]], bool(f.loc[1, "bias"])]
    ['conv2d', '6', '5', True]
    """
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for column in RECORD_COLUMNS:
            value = record.get(column)
            if column == "bias":
                row[column] = None if value is None else bool(value)
            else:
                row[column] = None if value is None else str(value)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS))
    frame["bias"] = frame["bias"].astype("boolean")
    for column in RECORD_COLUMNS:
        if column != "bias":
            frame[column] = frame[column].astype("string")
    return frame


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The editor's table back as rows: blank cells None, text stripped.

    >>> frame_records(pd.DataFrame({"id": [" c1 "], "kind": ["conv2d"], "bias": [pd.NA]}))
    [{'id': 'c1', 'kind': 'conv2d', 'bias': None}]
    """
    records = []
    for raw in frame.astype(object).to_dict("records"):
        row: dict[str, Any] = {}
        for column, value in raw.items():
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                row[str(column)] = None
            elif isinstance(value, str):
                row[str(column)] = value.strip() or None
            else:
                row[str(column)] = value
        records.append(row)
    return records


# ----------------------------------------------------------------------------- words for layers


def pair_text(value: tuple[int, int] | int) -> str:
    """``3`` for (3, 3), ``1×3`` for (1, 3).

    >>> pair_text((3, 3)), pair_text((1, 3))
    ('3', '1×3')
    """
    if isinstance(value, tuple):
        return str(value[0]) if value[0] == value[1] else f"{value[0]}×{value[1]}"
    return str(value)


def shape_text(shape: tuple[int, ...]) -> str:
    """H × W × C, or the vector's length.

    >>> shape_text((56, 56, 64)), shape_text((1000,))
    ('56 × 56 × 64', '1,000')
    """
    return " × ".join(f"{v:,}" for v in shape)


def layer_title(info: LayerInfo, tr: Callable[..., str]) -> str:
    """A layer's short name on the table and the drawing, worded by ``tr(key, **numbers)``.

    >>> from conv_core.networks import NETWORK_PRESETS, network_summary
    >>> from ui.frame.i18n import translate
    >>> s = network_summary(NETWORK_PRESETS["resnet34"].layers)
    >>> layer_title(s["conv1"], lambda key, **kw: translate("en", key, **kw))
    'Conv 7×7, 64, /2'
    """
    layer = info.layer
    kind = layer.kind
    if kind in ACTIVATION_FUNCTIONS:
        return layer.label
    if kind == "conv2d":
        kh, kw = layer.kernel_size
        text = tr("network.kinds.conv2d", kh=kh, kw=kw, out=layer.out_channels)
        if layer.stride != (1, 1):
            text += f", /{pair_text(layer.stride)}"
        if layer.dilation != (1, 1):
            text += ", " + tr("network.kinds.dilation", d=pair_text(layer.dilation))
        if layer.groups > 1:
            in_channels = info.input_shapes[0][-1]
            depthwise = layer.groups == in_channels
            text += ", " + (
                tr("network.kinds.depthwise")
                if depthwise
                else tr("network.kinds.groups", g=layer.groups)
            )
        if layer.activation:
            text += " · " + ACTIVATION_FUNCTIONS[layer.activation]
        return text
    if kind in ("maxpool2d", "avgpool2d"):
        kh, kw = layer.kernel_size
        text = tr(f"network.kinds.{kind}", kh=kh, kw=kw)
        if layer.stride != layer.kernel_size:
            text += f", /{pair_text(layer.stride)}"
        return text
    if kind == "adaptiveavgpool2d":
        return tr("network.kinds.adaptiveavgpool2d", size=pair_text(layer.output_size))
    if kind == "dense":
        text = tr("network.kinds.dense", units=layer.units)
        if layer.activation:
            text += " · " + ACTIVATION_FUNCTIONS[layer.activation]
        return text
    if kind == "dropout":
        return tr("network.kinds.dropout", rate=f"{layer.rate:g}")
    return tr(f"network.kinds.{kind}")


# ----------------------------------------------------------------------------- the drawing plan


@dataclass(frozen=True)
class Box:
    """One drawn block: the layers folded into it (indices into the summary), drawn
    ``repeat`` times in a row (shown once, with its count)."""

    layers: tuple[int, ...]
    repeat: int = 1


@dataclass(frozen=True)
class Series:
    """Blocks one after the other, top to bottom."""

    items: tuple[Box | Parallel, ...] = ()


@dataclass(frozen=True)
class Parallel:
    """Branches from one fork joined again by ``join`` (an Add or a Concat); an empty
    branch is an identity skip. ``repeat``: identical units drawn once."""

    branches: tuple[Series, ...]
    join: Box | None
    repeat: int = 1


def _signature(info: LayerInfo) -> tuple[Any, ...]:
    """What makes two layers draw the same: the record's parameters and the output shape."""
    params = tuple(
        (f.name, getattr(info.layer, f.name))
        for f in dataclasses.fields(info.layer)
        if f.name not in ("id", "inputs")
    )
    return (info.kind, params, info.output_shape)


def _node_signature(node: Box | Parallel | Series, summary: NetworkSummary) -> tuple[Any, ...]:
    if isinstance(node, Box):
        return ("box", *tuple(_signature(summary[i]) for i in node.layers))
    if isinstance(node, Series):
        return ("series", *tuple(_node_signature(n, summary) for n in node.items))
    join = () if node.join is None else _node_signature(node.join, summary)
    return ("parallel", join, *tuple(_node_signature(b, summary) for b in node.branches))


def _collapse(
    items: Sequence[Box | Parallel], summary: NetworkSummary
) -> tuple[Box | Parallel, ...]:
    """Runs of identical neighbours as one item with their count."""
    out: list[Box | Parallel] = []
    signatures: list[tuple[Any, ...]] = []
    for item in items:
        sig = _node_signature(item, summary)
        if out and signatures[-1] == sig:
            last = out[-1]
            out[-1] = dataclasses.replace(last, repeat=last.repeat + item.repeat)
        else:
            out.append(item)
            signatures.append(sig)
    return tuple(out)


def network_diagram(summary: NetworkSummary, *, collapse: bool = True) -> Series:
    """The network as a drawing plan: boxes in series, branches side by side.

    BatchNorm, activation and dropout layers fold into the box of the layer they read when
    that layer feeds nothing else. A layer that feeds several others opens branches, which
    close at the first layer every one of them reaches (its Add or Concat); a branch that
    is the fork itself is an identity skip. With ``collapse``, identical neighbouring boxes
    or units are drawn once with their count.

    Examples
    --------
    >>> from conv_core.networks import NETWORK_PRESETS, network_summary
    >>> plan = network_diagram(network_summary(NETWORK_PRESETS["inception_3a"].layers))
    >>> [type(item).__name__ for item in plan.items]
    ['Box', 'Parallel']
    >>> [len(branch.items) for branch in plan.items[1].branches]
    [1, 2, 2, 2]
    >>> plan = network_diagram(network_summary(NETWORK_PRESETS["resnet34"].layers))
    >>> [item.repeat for item in plan.items if isinstance(item, Parallel)]
    [3, 1, 3, 1, 5, 1, 2]
    """
    n = len(summary)
    index = {info.id: info.index for info in summary}
    consumers: list[list[int]] = [[] for _ in range(n)]
    for info in summary:
        for name in info.inputs:
            consumers[index[name]].append(info.index)

    # Fold: a layer of a folded kind whose single input feeds it alone joins that box.
    owner = list(range(n))
    for info in summary.layers[1:]:
        if info.kind in FOLDED_KINDS and len(info.inputs) == 1:
            source = index[info.inputs[0]]
            if len(consumers[source]) == 1:
                owner[info.index] = owner[source]
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(owner[i], []).append(i)
    heads = sorted(members)
    # The contracted graph: edges between box heads.
    outs: dict[int, list[int]] = {h: [] for h in heads}
    for h in heads:
        tail = members[h][-1]
        for c in consumers[tail]:
            target = owner[c]
            if target != h and target not in outs[h]:
                outs[h].append(target)
    reach: dict[int, set[int]] = {}
    for h in reversed(heads):
        seen = {h}
        for o in outs[h]:
            seen |= reach[o]
        reach[h] = seen

    placed: set[int] = set()

    def box(h: int) -> Box:
        placed.add(h)
        return Box(tuple(members[h]))

    def join_of(h: int) -> int | None:
        common = set.intersection(*(reach[o] for o in outs[h]))
        return min(common) if common else None

    def walk(start: int | None, stop: int | None) -> Series:
        items: list[Box | Parallel] = []
        node = start
        while node is not None and node != stop and node not in placed:
            items.append(box(node))
            while len(outs[node]) > 1:
                join = join_of(node)
                branches = tuple(
                    Series(()) if o == join else walk(o, join) for o in sorted(outs[node])
                )
                joined = None if join is None or join in placed else box(join)
                items.append(Parallel(branches, joined))
                if joined is None:
                    return Series(_collapse(items, summary) if collapse else tuple(items))
                node = join
            nexts = [o for o in outs[node] if o not in placed]
            node = nexts[0] if nexts else None
        return Series(_collapse(items, summary) if collapse else tuple(items))

    plan = walk(heads[0], None)
    rest = [box(h) for h in heads if h not in placed]  # never for a series-parallel graph
    return Series(plan.items + tuple(rest)) if rest else plan


def diagram_layers(node: Box | Parallel | Series) -> list[int]:
    """Every layer index a plan draws, in drawing order (a repeated unit's layers once).

    >>> from conv_core.networks import NETWORK_PRESETS, network_summary
    >>> s = network_summary(NETWORK_PRESETS["lenet5"].layers)
    >>> sorted(diagram_layers(network_diagram(s, collapse=False))) == list(range(len(s)))
    True
    """
    if isinstance(node, Box):
        return list(node.layers)
    if isinstance(node, Series):
        return [i for item in node.items for i in diagram_layers(item)]
    out = [i for b in node.branches for i in diagram_layers(b)]
    return out + ([] if node.join is None else list(node.join.layers))


# ----------------------------------------------------------------------------- receptive fields


def unit_rect(rf: cc.ReceptiveField, unit: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, height, width) in input cells of the receptive field of output ``unit``.

    >>> unit_rect(cc.ReceptiveField((5, 5), (2, 2), (-2, -2), (14, 14)), (1, 0))
    (0, -2, 5, 5)
    """
    top = rf.start[0] + unit[0] * rf.jump[0]
    left = rf.start[1] + unit[1] * rf.jump[1]
    return top, left, rf.size[0], rf.size[1]


def nearest_unit(rf: cc.ReceptiveField, center: tuple[float, float]) -> tuple[int, int]:
    """The output unit of a layer whose receptive field is centred nearest ``center``.

    >>> nearest_unit(cc.ReceptiveField((5, 5), (2, 2), (-2, -2), (14, 14)), (4.0, 9.0))
    (2, 4)
    """
    out = rf.output_hw or (1, 1)
    unit = []
    for axis in (0, 1):
        first = rf.start[axis] + (rf.size[axis] - 1) / 2
        i = round((center[axis] - first) / rf.jump[axis])
        unit.append(int(min(max(i, 0), out[axis] - 1)))
    return unit[0], unit[1]


def resize_gray(image: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """A grey (H, W) or colour (H, W, 3) 0-255 image as grey, resized to ``hw`` (bilinear).

    >>> resize_gray(np.full((4, 4, 3), 200.0), (2, 3)).shape
    (2, 3)
    """
    from PIL import Image

    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3:
        image = cc.to_grey(image)
    pil = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    return np.asarray(pil.resize((hw[1], hw[0]), Image.BILINEAR), dtype=np.float32)
