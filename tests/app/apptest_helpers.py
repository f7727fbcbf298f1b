"""Small AppTest helpers shared by the page suites (tests/app/test_<page>.py)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest


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
