"""State every widget shares: kept values, translated choices, option labels, choice buttons."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from ui.frame.i18n import current_language, t, translate

#: ``persist_state`` for widgets that must keep their value in runs that do not draw them
#: (Streamlit otherwise drops a widget's key after such a run).
KEEP_STATE = "session"


def init_state(keys: Mapping[str, str], defaults: Mapping[str, Any]) -> None:
    """Give each setting its default on a session's first run (``keys``: name -> state key).

    Settings already in session state (from a link, or set before) are left alone.
    """
    for name, value in defaults.items():
        st.session_state.setdefault(keys[name], value)


# --------------------------------------------------------------------------------------
# Option labels


_TRANSLATED_CHOICES = "app.translated_choices"


def translated_choice(key: str) -> str:
    """Note that the selectbox or radio under ``key`` shows translated option labels.

    Streamlit's browser side keeps a selectbox's or radio's value as the *label* text, and
    a keyed widget keeps its identity when its labels change: after a language switch it
    would show the old language's label (a radio: nothing selected) and send that text
    back. :func:`resync_translated_choices` (the language switch's callback) re-sends
    these widgets' values. Returns ``key``, to wrap the ``key=`` argument in place.
    (Segmented controls send indices and need none of this.)
    """
    st.session_state.setdefault(_TRANSLATED_CHOICES, set()).add(key)
    return key


def resync_translated_choices() -> None:
    """Re-send every :func:`translated_choice` widget's value (call on a language change).

    Assigning a widget's own value through ``st.session_state`` makes Streamlit send it
    to the browser again, formatted with the new labels.
    """
    ss = st.session_state
    for key in ss.get(_TRANSLATED_CHOICES, ()):
        if key in ss:
            ss[key] = ss[key]


def labels(key_of: Callable[[Any], str]) -> Callable[[Any], str]:
    """A ``format_func`` translating ``key_of(option)`` in the language of this run.

    The language is read once, here: Streamlit may call a ``format_func`` later and
    outside the script run (AppTest does), where the session's language is not at hand.
    """
    lang = current_language()
    return lambda option: translate(lang, key_of(option))


def choice_buttons(
    label_key: str,
    options: Sequence[Any],
    *,
    key: str,
    option_key: Callable[[Any], str],
    help_key: str | None = None,
    keep: bool = True,
    **kwargs: Any,
) -> Any:
    """One of a few options as a row of buttons (``st.segmented_control``, one always
    chosen), labelled in the session's language: ``t(label_key)`` above, each option
    ``t(option_key(option))``, help ``t(help_key)``. ``keep`` keeps the choice while the
    buttons are not drawn (:data:`KEEP_STATE`); other keyword arguments go to Streamlit.

    Example::

        source = choice_buttons(
            "pooling.input.source", SOURCES, key="pooling.src",
            option_key=lambda s: f"pooling.input.sources.{s}",
        )
    """
    return st.segmented_control(
        t(label_key),
        options,
        key=key,
        format_func=labels(option_key),
        required=True,
        help=t(help_key) if help_key else None,
        persist_state=KEEP_STATE if keep else None,
        **kwargs,
    )
