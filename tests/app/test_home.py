"""AppTest of the app shell: the home page in both languages, the language switch, the page list."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.frame.page_registry as registry
from ui.frame.i18n import LANG_KEY, translate

APP = Path(__file__).resolve().parent / "app_entry.py"  # app.py; see app_entry.py for why


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "subheader", "header", "markdown", "caption")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_home_renders_in_english() -> None:
    at = _run()
    assert at.title[0].value == "ConvLab"
    assert translate("en", "home.intro") in _texts(at)
    assert at.session_state[LANG_KEY] == "en"
    assert "lang" not in at.query_params


def test_home_opens_in_korean_from_the_link() -> None:
    at = _run({"lang": "ko"})
    assert at.session_state[LANG_KEY] == "ko"
    assert translate("ko", "home.intro") in _texts(at)
    assert at.query_params["lang"] == ["ko"] or at.query_params["lang"] == "ko"


def test_language_switch_in_the_sidebar() -> None:
    at = _run()
    switch = at.sidebar.button_group(key=LANG_KEY)
    assert switch.options == ["English", "한국어"]
    switch.set_value("ko").run()
    assert not at.exception
    assert translate("ko", "home.intro") in _texts(at)
    assert dict(at.query_params).get("lang") in ("ko", ["ko"])
    at.sidebar.button_group(key=LANG_KEY).set_value("en").run()
    assert translate("en", "home.intro") in _texts(at)
    assert "lang" not in at.query_params


def test_bad_language_in_the_link_falls_back_with_a_notice() -> None:
    at = _run({"lang": "fr"})
    assert at.session_state[LANG_KEY] == "en"
    assert "lang=fr" in at.warning[0].value


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_home_links_every_other_page(lang: str) -> None:
    at = _run({"lang": lang})
    labels = [link.proto.label for link in at.get("page_link")]
    others = [entry for entry in registry.PAGES if not entry.default]
    assert labels == [
        translate(lang, "home.open_page", title=translate(lang, e.title_key)) for e in others
    ]
    for entry in others:
        assert translate(lang, entry.description_key) in _texts(at)


def test_registered_pages_open_inside_the_frame() -> None:
    at = _run()
    at.switch_page(str(registry.APP_ROOT / "pages" / "output_size.py")).run()
    assert not at.exception
    assert translate("en", "output_size.title") in _texts(at)
    # The language switch is part of the frame, on every page.
    assert at.sidebar.button_group(key=LANG_KEY).value == "en"
