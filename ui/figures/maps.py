"""Plotly figure builders for the image pages: arrays in, ``go.Figure`` out.

Pure functions (no Streamlit), tested by inspecting the returned figures. Every word a
student reads (titles, hover labels, "row"/"col") comes in as a parameter, already
translated; numbers are formatted here.

What the figures promise
------------------------
* **Pixel-exact, square pixels.** Images and feature maps are drawn one cell per array
  element (no smoothing), with ``yaxis.scaleanchor = 'x'`` so a pixel is square and row 0
  at the top. :func:`same_scale_heights` gives figure heights that put several images
  at the same pixel scale side by side.
* **The colour comes from conv_core.** A feature map is shown as
  ``conv_core.to_display(values, mode)`` (0..255) through :data:`DISPLAY_COLORSCALES`, so
  the picture is the one a PNG export shows; the hover shows the *raw* value.
* **Clicks.** Plotly heatmap and image traces are not selectable: with
  ``st.plotly_chart(fig, on_select="rerun", selection_mode="points")`` a click on them
  selects nothing (checked in Chromium with Streamlit 1.67, whose plotly.js 3.8.2 only
  selects traces with a ``selectPoints`` method, i.e. scatter-like ones). So clickable
  figures carry a *probe* trace: an invisible ``go.Scatter`` with one point per pixel
  (or per block of pixels for large maps, see ``max_probe_points``). A click then
  returns ``{"x": col, "y": row, "customdata": raw value, ...}`` in
  ``event.selection.points``. ``marker.maxdisplayed = 1`` keeps the browser from
  drawing an SVG node per point (hover and selection still use every point): drawn,
  10 000 points added about 2 s to a chart's first paint in headless Chromium; with it,
  490 000 added about 0.3 s. Each probe costs 8 bytes of spec (uint16 x and y, float32
  value; 16 for RGB), so the default ``max_probe_points`` (40 000, about 200 x 200)
  keeps them under ~430 kB while spacing them at most ~3 screen px apart on a map a
  column wide. Streamlit derives a chart's identity from its spec: a figure that changes
  after a click (say, a new highlight) is a new chart whose selection starts empty, so a
  page keeps the click in session state (an ``on_select`` callback).
* **Coordinates are the original image's.** A map shown downscaled by
  :func:`downsample_for_display` takes its ``factor``: hover and clicks then report the
  original pixel (the first pixel of the block), and highlights are given in original
  pixels too. ``origin`` does the same for a crop.

Colours are colour-blind safe: grey for the unsigned display modes, ColorBrewer's
diverging RdBu (blue = negative, near-white = 0, red = positive) for ``'symmetric'`` and
for kernels, and Okabe-Ito outlines with a dark edge that shows on any background
(the studio's roles: window blue, current output vermillion, maximum bluish green).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from conv_core import DISPLAY_MODES, to_display

__all__ = [
    "COLORBAR_STRIP_PX",
    "COLORSCALES",
    "DISPLAY_COLORSCALES",
    "FONT_SIZE",
    "OKABE_ITO",
    "PAD_PX",
    "TITLE_STRIP_PX",
    "colorbar_ticks",
    "colorscale_for",
    "downsample_for_display",
    "feature_map_figure",
    "format_number",
    "image_figure",
    "kernel_figure",
    "probe_step",
    "same_scale_heights",
    "window_figure",
]

#: Colour scale name per display mode of :func:`conv_core.to_display`.
#: ``'gray'`` is the *linear* ramp black (0) -> white (255), so a grey level shows as
#: itself (plotly's own ``'gray'`` is a perceptual curve: use :func:`colorscale_for` or
#: :data:`COLORSCALES` for the exact stops). ``'RdBu_r'`` is ColorBrewer's RdBu
#: reversed (colour-blind safe): ``-max|x|`` dark blue, ``0`` near-white, ``+max|x|`` dark red.
DISPLAY_COLORSCALES: dict[str, str] = {
    "clip": "gray",
    "abs": "gray",
    "minmax": "gray",
    "symmetric": "RdBu_r",
}

#: The exact colour stops behind each name in :data:`DISPLAY_COLORSCALES`.
COLORSCALES: dict[str, list[list[Any]]] = {
    "gray": [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]],
    "RdBu_r": [
        [i / 10, c]
        for i, c in enumerate(
            [
                "rgb(5,48,97)",
                "rgb(33,102,172)",
                "rgb(67,147,195)",
                "rgb(146,197,222)",
                "rgb(209,229,240)",
                "rgb(247,247,247)",
                "rgb(253,219,199)",
                "rgb(244,165,130)",
                "rgb(214,96,77)",
                "rgb(178,24,43)",
                "rgb(103,0,31)",
            ]
        )
    ],
}

#: Okabe-Ito colours for outlines (as in the studio's stepper).
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "orange": "#E69F00",
    "green": "#009E73",
}
_EDGE = "#111111"  # dark edge under every outline; also the dark text colour
_LIGHT_TEXT = "#FFFFFF"

#: Text size in figures (px): readable on a projector (the app's base font is 18).
FONT_SIZE = 16
_TITLE_SIZE = 18
_MIN_CELL_FONT = 14
_MAX_CELL_FONT = 22

#: Margin (px) on every side of an image's plot area.
PAD_PX = 4
#: Extra height (px) a figure gets above the image for its title.
TITLE_STRIP_PX = 34
#: Extra height (px) a figure gets below the image for a horizontal colour bar.
COLORBAR_STRIP_PX = 78

_DEFAULT_WIDTH_PX = 640  # assumed column width when no height is given
#: Default largest figure height of :func:`same_scale_heights` (fits a projected screen).
DEFAULT_MAX_HEIGHT_PX = 600
#: Default most probe points a clickable figure carries (one per pixel up to this).
DEFAULT_MAX_PROBE_POINTS = 40_000
_MIN_OUTLINE_PX = 12  # an outline smaller than this on screen is drawn at this size


# --------------------------------------------------------------------------------------
# Small helpers (public where a page or a test needs them)


def colorscale_for(mode: str) -> list[list[Any]]:
    """The exact colour stops used for display mode ``mode``.

    Examples
    --------
    >>> colorscale_for("clip")
    [[0.0, 'rgb(0,0,0)'], [1.0, 'rgb(255,255,255)']]
    >>> colorscale_for("symmetric")[5]
    [0.5, 'rgb(247,247,247)']
    """
    _check_mode(mode)
    return [list(stop) for stop in COLORSCALES[DISPLAY_COLORSCALES[mode]]]


def format_number(value: float, decimals: int = 2) -> str:
    """A number as a cell shows it: integers plainly, others rounded to ``decimals``.

    Trailing zeros are dropped and ``-0`` becomes ``0``.

    Examples
    --------
    >>> [format_number(v) for v in (2.0, -1, 1 / 9, 0.5, -0.001, 127.5, 1e-12)]
    ['2', '-1', '0.11', '0.5', '0', '127.5', '0']
    >>> format_number(1 / 16, decimals=3)
    '0.062'
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{max(0, int(decimals))}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def colorbar_ticks(values: npt.ArrayLike, mode: str) -> tuple[list[float], list[str]]:
    """Colour-bar ticks for a map shown with ``mode``: display levels and raw-value labels.

    The bar spans the display levels 0..255; the labels are the raw values that map to
    them, so a student reads the bar in the feature map's own units.

    Returns
    -------
    tickvals : list of float
        Display levels (0..255).
    ticktext : list of str
        The raw value at each level (about 4 significant digits): ``'symmetric'``:
        ``-m, 0, m`` with ``m = max|x|``;
        ``'minmax'``: min, max; ``'clip'``: ``<=0`` and ``>=255`` (values beyond are
        clipped); ``'abs'``: ``0`` and ``>=255`` (of ``|x|``).

    Examples
    --------
    >>> colorbar_ticks(np.array([[-37.5, 10.0]]), "symmetric")
    ([0.0, 127.5, 255.0], ['-37.5', '0', '37.5'])
    >>> colorbar_ticks(np.array([[-2.0, 6.0]]), "minmax")
    ([0.0, 255.0], ['-2', '6'])
    >>> colorbar_ticks(np.array([[6.0847, 192.3146, -701.826]]), "minmax")[1]
    ['-701.8', '192.3']
    """
    _check_mode(mode)
    arr = np.asarray(values, dtype=np.float64)
    if mode == "symmetric":
        m = float(np.abs(arr).max()) if arr.size else 0.0
        return [0.0, 127.5, 255.0], [_tick_label(-m), "0", _tick_label(m)]
    if mode == "minmax":
        low, high = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        return [0.0, 255.0], [_tick_label(low), _tick_label(high)]
    if mode == "clip":
        return [0.0, 255.0], ["≤0", "≥255"]
    return [0.0, 255.0], ["0", "≥255"]  # abs


def _tick_label(value: float) -> str:
    """About four significant digits, never an exponent: 701.826 -> '701.8', 6.0847 -> '6.085'."""
    if value == 0 or not math.isfinite(value):
        return format_number(value)
    decimals = max(0, 3 - math.floor(math.log10(abs(value))))
    return format_number(value, decimals)


def probe_step(shape: tuple[int, int], max_points: int = DEFAULT_MAX_PROBE_POINTS) -> int:
    """Spacing of a figure's probe points: 1 (every pixel) unless that exceeds ``max_points``.

    Examples
    --------
    >>> probe_step((100, 100)), probe_step((100, 100), max_points=2500)
    (1, 2)
    """
    rows, cols = int(shape[0]), int(shape[1])
    if max_points < 1:
        raise ValueError(f"max_points must be a positive integer, but got max_points={max_points}")
    return max(1, math.ceil(math.sqrt(rows * cols / max_points)))


# --------------------------------------------------------------------------------------
# Sizes


def same_scale_heights(
    shapes: Sequence[tuple[int, int]],
    width_px: int,
    *,
    max_height: int | None = DEFAULT_MAX_HEIGHT_PX,
) -> list[int]:
    """Figure heights that show images of these shapes at one pixel scale, side by side.

    Parameters
    ----------
    shapes : sequence of (H, W)
        The *displayed* arrays' shapes (after :func:`downsample_for_display`).
    width_px : int
        Width of each column the figures are shown in (Streamlit stretches a chart to
        its column).
    max_height : int or None, optional
        Largest height allowed, default 600 px (fits a projected screen); the common
        scale shrinks so the tallest image fits. ``None``: no limit.

    Returns
    -------
    heights : list of int
        One per shape, to pass as ``height=`` to :func:`image_figure` /
        :func:`feature_map_figure`. It covers the image and the fixed margins
        (:data:`PAD_PX` on each side); a title or a colour bar adds its own strip on top
        of it, so the image keeps the scale either way.

    Notes
    -----
    The scale is ``s = min_i (width_px - 2 * PAD_PX) / W_i`` (the widest image fills its
    column), lowered to ``(max_height - 2 * PAD_PX) / H_i`` for the tallest, and each
    height is ``round(H_i * s) + 2 * PAD_PX``. A narrower image is centred in its column.

    Examples
    --------
    An image and its 2x2-pooled map: 2 screen px per pixel for both.

    >>> same_scale_heights([(100, 200), (50, 100)], 408)
    [208, 108]

    A tall image is limited by ``max_height``:

    >>> same_scale_heights([(400, 100)], 408)
    [600]
    >>> same_scale_heights([(400, 100)], 408, max_height=None)
    [1608]
    """
    width_px = int(width_px)
    if width_px <= 2 * PAD_PX:
        raise ValueError(f"width_px must be more than {2 * PAD_PX}, but got width_px={width_px}")
    shapes = [(int(h), int(w)) for h, w in shapes]
    if not shapes:
        return []
    if any(h < 1 or w < 1 for h, w in shapes):
        raise ValueError(f"shapes must be positive (H, W) pairs, but got shapes={shapes}")
    scale = min((width_px - 2 * PAD_PX) / w for _, w in shapes)
    if max_height is not None:
        room = int(max_height) - 2 * PAD_PX
        if room < 1:
            raise ValueError(f"max_height must be more than {2 * PAD_PX}, but got {max_height}")
        scale = min(scale, min(room / h for h, _ in shapes))
    return [max(1, round(h * scale)) + 2 * PAD_PX for h, _ in shapes]


def downsample_for_display(values: np.ndarray, max_side: int = 800) -> tuple[np.ndarray, int]:
    """Shrink an image or feature map by an integer factor for sending to the browser.

    Parameters
    ----------
    values : ndarray of shape (H, W) or (H, W, C)
        Any real values; uint8 stays uint8 (rounded), anything else becomes float32.
    max_side : int, optional
        Longest side allowed after shrinking, default 800.

    Returns
    -------
    small : ndarray of shape (ceil(H / f), ceil(W / f)[, C])
        Block means: each output pixel is the mean of an ``f x f`` block (blocks on the
        bottom and right edges may be partial and average what they hold). When the
        input already fits, ``values`` itself is returned.
    factor : int
        ``f = ceil(max(H, W) / max_side)``: output pixel ``(i, j)`` covers input rows
        ``i*f .. i*f+f-1`` and columns ``j*f .. j*f+f-1``. Pass it to the figure
        builders as ``factor=`` so hover and clicks report input pixels.

    Notes
    -----
    Block averaging (not striding) so thin edges fade instead of vanishing or aliasing.
    An integer factor keeps the pixel <-> block mapping exact, which
    :func:`conv_core.downscale` (area averaging to an exact size) does not promise.

    Examples
    --------
    >>> small, f = downsample_for_display(np.arange(12.0).reshape(3, 4), max_side=2)
    >>> f
    2
    >>> small
    array([[ 2.5,  4.5],
           [ 8.5, 10.5]], dtype=float32)
    """
    arr = np.asarray(values)
    if arr.ndim not in (2, 3) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"values must have shape (H, W) or (H, W, C), but got {arr.shape}")
    max_side = int(max_side)
    if max_side < 1:
        raise ValueError(f"max_side must be a positive integer, but got max_side={max_side}")
    height, width = arr.shape[:2]
    factor = math.ceil(max(height, width) / max_side)
    if factor <= 1:
        return values, 1
    # Sums over f x f blocks, one axis at a time: f strided adds per axis into a float32
    # accumulator (exact for uint8: f*f*255 < 2**24), ~10x faster than np.add.reduceat
    # here. The first pass reads the full array once and writes 1/f of it.
    rows = _block_sums(arr, factor)
    sums = np.moveaxis(_block_sums(np.moveaxis(rows, 1, 0), factor), 0, 1)
    counts_r = np.minimum(factor, height - np.arange(0, height, factor))
    counts_c = np.minimum(factor, width - np.arange(0, width, factor))
    counts = np.outer(counts_r, counts_c).astype(np.float32)
    if arr.ndim == 3:
        counts = counts[:, :, None]
    means = sums / counts
    if arr.dtype == np.uint8:
        return np.clip(np.floor(means + 0.5), 0, 255).astype(np.uint8), factor
    return means.astype(np.float32), factor


def _block_sums(arr: np.ndarray, factor: int) -> npt.NDArray[np.float32]:
    """Sums of ``factor`` consecutive rows (axis 0); a partial last block sums what it has."""
    height = arr.shape[0]
    full, rest = divmod(height, factor)
    out = np.zeros((full + (rest > 0), *arr.shape[1:]), np.float32)
    blocks = arr[: full * factor].reshape(full, factor, *arr.shape[1:])
    for k in range(factor):
        np.add(out[:full], blocks[:, k], out=out[:full])
    if rest:
        out[full] = arr[full * factor :].sum(axis=0, dtype=np.float32)
    return out


# --------------------------------------------------------------------------------------
# Image-like figures


def image_figure(
    image: np.ndarray,
    *,
    title: str | None = None,
    height: int | None = None,
    hover_label: str = "value",
    row_label: str = "row",
    col_label: str = "col",
    factor: int = 1,
    origin: tuple[int, int] = (0, 0),
    clickable: bool = False,
    highlight: tuple[int, int] | None = None,
    highlight_size: tuple[int, int] = (1, 1),
    highlight_color: str = OKABE_ITO["blue"],
    max_probe_points: int = DEFAULT_MAX_PROBE_POINTS,
) -> go.Figure:
    """A photo (grey or RGB, 0..255) shown pixel-exact with square pixels.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3) and dtype uint8
        Grey levels or RGB.
    title : str, optional
        Shown above the image (adds :data:`TITLE_STRIP_PX` to the height).
    height : int, optional
        Height of the image area with its margins, as :func:`same_scale_heights` gives;
        default: as if shown in a 640 px column (at most 600 px).
    hover_label, row_label, col_label : str, optional
        Words of the hover text ``"<row_label> 12, <col_label> 40<br><hover_label> 200"``
        (RGB: ``"... 200, 13, 40"``), translated by the page.
    factor : int, optional
        The image was shrunk by this factor (:func:`downsample_for_display`): hover,
        clicks and highlights use the original pixel coordinates. Default 1.
    origin : (row, col), optional
        Original coordinates of pixel (0, 0), for a crop. Default (0, 0).
    clickable : bool, optional
        Add the invisible probe trace so ``st.plotly_chart(..., on_select="rerun")``
        reports the clicked pixel as ``x`` (col) and ``y`` (row). Default False.
    highlight : (row, col), optional
        Outline the ``highlight_size`` rows x cols starting there (original
        coordinates), e.g. the window under a clicked output. Default none.
    highlight_size : (rows, cols), optional
        Default (1, 1).
    highlight_color : str, optional
        Default Okabe-Ito blue (the studio's window colour).
    max_probe_points : int, optional
        Most probe points; a larger image gets one per block of pixels.

    Returns
    -------
    fig : go.Figure
        Grey: a ``go.Heatmap`` with the fixed linear grey scale and no colour bar (it
        looks exactly like an image and sends 1 byte a pixel instead of 3). RGB: a
        ``go.Image``. Plus a ``go.Scatter`` probe trace when ``clickable``.
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(
            f"image must have dtype uint8 (use conv_core.to_display or feature_map_figure "
            f"for other values), but got dtype {arr.dtype}"
        )
    _check_image_shape(arr, "image")
    factor, origin = _check_geometry(factor, origin)
    labels = _Labels(hover_label, row_label, col_label)
    if arr.ndim == 2:
        trace: dict[str, Any] = {
            "type": "heatmap",
            "z": arr,
            "colorscale": colorscale_for("clip"),
            "zmin": 0,
            "zmax": 255,
            "zauto": False,
            "showscale": False,
            "zsmooth": False,
        }
        value_part = "%{z}"
    else:
        trace = {"type": "image", "z": arr, "colormodel": "rgb"}
        value_part = "%{z[0]}, %{z[1]}, %{z[2]}"
    # Clickable: the probe points carry the hover (they win it anyway, being nearer).
    hover = {"hoverinfo": "skip"} if clickable else {"hovertemplate": labels.template(value_part)}
    data = [trace | _placement(factor, origin) | hover | {"name": ""}]
    if clickable:
        data.append(_probe_trace(arr, "d", labels, factor, origin, max_probe_points))
    layout = _image_layout(arr.shape[:2], factor, origin, height, title, colorbar=False)
    if highlight is not None:
        layout["shapes"] = _outline(layout, highlight, highlight_size, highlight_color)
    return _figure(data, layout)


def feature_map_figure(
    values: np.ndarray,
    mode: str = "clip",
    *,
    title: str | None = None,
    height: int | None = None,
    hover_label: str = "value",
    colorbar_title: str | None = None,
    row_label: str = "row",
    col_label: str = "col",
    colorbar: bool | None = None,
    factor: int = 1,
    origin: tuple[int, int] = (0, 0),
    highlight: tuple[int, int] | None = None,
    highlight_size: tuple[int, int] = (1, 1),
    highlight_color: str = OKABE_ITO["vermillion"],
    value_format: str = ",.6~g",
    max_probe_points: int = DEFAULT_MAX_PROBE_POINTS,
) -> go.Figure:
    """A feature map (any real values) shown through a display mode, clickable per pixel.

    Parameters
    ----------
    values : ndarray of shape (H, W) or (H, W, 3)
        Raw values (any range), e.g. a convolution's output; (H, W, 3) for a result
        kept in colour.
    mode : {'clip', 'abs', 'minmax', 'symmetric'}, optional
        How values become colours (:func:`conv_core.to_display`), default ``'clip'``.
        Grey maps use :data:`DISPLAY_COLORSCALES` (grey, or blue-white-red for
        ``'symmetric'``); an RGB map shows the three mapped channels as colour.
    title : str, optional
        Shown above the map (adds :data:`TITLE_STRIP_PX` to the height).
    height : int, optional
        Height of the image area with its margins (:func:`same_scale_heights`); a
        colour bar adds :data:`COLORBAR_STRIP_PX` below it.
    hover_label, row_label, col_label : str, optional
        Words of the hover text ``"<row_label> 12, <col_label> 40<br><hover_label> -37.5"``
        (the raw value; RGB: three values), translated by the page.
    colorbar_title : str, optional
        Title above the colour bar.
    colorbar : bool, optional
        Show a horizontal colour bar under the map, labelled with raw values
        (:func:`colorbar_ticks`). Default (None): only for a grey ``'symmetric'`` map,
        whose colours do not explain themselves (which sign is red?); grey reads as
        dark = low, bright = high, and the page states the mode's formula. Never for RGB.
    factor, origin :
        As in :func:`image_figure`: coordinates reported in the original image's pixels.
    highlight, highlight_size, highlight_color :
        Outline in original coordinates; default colour Okabe-Ito vermillion (the
        studio's current output).
    value_format : str, optional
        d3 format of the raw value in the hover, default ``',.6~g'``.
    max_probe_points : int, optional
        Most probe points (one per pixel up to this, then one per block).

    Returns
    -------
    fig : go.Figure
        ``data[0]``: ``go.Heatmap`` with ``z = to_display(values, mode)`` (uint8) for
        grey, ``go.Image`` with the same for RGB; ``data[1]``: the probe ``go.Scatter``
        with ``x`` = col, ``y`` = row and ``customdata`` = the raw value(s) (float32).
        A click through ``st.plotly_chart(fig, on_select="rerun",
        selection_mode="points")`` selects a probe point: ``points[0]["x"]``,
        ``["y"]`` and ``["customdata"]``.

    Notes
    -----
    Streamlit derives the chart's identity from its spec, so a figure that changes after
    a click (a new highlight) is a new chart whose selection starts empty: keep the click
    in session state from the ``on_select`` callback.
    """
    _check_mode(mode)
    arr = np.asarray(values)
    _check_image_shape(arr, "values")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"values must be real numbers, but got dtype {arr.dtype}")
    factor, origin = _check_geometry(factor, origin)
    display = to_display(arr, mode)
    labels = _Labels(hover_label, row_label, col_label)
    grey = arr.ndim == 2
    show_bar = grey and (mode == "symmetric" if colorbar is None else bool(colorbar))
    layout = _image_layout(arr.shape[:2], factor, origin, height, title, colorbar=show_bar)
    if grey:
        trace: dict[str, Any] = {
            "type": "heatmap",
            "z": display,
            "colorscale": colorscale_for(mode),
            "zmin": 0,
            "zmax": 255,
            "zauto": False,
            "zsmooth": False,
            "showscale": show_bar,
        }
        if show_bar:
            tickvals, ticktext = colorbar_ticks(arr, mode)
            plot_h = layout["meta"]["plot_height_px"]
            trace["colorbar"] = _colorbar(tickvals, ticktext, colorbar_title, plot_h)
    else:
        trace = {"type": "image", "z": display, "colormodel": "rgb"}
    data = [
        trace | _placement(factor, origin) | {"hoverinfo": "skip", "name": ""},
        _probe_trace(arr, value_format, labels, factor, origin, max_probe_points),
    ]
    if highlight is not None:
        layout["shapes"] = _outline(layout, highlight, highlight_size, highlight_color)
    return _figure(data, layout)


# --------------------------------------------------------------------------------------
# Small number grids


def kernel_figure(
    kernel: np.ndarray,
    *,
    title: str | None = None,
    size: int = 220,
    decimals: int = 2,
) -> go.Figure:
    """A kernel as a small grid with every weight written in its cell.

    Parameters
    ----------
    kernel : ndarray of shape (KH, KW)
        Finite weights.
    title : str, optional
        Shown above the grid.
    size : int, optional
        Width of the grid area in px (default 220; the height follows for square cells).
        It grows when the numbers would otherwise be written smaller than 14 px.
    decimals : int, optional
        Fractions are rounded to this many decimals (1/9 -> ``0.11``); integers are
        written plainly. Default 2.

    Returns
    -------
    fig : go.Figure
        A ``go.Heatmap`` of the weights on the diverging RdBu scale centred on 0
        (``zmin = -max|w|``, ``zmax = +max|w|``: negative blue, positive red), no colour
        bar, square cells, and one annotation per cell whose colour (near-black or
        white) has the higher contrast with the cell.
    """
    k = _check_grid(kernel, "kernel")
    m = float(np.abs(k).max())
    m = m if m > 0 else 1.0
    scale = COLORSCALES[DISPLAY_COLORSCALES["symmetric"]]
    texts = [[format_number(v, decimals) for v in row] for row in k]
    positions = (k / m + 1.0) / 2.0
    data, layout = _grid_spec(
        z=k,
        zmin=-m,
        zmax=m,
        colorscale=scale,
        texts=texts,
        positions=positions,
        title=title,
        size=size,
    )
    return _figure(data, layout)


def window_figure(
    window: np.ndarray,
    kernel: np.ndarray | None = None,
    *,
    title: str | None = None,
    highlight: tuple[int, int] | None = None,
    mode: str = "clip",
    size: int = 260,
    decimals: int = 2,
    highlight_color: str = OKABE_ITO["green"],
) -> go.Figure:
    """The input values under one window, written in their cells (grey by value).

    Parameters
    ----------
    window : ndarray of shape (KH, KW)
        The values the kernel (or pooling window) covers, e.g. after a click.
    kernel : ndarray of shape (KH, KW), optional
        When given, each cell also shows its weight as ``×w`` under the value, so the
        products of the sum can be read off.
    title : str, optional
        Shown above the grid.
    highlight : (row, col), optional
        Cell to outline inside the window, e.g. the maximum of a max-pooling window.
    mode : {'clip', 'abs', 'minmax', 'symmetric'}, optional
        Colour of the cells, as :func:`feature_map_figure` (default ``'clip'``: the
        0..255 grey of an image pixel); ``'minmax'``/``'symmetric'`` use this window's
        own range.
    size : int, optional
        Width of the grid area in px (grows for readable text). Default 260.
    decimals : int, optional
        Fractions rounded to this many decimals. Default 2.
    highlight_color : str, optional
        Default Okabe-Ito bluish green (the studio's "maximum").

    Returns
    -------
    fig : go.Figure
        A ``go.Heatmap`` with ``z = to_display(window, mode)``, square cells, no colour
        bar; annotations with the values (and ``×w``); a rectangle around ``highlight``.
    """
    _check_mode(mode)
    win = _check_grid(window, "window")
    weights = None
    if kernel is not None:
        weights = _check_grid(kernel, "kernel")
        if weights.shape != win.shape:
            raise ValueError(
                f"kernel must have the window's shape {win.shape}, but got {weights.shape}"
            )
    display = to_display(win, mode)
    texts = [[format_number(v, decimals) for v in row] for row in win]
    subtexts = None
    if weights is not None:
        subtexts = [["×" + format_number(w, decimals) for w in row] for row in weights]
    data, layout = _grid_spec(
        z=display,
        zmin=0,
        zmax=255,
        colorscale=colorscale_for(mode),
        texts=texts,
        positions=display / 255.0,
        title=title,
        size=size,
        subtexts=subtexts,
    )
    if highlight is not None:
        r, c = (int(v) for v in highlight)
        if not (0 <= r < win.shape[0] and 0 <= c < win.shape[1]):
            raise ValueError(
                f"highlight must be a (row, col) inside the {win.shape[0]}x{win.shape[1]} "
                f"window, but got highlight={highlight}"
            )
        layout["shapes"] = _outline(layout, (r, c), (1, 1), highlight_color, min_px=0, width=4)
    return _figure(data, layout)


# --------------------------------------------------------------------------------------
# Internals


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """The figure for a finished spec, built in one step without plotly's validation.

    Building a figure property by property (``update_layout``, ``add_shape``) with
    validation cost 15-35 ms of server CPU per figure here, paid on every rerun by every
    student; one unvalidated construction costs about 1 ms. The specs are validated once
    by the tests instead (tests/ui/test_figures.py rebuilds every figure with validation
    on). ``_validate`` is plotly.py's own switch (``BaseFigure.__init__``).
    """
    return go.Figure({"data": data, "layout": layout}, _validate=False)


class _Labels:
    """The translated words of a hover text, escaped for plotly's HTML subset."""

    def __init__(self, value: str, row: str, col: str) -> None:
        self.value, self.row, self.col = (
            html.escape(str(s), quote=False) for s in (value, row, col)
        )

    def template(self, value_part: str) -> str:
        return f"{self.row} %{{y}}, {self.col} %{{x}}<br>{self.value} {value_part}<extra></extra>"


def _check_mode(mode: Any) -> None:
    if mode not in DISPLAY_MODES:
        raise ValueError(f"mode must be one of {sorted(DISPLAY_MODES)}, but got mode={mode!r}")


def _check_image_shape(arr: np.ndarray, arg: str) -> None:
    ok = arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)
    if not ok or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{arg} must have shape (H, W) or (H, W, 3), but got {arr.shape}")


def _check_grid(values: Any, arg: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{arg} must be a non-empty 2D array, but got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{arg} must hold finite numbers only")
    return arr


def _check_geometry(factor: Any, origin: Any) -> tuple[int, tuple[int, int]]:
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"factor must be a positive integer, but got factor={factor}")
    r0, c0 = (int(v) for v in origin)
    if r0 < 0 or c0 < 0:
        raise ValueError(f"origin must be a (row, col) pair >= 0, but got origin={origin}")
    return factor, (r0, c0)


def _placement(factor: int, origin: tuple[int, int]) -> dict[str, int]:
    """Cell (i, j) centred on original pixel (origin + (i, j) * factor)."""
    return {"x0": origin[1], "dx": factor, "y0": origin[0], "dy": factor}


def _probe_trace(
    arr: np.ndarray,
    value_format: str,
    labels: _Labels,
    factor: int,
    origin: tuple[int, int],
    max_points: int,
) -> dict[str, Any]:
    """Invisible scatter points at pixel centres: they carry the hover and take the clicks.

    ``value_format`` ``'d'`` shows integers (a photo); otherwise a d3 format of the raw
    value. With ``step > 1`` each point stands for a ``step x step`` block and sits on its
    centre pixel, so a click snaps to the nearest block.
    """
    height, width = arr.shape[:2]
    step = probe_step((height, width), max_points)
    rows = np.minimum(np.arange(0, height, step) + (step - 1) // 2, height - 1)
    cols = np.minimum(np.arange(0, width, step) + (step - 1) // 2, width - 1)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    ys = origin[0] + rr.ravel() * factor
    xs = origin[1] + cc.ravel() * factor
    coord_dtype = np.uint16 if max(int(xs.max()), int(ys.max())) < 2**16 else np.uint32
    raw = arr[rr, cc]
    fmt = value_format
    if arr.ndim == 3:
        custom = raw.reshape(-1, 3).astype(np.float32)
        value_part = ", ".join(f"%{{customdata[{i}]:{fmt}}}" for i in range(3))
    else:
        custom = raw.ravel().astype(np.float32)
        value_part = f"%{{customdata:{fmt}}}"
    return dict(
        type="scatter",
        x=xs.astype(coord_dtype),
        y=ys.astype(coord_dtype),
        customdata=custom,
        mode="markers",
        # maxdisplayed=1: the browser draws one (invisible) marker instead of one SVG
        # node per point; hover and click selection still use every point.
        marker={"symbol": "square", "size": 6, "opacity": 0, "maxdisplayed": 1},
        hovertemplate=labels.template(value_part),
        showlegend=False,
        name="",
    )


def _image_layout(
    shape: tuple[int, int],
    factor: int,
    origin: tuple[int, int],
    height: int | None,
    title: str | None,
    *,
    colorbar: bool,
) -> dict[str, Any]:
    """Square pixels, row 0 on top, no ticks, fixed margins (and strips for title and bar)."""
    rows, cols = shape
    if height is None:
        height = same_scale_heights([(rows, cols)], _DEFAULT_WIDTH_PX)[0]
    height = int(height)
    if height <= 2 * PAD_PX:
        raise ValueError(f"height must be more than {2 * PAD_PX} px, but got height={height}")
    top = PAD_PX + (TITLE_STRIP_PX if title else 0)
    bottom = PAD_PX + (COLORBAR_STRIP_PX if colorbar else 0)
    total = height + top + bottom - 2 * PAD_PX
    half = factor / 2
    x_range = [origin[1] - half, origin[1] + (cols - 1) * factor + half]
    y_range = [origin[0] + (rows - 1) * factor + half, origin[0] - half]
    axis = {
        "visible": False,
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,  # no accidental zoom or pan in class
        "constrain": "domain",
        "autorange": False,
    }
    layout: dict[str, Any] = {
        "height": total,
        "margin": {"l": PAD_PX, "r": PAD_PX, "t": top, "b": bottom, "pad": 0, "autoexpand": False},
        "xaxis": {**axis, "range": x_range},
        # A narrower column than planned leaves space below the image, not above it, so
        # images side by side stay aligned at the top.
        "yaxis": {
            **axis,
            "range": y_range,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constraintoward": "top",
        },
        "hovermode": "closest",
        "hoverdistance": -1,  # the nearest probe point, wherever the pointer is
        "hoverlabel": {
            "font": {"size": FONT_SIZE, "color": _EDGE},
            "bgcolor": "white",
            "bordercolor": _EDGE,
        },
        "font": {"size": FONT_SIZE},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "meta": {"plot_height_px": height - 2 * PAD_PX},
    }
    if title:
        layout["title"] = _title(title, total)
    return layout


def _title(title: str, total: int) -> dict[str, Any]:
    return {
        "text": title,
        "font": {"size": _TITLE_SIZE},
        "x": 0.5,
        "xanchor": "center",
        "xref": "paper",
        "yref": "container",
        "y": 1 - 6 / total,
        "yanchor": "top",
    }


def _colorbar(
    tickvals: list[float], ticktext: list[str], title: str | None, plot_h: int
) -> dict[str, Any]:
    """A horizontal colour bar in the strip under the plot area: title, bar, tick labels."""
    bar: dict[str, Any] = {
        "orientation": "h",
        "thickness": 14,
        "len": 0.8,  # room for the end labels, which are centred on the bar's ends
        "lenmode": "fraction",
        "x": 0.5,
        "xanchor": "center",
        "xref": "paper",
        # Its top (title included) 8 px under the plot area. (In "container" coordinates
        # plotly 3.8 let the title overlap the bar; "paper" places it right.)
        "yref": "paper",
        "y": -8 / plot_h,
        "yanchor": "top",
        "tickmode": "array",
        "tickvals": tickvals,
        "ticktext": ticktext,
        "ticks": "outside",
        "tickfont": {"size": FONT_SIZE, "color": _EDGE},
        "outlinewidth": 1,
        "outlinecolor": _EDGE,
    }
    if title:
        bar["title"] = {"text": title, "side": "top", "font": {"size": FONT_SIZE, "color": _EDGE}}
    return bar


def _outline(
    layout: dict[str, Any],
    corner: tuple[int, int],
    size: tuple[int, int],
    color: str,
    *,
    min_px: int = _MIN_OUTLINE_PX,
    width: float = 3,
) -> list[dict[str, Any]]:
    """Shapes outlining rows r..r+h-1, cols c..c+w-1 (axis units): ``color`` over a dark edge.

    When the box would be smaller than ``min_px`` on screen (estimated from the plot
    height), a ``min_px`` square is drawn around its centre instead, so a 3x3 window on
    a large photo stays visible.
    """
    r, c = (float(v) for v in corner)
    h, w = (float(v) for v in size)
    if h <= 0 or w <= 0:
        raise ValueError(f"highlight_size must be positive, but got {size}")
    x0, x1, y0, y1 = c - 0.5, c + w - 0.5, r - 0.5, r + h - 0.5
    shape: dict[str, Any] = {"type": "rect", "xref": "x", "yref": "y", "layer": "above"}
    if min_px > 0:
        y_range = layout["yaxis"]["range"]
        y_span = abs(y_range[0] - y_range[1])
        px_per_unit = layout["meta"]["plot_height_px"] / y_span if y_span else 0.0
        if min(h, w) * px_per_unit < min_px:
            half = min_px / 2
            shape.update(xsizemode="pixel", ysizemode="pixel")
            shape.update(xanchor=(x0 + x1) / 2, yanchor=(y0 + y1) / 2)
            x0, x1, y0, y1 = -half, half, half, -half
    shape.update(x0=x0, x1=x1, y0=y0, y1=y1)
    return [
        {**shape, "line": {"color": _EDGE, "width": width + 3}},
        {**shape, "line": {"color": color, "width": width}},
    ]


def _relative_luminance(rgb: Sequence[float]) -> float:
    """WCAG relative luminance of 0..255 sRGB channels."""
    lin = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)
    ]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


_DARK_LUMINANCE = _relative_luminance((17, 17, 17))  # _EDGE


def _text_colour(cell_rgb: str) -> str:
    """Near-black or white, whichever contrasts more with ``'rgb(r, g, b)'`` (WCAG)."""
    parts = cell_rgb[cell_rgb.index("(") + 1 : cell_rgb.index(")")].split(",")
    lum = _relative_luminance([float(p) for p in parts[:3]])
    contrast_dark = (lum + 0.05) / (_DARK_LUMINANCE + 0.05)
    contrast_light = 1.05 / (lum + 0.05)
    return _EDGE if contrast_dark >= contrast_light else _LIGHT_TEXT


def _grid_spec(
    *,
    z: np.ndarray,
    zmin: float,
    zmax: float,
    colorscale: list[list[Any]],
    texts: list[list[str]],
    positions: np.ndarray,
    title: str | None,
    size: int,
    subtexts: list[list[str]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Data and layout of a small grid heatmap with a number in every cell, square cells."""
    rows, cols = z.shape
    longest = max(len(t) for row in texts for t in row)
    if subtexts is not None:
        longest = max(longest, *(len(t) for row in subtexts for t in row))
    lines = 1 if subtexts is None else 2
    # Text of n characters is about 0.6 n em wide; the cell must hold it with a margin.
    cell = (int(size) - 2 * PAD_PX) / cols
    needed = max(_MIN_CELL_FONT * 0.6 * longest / 0.85, _MIN_CELL_FONT * 1.3 * lines / 0.85)
    cell = max(cell, needed)
    font = min(_MAX_CELL_FONT, cell * 0.85 / (0.6 * longest), cell * 0.85 / (1.3 * lines))
    font = max(_MIN_CELL_FONT, math.floor(font))
    width = round(cell * cols) + 2 * PAD_PX
    height = round(cell * rows) + 2 * PAD_PX
    data = [
        {
            "type": "heatmap",
            "z": z,
            "zmin": zmin,
            "zmax": zmax,
            "zauto": False,
            "colorscale": colorscale,
            "showscale": False,
            "hoverinfo": "skip",
            "xgap": 1,
            "ygap": 1,
            "name": "",
        }
    ]
    colours = sample_colorscale(colorscale, np.clip(positions, 0, 1).ravel().tolist())
    annotations = []
    sub_font = max(_MIN_CELL_FONT, math.floor(font * 0.8))
    for i in range(rows):
        for j in range(cols):
            colour = _text_colour(colours[i * cols + j])
            base = {"x": j, "showarrow": False, "xref": "x", "yref": "y"}
            if subtexts is None:
                annotations.append(
                    {**base, "y": i, "text": texts[i][j], "font": {"size": font, "color": colour}}
                )
            else:
                annotations.append(
                    {
                        **base,
                        "y": i,
                        "yshift": 0.2 * cell,
                        "text": texts[i][j],
                        "font": {"size": font, "color": colour},
                    }
                )
                annotations.append(
                    {
                        **base,
                        "y": i,
                        "yshift": -0.22 * cell,
                        "text": subtexts[i][j],
                        "font": {"size": sub_font, "color": colour},
                    }
                )
    top = PAD_PX + (TITLE_STRIP_PX if title else 0)
    total = height + top - PAD_PX
    axis = {
        "visible": False,
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
        "constrain": "domain",
        "autorange": False,
    }
    layout: dict[str, Any] = {
        "width": width,
        "height": total,
        "margin": {"l": PAD_PX, "r": PAD_PX, "t": top, "b": PAD_PX, "pad": 0, "autoexpand": False},
        "xaxis": {**axis, "range": [-0.5, cols - 0.5]},
        "yaxis": {**axis, "range": [rows - 0.5, -0.5], "scaleanchor": "x", "scaleratio": 1},
        "annotations": annotations,
        "font": {"size": FONT_SIZE},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "meta": {"plot_height_px": height - 2 * PAD_PX, "cell_px": cell, "font_px": font},
    }
    if title:
        layout["title"] = _title(title, total)
    return data, layout
