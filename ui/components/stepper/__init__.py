"""The browser-side stepper: a whole trace stepped through with no server round trip per step.

A rerun per step does not survive a class on one small server (measured: 1.7 s per step
with 30 sessions). So a page computes the trace once per settings change
(:func:`conv_core.to_compact`, schema v1, documented in :mod:`conv_core.trace`) and hands it
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

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ui.components import asset_component
from ui.frame.i18n import strings_with_prefix

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

#: The component's asset folder (its ``asset_dir`` in pyproject.toml).
FRONTEND = Path(__file__).resolve().parent / "frontend"
#: Name the component is registered under: ``<project>.<component>`` as pyproject.toml's
#: ``[[tool.streamlit.component.components]]`` declares it, so Streamlit finds its asset_dir.
COMPONENT_NAME = "convlab.stepper"
#: Translation keys of the stepper start with this; the JS gets them without it.
STRINGS_PREFIX = "stepper."
#: Significant decimals of floats in the arithmetic, as conv_core.format_step's default.
DECIMALS = 3
_VIEWS = ("gather", "pool", "scatter")


@dataclass(frozen=True)
class StepperState:
    """What the stepper last reported to the server.

    Attributes
    ----------
    step : int
        The step the user stopped at (0-based), clamped to the trace; the initial step until
        the browser reports one.
    score_right, score_total : int
        Practice answers right, and answered, in this session.
    """

    step: int = 0
    score_right: int = 0
    score_total: int = 0


def trace_id(compact: Mapping[str, Any]) -> str:
    """A short hash of the compact trace: the browser rebuilds only when it changes.

    Parameters
    ----------
    compact : mapping
        :func:`conv_core.to_compact` output.

    Returns
    -------
    str
        16 hex digits; equal traces (same numbers, same settings) give equal ids.
    """
    text = json.dumps(compact, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def clamp_step(step: Any, n_steps: int) -> int:
    """``step`` as an int in ``0..n_steps-1`` (0 for anything that is not a whole number)."""
    if isinstance(step, bool) or not isinstance(step, (int, float)) or step != step:
        return 0
    return max(0, min(int(step), max(n_steps - 1, 0)))


def stepper_strings(lang: str) -> dict[str, str]:
    """The stepper's strings in ``lang`` (``stepper.`` prefix removed), English where missing.

    Templates are left unformatted: the browser fills ``{placeholders}``.
    """
    return strings_with_prefix(STRINGS_PREFIX, lang)


def _check_compact(compact: Mapping[str, Any]) -> None:
    if not isinstance(compact, Mapping) or compact.get("schema_version") != 1:
        raise ValueError(
            "compact must be conv_core.to_compact(...) output with schema_version 1, but got "
            f"schema_version={getattr(compact, 'get', lambda _k: None)('schema_version')!r}"
        )
    if compact.get("view") not in _VIEWS:
        raise ValueError(
            f"compact['view'] must be one of {_VIEWS}, but got {compact.get('view')!r}"
        )


def _score(value: Any) -> dict[str, int]:
    if isinstance(value, Mapping):
        right, total = value.get("right"), value.get("total")
        if isinstance(right, int) and isinstance(total, int) and 0 <= right <= total:
            return {"right": right, "total": total}
    return {"right": 0, "total": 0}


def stepper_data(
    compact: Mapping[str, Any],
    strings: Mapping[str, str],
    step: int = 0,
    practice: bool = False,
    *,
    show_formula: bool = True,
    original_kernel: Sequence[Any] | None = None,
    channel_names: Sequence[str] | None = None,
    url_param: str | None = "step",
    score: Mapping[str, int] | None = None,
    presenter: bool = False,
) -> dict[str, Any]:
    """What the browser receives: the compact trace as it is, plus a few settings.

    Pure (no Streamlit): tests check it without a browser.

    Parameters
    ----------
    compact : mapping
        :func:`conv_core.to_compact` output (views ``'gather'``, ``'pool'``, ``'scatter'``).
        Sent unchanged: every number the browser shows is conv_core's.
    strings : mapping of str to str
        The stepper's UI strings without the ``stepper.`` prefix (:func:`stepper_strings`).
    step : int, optional
        Initial step, clamped to ``0..n_steps-1``. The browser applies it when the trace is
        new to it and otherwise keeps the step the user is on.
    practice : bool, optional
        Start in practice mode (the next output value hidden until the student answers).
    show_formula : bool, optional
        Show the output-size formula of each axis under the grids.
    original_kernel : nested list of numbers, optional
        The kernel as the user gave it, shown beside the one applied (true convolution flips
        it). For a flipped trace it is derived from the trace when not given.
    channel_names : sequence of str, optional
        Names of the input channels (``("R", "G", "B")``); default "channel k".
    url_param : str or None, optional
        The query parameter the browser keeps in sync with the step (None: leave the URL).
    score : mapping, optional
        ``{"right": int, "total": int}``: the practice score so far (a remount keeps it).
    presenter : bool, optional
        Presenter mode (:mod:`ui.frame.presenter`): larger cells and text for a projector.

    Returns
    -------
    dict
        JSON-ready: ``trace``, ``trace_id``, ``strings``, ``step``, ``practice``, ...
    """
    _check_compact(compact)
    kernel = None
    if original_kernel is not None:
        kernel = json.loads(json.dumps(_plain(original_kernel)))
    return {
        "trace_id": trace_id(compact),
        "trace": compact,
        "strings": dict(strings),
        "step": clamp_step(step, int(compact["n_steps"])),
        "practice": bool(practice),
        "show_formula": bool(show_formula),
        "original_kernel": kernel,
        "channel_names": None if channel_names is None else [str(n) for n in channel_names],
        "url_param": url_param,
        "score": _score(score),
        "decimals": DECIMALS,
        "presenter": bool(presenter),
    }


def _plain(value: Any) -> Any:
    """Nested sequences / NumPy arrays to lists of Python numbers."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


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
    practice, show_formula, original_kernel, channel_names, url_param
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
    import streamlit as st

    from ui.frame import presenter as presenter_mode
    from ui.frame.i18n import current_language

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
    )
    callback = on_change or _noop
    result = _component()(
        key=key,
        data=data,
        default={"step": data["step"], "score": None},
        height="content" if height is None else int(height),
        on_step_change=callback,
        on_score_change=callback,
    )
    return state_from_result(result, int(compact["n_steps"]), data["step"])


def state_from_result(result: Mapping[str, Any] | None, n_steps: int, step: int) -> StepperState:
    """A :class:`StepperState` from the component's result (anything missing: defaults)."""
    result = result or {}
    reported = result.get("step")
    score = _score(result.get("score"))
    return StepperState(
        step=clamp_step(step if reported is None else reported, n_steps),
        score_right=score["right"],
        score_total=score["total"],
    )
