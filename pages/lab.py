"""Image Filter Lab: your own image through edge and blur kernels, channels, ReLU and pooling.

Reads top to bottom like the screen: settings in four tabs (image, colour and filters,
pipeline, display), then the preview (computed on a downscaled copy at once: only
downscaled images ever go to the browser), the numbers behind a clicked pixel, the
feature-map gallery, the window sliding over a region (the studio's stepper), and the
full-resolution downloads (one server-wide queue for heavy jobs).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import numpy as np
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures import maps as figures
from ui.frame.i18n import t, te
from ui.frame.jobs import FULL_RES_JOBS, JobTimeout
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching import shape_text as shapes
from ui.teaching.grid_sources import image_grid
from ui.teaching.lab_export import ExportRequest, full_resolution_pngs, image_loader
from ui.teaching.lab_pipeline import Filter, PipelineSettings, filter_weights, result_map, run
from ui.teaching.traces import TraceSettings, compact_trace
from ui.widgets import code_panel
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "lab"
#: Longer side of the working copy the preview is computed on (and all that is drawn).
PREVIEW_SIDE = 640
#: Largest region the sliding animation steps through.
SLIDE_MAX = 32
MAX_EXTRA_FILTERS = 7
COLOR_MODES = cc.COLOR_MODES
ACTIVATIONS = cc.ACTIVATIONS
POOLS = cc.POOLS
# Width (px) assumed for one of two side-by-side columns when sizing figures: on the small
# side (a laptop with the sidebar open), so on wider screens the image is limited by its
# height and gains a margin at the sides rather than empty bands above and below.
FIG_WIDTH = 420
KEEP = widgets.KEEP_STATE
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "color",
        "per_channel",
        "more",
        "activation",
        "slope",
        "pool",
        "pool_size",
        "pool_stride",
        "display",
        "slide_rows",
        "slide_cols",
        "slide_top",
        "slide_left",
        "slide_zoom",
        "slide_channel",
    )
}
DEFAULTS: dict[str, Any] = {
    "color": "gray",
    "per_channel": False,
    "more": [],
    "activation": "none",
    "slope": 0.01,
    "pool": "none",
    "pool_size": 2,
    "pool_stride": 2,
    "display": "abs",
    "slide_rows": 12,
    "slide_cols": 12,
    "slide_top": 40,
    "slide_left": 40,
    "slide_zoom": 8,
    "slide_channel": 0,
}


def channel_names() -> list[str]:
    return t("lab.color.channel_names").split(",")


# ----------------------------------------------------------------------------- settings


def color_and_filters() -> tuple[str, list[Filter]] | None:
    """The colour mode and the filters (None while a kernel cell is invalid)."""
    color = st.radio(
        t("lab.color.label"),
        COLOR_MODES,
        key=widgets.translated_choice(KEYS["color"]),
        format_func=widgets.labels(lambda m: f"lab.color.{m}"),
        help=t("lab.color.help"),
        persist_state=KEEP,
        horizontal=True,
    )
    st.caption(t(f"lab.color.explain_{color}"))
    per_channel = False
    if color == "cnn":
        per_channel = st.toggle(
            t("lab.color.per_channel"),
            key=KEYS["per_channel"],
            help=t("lab.color.per_channel_help"),
            persist_state=KEEP,
        )
    names = channel_names()
    if per_channel:
        cols = st.columns(3, gap="medium")
        choices = []
        for c, column in enumerate(cols):
            with column:
                st.markdown(f"**{t('lab.color.channel_kernel', channel=names[c])}**")
                prefix = P if c == 0 else f"{P}.ch{c}"
                choices.append(widgets.kernel_editor(prefix, default="sobel_x", show_bias=c == 0))
        if any(choice.matrix is None for choice in choices):
            return None
        shapes = {choice.matrix.shape for choice in choices}
        if len(shapes) > 1:
            st.error(t("lab.color.channel_shapes"))
            return None
        main = Filter(
            t("lab.result.custom"),
            np.stack([choice.matrix.astype(float) for choice in choices]),
            float(choices[0].bias),
        )
    else:
        st.markdown(f"**{t('lab.filters.main')}**")
        choice = widgets.kernel_editor(P, default="sobel_x")
        if choice.matrix is None:
            return None
        label = t(cc.KERNELS[choice.name].title_key) if choice.name else t("lab.result.custom")
        main = Filter(label, choice.matrix.astype(float), float(choice.bias))
    more = st.multiselect(
        t("lab.filters.more"),
        [name for name in cc.KERNELS if name != "identity"],
        key=widgets.translated_choice(KEYS["more"]),
        format_func=widgets.labels(lambda n: cc.KERNELS[n].title_key),
        max_selections=MAX_EXTRA_FILTERS,
        help=t("lab.filters.more_help"),
        persist_state=KEEP,
    )
    extra = [
        Filter(t(cc.KERNELS[n].title_key), cc.KERNELS[n].matrix.astype(float), 0.0) for n in more
    ]
    return color, [main, *extra]


def pipeline_settings() -> PipelineSettings:
    """Convolution settings, activation and pooling."""
    conv = widgets.conv_controls(P, side_by_side=True)
    st.divider()
    c1, c2 = st.columns(2, gap="large")
    with c1:
        activation = st.selectbox(
            t("lab.pipeline.activation"),
            ACTIVATIONS,
            key=widgets.translated_choice(KEYS["activation"]),
            format_func=widgets.labels(lambda a: f"lab.activations.{a}"),
            help=t("lab.pipeline.activation_help"),
            persist_state=KEEP,
        )
        slope = 0.01
        if activation == "leaky_relu":
            slope = st.number_input(
                t("lab.pipeline.slope"), 0.0, 1.0, step=0.01, key=KEYS["slope"],
                persist_state=KEEP,
            )  # fmt: skip
    with c2:
        pool = st.segmented_control(
            t("lab.pipeline.pool"),
            POOLS,
            key=KEYS["pool"],
            format_func=widgets.labels(lambda p: f"lab.pools.{p}"),
            help=t("lab.pipeline.pool_help"),
            required=True,
            persist_state=KEEP,
        )
        size, stride = 2, 2
        if pool != "none":
            s1, s2 = st.columns(2)
            size = s1.number_input(
                t("lab.pipeline.pool_size"), 1, 8, key=KEYS["pool_size"], persist_state=KEEP
            )
            stride = s2.number_input(
                t("lab.pipeline.pool_stride"), 1, 8, key=KEYS["pool_stride"],
                help=t("lab.pipeline.pool_stride_help"), persist_state=KEEP,
            )  # fmt: skip
    return PipelineSettings(conv, activation, float(slope), pool, int(size), int(stride))


def display_setting() -> str:
    mode = st.radio(
        t("lab.display.label"),
        cc.DISPLAY_MODES,
        key=widgets.translated_choice(KEYS["display"]),
        format_func=widgets.labels(lambda m: f"display_mode_names.{m}"),
        help=t("lab.display.help"),
        captions=[t(f"display_modes.{m}") for m in cc.DISPLAY_MODES],
        persist_state=KEEP,
    )
    return mode


# ----------------------------------------------------------------------------- compute


def working_image(pick: widgets.ImagePick, color: str) -> np.ndarray:
    """The preview copy in the colour mode's form: (H, W) grey or (H, W, 3), whole 0-255
    values like an 8-bit image (so a clicked pixel's arithmetic has whole numbers)."""
    array = pick.array
    if color == "gray" and array.ndim == 3:
        array = cc.to_grey(array)
    elif color != "gray" and array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return np.rint(array).astype(np.float32)


# ----------------------------------------------------------------------------- showing


def stage_lines(
    image: np.ndarray, result: cc.PipelineResult, f: Filter, s: PipelineSettings
) -> None:
    """The shape after every stage of filter 1, with the output-size formulas."""
    in_shape = (*image.shape[:2], 1 if image.ndim == 2 else image.shape[2])
    conv, bias, act, pool = result.stages
    lines = [
        t("lab.result.stage_input", shape=shapes.dims(in_shape)),
        t("lab.result.stage_conv", shape=shapes.dims(conv.shape)),
        t("lab.result.stage_bias", bias=_num(f.bias), shape=shapes.dims(bias.shape)),
    ]
    if s.activation != "none":
        name = t(f"lab.activations.{s.activation}")
        lines.append(t("lab.result.stage_activation", name=name, shape=shapes.dims(act.shape)))
    if s.pool != "none":
        lines.append(
            t(
                "lab.result.stage_pool",
                name=t(f"lab.pools.{s.pool}"),
                size=s.pool_size,
                stride=s.pool_stride,
                shape=shapes.dims(pool.shape),
            )
        )
    st.markdown(" → ".join(f"**{line}**" if i == 0 else line for i, line in enumerate(lines)))
    formulas = [
        t("lab.result.formula_rows", formula=result.conv_rows.formula()),
        t("lab.result.formula_cols", formula=result.conv_cols.formula()),
    ]
    if result.pool_rows is not None and result.pool_cols is not None:
        formulas += [
            t("lab.result.pool_rows", formula=result.pool_rows.formula()),
            t("lab.result.pool_cols", formula=result.pool_cols.formula()),
        ]
    st.markdown("\n".join(f"- `{line}`" for line in formulas))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def numbers_table(values: np.ndarray, label: str, key: str) -> None:
    """A map's numbers as a table for screen readers; an (H, W, 3) map gets one per channel."""
    arr = np.asarray(values)
    if arr.ndim == 2:
        widgets.table_alternative(arr, label=label, key=key)
        return
    for c, name in enumerate(channel_names()[: arr.shape[-1]]):
        widgets.table_alternative(arr[..., c], label=f"{label} ({name})", key=f"{key}.{c}")


def map_figure(
    values: np.ndarray,
    mode: str,
    title: str | None,
    height: int | None = None,
    max_side: int | None = None,
) -> Any:
    """A feature map figure; ``max_side`` sends a block-averaged copy (hover and clicks
    still give the map's own coordinates): small gallery maps need far fewer bytes."""
    factor, probes = 1, figures.DEFAULT_MAX_PROBE_POINTS
    if max_side is not None:
        values, factor = figures.downsample_for_display(values, max_side)
        probes = THUMB_PROBES
    return figures.feature_map_figure(
        values,
        mode,
        title=title,
        height=height,
        hover_label=t("figures.value"),
        row_label=t("figures.row"),
        col_label=t("figures.col"),
        factor=factor,
        max_probe_points=probes,
    )


#: Small figures: no toolbar (it would cover their titles), their own width.
SMALL = {"config": {"displayModeBar": False}, "width": "content"}
#: Thumbnails (gallery, channel maps) are sent at most this many pixels on a side.
THUMB_SIDE = 320
#: Hover points of a thumbnail (each costs bytes on every rerun; thumbnails are not clicked).
THUMB_PROBES = 2500


def clicked_point(event: Any) -> tuple[int, int] | None:
    """(row, col) of the clicked point of a plotly_chart selection event, if any."""
    try:
        points = event.selection.points
    except AttributeError:
        return None
    if not points:
        return None
    point = points[0]
    x, y = point.get("x"), point.get("y")
    if x is None or y is None:
        return None
    return round(float(y)), round(float(x))


def explain_pixel(
    image: np.ndarray, f: Filter, color: str, s: PipelineSettings, result: cc.PipelineResult,
    row: int, col: int,
) -> None:  # fmt: skip
    """The numbers behind a clicked result pixel: for each channel of the result (three in
    the photo-editing way), the pooling window it came from, the input window under the
    kernel, the arithmetic, and the activation."""
    final = result.result.maps[0]
    if not (0 <= row < final.shape[0] and 0 <= col < final.shape[1]):
        st.caption(t("lab.click.outside"))
        return
    st.markdown(f"**{t('lab.click.header', row=row, col=col, i=1)}**")
    st.caption(t("lab.click.preview_scale"))
    names = channel_names()
    for channel in range(3) if color == "photo" else [None]:
        if channel is not None:
            st.markdown(f"##### {t('lab.click.channel', channel=names[channel])}")
        r, c = (row, col) if s.pool == "none" else _pool_part(result, s, row, col, channel)
        _conv_part(image, f, color, s, result, r, c, channel)


def _pool_part(
    result: cc.PipelineResult, s: PipelineSettings, row: int, col: int, channel: int | None
) -> tuple[int, int]:
    """The pooling window of a pooled pixel (its winner outlined); where it sits before."""
    window, (r, c) = cc.pool_window(
        result.stages[2].maps, 0, row, col, pool=s.pool, pool_size=s.pool_size,
        pool_stride=s.pool_stride, channel=channel,
    )  # fmt: skip
    st.markdown(t("lab.click.pool_window", method=t(f"lab.pools.{s.pool}")))
    pool_col, _ = st.columns([1, 2])
    highlight = _pool_highlight(window, s.pool) if s.pool == "max" else None
    pool_col.plotly_chart(
        figures.window_figure(window, highlight=highlight),
        key=f"{P}.pool_window.{channel}",
        **SMALL,
    )
    st.markdown(t("lab.click.pool_then", row=r, col=c))
    return r, c


def _conv_part(
    image: np.ndarray, f: Filter, color: str, s: PipelineSettings, result: cc.PipelineResult,
    row: int, col: int, channel: int | None,
) -> None:  # fmt: skip
    """The input window(s) under the kernel, the arithmetic, then the activation."""
    conv = s.conv
    names = channel_names()
    step = cc.pixel_step(
        image, filter_weights(f, color), [f.bias], filter_index=0, row=row, col=col,
        channel=channel, color_mode=color, stride=conv.stride, padding=conv.padding,
        dilation=conv.dilation, padding_mode=conv.padding_mode,
    )  # fmt: skip
    patch = np.asarray(step.patch)
    windows = [(t("lab.click.window"), patch)] if patch.ndim == 2 else [
        (t("lab.click.channel", channel=names[k]), patch[k]) for k in range(len(patch))
    ]  # fmt: skip
    cols = st.columns(max(3, len(windows)), gap="small")
    for i, (title, values) in enumerate(windows):
        cols[i].plotly_chart(
            figures.window_figure(values, title=title),
            key=f"{P}.window.{channel}.{i}",
            **SMALL,
        )
    st.markdown(f"**{t('lab.click.arithmetic')}**")
    lines = [cc.format_step(step, channel_names=names if color == "cnn" else None)]
    if s.activation != "none":
        activated = result.stages[2].maps[0]
        after = activated[row, col] if channel is None else activated[row, col, channel]
        lines.append(
            t(
                "lab.click.activation",
                fn=t(f"lab.activation_fns.{s.activation}"),
                before=_num(round(float(step.value), 3)),
                after=_num(round(float(after), 3)),
            )
        )
    st.code("\n".join(lines), language=None, wrap_lines=True)


def _pool_highlight(window: np.ndarray, pool: str) -> tuple[int, int]:
    if pool != "max":
        return 0, 0
    r, c = np.unravel_index(int(np.argmax(window)), window.shape)
    return r.item(), c.item()


def channel_panel(result: cc.PipelineResult, f: Filter, mode: str) -> None:
    """CNN mode: filter 1's three channel maps, then their sum plus the bias."""
    if result.channel_maps is None:
        return
    st.subheader(t("lab.result.channels_header"))
    st.caption(t("lab.result.channels_note"))
    names = channel_names()
    cols = st.columns(4, gap="small")
    height = figures.same_scale_heights([result.channel_maps.shape[2:4]], 200)[0]
    for c in range(3):
        with cols[c]:
            title = t("lab.result.channel_map", channel=names[c])
            st.plotly_chart(
                map_figure(result.channel_maps[0, c], mode, title, height, THUMB_SIDE),
                key=f"{P}.channel.{c}",
                config=SMALL["config"],
            )
            numbers_table(result.channel_maps[0, c], title, f"{P}.channel.{c}.table")
    with cols[3]:
        title = t("lab.result.channel_sum", bias=_num(f.bias))
        st.plotly_chart(
            map_figure(result.stages[1].maps[0], mode, title, height, THUMB_SIDE),
            key=f"{P}.channel.sum",
            config=SMALL["config"],
        )
        numbers_table(result.stages[1].maps[0], title, f"{P}.channel.sum.table")


def gallery(results: list[cc.PipelineResult], filters: list[Filter], mode: str, color: str) -> None:
    """Every filter's kernel beside its feature map, and the output depth."""
    st.subheader(t("lab.result.gallery_header"))
    n = len(filters)
    if color == "photo":
        st.markdown(t("lab.filters.depth_photo", n=n, c=3 * n))
    else:
        st.markdown(t("lab.filters.depth", n=n))
    shapes = {r.result.maps.shape[1:3] for r in results}
    if len(shapes) == 1:
        h, w = next(iter(shapes))
        depth = sum(r.result.shape[2] for r in results)
        st.caption(t("lab.filters.depth_stack", h=h, w=w, c=depth))
    else:
        st.caption(t("lab.filters.depth_sizes"))
    per_row = 2
    for start in range(0, n, per_row):
        cols = st.columns(per_row, gap="large")
        for i in range(start, min(start + per_row, n)):
            f, r = filters[i], results[i]
            with cols[i - start]:
                st.markdown(f"**{t('lab.result.map_of', i=i + 1, name=f.label)}**")
                k_col, m_col = st.columns([2, 3], gap="small", vertical_alignment="center")
                # A per-channel filter shows its R, G and B kernels, one under the other.
                kernels = [f.kernel] if f.kernel.ndim == 2 else list(f.kernel)
                names = channel_names()
                with k_col:
                    st.caption(t("lab.result.kernel_of", i=i + 1))
                    for c, kernel in enumerate(kernels):
                        st.plotly_chart(
                            figures.kernel_figure(
                                kernel, size=170, title=names[c] if len(kernels) > 1 else None
                            ),
                            key=f"{P}.gallery.kernel.{i}" + (f".{c}" if c else ""),
                            **SMALL,
                        )
                final = result_map(r)
                height = figures.same_scale_heights([final.shape[:2]], 260)[0]
                m_col.plotly_chart(
                    map_figure(final, mode, None, height, THUMB_SIDE),
                    key=f"{P}.gallery.map.{i}",
                    config=SMALL["config"],
                )
                numbers_table(
                    final,
                    t("lab.result.map_of", i=i + 1, name=f.label),
                    f"{P}.gallery.map.{i}.table",
                )


# ----------------------------------------------------------------------------- sliding


def slide_panel(image: np.ndarray, f: Filter, color: str, s: PipelineSettings) -> None:
    """A small region of the image, stepped through in the browser (the studio's stepper)."""
    st.caption(t("lab.slide.intro", max=SLIDE_MAX))
    c1, c2, c3, c4, c5 = st.columns(5)
    rows, cols = (
        int(column.number_input(t(f"lab.slide.{name}"), 1, SLIDE_MAX, key=KEYS[f"slide_{name}"],
                                persist_state=KEEP))
        for column, name in ((c1, "rows"), (c2, "cols"))
    )  # fmt: skip
    top = c3.slider(t("lab.slide.top"), 0, 100, key=KEYS["slide_top"], persist_state=KEEP)
    left = c4.slider(t("lab.slide.left"), 0, 100, key=KEYS["slide_left"], persist_state=KEEP)
    zoom = c5.slider(
        t("lab.slide.zoom"), 1, 32, key=KEYS["slide_zoom"], help=t("lab.slide.zoom_help"),
        persist_state=KEEP,
    )  # fmt: skip
    names = channel_names()
    region = dict(top=top / 100, left=left / 100, zoom=zoom)
    conv = s.conv
    if color == "gray":
        grid = image_grid(image, rows, cols, **region)
        settings = TraceSettings(
            json.dumps(grid.tolist()), json.dumps(f.kernel.tolist()), f.bias, "correlate",
            conv.padding, conv.padding_mode, conv.stride, conv.dilation,
        )  # fmt: skip
        channel_labels = None
    elif color == "photo":
        channel = st.segmented_control(
            t("lab.slide.channel"), [0, 1, 2], key=KEYS["slide_channel"],
            format_func=lambda c: names[c], required=True, persist_state=KEEP,
            help=t("lab.slide.photo_channel"),
        )  # fmt: skip
        grid = image_grid(image[:, :, channel], rows, cols, **region)
        settings = TraceSettings(
            json.dumps(grid.tolist()), json.dumps(f.kernel.tolist()), f.bias, "correlate",
            conv.padding, conv.padding_mode, conv.stride, conv.dilation,
        )  # fmt: skip
        channel_labels = None
    else:
        grids = np.stack([image_grid(image[:, :, c], rows, cols, **region) for c in range(3)])
        weight = filter_weights(f, color)[0]
        settings = TraceSettings(
            json.dumps(grids.tolist()), json.dumps(np.asarray(weight).tolist()), f.bias,
            "conv2d", conv.padding, conv.padding_mode, conv.stride, conv.dilation,
        )  # fmt: skip
        channel_labels = names
    try:
        compact = compact_trace(settings)
    except cc.ArgumentError as err:
        st.error(te(err))
        return
    step_through(
        compact,
        key=f"{P}.stepper",
        step_key=f"{P}.slide_step",
        channel_names=channel_labels,
        url_param=None,
    )


# ----------------------------------------------------------------------------- downloads


def download_panel(
    pick: widgets.ImagePick, image: np.ndarray, results: list[cc.PipelineResult],
    filters: list[Filter], color: str, s: PipelineSettings, mode: str,
) -> None:  # fmt: skip
    st.caption(t("lab.download.intro"))
    if not pick.downscaled:
        st.caption(t("lab.download.preview_small"))
        # Encoded only when clicked: ~8 ms a map on every rerun otherwise.
        pngs = [functools.partial(cc.encode_png_from_float, result_map(r), mode) for r in results]
        _download_buttons(pngs)
        return
    # The file's bytes are taken now: a download made later runs outside this session.
    upload = st.session_state.get(f"{P}.image.{pick.source}")
    data = upload.getvalue() if pick.source in ("upload", "camera") and upload else None
    request = ExportRequest.of(
        pick.digest, image_loader(pick.name, data, color), color, filters, s, mode
    )
    ss = st.session_state
    if st.button(t("lab.download.compute"), key=f"{P}.full_res", icon=":material/hd:"):
        width, height = pick.info.size
        note = st.empty()
        started = time.monotonic()

        def waiting(place: int) -> None:
            # place 1 = next in line: the running jobs plus those queued before are ahead.
            ahead = FULL_RES_JOBS.running + place - 1
            note.info(t("lab.download.queued", n=ahead), icon=":material/hourglass_top:")

        try:
            with st.spinner(t("lab.download.computing", w=width, h=height)):
                pngs = full_resolution_pngs(request, on_wait=waiting)
        except JobTimeout:
            note.warning(t("lab.download.busy"))
            return
        except cc.ConvLabError as err:
            note.error(te(err))
            return
        note.success(t("lab.download.ready", seconds=time.monotonic() - started))
        ss[f"{P}.full_res_done"] = request.key
        _download_buttons(pngs)  # in hand: this run serves them as they are
        return
    if ss.get(f"{P}.full_res_done") == request.key:
        # Later runs make the files when a button is clicked: from the bounded cache, or
        # again through the queue if other jobs have evicted them; never in a plain rerun,
        # and no session keeps megabytes of PNG it may never download.
        def png(i: int) -> Any:
            return lambda: full_resolution_pngs(request)[i]

        st.success(t("lab.download.ready_again"), icon=":material/check_circle:")

        _download_buttons([png(i) for i in range(len(filters))])


def _download_buttons(pngs: list[Any]) -> None:
    """One download button per PNG (bytes, or a function making them when clicked)."""
    cols = st.columns(min(4, max(1, len(pngs))))
    for i, data in enumerate(pngs):
        label = t("lab.download.result_png") if i == 0 else t("lab.download.map_png", i=i + 1)
        cols[i % len(cols)].download_button(
            label, data, file_name=f"convlab-feature-map-{i + 1}.png", mime="image/png",
            key=f"{P}.download.{i}", icon=":material/download:",
        )  # fmt: skip


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("lab.title"))
st.caption(t("lab.intro"))

tab_image, tab_filters, tab_pipeline, tab_display = st.tabs(
    [t("lab.tabs.image"), t("lab.tabs.filters"), t("lab.tabs.pipeline"), t("lab.tabs.display")],
    key=f"{P}.tabs",
)
with tab_image:
    pick = widgets.image_picker(
        P, as_gray=False, max_side=PREVIEW_SIDE, allow_camera=True, allow_draw=True
    )
with tab_filters:
    chosen = color_and_filters()
with tab_pipeline:
    settings = pipeline_settings()
with tab_display:
    display = display_setting()

if pick is None:
    if st.session_state.get(f"{P}.image.upload") is None:  # not after a refused file
        st.info(t("lab.no_image"), icon=":material/image:")
    st.stop()
if chosen is None:
    st.stop()  # the kernel editor shows what is wrong
color, filters = chosen
image = working_image(pick, color)
try:
    results = [run(image, f, color, settings) for f in filters]
except cc.ArgumentError as err:
    st.error(te(err))
    st.stop()

main_result = results[0]
st.header(t("lab.result.header"))
if pick.downscaled:
    ow, oh = pick.info.size
    st.caption(t("lab.result.preview_note", w=image.shape[1], h=image.shape[0], ow=ow, oh=oh))
st.markdown(f"**{t('lab.result.shapes')}**")
stage_lines(image, main_result, filters[0], settings)

final = result_map(main_result)
heights = figures.same_scale_heights([image.shape[:2], final.shape[:2]], FIG_WIDTH)
left, right = st.columns(2, gap="medium")
with left:
    st.plotly_chart(
        figures.image_figure(
            np.clip(np.rint(image), 0, 255).astype(np.uint8), title=t("lab.result.original"),
            height=heights[0], hover_label=t("figures.value"), row_label=t("figures.row"),
            col_label=t("figures.col"),
        ),
        key=f"{P}.original",
    )  # fmt: skip
    numbers_table(image, t("lab.result.original"), f"{P}.original.table")
with right:
    event = st.plotly_chart(
        map_figure(final, display, t("lab.result.result_filter", i=1), heights[1]),
        key=f"{P}.result",
        on_select="rerun",
        selection_mode="points",
    )
    numbers_table(final, t("lab.result.result_filter", i=1), f"{P}.result.table")
st.caption(t("lab.result.click_hint"))
point = clicked_point(event)
if point is not None:
    with st.container(border=True):
        explain_pixel(image, filters[0], color, settings, main_result, *point)

if color == "cnn":
    channel_panel(main_result, filters[0], display)
gallery(results, filters, display, color)

with st.expander(t("lab.slide.header"), icon=":material/animation:"):
    slide_panel(image, filters[0], color, settings)
with st.expander(t("lab.download.header"), icon=":material/download:"):
    download_panel(pick, image, results, filters, color, settings, display)
code_panel.show_lab_code(
    image, [f.kernel for f in filters], [f.bias for f in filters], color, settings.conv,
    key=f"{P}.code",
)  # fmt: skip
