"""Small AppTest helpers shared by the page suites (tests/app/test_<page>.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from ui.i18n import LANG_KEY


def rerun(at: AppTest) -> AppTest:
    """Run the page again; it must not raise."""
    at.run()
    assert not at.exception, at.exception
    return at


def set_widget(at: AppTest, kind: str, key: str, value: Any) -> AppTest:
    """Change the widget of that kind (``"selectbox"``, ``"radio"``...) and key, then run."""
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


def stepper_payload(at: AppTest) -> dict[str, Any] | None:
    """The data the page handed to the stepper component (None: no stepper drawn)."""
    found = at.get("bidi_component")
    if not found:
        return None
    assert len(found) == 1
    return json.loads(found[0].proto.json)


def open_page(
    path: str | Path,
    *,
    lang: str = "en",
    state: dict[str, Any] | None = None,
    timeout: float = 60,
) -> AppTest:
    """A page script alone in ``lang`` (session state preset from ``state``), run once."""
    at = AppTest.from_file(str(path), default_timeout=timeout)
    at.session_state[LANG_KEY] = lang
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return rerun(at)
