"""Presenter mode: ConvLab on a projector at the back of a room.

On, it hides the sidebar (a fixed "Exit presenter mode" button stays in the bottom right
corner: the way back, besides ``?present=0``), enlarges the page's base font, and tells every
stepper to draw larger cells and arithmetic, sized so that its toolbar, grids and arithmetic
fit one 720-pixel-high screen (:func:`ui.components.stepper.stepper` reads
:func:`is_on` itself, so no page changes). Off, nothing of it is on the page.

The switch lives in the sidebar (``app.presenter``); a link opens in presenter mode with
``?present=1``, read on the session's first run like ``?lang=``, and kept in the address bar
while it is on, so a teacher can bookmark the projector view.

Keys: the presenter toggle is a server setting (a rerun), so it has no key of its own;
Esc stays with the stepper (clear a highlight, close the shortcut list).

Examples
--------
In ``app.py``, after the language switch::

    presenter.frame()
"""

from __future__ import annotations

import streamlit as st

from ui.frame import url_state
from ui.frame.i18n import t
from ui.frame.presenter_style import (
    BASE_FONT_PX,
    EXIT_KEY,
    PRESENTER_KEY,
    SCHEMA,
    STEPPER_SCALE,
    presenter_css,
)
from ui.frame.url_sync import show_url_notices, sync_query_params

__all__ = [
    "BASE_FONT_PX",
    "EXIT_KEY",
    "PRESENTER_KEY",
    "SCHEMA",
    "STEPPER_SCALE",
    "frame",
    "is_on",
    "presenter_css",
]


def is_on() -> bool:
    """Whether presenter mode is on in this session (False until the switch is turned on)."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def _leave() -> None:
    st.session_state[PRESENTER_KEY] = False


def frame() -> None:
    """The presenter switch in the sidebar, ``?present=`` in sync, and, when on, its CSS
    and the fixed exit button. Called once per run by ``app.py``."""
    if PRESENTER_KEY not in st.session_state:
        settings, notices = url_state.decode(SCHEMA, st.query_params.to_dict())
        st.session_state[PRESENTER_KEY] = settings["present"]
        show_url_notices(notices)
    st.sidebar.toggle(t("presenter.toggle"), key=PRESENTER_KEY, help=t("presenter.help"))
    on = bool(st.session_state[PRESENTER_KEY])
    sync_query_params(SCHEMA, {"present": on})
    if on:
        st.html(presenter_css())
        st.button(
            t("presenter.exit"),
            key=EXIT_KEY,
            icon=":material/close_fullscreen:",
            help=t("presenter.exit_help"),
            on_click=_leave,
        )
