"""AppTest of presenter mode in the whole app (app.py): the sidebar switch, ``?present=1``,
the exit button, and the flag every stepper receives (no page passes it)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.apptest_helpers import stepper_payload
from ui.frame import presenter
from ui.frame.i18n import translate
from ui.frame.page_registry import APP_ROOT

APP = Path(__file__).resolve().parent / "app_entry.py"  # app.py; see app_entry.py for why


def _run(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _present(at: AppTest):
    value = at.query_params.get("present")
    return value[0] if isinstance(value, list) else value


def _css(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "stSidebar" in h.proto.body]


def _exit_buttons(at: AppTest):
    return [b for b in at.button if b.key == presenter.EXIT_KEY]


def _open_studio(at: AppTest) -> AppTest:
    at.switch_page(str(APP_ROOT / "pages" / "studio.py")).run()
    assert not at.exception, at.exception
    return at


def test_off_by_default():
    at = _run()
    switch = at.sidebar.toggle(key=presenter.PRESENTER_KEY)
    assert switch.value is False
    assert switch.label == translate("en", "presenter.toggle")
    assert not _css(at) and not _exit_buttons(at)
    assert _present(at) is None


def test_switch_on_and_exit():
    at = _run()
    at.sidebar.toggle(key=presenter.PRESENTER_KEY).set_value(True).run()
    assert not at.exception, at.exception
    assert at.session_state[presenter.PRESENTER_KEY] is True
    assert _css(at) == [presenter.presenter_css()]
    (exit_button,) = _exit_buttons(at)
    assert exit_button.label == translate("en", "presenter.exit")
    assert _present(at) == "1"  # a bookmarkable projector view
    exit_button.click().run()
    assert not at.exception, at.exception
    assert at.session_state[presenter.PRESENTER_KEY] is False
    assert at.sidebar.toggle(key=presenter.PRESENTER_KEY).value is False
    assert not _css(at) and not _exit_buttons(at)
    assert _present(at) is None


def test_link_opens_in_presenter_mode_in_korean():
    at = _run(present="1", lang="ko")
    assert at.session_state[presenter.PRESENTER_KEY] is True
    assert _css(at)
    (exit_button,) = _exit_buttons(at)
    assert exit_button.label == translate("ko", "presenter.exit") == "발표자 모드 끝내기"
    assert at.sidebar.toggle(key=presenter.PRESENTER_KEY).label == "발표자 모드"
    assert _present(at) == "1"


def test_bad_link_value_falls_back_with_a_notice():
    at = _run(present="maybe")
    assert at.session_state[presenter.PRESENTER_KEY] is False
    assert any("present=maybe" in w.value for w in at.warning)
    assert not _css(at)


def test_every_stepper_gets_the_flag():
    """The studio's stepper (the page passes nothing) follows the switch, keeping its trace."""
    at = _open_studio(_run())
    off = stepper_payload(at)
    assert off is not None and off["presenter"] is False
    at.sidebar.toggle(key=presenter.PRESENTER_KEY).set_value(True).run()
    assert not at.exception, at.exception
    on = stepper_payload(at)
    assert on["presenter"] is True
    assert on["trace_id"] == off["trace_id"] and on["trace"] == off["trace"]
    at.session_state[presenter.PRESENTER_KEY] = False
    at.run()
    assert stepper_payload(at)["presenter"] is False


def test_concept_page_stepper_gets_the_flag_from_the_link():
    at = _run(present="1")
    at.switch_page(str(APP_ROOT / "pages" / "pooling.py")).run()
    assert not at.exception, at.exception
    assert stepper_payload(at)["presenter"] is True
