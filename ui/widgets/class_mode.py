"""Class mode on a page: the teacher leads the stepper, the class follows and answers.

The page stays thin: :func:`begin` (first thing: the teacher's settings a follower must take),
:func:`panel` (start, join, the code, link and QR, leave or end), :func:`stepper_section`
(mounts the stepper the right way for the session's role) and :func:`publish` (the teacher's
settings to the class; a follower who changed one now explores).

Per step, only two kinds of server calls exist: the leading teacher's stepper sends one
component event per step, handled in a fragment (:func:`_lead_fragment`, no full rerun),
and a following student's fragment polls the store every :data:`POLL_S` seconds
(:func:`_follow_fragment`). The lead secret lives in this session and the teacher's browser
(the stepper keeps it, ``frontend/lead.js``); it is never in a link or sent to students.

Session-state keys are ``class.*``, created here only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ui.classroom.qr import qr_png
from ui.classroom.questions import is_int_trace, output_size, step_value
from ui.classroom.rooms import MAX_CHANGES, ClassError, Classroom, Question, answer_text, is_right
from ui.classroom.store import StoreUnavailable, store_from_env
from ui.components.stepper import StepperState
from ui.figures.classroom import answers_figure
from ui.frame.i18n import t

__all__ = [
    "POLL_S",
    "begin",
    "classroom",
    "hides_size",
    "panel",
    "publish",
    "role",
    "stepper_section",
]

#: A following student's fragment reads the room this often (seconds).
POLL_S = 0.5
#: The teacher's answers panel reads them this often while a question is open.
TALLY_S = 0.5
JOIN_PARAM = "join"

K = {
    name: f"class.{name}"
    for name in (
        "role",  # None, "lead", "follow" or "explore"
        "code",
        "secret",  # the teacher's lead secret (this session only)
        "student",  # a student's id in the room
        "nick",
        "step",  # the step the class is at (teacher)
        "question",  # the teacher's open question (Question or None)
        "applied",  # settings id a follower took last
        "baseline",  # a follower's link parameters right after taking the teacher's
        "pending",  # the teacher's settings to take at the top of the next run
        "published",  # the teacher's last published link parameters
        "forget",  # codes whose kept secrets the browser should drop
        "notice",  # (kind, translation key, params) shown once in the panel
        "resume_done",
        "goto",  # (id, step): where the teacher's own stepper must go, sent once
    )
}


def classroom() -> Classroom | None:
    """The rooms on this server's store; None (and the reason on screen) when refused."""
    try:
        return Classroom(store_from_env())
    except StoreUnavailable as err:
        st.error(t(err.key), icon=":material/group_off:")
        return None


def role() -> str | None:
    return st.session_state.get(K["role"])


def class_step(default: int) -> int:
    """The class's step while leading or following (the fragments keep it), else ``default``."""
    if role() in ("lead", "follow") and K["step"] in st.session_state:
        return int(st.session_state[K["step"]])
    return default


def _error(err: ClassError) -> str:
    return _err_text(err.key, err.params)


def _err_text(key: str, params: Mapping[str, Any]) -> str:
    """A refusal in words; typed text in it (a bad code) escaped for markdown."""
    safe = {k: _md(v) if isinstance(v, str) else v for k, v in params.items()}
    return t(f"class.errors.{key}", **safe)


def _md(text: str) -> str:
    """Text safe inside markdown (nicknames are letters only, this is the second fence)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~])", r"\\\1", str(text))


def _notice(kind: str, key: str, **params: Any) -> None:
    st.session_state[K["notice"]] = (kind, key, params)


def _leave(forget: str | None = None) -> None:
    ss = st.session_state
    for name in ("role", "code", "secret", "student", "nick", "step", "question", "applied",
                 "baseline", "published"):  # fmt: skip
        ss.pop(K[name], None)
    if forget:
        ss[K["forget"]] = [forget]


# ----------------------------------------------------------------------------- the page's top


def begin() -> dict[str, str] | None:
    """Call first: the teacher's link parameters a follower must take now (None: nothing)."""
    return st.session_state.pop(K["pending"], None)


def publish(params: Mapping[str, str]) -> None:
    """The page's link parameters after its widgets: the teacher's go to the class; a
    follower whose own differ from the teacher's changed a setting and now explores."""
    ss = st.session_state
    params = dict(params)
    if role() == "lead" and ss.get(K["published"]) != params:
        room = classroom()
        if room is None:
            return
        try:
            room.set_settings(ss[K["code"]], ss[K["secret"]], params)
            ss[K["published"]] = params
        except ClassError as err:
            st.error(_error(err))
    elif role() == "follow":
        if ss.get(K["baseline"]) is None:
            ss[K["baseline"]] = params
        elif ss[K["baseline"]] != params:
            ss[K["role"]] = "explore"
            _notice("info", "class.follow.explore_auto")
            st.rerun()


# ----------------------------------------------------------------------------- the panel


def _start() -> None:
    room = classroom()
    if room is None:
        return
    try:
        code, secret = room.create()
    except ClassError as err:
        _notice("error", f"class.errors.{err.key}", **err.params)
        return
    _leave()
    ss = st.session_state
    ss[K["role"]], ss[K["code"]], ss[K["secret"]] = "lead", code, secret
    ss[K["step"]] = int(ss.get("studio.step", 0))
    ss[K["question"]] = None


def _join(code_key: str, nick_key: str) -> None:
    room = classroom()
    if room is None:
        return
    ss = st.session_state
    try:
        code, student = room.join(ss.get(code_key, ""), ss.get(nick_key, ""))
    except ClassError as err:
        _notice("error", f"class.errors.{err.key}", **err.params)
        return
    _leave()
    ss[K["role"]], ss[K["code"]], ss[K["student"]] = "follow", code, student
    ss[K["nick"]] = ss.get(nick_key, "").strip()
    _take_settings(room, code)
    _notice("success", "class.join.joined", code=code)


def _end() -> None:
    ss = st.session_state
    room = classroom()
    if room is not None:
        try:
            room.end(ss[K["code"]], ss[K["secret"]])
        except ClassError:
            pass  # expired already: nothing left to end
    _notice("info", "class.lead.ended", code=ss.get(K["code"], ""))
    _leave(forget=ss.get(K["code"]))


def _take_settings(room: Classroom, code: str) -> None:
    """Before this run's widgets: the teacher's settings (no second run to take them)."""
    ss = st.session_state
    ss[K["applied"]], ss[K["baseline"]] = None, None
    try:
        found = room.settings(code)
    except ClassError:
        return
    if found is not None:
        ss[K["applied"]], ss[K["pending"]] = found


def _follow_again() -> None:
    st.session_state[K["role"]] = "follow"
    room = classroom()
    if room is not None:
        _take_settings(room, st.session_state[K["code"]])


def _stop_following() -> None:
    st.session_state[K["role"]] = "explore"


def _show_notice() -> None:
    notice = st.session_state.pop(K["notice"], None)
    if notice:
        kind, key, params = notice
        text = (
            _err_text(key[len("class.errors.") :], params)
            if key.startswith("class.errors.")
            else t(key, **params)
        )
        getattr(st, kind)(text)


def panel(page_url: str) -> None:
    """The Class section: start or join; the code, link and QR; follow, explore, leave, end.

    ``page_url``: this page's address without its query (the join link is ``?join=CODE``).
    """
    current = role()
    join_code = st.query_params.get(JOIN_PARAM)
    expanded = current is not None or bool(join_code)
    with st.expander(t("class.header"), icon=":material/groups:", expanded=expanded):
        _show_notice()
        if current == "lead":
            _teacher_panel(page_url)
        elif current in ("follow", "explore"):
            _student_panel(current)
        else:
            _lobby(join_code)


def _lobby(join_code: str | None) -> None:
    st.caption(t("class.intro"))
    if join_code:
        st.session_state.setdefault("class.join_code", str(join_code)[:20])
    c1, c2 = st.columns(2, gap="large")
    with c1:
        st.markdown(t("class.join.header"))
        st.text_input(t("class.join.code"), key="class.join_code", max_chars=20)
        st.text_input(
            t("class.join.nickname"), key="class.join_nick", max_chars=20,
            help=t("class.join.nickname_help"),
        )  # fmt: skip
        st.button(
            t("class.join.button"), key="class.join", type="primary" if join_code else "secondary",
            on_click=_join, args=("class.join_code", "class.join_nick"),
            icon=":material/login:",
        )  # fmt: skip
    with c2:
        st.markdown(t("class.lead.header"))
        st.caption(t("class.lead.intro"))
        st.button(
            t("class.lead.start"), key="class.start", on_click=_start,
            type="secondary" if join_code else "primary", icon=":material/co_present:",
        )  # fmt: skip


@st.cache_data(max_entries=64)
def _qr(link: str) -> bytes:
    return qr_png(link)


def _teacher_panel(page_url: str) -> None:
    ss = st.session_state
    code = ss[K["code"]]
    link = f"{page_url}?{JOIN_PARAM}={code}"
    c1, c2 = st.columns([2, 1], gap="large")
    with c1:
        st.markdown(t("class.lead.code", code=code))
        st.code(link, language=None, wrap_lines=True)
        st.caption(t("class.lead.link_help"))
        room = classroom()
        joined = room.joined(code) if room else 0
        st.markdown(t("class.lead.joined", n=joined))
        st.button(t("class.lead.end"), key="class.end", on_click=_end, icon=":material/stop:")
    with c2:
        st.image(_qr(link), caption=t("class.lead.qr_caption"), width=220)


def _student_panel(current: str) -> None:
    ss = st.session_state
    nick = ss.get(K["nick"]) or t("class.follow.no_nick")
    if current == "follow":
        st.markdown(t("class.follow.following", code=ss[K["code"]], nick=_md(nick)))
        st.button(t("class.follow.stop"), key="class.stop", on_click=_stop_following,
                  icon=":material/explore:")  # fmt: skip
    else:
        st.markdown(t("class.follow.exploring", code=ss[K["code"]], nick=_md(nick)))
        st.button(t("class.follow.again"), key="class.again", on_click=_follow_again,
                  type="primary", icon=":material/sync:")  # fmt: skip
    st.button(t("class.follow.leave"), key="class.leave", on_click=_leave, icon=":material/logout:")


# ----------------------------------------------------------------------------- the stepper

Mount = Callable[[Mapping[str, Any] | None], StepperState]


def stepper_section(compact: Mapping[str, Any], mount: Mount) -> StepperState | None:
    """Mount the stepper for this session's role; returns what it reported (None inside a
    fragment, whose return value a fragment rerun does not give back).

    ``mount(classroom)`` mounts the page's stepper with that class-mode data.
    """
    current = role()
    if current == "lead":
        _lead_fragment(compact, mount)
        _ask_fragment(compact)
        return None
    if current == "follow":
        _follow_fragment(mount)
        return None
    if current == "explore":
        return mount(None)
    ss = st.session_state
    asked = not ss.get(K["resume_done"]) and JOIN_PARAM not in st.query_params
    state = mount({"resume": asked, "forget": ss.pop(K["forget"], [])} if asked or ss.get(
        K["forget"]) else None)  # fmt: skip
    if state.resume is not None:
        ss[K["resume_done"]] = True
        _resume(state.resume)
    return state


def _resume(offer: Mapping[str, Any]) -> None:
    """This browser holds a lead secret: lead that room again if it is still there."""
    room = classroom()
    code, secret = offer.get("code"), offer.get("secret")
    if room is None or not isinstance(code, str):
        return
    if room.is_leader(code, secret):
        ss = st.session_state
        _leave()
        ss[K["role"]], ss[K["code"]], ss[K["secret"]] = "lead", code, secret
        view = room.view(code)
        ss[K["step"]] = view.step
        ss[K["question"]] = view.question
        ss[K["goto"]] = (0, view.step)
        _notice("success", "class.lead.resumed", code=code)
        st.rerun()
    else:
        st.session_state[K["forget"]] = [code]


def _hidden_step(question: Question | None) -> int | None:
    if question is None or question.revealed or question.kind != "value":
        return None
    return question.step


def _size_hidden(question: Question | None) -> bool:
    return question is not None and not question.revealed and question.kind == "size"


@st.fragment
def _lead_fragment(compact: Mapping[str, Any], mount: Mount) -> None:
    """The leading teacher's stepper: each step's event lands here, in a fragment run."""
    ss = st.session_state
    question = ss.get(K["question"])
    if _size_hidden(question):
        st.info(t("class.ask.size_hidden"), icon=":material/visibility_off:")
        return
    data: dict[str, Any] = {
        "role": "lead", "code": ss[K["code"]], "secret": ss[K["secret"]],
        "hide": _hidden_step(question),
    }  # fmt: skip
    goto = ss.pop(K["goto"], None)  # once: the stepper's own steps are never sent back to it
    if goto is not None:
        data["goto_id"], data["step"] = goto
    state = mount(data)
    event = state.lead
    if event is None:
        return
    room = classroom()
    if room is None:
        return
    try:
        if event.get("code") != ss[K["code"]]:
            raise ClassError("not_leader")
        ss[K["step"]] = room.set_step(event.get("code"), event.get("secret"), event.get("step"))
    except ClassError as err:
        st.error(_error(err), icon=":material/block:")


def _ask(compact: Mapping[str, Any], kind: str) -> None:
    ss = st.session_state
    room = classroom()
    if room is None:
        return
    n = int(compact["n_steps"])
    code, secret = ss[K["code"]], ss[K["secret"]]
    try:
        if kind == "value":
            step = min(int(ss.get(K["step"], 0)) + 1, n - 1)
            expected: Any = step_value(compact, step)
        else:
            step = int(ss.get(K["step"], 0))
            expected = output_size(compact)
        question = room.ask(code, secret, kind, step, expected, is_int=is_int_trace(compact))
        room.set_step(code, secret, step)
    except ClassError as err:
        _notice("error", f"class.errors.{err.key}", **err.params)
        return
    ss[K["step"]], ss[K["question"]] = step, question
    ss[K["goto"]] = (question.id, step)


def _reveal() -> None:
    ss = st.session_state
    room = classroom()
    if room is None:
        return
    try:
        ss[K["question"]] = room.reveal(ss[K["code"]], ss[K["secret"]])
    except ClassError as err:
        _notice("error", f"class.errors.{err.key}", **err.params)


def _close_question() -> None:
    ss = st.session_state
    room = classroom()
    if room is not None:
        try:
            room.close_question(ss[K["code"]], ss[K["secret"]])
        except ClassError:
            pass
    ss[K["question"]] = None


def _ask_fragment(compact: Mapping[str, Any]) -> None:
    question = st.session_state.get(K["question"])
    polling = question is not None and not question.revealed
    st.fragment(run_every=TALLY_S if polling else None)(_ask_panel)(compact)


def _ask_panel(compact: Mapping[str, Any]) -> None:
    """The teacher's questions: ask, see the answers arrive, reveal."""
    ss = st.session_state
    question: Question | None = ss.get(K["question"])
    with st.container(key="class.ask", border=True):
        st.markdown(t("class.ask.header"))
        c1, c2, c3 = st.columns(3)
        # Asking or revealing changes what every panel shows (the stepper hides or shows a
        # value, the answers start or stop polling): a full run, once per question.
        actions: list[tuple[Callable[[], None], bool]] = [
            (lambda: _ask(compact, "value"), c1.button(
                t("class.ask.value"), key="class.ask_value", icon=":material/help:")),
            (lambda: _ask(compact, "size"), c2.button(
                t("class.ask.size"), key="class.ask_size", icon=":material/aspect_ratio:")),
        ]  # fmt: skip
        if question is not None and not question.revealed:
            actions.append((_reveal, c3.button(t("class.ask.reveal"), key="class.reveal",
                            type="primary", icon=":material/visibility:")))  # fmt: skip
        elif question is not None:
            actions.append((_close_question, c3.button(t("class.ask.close"), key="class.close",
                            icon=":material/close:")))  # fmt: skip
        for action, clicked in actions:
            if clicked:
                action()
                st.rerun(scope="app")
        if question is None:
            st.caption(t("class.ask.intro"))
            return
        st.markdown(_prompt(question))
        room = classroom()
        if room is None:
            return
        try:
            tally = room.tally(ss[K["code"]], ss[K["secret"]])
        except ClassError as err:
            st.error(_error(err))
            return
        if tally is None:
            return
        st.markdown(
            t("class.ask.answered", answered=tally.answered, joined=tally.joined)
            + (
                " " + t("class.ask.share", share=f"{tally.share_right:.0%}", right=tally.right)
                if question.revealed
                else ""
            )
        )
        if tally.counts:
            fig = answers_figure(
                tally.counts, tally.right_text if question.revealed else None,
                right_label=t("class.ask.right_label"),
            )  # fmt: skip
            st.plotly_chart(fig, key="class.histogram", config={"displayModeBar": False})
        if question.revealed:
            st.success(t("class.ask.revealed", answer=tally.right_text))
        if tally.nicknames:
            st.caption(t("class.ask.names", names=", ".join(_md(n) for n in tally.nicknames)))


def _prompt(question: Question) -> str:
    if question.kind == "size":
        return t("class.ask.prompt_size")
    return t("class.ask.prompt_value", step=question.step + 1)


@st.fragment(run_every=POLL_S)
def _follow_fragment(mount: Mount) -> None:
    """A following student's stepper: the room read every POLL_S s, the teacher's step and
    question shown, the student's own answer sent."""
    ss = st.session_state
    room = classroom()
    if room is None:
        return
    try:
        view = room.view(ss[K["code"]])
    except ClassError as err:
        code = ss.get(K["code"], "")
        _leave()
        _notice("warning", f"class.errors.{err.key}", **{"code": code, **err.params})
        st.rerun(scope="app")
        return
    if view.settings_id and view.settings_id != ss.get(K["applied"]):
        found = room.settings(view.code)
        if found is not None:
            ss[K["applied"]], ss[K["pending"]] = found
            ss[K["baseline"]] = None
            st.rerun(scope="app")
            return
    question = view.question
    if _size_hidden(question) != bool(ss.get("class.size_open")):
        ss["class.size_open"] = _size_hidden(question)
        st.rerun(scope="app")  # the page's size caption shows or hides with the question
    if _size_hidden(question):
        st.info(t("class.ask.size_hidden_student"), icon=":material/visibility_off:")
    else:
        mount({"role": "follow", "code": view.code, "step": view.step,
               "hide": _hidden_step(question)})  # fmt: skip
    if question is not None:
        _answer_box(room, view.code, question)


def _answer_box(room: Classroom, code: str, question: Question) -> None:
    ss = st.session_state
    student = ss[K["student"]]
    with st.container(key="class.answer_box", border=True):
        st.markdown(_prompt(question))
        mine = room.my_answer(code, student, question.id)
        if question.revealed:
            right = answer_text(question, question.expected)
            if mine is None:
                st.info(t("class.answer.revealed_none", answer=right))
            else:
                ok = is_right(question, mine)
                kind = "success" if ok else "warning"
                key = "class.answer.revealed_right" if ok else "class.answer.revealed_wrong"
                getattr(st, kind)(t(key, answer=right, mine=answer_text(question, mine)))
            return
        field = f"class.answer.{question.id}"
        st.text_input(
            t("class.answer.label_size" if question.kind == "size" else "class.answer.label"),
            key=field, max_chars=40,
        )  # fmt: skip
        if st.button(t("class.answer.send"), key=f"class.send.{question.id}", type="primary"):
            try:
                mine = room.answer(code, student, question.id, ss.get(field, ""))
            except ClassError as err:
                st.error(_error(err))
        if mine is not None:
            st.caption(t("class.answer.yours", answer=answer_text(question, mine),
                         limit=MAX_CHANGES))  # fmt: skip


def hides_size() -> bool:
    """Whether the output size is the open question (the page hides its size caption)."""
    ss = st.session_state
    if role() == "lead":
        return _size_hidden(ss.get(K["question"]))
    return role() == "follow" and bool(ss.get("class.size_open"))
