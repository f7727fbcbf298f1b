"""Presenter mode's pure parts (ui.frame.presenter_style) and the stepper's payload flag."""

import re
import string

import pytest

import conv_core as cc
from ui.components.stepper.payload import stepper_data, stepper_strings
from ui.frame import presenter_style as presenter
from ui.frame import url_state as us
from ui.frame.i18n import LANGUAGES, load_strings

LECTURE = cc.to_compact(cc.trace_correlate2d([[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[1, 0], [0, 1]]))


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_css_hides_the_sidebar_and_enlarges_the_font():
    css = presenter.presenter_css()
    assert css.startswith("<style>") and css.endswith("</style>")
    hidden = re.search(r"([^{}]*)\{ display: none !important; \}", css).group(1)
    for testid in ("stSidebar", "stExpandSidebarButton", "stSidebarCollapsedControl"):
        assert f'[data-testid="{testid}"]' in hidden
    assert f"html {{ font-size: {presenter.BASE_FONT_PX}px; }}" in css
    assert presenter.BASE_FONT_PX > 16  # Streamlit's own base size
    # the exit button stays on screen: fixed, under the class Streamlit gives its key
    assert ".st-key-app-presenter_exit { position: fixed;" in css
    assert presenter.presenter_css(24).count("font-size: 24px") == 1


@pytest.mark.parametrize("bad", [0, 7, 12.5, True, "20"])
def test_css_rejects_a_bad_font_size(bad):
    with pytest.raises(ValueError, match="base_font_px"):
        presenter.presenter_css(bad)


@pytest.mark.parametrize(
    ("key", "css_class"),
    [
        ("app.presenter_exit", "st-key-app-presenter_exit"),
        ("studio.stepper", "st-key-studio-stepper"),
        ("a b/c-d_e", "st-key-a-b-c-d_e"),
    ],
)
def test_css_class_is_streamlits(key, css_class):
    assert presenter._css_class(key) == css_class


@pytest.mark.parametrize(
    ("query", "on", "notices"),
    [
        ({}, False, 0),
        ({"present": "1"}, True, 0),
        ({"present": "on"}, True, 0),
        ({"present": "0"}, False, 0),
        ({"present": "maybe"}, False, 1),
        ({"lang": "ko", "step": "3"}, False, 0),
    ],
)
def test_link_parameter(query, on, notices):
    settings, found = us.decode(presenter.SCHEMA, query)
    assert settings == {"present": on}
    assert len(found) == notices


def test_link_written_only_when_on():
    assert us.encode(presenter.SCHEMA, {"present": True}) == {"present": "1"}
    assert us.encode(presenter.SCHEMA, {"present": False}) == {}


def test_stepper_payload_carries_the_flag():
    strings = stepper_strings("en")
    assert stepper_data(LECTURE, strings)["presenter"] is False
    assert stepper_data(LECTURE, strings, presenter=True)["presenter"] is True
    assert stepper_data(LECTURE, strings, presenter=1)["presenter"] is True  # a plain bool
    # the flag changes nothing else: the trace and its id stay
    off, on = stepper_data(LECTURE, strings), stepper_data(LECTURE, strings, presenter=True)
    assert {k: v for k, v in off.items() if k != "presenter"} == {
        k: v for k, v in on.items() if k != "presenter"
    }


def test_strings_in_both_languages():
    en = {k: v for k, v in load_strings("en").items() if k.startswith("presenter.")}
    names = ("toggle", "help", "exit", "exit_help")
    assert set(en) == {f"presenter.{name}" for name in names}
    for lang in LANGUAGES:
        local = load_strings(lang)
        for key, template in en.items():
            assert local.get(key, "").strip(), (lang, key)
            assert _placeholders(local[key]) == _placeholders(template), (lang, key)
    ko = load_strings("ko")
    assert ko["presenter.toggle"] == "발표자 모드"
    assert all(re.search("[가-힣]", ko[k]) for k in en)


def test_shortcut_list_strings_in_both_languages():
    en = {k: v for k, v in stepper_strings("en").items() if k.startswith("keys.")}
    ko = stepper_strings("ko")
    assert {"keys.button", "keys.title", "keys.intro", "keys.close"} <= set(en)
    for key, template in en.items():
        assert key in ko and _placeholders(ko[key]) == _placeholders(template), key
    for key in ("keys.button", "keys.title", "keys.intro", "keys.close", "keys.next", "keys.play"):
        assert re.search("[가-힣]", ko[key]), key
    assert "?" in en["keys.button"] and "?" in ko["keys.button"]
