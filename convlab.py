"""The import name of the ``convlab`` distribution (``pip install -e .``); nothing imports it.

Streamlit reads an installed project's component manifest (pyproject.toml's
``[[tool.streamlit.component.components]]``, the folders it serves the stepper's and the
drawing grid's JavaScript and CSS from) by looking the project's name up as a module: this
file is what it finds, and its folder, the repository root, is where the ``asset_dir`` paths
start. The app's own packages are :mod:`conv_core` and :mod:`ui`.
"""
