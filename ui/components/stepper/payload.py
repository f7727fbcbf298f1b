"""The stepper's payload (pure, no Streamlit): the data the browser gets, its strings, its state."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ui.frame.strings import strings_with_prefix

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
    lead, resume : mapping or None
        Class mode's one-run events: ``lead`` ``{"code", "step", "secret"}`` when the
        leading teacher took a step, ``resume`` ``{"code", "secret"}`` when this browser
        holds a lead secret and offers it. Unchecked: the caller verifies the secret.
    """

    step: int = 0
    score_right: int = 0
    score_total: int = 0
    lead: Mapping[str, Any] | None = None
    resume: Mapping[str, Any] | None = None


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
    classroom: Mapping[str, Any] | None = None,
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
    classroom : mapping, optional
        Class mode (``frontend/lead.js``): ``role`` ``'lead'`` (send each step, with the
        lead ``secret`` kept in this browser) or ``'follow'`` (go to ``step`` whenever it
        changes), ``hide`` (the step whose value is hidden), ``forget`` (codes whose kept
        secrets to drop), ``resume`` (offer a kept secret once).

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
        "classroom": None if classroom is None else dict(classroom),
    }


def _plain(value: Any) -> Any:
    """Nested sequences / NumPy arrays to lists of Python numbers."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def state_from_result(result: Mapping[str, Any] | None, n_steps: int, step: int) -> StepperState:
    """A :class:`StepperState` from the component's result (anything missing: defaults)."""
    result = result or {}
    reported = result.get("step")
    score = _score(result.get("score"))
    events = {
        name: value if isinstance(value, Mapping) else None
        for name, value in ((n, result.get(n)) for n in ("lead", "resume"))
    }
    return StepperState(
        step=clamp_step(step if reported is None else reported, n_steps),
        score_right=score["right"],
        score_total=score["total"],
        **events,
    )
