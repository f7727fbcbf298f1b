"""The browser-side stepper: a whole trace stepped through with no server round trip per step.

A rerun per step does not survive a class on one small server (measured: 1.7 s per step
with 30 sessions). So a page computes the trace once per settings change
(:func:`conv_core.to_compact`, schema v1, documented in :mod:`conv_core.trace.compact`) and hands it
to this component; stepping, playing, clicking cells, practice answers and the keyboard all
run in the browser (``frontend/stepper.js``, an ES module mounted in a shadow root, importing
its sibling modules; ``stepper.css`` and ``stepper.html`` beside it; no build step, nothing
fetched from another site).

The component's code goes to the browser once, not with every settings change: ``frontend/``
is the component's asset folder (``asset_dir`` in pyproject.toml's
``[[tool.streamlit.component.components]]``), from which Streamlit serves ``stepper.js``, the
modules it imports and ``stepper.css`` over HTTP; the element a rerun sends names them and
carries the data and the small HTML skeleton only. Streamlit finds that manifest through the
installed ``convlab`` distribution, so the project must be installed (``pip install -r
requirements.txt`` does it, editable).

The component tells the server only what must persist, and only when the user stops: the
current step (for a shared link) and the practice score, on pause or 1.5 s after the last
step, never per step and never while playing. It also keeps the page URL's ``step`` query
parameter in sync with ``history.replaceState`` (client-side only).

Class mode (:mod:`ui.widgets.class_mode`, ``frontend/lead.js``) is the one exception: a
teacher leading a class sends one component event (``lead``) per step, which the page handles
in a fragment; the stepper keeps the teacher's lead secret in the browser's localStorage and
offers it once (``resume``) when the studio is opened again. A following student's stepper
goes to the step the page hands it and reports nothing.

Steps are 0-based here, in the URL and in :class:`StepperState`; the readout shows them
1-based ("step 1 / 16").

Keys (← → Home End Space Esc, ``?`` for the list of them) work anywhere on the page, without
clicking the stepper first, unless the focus is in a field or another control that uses keys
(one document-level listener in ``stepper.js``). With several steppers on a page the keys go to
the one last clicked or focused, else to the first one on screen. Presenter mode
(:mod:`ui.frame.presenter`) is read from the session here, so no page passes it.

Examples
--------
In a page::

    compact = cached_compact(...)           # conv_core.to_compact(trace), cached per settings
    state = stepper(compact, key="studio.stepper", step=url_step)
    st.session_state["studio.step"] = state.step
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from ui.components.assets import asset_component
from ui.components.stepper.payload import (
    COMPONENT_NAME,
    FRONTEND,
    STRINGS_PREFIX,
    StepperState,
    clamp_step,
    state_from_result,
    stepper_data,
    stepper_strings,
    trace_id,
)
from ui.frame import presenter as presenter_mode
from ui.frame.i18n import current_language

__all__ = [
    "COMPONENT_NAME",
    "FRONTEND",
    "STRINGS_PREFIX",
    "StepperState",
    "clamp_step",
    "state_from_result",
    "stepper",
    "stepper_data",
    "stepper_strings",
    "trace_id",
]


def _component() -> Callable[..., Any]:
    return asset_component(COMPONENT_NAME, FRONTEND, "stepper")


def _noop() -> None:
    return None


def stepper(
    compact: dict[str, Any],
    *,
    key: str,
    strings: Mapping[str, str] | None = None,
    step: int = 0,
    practice: bool = False,
    show_formula: bool = True,
    original_kernel: list[Any] | None = None,
    height: int | None = None,
    on_change: Callable[[], None] | None = None,
    channel_names: Sequence[str] | None = None,
    url_param: str | None = "step",
    classroom: Mapping[str, Any] | None = None,
) -> StepperState:
    """Mount the stepper on a compact trace and return what it last reported.

    Parameters
    ----------
    compact : dict
        :func:`conv_core.to_compact` output. Compute it once per settings change (cache it):
        a new trace is what makes the browser rebuild.
    key : str
        Widget key, namespaced per page (``"studio.stepper"``). Its CSS class is
        ``st-key-<key>``.
    strings : mapping, optional
        UI strings without the ``stepper.`` prefix; default the current language's.
    step : int, optional
        Initial step (0-based), e.g. from the URL; clamped to the trace.
    practice, show_formula, original_kernel, channel_names, url_param, classroom
        As :func:`stepper_data`. Presenter mode is read from the session
        (:func:`ui.frame.presenter.is_on`), so no page passes it.
    height : int, optional
        Fixed height in pixels (scrolls inside); default: as tall as its content.
    on_change : callable, optional
        Called (as a Streamlit callback, before the rerun) when the browser reports a new
        step or score.

    Returns
    -------
    StepperState
        The step and practice score the browser last reported (defaults until then).
    """

    if strings is None:
        strings = stepper_strings(current_language())
    previous = st.session_state.get(key)
    data = stepper_data(
        compact,
        strings,
        step,
        practice,
        show_formula=show_formula,
        original_kernel=original_kernel,
        channel_names=channel_names,
        url_param=url_param,
        score=previous.get("score") if isinstance(previous, Mapping) else None,
        presenter=presenter_mode.is_on(),
        classroom=classroom,
    )
    callback = on_change or _noop
    result = _component()(
        key=key,
        data=data,
        default={"step": data["step"], "score": None},
        height="content" if height is None else int(height),
        on_step_change=callback,
        on_score_change=callback,
        on_lead_change=_noop,  # class mode's events: read from the result by the caller
        on_resume_change=_noop,
    )
    return state_from_result(result, int(compact["n_steps"]), data["step"])
