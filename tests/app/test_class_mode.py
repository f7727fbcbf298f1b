"""AppTest of class mode in the studio: a teacher's and students' sessions side by side.

AppTest runs every session in this process, so they share the in-process store as the
sessions of one server do. The stepper's per-step event (a component trigger) cannot be
sent from AppTest: the teacher's steps go through the room with the secret the teacher's
session holds (what the event handler does), and the browser test
(tests/e2e/test_class_mode_app.py) sends real ones. AppTest has no timer either: each
``run()`` runs a student's polling fragment once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_helpers import page_text, plotly_spec, stepper_payload
from ui.classroom.rooms import Classroom
from ui.classroom.store import RedisStore, memory_store
from ui.frame.i18n import LANG_KEY, translate

STUDIO = Path(__file__).resolve().parents[2] / "pages" / "studio.py"
TIMEOUT = 60


def _open(query: dict[str, str] | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(STUDIO), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = lang
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, key: str) -> AppTest:
    return _ok(at.button(key=key).click().run())


def _teacher(lang: str = "en") -> AppTest:
    at = _click(_open(lang=lang), "class.start")
    assert at.session_state["class.role"] == "lead"
    return at


def _student(code: str, nick: str = "", lang: str = "en", **query: str) -> AppTest:
    at = _open({"join": code, **query}, lang=lang)
    if nick:
        at.text_input(key="class.join_nick").set_value(nick)
    return _click(at, "class.join")


def _classroom(at: AppTest) -> dict[str, Any]:
    payload = stepper_payload(at)
    assert payload is not None
    return payload["classroom"]


def _everything(at: AppTest) -> str:
    """Every element the session was sent, as protobuf text (what its browser receives)."""
    return "\n".join(str(node.proto) for node in at.main if hasattr(node, "proto")) + str(
        [str(getattr(e, "proto", "")) for e in _walk(at.main)]
    )


def _walk(node: Any):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _answer(at: AppTest, text: str) -> AppTest:
    field = next(w for w in at.text_input if w.key.startswith("class.answer."))
    field.set_value(text)
    send = next(b for b in at.button if b.key.startswith("class.send."))
    return _ok(send.click().run())


def _room() -> Classroom:
    return Classroom(memory_store())


# ----------------------------------------------------------------------------- start, join


def test_outside_a_class_the_panel_offers_start_and_join() -> None:
    at = _open()
    keys = {b.key for b in at.button}
    assert {"class.start", "class.join"} <= keys
    assert _classroom(at) == {"resume": True, "forget": []}  # the browser may offer a kept key


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_teacher_gets_a_code_link_and_qr(lang: str) -> None:
    at = _teacher(lang)
    code, secret = at.session_state["class.code"], at.session_state["class.secret"]
    text = page_text(at)
    assert translate(lang, "class.lead.code", code=code) in text
    links = [c.value for c in at.code if "join=" in c.value]
    assert links and links[0].endswith(f"?join={code}") and secret not in links[0]
    assert len(at.get("image")) == 1, "the QR code is drawn"
    assert _classroom(at) == {"role": "lead", "code": code, "secret": secret, "hide": None}
    assert secret not in str(at.query_params)
    assert _room().settings(code) is not None  # the studio's settings were published


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_student_joins_and_follows_the_teachers_settings_and_step(lang: str) -> None:
    teacher = _teacher()
    code, secret = teacher.session_state["class.code"], teacher.session_state["class.secret"]
    _room().set_step(code, secret, 5)  # what the teacher's step event does
    student = _student(code, "민수", lang=lang)
    assert student.session_state["class.role"] == "follow"
    assert _classroom(student) == {"role": "follow", "code": code, "step": 5, "hide": None}
    assert translate(lang, "class.follow.following", code=code, nick="민수") in page_text(student)
    assert secret not in _everything(student)
    _room().set_step(code, secret, 7)
    assert _classroom(_ok(student.run()))["step"] == 7


def test_the_teachers_settings_change_reaches_the_students() -> None:
    teacher = _teacher()
    code = teacher.session_state["class.code"]
    student = _student(code)
    before = stepper_payload(student)["trace"]["sizes"]
    _ok(teacher.number_input(key="studio.conv.padding").set_value(1).run())
    teacher_sizes = stepper_payload(teacher)["trace"]["sizes"]
    assert teacher_sizes != before
    assert stepper_payload(_ok(student.run()))["trace"]["sizes"] == teacher_sizes
    assert student.session_state["class.role"] == "follow"
    assert student.number_input(key="studio.conv.padding").value == 1


def test_a_follower_who_changes_a_setting_explores() -> None:
    code = _teacher().session_state["class.code"]
    student = _student(code)
    _ok(student.number_input(key="studio.conv.padding").set_value(2).run())
    assert student.session_state["class.role"] == "explore"
    assert translate("en", "class.follow.explore_auto") in page_text(student)


def test_stop_following_and_rejoin_with_one_click() -> None:
    teacher = _teacher()
    code, secret = teacher.session_state["class.code"], teacher.session_state["class.secret"]
    student = _student(code)
    _click(student, "class.stop")
    assert student.session_state["class.role"] == "explore"
    assert _classroom(student) is None  # exploring: the stepper is the student's own
    _room().set_step(code, secret, 3)
    _click(student, "class.again")
    assert _classroom(_ok(student.run()))["step"] == 3


# ----------------------------------------------------------------------------- ask, answer


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_ask_answer_reveal_the_next_output_value(lang: str) -> None:
    teacher = _teacher(lang)
    code = teacher.session_state["class.code"]
    right, wrong = _student(code, "amy", lang), _student(code, "bo", lang)
    _click(teacher, "class.ask_value")
    question = teacher.session_state["class.question"]
    lead = _classroom(teacher)
    assert question.step == 1 and lead["hide"] == 1 and lead["step"] == 1  # goes there once
    assert "step" not in _classroom(_ok(teacher.run()))
    for s in (right, wrong):
        assert _classroom(_ok(s.run())) == {"role": "follow", "code": code, "step": 1, "hide": 1}
    expected = str(question.expected)
    _answer(right, "99")
    _answer(right, expected)  # a change: the last answer counts
    _answer(wrong, "99")
    assert translate(lang, "class.ask.answered", answered=2, joined=2) in page_text(
        _ok(teacher.run())
    )
    spec = plotly_spec(teacher, "class.histogram")
    assert sorted(spec["data"][0]["x"]) == sorted([expected, "99"])
    # The students see only their own answers: no histogram, no one else's.
    assert plotly_spec(right, "class.histogram") is None
    assert "99" not in page_text(_ok(right.run()))
    _click(teacher, "class.reveal")
    assert _classroom(teacher)["hide"] is None
    text = page_text(teacher)
    assert translate(lang, "class.ask.share", share="50%", right=1) in text
    assert translate(lang, "class.answer.revealed_right", answer=expected, mine=expected) in (
        page_text(_ok(right.run()))
    )
    assert translate(lang, "class.answer.revealed_wrong", answer=expected, mine="99") in (
        page_text(_ok(wrong.run()))
    )
    assert _classroom(right)["hide"] is None


def test_ask_the_output_size_hides_the_output() -> None:
    teacher = _teacher()
    code = teacher.session_state["class.code"]
    student = _student(code)
    _click(teacher, "class.ask_size")
    assert stepper_payload(teacher) is None  # the output (and its size) hidden
    _ok(student.run())
    assert stepper_payload(_ok(student.run())) is None
    rows, cols = teacher.session_state["class.question"].expected
    _answer(student, f"{rows} x {cols}")
    _click(teacher, "class.reveal")
    assert translate("en", "class.ask.share", share="100%", right=1) in page_text(teacher)
    assert stepper_payload(teacher) is not None


def test_at_most_5_changes_then_a_clear_message() -> None:
    teacher = _teacher()
    code = teacher.session_state["class.code"]
    student = _student(code)
    _click(teacher, "class.ask_value")
    _ok(student.run())
    for i in range(6):
        _answer(student, str(i))
    _answer(student, "42")
    assert translate("en", "class.errors.too_many_changes", limit=5) in [
        e.value for e in student.error
    ]
    assert "42" not in page_text(_ok(teacher.run()))


# ----------------------------------------------------------------------------- hostile input


def test_a_wrong_code_says_so() -> None:
    at = _student("ZZZZZZ")
    assert at.session_state.get("class.role") is None
    assert translate("en", "class.errors.unknown_code", code="ZZZZZZ") in page_text(at)


def test_a_code_that_is_no_code_is_escaped() -> None:
    at = _student("**x**")
    assert at.session_state.get("class.role") is None
    assert [e.value for e in at.error] == [
        translate("en", "class.errors.bad_code", code=r"\*\*x\*\*")
    ]


def test_a_bad_nickname_is_refused() -> None:
    code = _teacher().session_state["class.code"]
    at = _student(code, "<b>x</b>")
    assert at.session_state.get("class.role") is None
    assert translate("en", "class.errors.bad_nickname") in page_text(at)


def test_link_parameters_do_not_make_a_student_lead() -> None:
    teacher = _teacher()
    code, secret = teacher.session_state["class.code"], teacher.session_state["class.secret"]
    forged = {"lead": "1", "role": "lead", "secret": "x", "class.secret": "x"}
    student = _student(code, **forged)
    assert student.session_state["class.role"] == "follow"
    assert "class.ask_value" not in {b.key for b in student.button}
    assert _classroom(student)["role"] == "follow" and "secret" not in _classroom(student)
    assert _room().is_leader(code, secret)


def test_the_class_ending_tells_the_students() -> None:
    teacher = _teacher()
    code = teacher.session_state["class.code"]
    student = _student(code)
    _click(teacher, "class.end")
    assert teacher.session_state.get("class.role") is None
    assert _classroom(teacher)["forget"] == [code]  # the browser drops its kept key
    _ok(student.run())
    assert student.session_state.get("class.role") is None
    assert translate("en", "class.errors.ended", code=code) in page_text(student)


def test_several_replicas_without_redis_refuse_class_mode(monkeypatch) -> None:
    monkeypatch.setenv("CONVLAB_REPLICAS", "3")
    monkeypatch.delenv("CONVLAB_REDIS_URL", raising=False)
    at = _click(_open(), "class.start")
    assert at.session_state.get("class.role") is None
    assert translate("en", "class.errors.needs_redis") in [e.value for e in at.error]
    assert stepper_payload(at) is not None  # the studio itself works


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_class_through_redis(monkeypatch, redis_url: str, lang: str) -> None:
    """The school's configuration: several replicas, the store on Redis (a real server)."""
    monkeypatch.setenv("CONVLAB_REPLICAS", "3")
    monkeypatch.setenv("CONVLAB_REDIS_URL", redis_url)
    teacher = _teacher(lang)
    code, secret = teacher.session_state["class.code"], teacher.session_state["class.secret"]
    room = Classroom(RedisStore(redis_url))
    assert room.is_leader(code, secret) and not Classroom(memory_store()).exists(code)
    room.set_step(code, secret, 2)
    student = _student(code, "민수", lang)
    assert _classroom(student)["step"] == 2
    _click(teacher, "class.ask_value")
    _answer(_ok(student.run()), str(teacher.session_state["class.question"].expected))
    _click(teacher, "class.reveal")
    assert translate(lang, "class.ask.share", share="100%", right=1) in page_text(teacher)
