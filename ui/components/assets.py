"""A browser component mounted from its asset folder: registered once, served over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime import Runtime

__all__ = ["asset_component"]

_MOUNTS: dict[str, Callable[..., Any]] = {}


def _bare_mount(*, default: dict[str, Any] | None = None, **_kwargs: Any) -> dict[str, Any]:
    """The mount outside a Streamlit runtime (a script imported as a module, e.g. by
    pytest's doctest collection): nothing to show, the defaults come back."""
    return dict(default or {})


def asset_component(name: str, frontend: Path, stem: str) -> Callable[..., Any]:
    """The mount function of the v2 component ``name`` (``"convlab.stepper"``): ``stem.js``
    and ``stem.css`` served from its asset folder ``frontend``, ``stem.html`` sent inline.

    Registered with Streamlit once, on the first call inside a runtime (``streamlit run``,
    AppTest); a runtime started later finds the same asset folder through the manifest.
    Outside a runtime the folder is unknown to Streamlit, and the mount does nothing.

    Raises
    ------
    RuntimeError
        Streamlit does not know the asset folder: the project is not installed, or Streamlit
        was started before it was.
    """
    mount = _MOUNTS.get(name)
    if mount is not None:
        return mount
    if not Runtime.exists():
        return _bare_mount
    try:
        mount = st.components.v2.component(
            name,
            html=(frontend / f"{stem}.html").read_text(encoding="utf-8"),
            css=f"{stem}.css",  # paths in the asset folder: served, not sent per rerun
            js=f"{stem}.js",
            isolate_styles=True,
        )
    except StreamlitAPIException as exc:  # no installed distribution declares the folder
        raise RuntimeError(
            f"Streamlit does not know the asset folder of the {name!r} component "
            "(pyproject.toml): install ConvLab (`pip install -r requirements.txt`, which "
            "installs it with `-e .`), then start `streamlit run app.py` again."
        ) from exc
    _MOUNTS[name] = mount
    return mount
