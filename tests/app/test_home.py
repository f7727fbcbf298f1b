"""AppTest of the app shell: the home page in both languages, the language switch, the page list."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.frame.page_registry as registry
from ui.frame.i18n import LANG_KEY, translate

APP = Path(__file__).resolve().parent / "app_entry.py"  # app.py; see app_entry.py for why
# A stand-in for a second page, so the list is tested whether or not pages/studio.py exists.
STUB = "tests/app/stub_page.py"


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def with_stub_page(monkeypatch: pytest.MonkeyPatch) -> registry.PageEntry:
    stub = registry.PageEntry("studio", STUB, "studio", ":material/grid_on:")
    monkeypatch.setattr(registry, "PAGES", (registry.PAGES[0], stub))
    return stub


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
def test_home_lists_every_registered_page(with_stub_page, lang: str) -> None:
    at = _run({"lang": lang})
    links = at.get("page_link")
    assert len(links) == 1
    label = links[0].proto.label
    assert label == translate(lang, "home.open_page", title=translate(lang, "pages.studio.title"))
    assert translate(lang, "pages.studio.description") in _texts(at)


def test_home_without_other_pages_says_more_are_coming(monkeypatch) -> None:
    monkeypatch.setattr(registry, "PAGES", registry.PAGES[:1])
    at = _run()
    assert not at.get("page_link")
    assert translate("en", "home.no_other_pages") in _texts(at)


def test_registered_pages_open(with_stub_page) -> None:
    at = _run()
    at.switch_page(str(registry.APP_ROOT / STUB)).run()
    assert not at.exception
    assert "stub page" in _texts(at)
    # The language switch is part of the frame, on every page.
    assert at.sidebar.button_group(key=LANG_KEY).value == "en"


def test_studio_is_listed_only_when_its_file_exists() -> None:
    names = [p.name for p in registry.available_pages()]
    assert names[0] == "home"
    assert ("studio" in names) == (registry.APP_ROOT / "pages" / "studio.py").is_file()
