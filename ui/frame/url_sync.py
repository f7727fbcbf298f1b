"""Link state in the address bar: write a page's settings into it, warn about bad parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ui.frame import url_state
from ui.frame.i18n import current_language

# --------------------------------------------------------------------------------------
# URL helpers (for pages)


def sync_query_params(schema: url_state.Schema, settings: Mapping[str, Any]) -> None:
    """Write ``settings`` into the address bar: non-defaults set, defaults removed.

    Only the schema's own parameters are touched, so ``lang`` and other pages'
    parameters stay. Writes happen only when the text changes (each write is a message
    to the browser).
    """
    wanted = url_state.encode(schema, settings)
    for name in schema.names:
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def show_url_notices(notices: Sequence[url_state.Notice]) -> None:
    """One warning per link parameter that was invalid and fell back to its default."""
    lang = current_language()
    for notice in notices:
        st.warning(notice.text(lang), icon=":material/link_off:")
