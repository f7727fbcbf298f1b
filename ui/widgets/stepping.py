"""The stepper on a page: mounted at the step the session kept, keeping the step it reports."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.components.stepper import StepperState, clamp_step, stepper


def step_through(
    compact: dict[str, Any], *, key: str, step_key: str, **options: Any
) -> StepperState:
    """Mount the stepper on ``compact`` at the step kept under ``step_key``, and keep its step.

    The kept step is clamped to this trace (a settings change can shorten it), so a
    learner who changed the padding stays near where they were; the step the browser last
    reported is stored back under ``step_key`` for the next run (a link, an export, the
    worksheet read it there).

    Parameters
    ----------
    compact : dict
        :func:`conv_core.to_compact` output (cached per settings: see ui.teaching.traces).
    key : str
        The stepper's widget key (``"<page>.stepper"``).
    step_key : str
        Session-state key of the page's current step (``"<page>.step"``).
    **options
        Passed on to :func:`ui.components.stepper.stepper` (``practice``, ``url_param``,
        ``channel_names``, ``original_kernel``, ...).

    Returns
    -------
    StepperState
        The step and practice score the browser last reported.
    """
    step = clamp_step(st.session_state.get(step_key, 0), int(compact["n_steps"]))
    state = stepper(compact, key=key, step=step, **options)
    st.session_state[step_key] = state.step
    return state
