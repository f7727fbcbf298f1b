"""Convolution vs cross-correlation, and 1D.

Reads top to bottom like the screen: a 1D signal and kernel (the lecture's smoothing
example ``conv_core.PRESETS['smoothing_1d']``, an asymmetric example, or typed), a toggle
between cross-correlation (the kernel as is) and convolution (the flipped kernel, the
original drawn beside it), stepped in the browser-side stepper (it draws 1D traces); both
results side by side with a note when the kernel is symmetric (then they are equal); a
noisy sine smoothed by a box kernel of adjustable width (Plotly); and the convolution
theorem: the same full convolution computed through numpy.fft on zero-padded signals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import conv_core as cc
from ui import widgets
from ui.figures.signal import fft_figure, flip_animation_figure, smoothing_figure
from ui.frame.i18n import t, te
from ui.frame.legacy_pages import leave_legacy_pages
from ui.widgets import formula_panel
from ui.widgets.stepping import step_through

leave_legacy_pages()

P = "flip_1d"
KEEP = widgets.KEEP_STATE
#: The examples: name -> (signal, kernel). smoothing_1d is conv_core's lecture preset.
EXAMPLES = {
    "smoothing_1d": (
        [float(v) for v in cc.PRESETS["smoothing_1d"].inputs["x"]],
        [float(v) for v in cc.PRESETS["smoothing_1d"].inputs["kernel"]],
    ),
    "asymmetric": ([3, 1, 4, 1, 5, 9, 2, 6, 5], [1, 0, -1]),
}
OPS = ("correlate", "convolve")
MAX_LEN = 64
SINE_POINTS = 200


def _fmt(values) -> str:
    return ", ".join(f"{round(float(v), 6):g}" for v in values)


KEYS = {n: f"{P}.{n}" for n in ("example", "signal", "kernel", "op", "width", "noise")}
DEFAULTS = {
    "example": "smoothing_1d",
    "signal": _fmt(EXAMPLES["smoothing_1d"][0]),
    "kernel": _fmt(EXAMPLES["smoothing_1d"][1]),
    "op": "convolve",
    "width": 9,
    "noise": 0.3,
}


def _apply_example() -> None:
    signal, kernel = EXAMPLES[st.session_state[KEYS["example"]]]
    st.session_state[KEYS["signal"]] = _fmt(signal)
    st.session_state[KEYS["kernel"]] = _fmt(kernel)


def parse_numbers(text: str, what: str) -> np.ndarray | None:
    """Comma- or space-separated numbers; None, with a message, when the text is not that."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = np.asarray([float(p) for p in parts], dtype=float)
    except ValueError:
        st.error(t("flip_1d.input.not_numbers", what=t(f"flip_1d.input.{what}")))
        return None
    if values.size == 0 or values.size > MAX_LEN or not np.all(np.isfinite(values)):
        st.error(t("flip_1d.input.bad_length", what=t(f"flip_1d.input.{what}"), max=MAX_LEN))
        return None
    # Whole numbers compute exactly as integers; beyond 2**53 a float is no longer exact,
    # and beyond int64 the cast would wrap, so those stay floats.
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2.0**53):
        return values.astype(np.int64)
    return values


def is_symmetric(kernel: np.ndarray) -> bool:
    """True when the kernel reads the same backwards (then convolution = cross-correlation)."""
    return bool(np.allclose(kernel, kernel[::-1]))


def via_fft(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The full linear convolution through the FFT: zero-pad both to N + K - 1, multiply."""
    n = x.size + kernel.size - 1
    return np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(kernel, n), n)


def noisy_sine(noise: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Time axis and a sine with Gaussian noise (fixed seed: the same picture every run)."""
    time = np.linspace(0.0, 2.0, SINE_POINTS)
    rng = np.random.default_rng(seed)
    return time, np.sin(2 * np.pi * time) + noise * rng.standard_normal(SINE_POINTS)


def inputs() -> tuple[np.ndarray | None, np.ndarray | None]:
    st.selectbox(
        t("flip_1d.input.example"),
        tuple(EXAMPLES),
        key=widgets.translated_choice(KEYS["example"]),
        format_func=widgets.labels(lambda n: f"flip_1d.input.examples.{n}"),
        on_change=_apply_example,
        persist_state=KEEP,
    )
    st.caption(t(f"flip_1d.input.example_help.{st.session_state[KEYS['example']]}"))
    c1, c2 = st.columns([2, 1])
    signal_text = c1.text_input(t("flip_1d.input.signal"), key=KEYS["signal"])
    kernel_text = c2.text_input(t("flip_1d.input.kernel"), key=KEYS["kernel"])
    st.caption(t("flip_1d.input.typed_help"))
    return parse_numbers(signal_text, "signal"), parse_numbers(kernel_text, "kernel")


def flip_section(x: np.ndarray, kernel: np.ndarray) -> None:
    op = st.radio(
        t("flip_1d.flip.op"),
        OPS,
        key=widgets.translated_choice(KEYS["op"]),
        format_func=widgets.labels(lambda o: f"flip_1d.flip.ops.{o}"),
        horizontal=True,
    )
    st.caption(t(f"flip_1d.flip.help_{op}", kernel=_fmt(kernel), flipped=_fmt(kernel[::-1])))
    try:
        corr = cc.correlate1d(x, kernel)
        conv = cc.convolve1d(x, kernel)
        trace_fn = cc.trace_correlate1d if op == "correlate" else cc.trace_convolve1d
        trace = trace_fn(x, kernel)
        compact = cc.to_compact(trace, digits=9)
    except cc.ArgumentError as err:
        st.error(te(err))
        st.caption(t("flip_1d.flip.impossible"))
        return
    if op == "convolve":
        # The flip itself, animated in the browser: each weight slides to its mirror place.
        st.plotly_chart(
            flip_animation_figure(
                kernel,
                title=t("flip_1d.flip.animation_title"),
                play_label=t("flip_1d.flip.animate"),
            ),
            key=f"{P}.flip_animation",
            config={"displayModeBar": False},
        )
    state = step_through(
        compact,
        key=f"{P}.stepper",
        step_key=f"{P}.step",
        original_kernel=[kernel.tolist()] if op == "convolve" else None,
        url_param=None,
    )
    formula_panel.show_1d(trace, state.step, key=f"{P}.formula")
    st.markdown(t("flip_1d.flip.both"))
    table = pd.DataFrame(
        {
            t("flip_1d.flip.ops.correlate"): [f"{round(float(v), 6):g}" for v in corr],
            t("flip_1d.flip.ops.convolve"): [f"{round(float(v), 6):g}" for v in conv],
        }
    )
    st.dataframe(table.T, key=f"{P}.both")
    if is_symmetric(kernel):
        st.success(t("flip_1d.flip.symmetric", kernel=_fmt(kernel)))
    else:
        same = bool(np.allclose(corr, conv))
        st.info(
            t(
                "flip_1d.flip.asymmetric_same" if same else "flip_1d.flip.asymmetric",
                kernel=_fmt(kernel),
                flipped=_fmt(kernel[::-1]),
            )
        )


def smoothing_section() -> None:
    st.subheader(t("flip_1d.smooth.header"))
    c1, c2 = st.columns(2)
    width = c1.slider(
        t("flip_1d.smooth.width"),
        1,
        41,
        step=2,
        key=KEYS["width"],
        help=t("flip_1d.smooth.width_help"),
    )
    noise = c2.slider(t("flip_1d.smooth.noise"), 0.0, 1.0, step=0.05, key=KEYS["noise"])
    time, noisy = noisy_sine(float(noise))
    kernel = np.full(int(width), 1.0 / int(width))
    smoothed = cc.convolve1d(noisy, kernel, padding="same")
    st.plotly_chart(
        smoothing_figure(
            time,
            noisy,
            smoothed,
            noisy_name=t("flip_1d.smooth.noisy"),
            smoothed_name=t("flip_1d.smooth.smoothed", width=int(width)),
            x_title=t("flip_1d.smooth.time"),
        ),
        key=f"{P}.smooth_chart",
    )
    clean = np.sin(2 * np.pi * time)
    st.caption(
        t(
            "flip_1d.smooth.error",
            before=f"{float(np.sqrt(np.mean((noisy - clean) ** 2))):.3f}",
            after=f"{float(np.sqrt(np.mean((smoothed - clean) ** 2))):.3f}",
            width=int(width),
        )
    )


def fft_section(x: np.ndarray, kernel: np.ndarray) -> None:
    st.subheader(t("flip_1d.fft.header"))
    n = x.size + kernel.size - 1
    st.markdown(t("flip_1d.fft.explain", n=n, nx=x.size, nk=kernel.size))
    direct = np.asarray(cc.convolve1d(x, kernel, padding="full"), dtype=float)
    fft = via_fft(np.asarray(x, float), np.asarray(kernel, float))
    st.plotly_chart(
        fft_figure(
            direct,
            fft,
            direct_name=t("flip_1d.fft.direct"),
            fft_name=t("flip_1d.fft.via_fft"),
            x_title=t("flip_1d.fft.index"),
        ),
        key=f"{P}.fft_chart",
    )
    table = pd.DataFrame(
        {
            t("flip_1d.fft.direct"): [f"{v:.6g}" for v in direct],
            t("flip_1d.fft.via_fft"): [f"{v:.17g}" for v in fft],
            t("flip_1d.fft.difference"): [f"{v:.1e}" for v in fft - direct],
        }
    )
    st.dataframe(table, key=f"{P}.fft_table")
    st.markdown(t("flip_1d.fft.max_diff", diff=f"{float(np.max(np.abs(fft - direct))):.1e}"))


# ----------------------------------------------------------------------------- the page

widgets.init_state(KEYS, DEFAULTS)
st.title(t("flip_1d.title"))
st.caption(t("flip_1d.intro"))

st.subheader(t("flip_1d.input.header"))
x, kernel = inputs()
st.subheader(t("flip_1d.flip.header"))
if x is not None and kernel is not None:
    flip_section(x, kernel)
smoothing_section()
if x is not None and kernel is not None:
    fft_section(x, kernel)
