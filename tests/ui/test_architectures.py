"""The Network page's model and drawing (ui/teaching/architectures.py, ui/figures/network.py).

The drawing plan is checked against the graph itself (every layer drawn exactly once when
nothing collapses; residual stages collapse to the counts torchvision builds), the editor's
table round-trips every preset, and the figure keeps its labels at 14 px or more, inside
their boxes, with no two boxes overlapping, narrow enough for the page at 1280 × 720, in
both languages.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import conv_core as cc
from conv_core import networks as nets
from ui.figures.network import FONT_PX, network_figure, text_width
from ui.frame.i18n import translate
from ui.teaching import architectures as arch

PRESETS = list(nets.NETWORK_PRESETS)
#: The page's main column at a 1280 px wide window with the sidebar open (measured: 762 px).
COLUMN_PX = 760


def _summary(name: str) -> nets.NetworkSummary:
    return nets.network_summary(nets.NETWORK_PRESETS[name].layers)


@pytest.mark.parametrize("name", PRESETS)
def test_editor_table_round_trips_every_preset(name: str) -> None:
    layers = nets.NETWORK_PRESETS[name].layers
    rows = arch.frame_records(arch.records_frame(nets.network_to_records(layers)))
    back, problems = nets.records_to_network(rows)
    assert problems == []
    assert nets.network_summary(back).trainable == nets.NETWORK_PRESETS[name].expected_trainable
    assert [b.id for b in back] == [info.id for info in nets.network_summary(layers)]


@pytest.mark.parametrize("name", PRESETS)
def test_every_layer_is_drawn_once(name: str) -> None:
    summary = _summary(name)
    plan = arch.network_diagram(summary, collapse=False)
    assert sorted(arch.diagram_layers(plan)) == list(range(len(summary)))


def _parallels(plan: arch.Series) -> list[arch.Parallel]:
    return [item for item in plan.items if isinstance(item, arch.Parallel)]


def test_resnet_stages_collapse_to_their_unit_counts() -> None:
    # ResNet-34: 3-4-6-3 basic units; each stage after the first opens with a projection unit.
    plan = arch.network_diagram(_summary("resnet34"))
    assert [p.repeat for p in _parallels(plan)] == [3, 1, 3, 1, 5, 1, 2]
    # ResNet-152: 3-8-36-3 bottleneck units, every stage's first one with a projection.
    plan = arch.network_diagram(_summary("resnet152"))
    assert [p.repeat for p in _parallels(plan)] == [1, 2, 1, 7, 1, 35, 1, 2]
    # An identity unit has an empty branch (the skip); a projection unit a 1x1 conv + BN.
    summary = _summary("resnet34")
    identity, projection = _parallels(arch.network_diagram(summary))[:2]
    assert [len(b.items) for b in identity.branches] == [2, 0]
    shortcut = projection.branches[1].items[0]
    assert [summary[i].kind for i in shortcut.layers] == ["conv2d", "batchnorm"]
    assert summary[shortcut.layers[0]].layer.kernel_size == (1, 1)


def test_inception_branches_side_by_side() -> None:
    summary = _summary("inception_3a")
    plan = arch.network_diagram(summary)
    (module,) = _parallels(plan)
    assert summary[module.join.layers[0]].kind == "concat"
    firsts = [summary[b.items[0].layers[0]].layer for b in module.branches]
    assert [f.kind for f in firsts] == ["conv2d", "conv2d", "conv2d", "maxpool2d"]
    assert [len(b.items) for b in module.branches] == [1, 2, 2, 2]


def test_vgg_blocks_collapse_and_folding_keeps_batchnorm_with_its_conv() -> None:
    plan = arch.network_diagram(_summary("vgg19"))
    repeats = [item.repeat for item in plan.items if isinstance(item, arch.Box)]
    assert repeats.count(4) == 3 and repeats.count(2) == 3  # 2-2-4-4-4 convs, 2 dense
    summary = _summary("resnet34")
    stem = arch.network_diagram(summary).items[1]
    assert [summary[i].kind for i in stem.layers] == ["conv2d", "batchnorm", "relu"]


def _texts(summary: nets.NetworkSummary, lang: str) -> list[tuple[str, str, str]]:
    """What the page hands the figure (pages/network.py: network_drawing)."""

    def tr(key: str, **params) -> str:
        return translate(lang, key, **params)

    return [(i.kind, arch.layer_title(i, tr), arch.shape_text(i.output_shape)) for i in summary]


def _rects(fig) -> list[tuple[float, float, float, float]]:
    return [(s.x0, s.y0, s.x1, s.y1) for s in fig.layout.shapes if s.type == "rect"]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", PRESETS)
def test_drawing_is_readable_at_1280(name: str, lang: str) -> None:
    summary = _summary(name)
    fig = network_figure(
        arch.network_diagram(summary),
        _texts(summary, lang),
        identity_label=translate(lang, "network.drawing.identity"),
    )
    assert fig.layout.width <= COLUMN_PX, fig.layout.width
    notes = fig.layout.annotations
    assert notes and all(a.font.size >= FONT_PX for a in notes)
    rects = _rects(fig)
    for a, b in itertools.combinations(rects, 2):  # no two boxes overlap
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    for r in rects:  # every box inside the figure
        assert 0 <= r[0] and r[2] <= fig.layout.width and 0 <= r[1] and r[3] <= fig.layout.height
    # Every label inside the figure, and inside its box if it has one (estimated widths,
    # generous for Hangul; "<b>× N</b>" is the repeat badge).
    for note in notes:
        half = text_width(note.text.replace("<b>", "").replace("</b>", "")) / 2
        assert 0 <= note.x - half and note.x + half <= fig.layout.width, note.text
        if note.text.startswith("<b>×"):
            continue
        inside = [r for r in rects if r[0] <= note.x <= r[2] and r[1] <= note.y <= r[3]]
        if inside:
            (r,) = inside
            assert text_width(note.text) <= r[2] - r[0], (note.text, r)


def test_text_width_counts_hangul_as_square() -> None:
    assert text_width("합성곱") == 3 * FONT_PX
    assert text_width("Conv") < 4 * FONT_PX


def test_receptive_field_rectangles() -> None:
    rf = cc.ReceptiveField((5, 5), (2, 2), (-2, -2), (14, 14))
    assert arch.unit_rect(rf, (0, 0)) == (-2, -2, 5, 5)
    assert arch.unit_rect(rf, (13, 13)) == (24, 24, 5, 5)
    top, left, h, w = arch.unit_rect(rf, (3, 7))
    assert arch.nearest_unit(rf, (top + (h - 1) / 2, left + (w - 1) / 2)) == (3, 7)
    assert arch.nearest_unit(rf, (-100.0, 1e6)) == (0, 13)  # clamped to the map


def test_resize_gray() -> None:
    image = np.zeros((10, 20, 3))
    image[:, 10:] = 255
    out = arch.resize_gray(image, (5, 4))
    assert out.shape == (5, 4) and out[0, 0] == 0 and out[0, -1] == 255
