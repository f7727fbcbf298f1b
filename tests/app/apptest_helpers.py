"""Small AppTest helpers shared by the page suites (tests/app/test_<page>.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from ui.components.stepper import COMPONENT_NAME as STEPPER
from ui.frame.i18n import LANG_KEY, LANGUAGES, translate


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


def component_payload(at: AppTest, component_name: str) -> dict[str, Any] | None:
    """The data the page handed to that custom component (None: not drawn; one at most)."""
    found = [c for c in at.get("bidi_component") if c.proto.component_name == component_name]
    if not found:
        return None
    assert len(found) == 1
    return json.loads(found[0].proto.json)


def stepper_payload(at: AppTest) -> dict[str, Any] | None:
    """The data the page handed to the stepper component (None: no stepper drawn)."""
    return component_payload(at, STEPPER)


def plotly_spec(at: AppTest, key: str) -> dict[str, Any] | None:
    """The figure (``{"data": ..., "layout": ...}``) of the chart with that key, or None."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    if not found:
        return None
    assert len(found) == 1
    return json.loads(found[0].proto.spec)


def page_text(at: AppTest) -> str:
    """Everything the page wrote in markdown, captions, headers and alerts, one per line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in at.subheader] + [h.value for h in at.title]
    parts += [a.value for kind in ("info", "warning", "success", "error") for a in at.get(kind)]
    return "\n".join(parts)


def assert_translated(at: AppTest, area: str) -> None:
    """No raw translation key of ``area`` (``"tiny_cnn.stages.row"``) and no unfilled
    ``{placeholder}`` anywhere in the page's text."""
    text = page_text(at)
    assert not re.search(rf"\b{re.escape(area)}\.[a-z_]+(\.[a-z_]+)?\b", text), text
    assert not re.search(r"\{[a-z_]+\}", text), text


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


def open_expanders(at: AppTest, label_key: str) -> AppTest:
    """Open every keyed expander labelled ``t(label_key)`` (any language; placeholders match
    anything) that builds its content only while open, and rerun; they stay open."""
    label = re.compile(
        "|".join(
            re.sub(r"\\\{[a-z_]+\\\}", ".*", re.escape(translate(lang, label_key)))
            for lang in LANGUAGES
        )
    )
    keys = [
        e.proto.id.split("-", 2)[2]
        for e in at.expander
        if label.fullmatch(e.label) and e.proto.id.startswith("$$ID-")
    ]
    for key in keys:
        at.session_state[key] = True
    return rerun(at) if keys else at


def open_table_alternatives(at: AppTest) -> AppTest:
    """Open every "Numbers of ... as a table" expander (``widgets.table_expander``)."""
    return open_expanders(at, "table_alt.label")


def open_code_panel(at: AppTest) -> AppTest:
    """Open the "Show code" expander (``ui.widgets.code_panel``)."""
    return open_expanders(at, "code.header")
