"""Sliding-Window Studio: step through a convolution by hand.

Reads top to bottom like the screen: the link's settings (once per session), the input
grid, the operation, the kernel and the padding/stride controls, then one trace computed
by conv_core and handed to the browser-side stepper, then export and share. Stepping,
playing and practising happen in the browser; this script reruns only when a setting
changes.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures import maps as figures
from ui.figures.export import MAX_GIF_FRAMES, FrameLabels, frame_indices, step_png, steps_gif
from ui.frame import url_state as us
from ui.frame import url_sync
from ui.frame.i18n import current_language, t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.teaching.detectors import detections, scribble
from ui.teaching.grid_sources import (
    MAX_GRID,
    SOURCES,
    TYPED_HIGH,
    TYPED_LOW,
    blank_grid,
    grid_presets,
    image_grid,
)
from ui.teaching.samples import SAMPLES
from ui.teaching.traces import TraceSettings, compact_trace
from ui.teaching.worksheet import too_large_reason, worksheet_html
from ui.widgets import class_mode, code_panel, drawn_input, formula_panel, grid_input
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "studio"
PRESETS = grid_presets()
LECTURE = PRESETS["feature_map_6x6"]
OPS = ("correlate", "convolve")
DEFAULT_SAMPLE = "camera"

# Everything a shared link may carry (the step is kept in the URL by the stepper itself).
SCHEMA = us.Schema(
    us.ChoiceParam("src", "preset", SOURCES),
    us.ChoiceParam("preset", LECTURE.name, tuple(PRESETS)),
    us.IntParam("rows", 8, 1, MAX_GRID),
    us.IntParam("cols", 8, 1, MAX_GRID),
    us.IntParam("low", 0, -99, 255),
    us.IntParam("high", 9, -99, 255),
    us.IntParam("seed", 1, 0, 99_999),
    us.GridParam(
        "grid", tuple(map(tuple, blank_grid(5, 5).tolist())), low=TYPED_LOW, high=TYPED_HIGH
    ),
    us.IntParam("top", 0, 0, 100),
    us.IntParam("left", 0, 0, 100),
    us.IntParam("zoom", 1, 1, 16),
    us.ChoiceParam("op", "correlate", OPS),
    us.KernelParam("kernel", tuple(map(tuple, LECTURE.kernel.tolist()))),
    us.FloatParam("bias", 0.0, -1e6, 1e6),
    us.PaddingParam("padding", 0, max_pad=8, per_side=False),
    us.ChoiceParam("mode", "zeros", cc.CONV_PADDING_MODES),
    us.PairParam("stride", (1, 1), 1, 8),
    us.PairParam("dilation", (1, 1), 1, 4),
    us.BoolParam("practice", False),
    us.ChoiceParam("sample", DEFAULT_SAMPLE, tuple(SAMPLES)),
    drawn_input.BitmapParam("draw", drawn_input.empty()),
)
# The step is read from the link once (the stepper keeps it in the URL afterwards).
STEP_SCHEMA = us.Schema(us.IntParam("step", 0, 0, MAX_GRID * MAX_GRID * 4))
KEYS = {
    name: f"{P}.{name}"
    for name in (
        "src",
        "preset",
        "rows",
        "cols",
        "low",
        "high",
        "seed",
        "top",
        "left",
        "zoom",
        "op",
        "practice",
    )
}
GRID_KEY = f"{P}.grid"  # the link's typed grid (the typed grid starts from it)
SAMPLE_KEY = f"{P}.image.sample"  # the image picker's key for the chosen sample
# Page widgets keep their values while not drawn (e.g. the random range while a preset
# is shown), so switching back finds them and the link can always be written.
KEEP = widgets.KEEP_STATE


@functools.cache
def link_schema(src: str, preset_name: str) -> us.Schema:
    """The link's schema: with a lecture example chosen, its filter and settings are the
    defaults, so the link holds only what the teacher changed from the example."""
    if src != "preset":
        return SCHEMA
    preset = PRESETS[preset_name]
    return SCHEMA.with_defaults(
        kernel=tuple(map(tuple, preset.kernel.tolist())),
        bias=float(preset.bias),
        padding=preset.padding,
        stride=(preset.stride, preset.stride),
    )


def _load_link(query: dict[str, str] | None = None) -> None:
    """Once per session: the link's settings into the widgets (bad values: defaults + notice).

    Also when a following student takes the teacher's settings (``query``: the teacher's
    link parameters)."""
    query = st.query_params.to_dict() if query is None else dict(query)
    settings, notices = us.decode(SCHEMA, query)
    if settings["src"] == "preset":
        settings, notices = us.decode(link_schema("preset", settings["preset"]), query)
    ss = st.session_state
    for name, key in KEYS.items():
        ss[key] = settings[name]
    ss[GRID_KEY] = np.asarray(settings["grid"], dtype=np.int64)
    widgets.set_kernel(P, settings["kernel"], bias=settings["bias"])
    widgets.set_conv_settings(
        P,
        widgets.ConvSettings(
            settings["padding"], settings["mode"], settings["stride"], settings["dilation"]
        ),
    )
    ss[SAMPLE_KEY] = settings["sample"]
    drawn_input.load_link(P, settings["draw"])
    if settings["src"] == "typed" and "grid" in query:
        # A typed grid's shape is the grid's own unless the link says otherwise.
        rows, cols = ss[GRID_KEY].shape
        ss[KEYS["rows"]] = settings["rows"] if "rows" in query else rows
        ss[KEYS["cols"]] = settings["cols"] if "cols" in query else cols
    step, step_notices = us.decode(STEP_SCHEMA, query)
    ss[f"{P}.step"] = step["step"]
    ss[f"{P}.notices"] = notices + step_notices


def _apply_preset() -> None:
    """The chosen lecture example's filter, bias, padding and stride (preset callback)."""
    preset = PRESETS[st.session_state[KEYS["preset"]]]
    widgets.set_kernel(P, preset.kernel, bias=preset.bias, divide=False)
    widgets.set_conv_settings(
        P, widgets.ConvSettings(preset.padding, "zeros", (preset.stride,) * 2)
    )
    st.session_state[KEYS["op"]] = "correlate"


def input_grid() -> np.ndarray | None:
    """The input grid from the chosen source (None when it cannot be made yet)."""
    ss = st.session_state
    source = widgets.choice_buttons(
        "studio.input.source",
        SOURCES,
        key=KEYS["src"],
        option_key=lambda s: f"studio.input.sources.{s}",
        help_key="studio.input.source_help",
    )
    if source == "preset":
        st.selectbox(
            t("studio.input.preset"),
            tuple(PRESETS),
            key=widgets.translated_choice(KEYS["preset"]),
            format_func=widgets.labels(lambda n: cc.PRESETS[n].title_key),
            on_change=_apply_preset,
            persist_state=KEEP,
        )
        st.caption(t(cc.PRESETS[ss[KEYS["preset"]]].description_key))
        return PRESETS[ss[KEYS["preset"]]].grid
    if source == drawn_input.SOURCE:
        return drawn_input.studio_grid(P)
    rows, cols = grid_input.grid_size(P)
    if source == "random":
        return grid_input.random_input(P, rows, cols)
    if source == "typed":
        return grid_input.typed_grid(P, rows, cols, start=st.session_state[GRID_KEY])
    pick = widgets.image_picker(P, as_gray=True, max_side=512)
    if pick is None:
        return None
    c1, c2, c3 = st.columns(3)
    top = c1.slider(t("studio.input.image_top"), 0, 100, key=KEYS["top"], persist_state=KEEP)
    left = c2.slider(t("studio.input.image_left"), 0, 100, key=KEYS["left"], persist_state=KEEP)
    zoom = c3.slider(
        t("studio.input.image_zoom"),
        1,
        16,
        key=KEYS["zoom"],
        help=t("studio.input.image_zoom_help"),
        persist_state=KEEP,
    )
    return image_grid(pick.array, rows, cols, top=top / 100, left=left / 100, zoom=zoom)


def explain_impossible(
    err: cc.ArgumentError, grid: np.ndarray, conv: widgets.ConvSettings, kernel: np.ndarray
) -> None:
    """The error in words, then the size formula of each axis that has no room for a window."""
    st.error(te(err))
    if err.key != "output_empty":
        return
    try:
        pads = cc.resolve_padding(
            conv.padding, grid.shape, kernel.shape, conv.stride, conv.dilation
        )
    except cc.ArgumentError:
        return
    for axis, name in enumerate(("rows", "cols")):
        span = conv.dilation[axis] * (kernel.shape[axis] - 1) + 1
        before, after = pads[axis]
        padded = grid.shape[axis] + before + after
        if padded < span:
            st.markdown(
                t(
                    "studio.result.fails",
                    axis=t(f"studio.result.axis_{name}"),
                    n=grid.shape[axis],
                    before=before,
                    after=after,
                    span=span,
                    stride=conv.stride[axis],
                    padded=padded,
                )
            )


def export_panel(compact: dict[str, Any], settings: TraceSettings, step: int) -> None:
    """A printable worksheet, a PNG of the current step and a GIF of the run (a range or
    every n-th when long)."""
    lang = current_language()
    reason = too_large_reason(compact, lang=lang)
    if reason is None:
        st.download_button(
            t("worksheet.studio.button"),
            lambda: worksheet_html(compact, lang=lang),  # built only when clicked
            file_name=f"convlab-worksheet-{lang}.html",
            mime="text/html",
            key=f"{P}.worksheet",
            help=t("worksheet.studio.button_help"),
            icon=":material/print:",
        )
        st.caption(t("worksheet.studio.caption"))
    else:
        st.info(t("worksheet.studio.unavailable", reason=reason), icon=":material/print:")
    labels = FrameLabels(
        t("studio.export.labels_input"),
        t("studio.export.labels_kernel"),
        t("studio.export.labels_output"),
        t("studio.export.labels_step"),
    )
    n = int(compact["n_steps"])

    def trace() -> cc.ConvTrace:
        return settings.trace()

    st.download_button(
        t("studio.export.png"),
        lambda: step_png(trace(), step, labels),
        file_name=f"convlab-step-{step + 1}.png",
        mime="image/png",
        key=f"{P}.png",
        help=t("studio.export.png_help"),
        icon=":material/image:",
    )
    if n <= MAX_GIF_FRAMES:
        st.caption(t("studio.export.gif_all", n=n))
        indices = frame_indices(n)
    else:
        st.caption(t("studio.export.gif_many", n=n, cap=MAX_GIF_FRAMES))
        c1, c2, c3 = st.columns(3)
        start = c1.number_input(t("studio.export.gif_start"), 1, n, 1, key=f"{P}.gif_start")
        stop = c2.number_input(t("studio.export.gif_stop"), 1, n, n, key=f"{P}.gif_stop")
        every = c3.number_input(
            t("studio.export.gif_every"), 1, n, max(1, -(-n // 400)), key=f"{P}.gif_every"
        )
        indices = frame_indices(n, start=int(start) - 1, stop=int(stop), every=int(every))
        st.caption(t("studio.export.gif_frames", frames=len(indices)))
    wanted = (hash(settings), tuple(indices), labels)
    if st.button(t("studio.export.gif_make"), key=f"{P}.gif_make", icon=":material/movie:"):
        bar = st.progress(0.0)

        def progress(done: float) -> None:
            frame = max(1, round(done * len(indices)))
            bar.progress(done, text=t("studio.export.gif_progress", done=frame, total=len(indices)))

        st.session_state[f"{P}.gif"] = (
            wanted,
            steps_gif(trace(), indices, labels, progress=progress),
        )
        bar.empty()
    made = st.session_state.get(f"{P}.gif")
    if made is not None and made[0] == wanted:
        data = made[1]
        st.caption(
            t("studio.export.gif_ready", frames=len(indices), size=f"{len(data) / 1e6:.1f} MB")
        )
        st.download_button(
            t("studio.export.gif_download"),
            data,
            file_name="convlab-steps.gif",
            mime="image/gif",
            key=f"{P}.gif_download",
            icon=":material/download:",
        )


def detector_section() -> None:
    """The lecture's scribble under three filters, side by side: only the matching one fires."""
    st.markdown(t("studio.detector.text"))
    cols = st.columns(4, gap="small")
    cols[0].plotly_chart(
        figures.kernel_figure(scribble(), size=150, title=t("studio.detector.scribble")),
        key=f"{P}.detector.input",
        config={"displayModeBar": False},
        width="content",
    )
    for col, found in zip(cols[1:], detections(), strict=True):
        with col:
            for what, values in (("filter", found.kernel), ("output", found.output)):
                st.plotly_chart(
                    figures.kernel_figure(values, size=150, title=t(f"studio.detector.{what}")),
                    key=f"{P}.detector.{found.name}.{what}",
                    config={"displayModeBar": False},
                    width="content",
                )
            verdict = "detected" if found.detected else "not_detected"
            st.markdown(t(f"studio.detector.{verdict}", best=found.best))
    st.caption(t("studio.detector.similarity"))
    grids = [(t("studio.detector.scribble"), scribble())]
    for found in detections():
        title = t(cc.PRESETS[found.name].title_key)
        grids += [(f"{title}: {t('studio.detector.filter')}", found.kernel),
                  (f"{title}: {t('studio.detector.output')}", found.output)]  # fmt: skip
    widgets.table_alternatives(grids, label=t("studio.detector.tables"), key=f"{P}.detector")


def share_link() -> str:
    """This page's address with every setting, the language and the last reported step."""
    params = st.query_params.to_dict()
    step = int(st.session_state.get(f"{P}.step", 0))
    if step:
        params["step"] = str(step)
    else:
        params.pop("step", None)
    base = st.context.url or f"/{P}"
    return f"{base}?{urlencode(params)}" if params else base


# ----------------------------------------------------------------------------- the page

if f"{P}.notices" not in st.session_state:
    _load_link()
teacher_settings = class_mode.begin()  # a following student takes the teacher's settings
if teacher_settings is not None:
    _load_link(teacher_settings)

st.title(t("studio.title"))
st.caption(t("studio.intro"))
url_sync.show_url_notices(st.session_state[f"{P}.notices"])
class_mode.panel((st.context.url or f"/{P}").split("?")[0])

# Settings in three full-width tabs, so the stepper sits right under them on a projector.
tab_input, tab_kernel, tab_conv = st.tabs(
    [t("studio.input.header"), t("studio.op.header"), t("studio.settings.header")],
    key=f"{P}.tabs",
)
with tab_input:
    grid = input_grid()
with tab_kernel:
    col_op, col_kernel = st.columns([1, 2], gap="large")
    op = col_op.radio(
        t("studio.op.label"),
        OPS,
        key=widgets.translated_choice(KEYS["op"]),
        help=t("studio.op.help"),
        format_func=widgets.labels(lambda o: f"studio.op.{o}"),
        persist_state=KEEP,
    )
    with col_kernel:
        choice = widgets.kernel_editor(P, default=LECTURE.kernel)
with tab_conv:
    conv = widgets.conv_controls(P, side_by_side=True)

if choice.matrix is not None and op == "convolve":
    flipped = choice.matrix[::-1, ::-1]
    st.info(
        t("studio.op.symmetric")
        if np.array_equal(flipped, choice.matrix)
        else t("studio.op.flipped"),
        icon=":material/flip:",
    )

st.subheader(t("studio.result.header"))
if choice.matrix is not None or f"{P}.last_kernel" not in st.session_state:
    st.session_state[f"{P}.last_kernel"] = (
        choice.matrix if choice.matrix is not None else LECTURE.kernel
    )
# Practice mode is switched in the stepper itself; a link can open it switched on (?practice=1).
practice = bool(st.session_state[KEYS["practice"]])
compact = None
if grid is not None and choice.matrix is not None:
    trace_settings = TraceSettings(
        json.dumps(grid.tolist()),
        json.dumps(choice.matrix.tolist()),
        float(choice.bias),
        op,
        conv.padding,
        conv.padding_mode,
        conv.stride,
        conv.dilation,
    )
    try:
        compact = compact_trace(trace_settings)
    except cc.ArgumentError as err:
        explain_impossible(err, grid, conv, choice.matrix)
        st.caption(t("studio.result.impossible"))

if compact is not None:
    sizes, (_, hp, wp) = compact["sizes"], np.shape(compact["padded"])
    (st.empty() if class_mode.hides_size() else st).caption(
        t(
            "studio.result.shape",
            h=grid.shape[0],
            w=grid.shape[1],
            hp=hp,
            wp=wp,
            oh=sizes["rows"]["size"],
            ow=sizes["cols"]["size"],
            n=compact["n_steps"],
        )
    )

    def mount_stepper(classroom: dict[str, Any] | None) -> Any:
        return step_through(
            compact,
            key=f"{P}.stepper",
            step_key=f"{P}.step",
            practice=practice,
            original_kernel=choice.matrix.tolist() if op == "convolve" else None,
            classroom=classroom,
        )

    # Outside class mode the stepper is mounted as before; leading or following, in a fragment.
    class_mode.stepper_section(compact, mount_stepper)
    # The formula follows the step the page last stored (leading or following, the fragment
    # stores it too).
    stored = class_mode.class_step(int(st.session_state.get(f"{P}.step", 0)))
    stored = min(max(stored, 0), compact["n_steps"] - 1)
    formula_panel.show_2d(trace_settings.trace(), stored, key=f"{P}.formula")
    with st.expander(t("studio.export.header"), icon=":material/slideshow:"):
        export_panel(compact, trace_settings, int(st.session_state.get(f"{P}.step", 0)))
    code_panel.show_studio_code(trace_settings, key=f"{P}.code")

link_settings = {
    "src": st.session_state[KEYS["src"]],
    "preset": st.session_state[KEYS["preset"]],
    "rows": st.session_state[KEYS["rows"]],
    "cols": st.session_state[KEYS["cols"]],
    "low": st.session_state[KEYS["low"]],
    "high": st.session_state[KEYS["high"]],
    "seed": st.session_state[KEYS["seed"]],
    "grid": st.session_state.get(f"{P}.typed", st.session_state[GRID_KEY]),
    "top": st.session_state[KEYS["top"]],
    "left": st.session_state[KEYS["left"]],
    "zoom": st.session_state[KEYS["zoom"]],
    "op": op,
    # While a cell is being fixed, the link keeps the last kernel that worked.
    "kernel": st.session_state[f"{P}.last_kernel"],
    "bias": float(choice.bias),
    "padding": conv.padding,
    "mode": conv.padding_mode,
    "stride": conv.stride,
    "dilation": conv.dilation,
    "practice": practice,
    "sample": st.session_state.get(SAMPLE_KEY, DEFAULT_SAMPLE),
    "draw": drawn_input.studio_bitmap(P),
}
schema_now = link_schema(st.session_state[KEYS["src"]], st.session_state[KEYS["preset"]])
url_sync.sync_query_params(schema_now, link_settings)
class_mode.publish(us.encode(schema_now, link_settings))
with st.expander(t("studio.share.header"), icon=":material/share:"):
    st.caption(t("studio.share.text"))
    st.code(share_link(), language=None, wrap_lines=True)


with st.expander(t("studio.detector.header"), icon=":material/pattern:"):
    detector_section()
