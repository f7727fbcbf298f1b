"""Leave Streamlit's legacy ``pages/`` page list on a server's first run.

Until ``st.navigation`` has run once in a server process, Streamlit (seen with 1.67)
treats a folder named ``pages/`` beside the entrypoint as its old automatic page list:
the first script run of the process is wrapped in that list. Opened at ``/`` it runs
``app.py`` as one page among ``home``/``studio`` (so widget ids differ from later runs
and the first click is lost); opened at ``/studio`` it runs ``pages/studio.py`` alone,
without ``app.py``'s language switch and navigation. Our pages live in ``pages/`` all the
same (the project's layout says so), so ``app.py`` and every page call
:func:`leave_legacy_pages` first: when wrapped, it clears the flag and reruns, and that
rerun goes through ``app.py`` and ``st.navigation`` to the same page (the legacy list and
``st.Page`` derive a page's id from the same ``url_path``), query string kept.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def wrapped_in_legacy_pages() -> bool:
    """Whether this run is wrapped in Streamlit's legacy ``pages/`` list."""
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def leave_legacy_pages() -> None:
    """Rerun through ``app.py`` if this run is wrapped in the legacy ``pages/`` list.

    A no-op in every run after a server's first (``st.navigation`` clears the flag), so
    it costs nothing; call it before drawing anything.
    """
    if wrapped_in_legacy_pages():
        PagesManager.uses_pages_directory = False
        st.rerun()
