"""Presenter mode's style sheet and constants (pure: tested without Streamlit).

:mod:`ui.frame.presenter` draws the switch and applies :func:`presenter_css`; the stepper
reads :data:`STEPPER_SCALE` through it.
"""

from __future__ import annotations

from ui.frame import url_state

__all__ = [
    "BASE_FONT_PX",
    "EXIT_KEY",
    "PRESENTER_KEY",
    "SCHEMA",
    "STEPPER_SCALE",
    "presenter_css",
]

#: Session-state key of the sidebar switch (and of the mode).
PRESENTER_KEY = "app.presenter"
#: Key of the fixed "Exit presenter mode" button (CSS class ``st-key-app-presenter_exit``).
EXIT_KEY = "app.presenter_exit"
#: The link parameter: ``?present=1``.
SCHEMA = url_state.Schema(url_state.BoolParam("present", False))
#: The page's base font in presenter mode (Streamlit sizes its text in rem: all of it grows).
BASE_FONT_PX = 20
#: How much larger the stepper draws its largest cells and its text in presenter mode.
STEPPER_SCALE = 1.5


def _css_class(key: str) -> str:
    """The CSS class Streamlit gives a keyed element (``st-key-<key>``, other chars as '-')."""
    return "st-key-" + "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in key)


def presenter_css(base_font_px: int = BASE_FONT_PX) -> str:
    """The style sheet of presenter mode (pure: tested without Streamlit).

    Parameters
    ----------
    base_font_px : int, optional
        The root font size in pixels (Streamlit's default is 16).

    Returns
    -------
    str
        A ``<style>`` element: sidebar and its open/close controls hidden, a larger base
        font, the main column using the whole width, the exit button fixed bottom right.
    """
    if isinstance(base_font_px, bool) or not isinstance(base_font_px, int) or base_font_px < 8:
        raise ValueError(
            f"base_font_px must be an int of at least 8, but got base_font_px={base_font_px!r}"
        )
    exit_cls = _css_class(EXIT_KEY)
    return (
        "<style>"
        # The sidebar, and the buttons that would bring it back, are gone; the exit button
        # below is the way back.
        '[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],'
        ' [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"]'
        " { display: none !important; }"
        f" html {{ font-size: {base_font_px}px; }}"
        # The whole width for the grids: the projector is small enough already.
        ' [data-testid="stMainBlockContainer"] { max-width: none !important;'
        " padding-left: 2rem !important; padding-right: 2rem !important;"
        " padding-top: 2.5rem !important; }"
        # Bottom right: out of the way of the headings and the stepper's toolbar.
        f" .{exit_cls} {{ position: fixed; bottom: 0.6rem; right: 0.8rem; z-index: 999991;"
        " width: auto !important; opacity: 0.8; }"
        f" .{exit_cls}:hover, .{exit_cls}:focus-within {{ opacity: 1; }}"
        f" .{exit_cls} button {{ box-shadow: 0 1px 6px rgba(0, 0, 0, 0.3); }}"
        "</style>"
    )
