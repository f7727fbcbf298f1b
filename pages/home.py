"""Home: what ConvLab is, every page with its one-line description, and the size rule."""

import streamlit as st

from ui.frame.i18n import t
from ui.frame.legacy_pages import leave_legacy_pages
from ui.frame.page_registry import APP_ROOT, PAGES

leave_legacy_pages()

st.title(t("home.title"))
st.subheader(t("home.subtitle"))
st.markdown(t("home.intro"))

st.header(t("home.pages_heading"))
for entry in (entry for entry in PAGES if not entry.default):
    with st.container(border=True, key=f"home.page.{entry.name}"):
        st.page_link(
            APP_ROOT / entry.file,
            label=t("home.open_page", title=t(entry.title_key)),
            icon=entry.icon,
        )
        st.markdown(t(entry.description_key))

st.header(t("home.rule_heading"))
st.latex(r"n_\text{out} = \left\lfloor \frac{n + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1")
st.caption(t("home.rule_caption"))

st.header(t("home.class_heading"))
st.markdown(
    "\n".join(f"- {t(f'home.{tip}')}" for tip in ("tip_link", "tip_language", "tip_engine"))
)
