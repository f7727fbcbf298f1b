"""Plotly figure builders: arrays in, go.Figure (or PNG/GIF bytes for slides) out, no Streamlit."""
