"""A stand-in page for tests/app/test_home.py: lets the home page list a second page."""

import streamlit as st

st.markdown("stub page")
