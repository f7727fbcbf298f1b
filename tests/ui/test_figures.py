"""Figure builders (ui/figures/maps.py): inspected as figures, serialised, and run through
st.plotly_chart in AppTest. What a click returns in a real browser was checked by hand in
Chromium (see the module docstring); here the figure carries what that needs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto
from streamlit.testing.v1 import AppTest

from conv_core import DISPLAY_MODES, to_display
from ui.figures.maps import (
    COLORBAR_STRIP_PX,
    COLORSCALES,
    DISPLAY_COLORSCALES,
    OKABE_ITO,
    PAD_PX,
    TITLE_STRIP_PX,
    colorscale_for,
    downsample_for_display,
    feature_map_figure,
    format_number,
    image_figure,
    kernel_figure,
    probe_step,
    same_scale_heights,
    window_figure,
)

ROOT = Path(__file__).resolve().parents[2]
MODES = sorted(DISPLAY_MODES)


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def _signed_map(rows: int = 6, cols: int = 9, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 60, (rows, cols)) + rng.integers(-3, 3, (rows, cols))).astype(np.float32)


def _probe(fig: go.Figure) -> go.Scatter:
    (probe,) = [t for t in fig.data if t.type == "scatter"]
    return probe


def _assert_square_pixels(fig: go.Figure, rows: int, cols: int, factor: int = 1) -> None:
    """Row 0 on top, one axis unit per pixel on both axes, no ticks, no zoom."""
    lay = fig.layout
    assert lay.yaxis.scaleanchor == "x" and lay.yaxis.scaleratio == 1
    assert lay.yaxis.range[0] > lay.yaxis.range[1]  # reversed: row 0 at the top
    assert lay.xaxis.range[1] - lay.xaxis.range[0] == cols * factor
    assert lay.yaxis.range[0] - lay.yaxis.range[1] == rows * factor
    for axis in (lay.xaxis, lay.yaxis):
        assert axis.visible is False and axis.fixedrange is True and axis.constrain == "domain"


# --------------------------------------------------------------------------------------
# Colour scales and small helpers


def test_every_display_mode_has_a_colour_scale():
    """Grey for the unsigned modes, the diverging CB-safe RdBu (reversed) for symmetric."""
    assert set(DISPLAY_COLORSCALES) == set(DISPLAY_MODES)
    assert {DISPLAY_COLORSCALES[m] for m in ("clip", "abs", "minmax")} == {"gray"}
    assert DISPLAY_COLORSCALES["symmetric"] == "RdBu_r"
    assert colorscale_for("clip") == [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]
    sym = colorscale_for("symmetric")
    assert sym[0][1] == "rgb(5,48,97)"  # negative: dark blue
    assert sym[5] == [0.5, "rgb(247,247,247)"]  # zero: near-white
    assert sym[-1][1] == "rgb(103,0,31)"  # positive: dark red
    assert set(DISPLAY_COLORSCALES.values()) <= set(COLORSCALES)
    with pytest.raises(ValueError, match="mode"):
        colorscale_for("rainbow")


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(3, 2, "3"), (-4.0, 2, "-4"), (1 / 9, 2, "0.11"), (-1 / 8, 2, "-0.12"), (0.5, 2, "0.5"),
     (-0.004, 2, "0"), (1 / 16, 3, "0.062"), (255.0, 0, "255"), (1234.5678, 1, "1234.6")],
)  # fmt: skip
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_probe_step():
    assert probe_step((200, 200), 40_000) == 1
    assert probe_step((201, 200), 40_000) == 2
    assert probe_step((600, 800), 40_000) == 4
    with pytest.raises(ValueError, match="max_points"):
        probe_step((2, 2), 0)


# --------------------------------------------------------------------------------------
# image_figure


def test_image_figure_grey_is_a_pixel_exact_heatmap_without_colour_bar():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    fig = image_figure(img, title="Photo", row_label="행", col_label="열", hover_label="값")
    (trace,) = fig.data
    assert trace.type == "heatmap"
    np.testing.assert_array_equal(trace.z, img)
    assert trace.showscale is False and trace.zsmooth is False
    assert (trace.zmin, trace.zmax) == (0, 255)
    assert [list(s) for s in trace.colorscale] == colorscale_for("clip")
    assert trace.hovertemplate == "행 %{y}, 열 %{x}<br>값 %{z}<extra></extra>"
    assert fig.layout.title.text == "Photo"
    _assert_square_pixels(fig, 3, 4)


def test_image_figure_rgb_is_a_go_image_with_rgb_hover():
    img = np.random.default_rng(1).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    fig = image_figure(img)
    (trace,) = fig.data
    assert trace.type == "image" and trace.colormodel == "rgb"
    np.testing.assert_array_equal(trace.z, img)
    assert "%{z[0]}, %{z[1]}, %{z[2]}" in trace.hovertemplate
    assert "row %{y}, col %{x}" in trace.hovertemplate
    assert fig.layout.title.text is None
    _assert_square_pixels(fig, 5, 7)


def test_image_figure_clickable_adds_probes_and_hover_moves_to_them():
    img = np.random.default_rng(2).integers(0, 256, (4, 6, 3)).astype(np.uint8)
    fig = image_figure(img, clickable=True)
    assert [t.type for t in fig.data] == ["image", "scatter"]
    assert fig.data[0].hoverinfo == "skip"
    probe = _probe(fig)
    np.testing.assert_array_equal(probe.customdata, img.reshape(-1, 3))
    assert "%{customdata[2]:d}" in probe.hovertemplate


@pytest.mark.parametrize(
    ("bad", "match"),
    [(np.zeros((3, 3)), "uint8"), (np.zeros((3, 3, 4), np.uint8), "shape"),
     (np.zeros((0, 3), np.uint8), "shape"), (np.zeros(3, np.uint8), "shape")],
)  # fmt: skip
def test_image_figure_rejects_what_it_cannot_show(bad, match):
    with pytest.raises(ValueError, match=match):
        image_figure(bad)


# --------------------------------------------------------------------------------------
# feature_map_figure


@pytest.mark.parametrize("mode", MODES)
def test_feature_map_colour_is_to_display_and_hover_is_raw(mode):
    values = _signed_map()
    fig = feature_map_figure(values, mode, hover_label="값", row_label="행", col_label="열")
    heat, probe = fig.data
    assert heat.type == "heatmap" and probe.type == "scatter"
    np.testing.assert_array_equal(heat.z, to_display(values, mode))
    assert heat.z.dtype == np.uint8
    assert [list(s) for s in heat.colorscale] == colorscale_for(mode)
    assert (heat.zmin, heat.zmax, heat.zsmooth, heat.hoverinfo) == (0, 255, False, "skip")
    # One probe per pixel: x = col, y = row, customdata = the raw value.
    rows, cols = np.indices(values.shape)
    np.testing.assert_array_equal(probe.x, cols.ravel())
    np.testing.assert_array_equal(probe.y, rows.ravel())
    np.testing.assert_array_equal(probe.customdata, values.ravel())
    assert probe.hovertemplate == "행 %{y}, 열 %{x}<br>값 %{customdata:,.6~g}<extra></extra>"
    assert probe.marker.opacity == 0 and probe.marker.maxdisplayed == 1
    assert fig.layout.hovermode == "closest" and fig.layout.hoverdistance == -1
    _assert_square_pixels(fig, *values.shape)


def test_symmetric_colour_bar_is_labelled_with_the_raw_extremes():
    values = np.array([[-37.5, 0.0, 12.25], [5.0, -1.0, 30.0]])
    fig = feature_map_figure(values, "symmetric", colorbar_title="value")
    bar = fig.data[0].colorbar
    assert fig.data[0].showscale is True
    assert list(bar.tickvals) == [0.0, 127.5, 255.0]
    assert [_num(t) for t in bar.ticktext] == [-37.5, 0.0, 37.5]
    assert bar.orientation == "h" and bar.title.text == "value"
    assert bar.tickfont.size >= 14
    # to_display puts -m at 0, 0 at 128 and +m at 255: the ticks sit on those levels.
    np.testing.assert_array_equal(to_display(np.array([[-37.5, 0.0, 37.5]]), "symmetric"),
                                  [[0, 128, 255]])  # fmt: skip


@pytest.mark.parametrize("mode", ["clip", "abs", "minmax"])
def test_grey_maps_have_no_colour_bar_unless_asked(mode):
    values = _signed_map()
    assert feature_map_figure(values, mode).data[0].showscale is False
    forced = feature_map_figure(values, mode, colorbar=True).data[0]
    assert forced.showscale is True
    if mode == "minmax":
        assert [_num(t) for t in forced.colorbar.ticktext] == pytest.approx(
            [values.min(), values.max()], rel=1e-3
        )  # four significant digits


def test_colour_bar_and_title_add_strips_without_changing_the_image_area():
    values = _signed_map()
    plain = feature_map_figure(values, "clip", height=300)
    titled = feature_map_figure(values, "clip", height=300, title="A")
    barred = feature_map_figure(values, "symmetric", height=300, title="A")
    assert plain.layout.height == 300
    assert titled.layout.height == 300 + TITLE_STRIP_PX
    assert barred.layout.height == 300 + TITLE_STRIP_PX + COLORBAR_STRIP_PX
    for fig in (plain, titled, barred):
        m = fig.layout.margin
        assert fig.layout.height - m.t - m.b == 300 - 2 * PAD_PX  # the plot area
        assert m.autoexpand is False  # a colour bar must not squeeze the image


def test_rgb_feature_map_is_an_image_with_three_raw_values_in_the_hover():
    values = np.stack([_signed_map(seed=s) for s in range(3)], axis=-1)
    fig = feature_map_figure(values, "abs", hover_label="RGB")
    image, probe = fig.data
    assert image.type == "image"
    np.testing.assert_array_equal(image.z, to_display(values, "abs"))
    np.testing.assert_array_equal(probe.customdata, values.reshape(-1, 3))
    assert "%{customdata[0]:,.6~g}, %{customdata[1]:,.6~g}, %{customdata[2]:,.6~g}" in (
        probe.hovertemplate
    )
    assert all(t.type != "heatmap" for t in fig.data)  # no colour bar for colour results


def test_large_maps_get_one_probe_per_block_at_the_block_centre():
    values = np.arange(30 * 50, dtype=np.float32).reshape(30, 50)
    fig = feature_map_figure(values, max_probe_points=100)
    probe = _probe(fig)
    step = probe_step((30, 50), 100)
    assert step == 4
    assert len(probe.x) <= 8 * 13
    rows, cols = np.asarray(probe.y), np.asarray(probe.x)
    assert set(rows) == {min(r + 1, 29) for r in range(0, 30, 4)}
    np.testing.assert_array_equal(probe.customdata, values[rows, cols])


def test_factor_and_origin_report_original_pixel_coordinates():
    values = _signed_map(4, 5)
    fig = feature_map_figure(values, factor=3, origin=(10, 20))
    heat, probe = fig.data
    assert (heat.x0, heat.dx, heat.y0, heat.dy) == (20, 3, 10, 3)
    rows, cols = np.indices(values.shape)
    np.testing.assert_array_equal(probe.x, 20 + 3 * cols.ravel())
    np.testing.assert_array_equal(probe.y, 10 + 3 * rows.ravel())
    _assert_square_pixels(fig, 4, 5, factor=3)
    assert fig.layout.xaxis.range[0] == 20 - 1.5


def test_highlight_outlines_the_window_in_original_coordinates():
    values = _signed_map(40, 40)
    fig = feature_map_figure(values, height=40 * 10 + 2 * PAD_PX, highlight=(5, 7),
                             highlight_size=(3, 3))  # fmt: skip
    edge, colour = fig.layout.shapes
    for shape in (edge, colour):
        assert (shape.x0, shape.x1, shape.y0, shape.y1) == (6.5, 9.5, 4.5, 7.5)
    assert colour.line.color == OKABE_ITO["vermillion"]
    assert edge.line.width > colour.line.width  # a dark edge under the colour
    # Too small to see (1 px on a 10 px/pixel plot): a fixed-size square around it.
    tiny = feature_map_figure(values, height=40 * 2 + 2 * PAD_PX, highlight=(5, 7)).layout.shapes
    assert tiny[0].xsizemode == "pixel" and tiny[0].xanchor == 7 and tiny[0].yanchor == 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"values": np.zeros((2, 2)), "mode": "log"}, "mode"),
     ({"values": np.zeros((2, 2, 2))}, "shape"),
     ({"values": np.array([[1.0, np.nan]])}, "finite"),
     ({"values": np.zeros((2, 2)), "factor": 0}, "factor"),
     ({"values": np.zeros((2, 2)), "origin": (-1, 0)}, "origin")],
)  # fmt: skip
def test_feature_map_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        feature_map_figure(**kwargs)


# --------------------------------------------------------------------------------------
# kernel_figure and window_figure


def _cell_texts(fig: go.Figure, shape: tuple[int, int]) -> list[list[str]]:
    grid = [["" for _ in range(shape[1])] for _ in range(shape[0])]
    for a in fig.layout.annotations:
        if not a.text.startswith("×"):
            grid[a.y][a.x] = a.text
    return grid


def test_kernel_figure_writes_every_weight_centred_on_zero():
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    fig = kernel_figure(sobel, title="Sobel x")
    (heat,) = fig.data
    assert heat.type == "heatmap" and heat.showscale is False
    assert (heat.zmin, heat.zmax) == (-2, 2)
    assert [list(s) for s in heat.colorscale] == colorscale_for("symmetric")
    assert _cell_texts(fig, (3, 3)) == [["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]]
    colours = {(a.y, a.x): a.font.color for a in fig.layout.annotations}
    assert colours[(1, 0)] == "#FFFFFF"  # -2: darkest blue -> white text
    assert colours[(1, 2)] == "#FFFFFF"  # +2: darkest red -> white text
    assert colours[(1, 1)] == "#111111"  # 0: near-white -> dark text
    assert all(a.font.size >= 14 for a in fig.layout.annotations)
    _assert_square_cells(fig, 3, 3)


def test_kernel_figure_rounds_fractions_and_grows_to_keep_text_readable():
    box = np.full((7, 7), 1 / 49)
    fig = kernel_figure(box, size=120, decimals=3)
    assert {a.text for a in fig.layout.annotations} == {"0.02"}
    assert kernel_figure(np.full((3, 3), 1 / 9)).layout.annotations[0].text == "0.11"
    assert fig.layout.width > 120  # 7 cells of "0.02" at >= 14 px do not fit in 120 px
    assert min(a.font.size for a in fig.layout.annotations) >= 14
    _assert_square_cells(fig, 7, 7)
    flat = kernel_figure(np.zeros((1, 3)))  # all zero: no division by zero
    assert (flat.data[0].zmin, flat.data[0].zmax) == (-1, 1)


def _assert_square_cells(fig: go.Figure, rows: int, cols: int) -> None:
    m = fig.layout.margin
    cell_w = (fig.layout.width - m.l - m.r) / cols
    cell_h = (fig.layout.height - m.t - m.b) / rows
    assert cell_w == pytest.approx(cell_h, abs=1)
    assert fig.layout.yaxis.scaleanchor == "x"


def test_window_figure_values_weights_and_highlight():
    window = np.array([[10, 200, 30], [40, 255, 60], [0, 80, 90.5]])
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]) / 4
    fig = window_figure(window, kernel, title="Window", highlight=(1, 1))
    (heat,) = fig.data
    np.testing.assert_array_equal(heat.z, to_display(window, "clip"))
    assert [list(s) for s in heat.colorscale] == colorscale_for("clip")
    assert _cell_texts(fig, (3, 3)) == [["10", "200", "30"], ["40", "255", "60"],
                                        ["0", "80", "90.5"]]  # fmt: skip
    weights = sorted((a.y, a.x, a.text) for a in fig.layout.annotations if a.text[0] == "×")
    assert weights[:3] == [(0, 0, "×0.25"), (0, 1, "×0"), (0, 2, "×-0.25")]
    by_cell = {(a.y, a.x, a.text[0] == "×"): a.font.color for a in fig.layout.annotations}
    assert by_cell[(2, 0, False)] == "#FFFFFF" and by_cell[(1, 1, False)] == "#111111"
    _edge, colour = fig.layout.shapes
    assert (colour.x0, colour.x1, colour.y0, colour.y1) == (0.5, 1.5, 0.5, 1.5)
    assert colour.line.color == OKABE_ITO["green"]
    _assert_square_cells(fig, 3, 3)


def test_window_figure_without_kernel_and_bad_arguments():
    fig = window_figure(np.array([[1.0, -2.0], [3.0, 4.0]]), mode="symmetric")
    assert len(fig.layout.annotations) == 4 and not fig.layout.shapes
    with pytest.raises(ValueError, match="kernel"):
        window_figure(np.zeros((3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="highlight"):
        window_figure(np.zeros((3, 3)), highlight=(3, 0))


# --------------------------------------------------------------------------------------
# Sizes


@given(
    shapes=st.lists(st.tuples(st.integers(1, 900), st.integers(1, 900)), min_size=1, max_size=4),
    width=st.integers(60, 1200),
    max_height=st.one_of(st.none(), st.integers(60, 1000)),
)
def test_same_scale_heights_give_one_pixel_scale(shapes, width, max_height):
    heights = same_scale_heights(shapes, width, max_height=max_height)
    plot_w = width - 2 * PAD_PX
    scale = min(plot_w / w for _, w in shapes)
    if max_height is not None:
        scale = min(scale, min((max_height - 2 * PAD_PX) / h for h, _ in shapes))
        assert max(heights) <= max_height or min(h for h, _ in shapes) * scale < 1
    for (h, w), fig_h in zip(shapes, heights, strict=True):
        plot_h = fig_h - 2 * PAD_PX
        assert w * scale <= plot_w + 1e-9  # fits its column
        assert abs(plot_h - h * scale) <= 0.5 or (plot_h == 1 and h * scale < 1)
        # What plotly shows: the image fills the smaller of the two fits.
        shown = min(plot_w / w, plot_h / h)
        assert shown == pytest.approx(scale, abs=0.5 / h + 1e-9) or h * scale < 1


def test_same_scale_heights_used_in_figures_keep_the_plot_area():
    shapes = [(60, 80), (30, 40)]
    heights = same_scale_heights(shapes, 400)
    assert heights == [302, 155]  # 392 / 80 = 4.9 px per pixel
    figs = [
        image_figure(np.zeros((60, 80), np.uint8), height=heights[0], title="Input"),
        feature_map_figure(np.zeros((30, 40)), "symmetric", height=heights[1], title="Pooled"),
    ]
    for fig, (h, _w) in zip(figs, shapes, strict=True):
        m = fig.layout.margin
        plot_h = fig.layout.height - m.t - m.b
        assert plot_h / h == pytest.approx((400 - m.l - m.r) / 80)  # 4.9 px per pixel


def test_same_scale_heights_bad_arguments():
    assert same_scale_heights([], 300) == []
    with pytest.raises(ValueError, match="width_px"):
        same_scale_heights([(2, 2)], 5)
    with pytest.raises(ValueError, match="shapes"):
        same_scale_heights([(0, 2)], 300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
@pytest.mark.parametrize("shape", [(7, 11), (7, 11, 3), (12, 8)])
def test_downsample_is_the_block_mean(dtype, shape):
    rng = np.random.default_rng(3)
    values = rng.integers(0, 256, shape).astype(dtype)
    small, factor = downsample_for_display(values, max_side=4)
    assert factor == int(np.ceil(max(shape[:2]) / 4))
    assert small.shape[:2] == (-(-shape[0] // factor), -(-shape[1] // factor))
    assert small.shape[2:] == shape[2:]
    assert max(small.shape[:2]) <= 4
    expected = np.empty(small.shape)
    for i in range(small.shape[0]):
        for j in range(small.shape[1]):
            block = values[i * factor : (i + 1) * factor, j * factor : (j + 1) * factor]
            expected[i, j] = block.astype(np.float64).mean(axis=(0, 1))
    if dtype == np.uint8:
        assert small.dtype == np.uint8
        np.testing.assert_array_equal(small, np.floor(expected + 0.5))
    else:
        assert small.dtype == np.float32
        np.testing.assert_allclose(small, expected, rtol=1e-6)


def test_downsample_leaves_small_images_alone():
    values = np.zeros((800, 600, 3), np.uint8)
    small, factor = downsample_for_display(values)
    assert small is values and factor == 1
    small, factor = downsample_for_display(np.zeros((801, 10)))
    assert factor == 2 and small.shape == (401, 5)
    with pytest.raises(ValueError, match="max_side"):
        downsample_for_display(values, max_side=0)


# --------------------------------------------------------------------------------------
# Serialisation and Streamlit


def _all_figures() -> dict[str, go.Figure]:
    rng = np.random.default_rng(4)
    photo = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    fmap = _signed_map(24, 32)
    return {
        "image_rgb": image_figure(
            photo, title="Photo", clickable=True, highlight=(3, 4), highlight_size=(3, 3)
        ),
        "image_grey": image_figure(photo[..., 0], title="사진"),
        **{f"fm_{m}": feature_map_figure(fmap, m, title=m, colorbar_title="값") for m in MODES},
        "fm_rgb": feature_map_figure(np.stack([fmap] * 3, -1), "symmetric"),
        "kernel": kernel_figure(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16, title="K"),
        "window": window_figure(photo[:3, :3, 0], np.ones((3, 3)) / 9, highlight=(0, 2)),
    }


def test_every_figure_serialises_to_compact_json():
    for name, fig in _all_figures().items():
        spec = json.loads(fig.to_json())
        assert spec["data"], name
        for trace in spec["data"]:
            for key in ("z", "x", "y", "customdata"):
                if key in trace and trace["type"] in ("heatmap", "image", "scatter"):
                    if name in ("kernel", "window") and key == "z":
                        continue
                    # numpy arrays travel as typed binary, not as lists of numbers
                    assert "bdata" in trace[key], (name, trace["type"], key)


def test_every_figure_is_valid_plotly():
    """The builders skip plotly's validation for speed: rebuilding with it on must accept
    every property and give the same JSON."""
    for name, fig in _all_figures().items():
        validated = go.Figure(fig.to_plotly_json())  # raises on any invalid property
        assert json.loads(validated.to_json()) == json.loads(fig.to_json()), name


def test_figures_render_in_streamlit_with_point_selection(tmp_path):
    """The page's call: st.plotly_chart(fig, on_select="rerun", selection_mode="points")."""
    script = tmp_path / "figures_app.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            import streamlit as st
            from tests.ui.test_figures import _all_figures

            for name, fig in _all_figures().items():
                event = st.plotly_chart(
                    fig, key=name, on_select="rerun", selection_mode="points"
                )
                assert event.selection.points == []
            """
        )
    )
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    names = list(_all_figures())
    assert len(charts) == len(names)
    for chart, name in zip(charts, names, strict=True):
        spec = json.loads(chart.proto.spec)
        assert spec["data"][0]["type"] in ("heatmap", "image"), name
        assert list(chart.proto.selection_mode) == [PlotlyChartProto.SelectionMode.POINTS]
