"""ConvLab entrypoint: `streamlit run app.py`.

The router and the frame, nothing else: page setup, the language switch in the sidebar
(kept in sync with ``?lang=ko`` so a shared link opens in the same language) and
``st.navigation`` over the pages listed in ``ui/frame/page_registry.py``.
"""

import streamlit as st

from ui.frame import presenter, server_memory, url_state
from ui.frame.i18n import DEFAULT_LANGUAGE, LANG_KEY, LANGUAGES, t
from ui.frame.legacy_pages import leave_legacy_pages
from ui.frame.page_registry import APP_ROOT, PAGES
from ui.frame.url_sync import show_url_notices, sync_query_params
from ui.widgets import resync_translated_choices

# A server's first run may be wrapped in Streamlit's old pages/ list: leave it first.
leave_legacy_pages()
# Freed memory goes back to the system (once per server; see ui/frame/server_memory.py).
server_memory.tune()
st.set_page_config(page_title="ConvLab", page_icon=":material/grid_on:", layout="wide")

# The language: from the link on the session's first run, then from the sidebar switch.
LANG_SCHEMA = url_state.Schema(
    url_state.ChoiceParam("lang", DEFAULT_LANGUAGE, tuple(LANGUAGES)),
)
if LANG_KEY not in st.session_state:
    settings, notices = url_state.decode(LANG_SCHEMA, st.query_params.to_dict())
    st.session_state[LANG_KEY] = settings["lang"]
    show_url_notices(notices)

st.sidebar.segmented_control(
    t("language.label"),
    options=list(LANGUAGES),
    format_func=LANGUAGES.__getitem__,
    required=True,
    key=LANG_KEY,
    help=t("language.help"),
    on_change=resync_translated_choices,
)
sync_query_params(LANG_SCHEMA, {"lang": st.session_state[LANG_KEY]})
if st.session_state[LANG_KEY] == "ko":
    # Korean breaks lines between words (eojeol), not inside them.
    st.html(
        "<style>.stApp :is(p, li, h1, h2, h3, h4, label, span)"
        " { word-break: keep-all !important; overflow-wrap: anywhere; }</style>"
    )
presenter.frame()  # the presenter-mode switch; when on, no sidebar and larger text

pages = [
    st.Page(
        APP_ROOT / entry.file,
        title=t(entry.title_key),
        icon=entry.icon,
        url_path=entry.url_path,
        default=entry.default,
    )
    for entry in PAGES
]
st.navigation(pages).run()
