"""A link to another page of the app, that also works when a page runs alone (AppTest)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui.frame.page_registry import APP_ROOT, PAGES

__all__ = ["page_link"]


def page_link(name: str, label: str, *, key: str | None = None) -> None:
    """``st.page_link`` to the page ``name`` of :data:`PAGES`, with its icon.

    Under the app's ``st.navigation`` this is Streamlit's page link. A page script run on
    its own (one page's AppTest) has no navigation, where ``st.page_link`` raises; the
    link is then written as a plain markdown link to the page's address.
    """
    entry = next(e for e in PAGES if e.name == name)
    try:
        st.page_link(APP_ROOT / entry.file, label=label, icon=entry.icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}](/{entry.address})", help=None)
