"""The session's language: :func:`t` and :func:`te` word a key or an error in it.

The strings themselves, and the pure functions that take the language explicitly
(:func:`translate`, :func:`error_text`, ...), live in :mod:`ui.frame.strings`; this
module hands them on, so a page imports all of its wording from one place.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from conv_core.errors import ConvLabError
from ui.frame.strings import (
    DEFAULT_LANGUAGE,
    I18N_DIR,
    LANG_KEY,
    LANGUAGES,
    error_text,
    load_strings,
    placeholders,
    strings_with_prefix,
    translate,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "I18N_DIR",
    "LANGUAGES",
    "LANG_KEY",
    "current_language",
    "error_text",
    "load_strings",
    "placeholders",
    "strings_with_prefix",
    "t",
    "te",
    "translate",
]


def current_language() -> str:
    """The session's language code (English until the sidebar switch says otherwise)."""
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, /, **params: Any) -> str:
    """The string for ``key`` in the session's language."""
    return translate(current_language(), key, **params)


def te(error: ConvLabError) -> str:
    """A conv_core error in the session's language."""
    return error_text(current_language(), error)
