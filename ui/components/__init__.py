"""Browser components: the stepper and the drawing grid, each with its HTML/CSS/JS beside it.

Each keeps its browser code in a ``frontend/`` folder, the component's asset folder: declared
in pyproject.toml (``[[tool.streamlit.component.components]]``, as ``convlab.<name>``),
served by Streamlit over HTTP, so the browser fetches the JS and CSS once per page and a
rerun's element carries the data and the small HTML skeleton only. Streamlit reads that
manifest from the installed ``convlab`` project (``pip install -r requirements.txt``
installs it, editable).
"""
