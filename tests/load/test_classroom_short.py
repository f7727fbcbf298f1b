"""The classroom load test, short form: a few students at the protocol level on one server.

The full run (30 students, three rounds, timings and memory) is the benchmark
``python -m benchmarks.classroom``; this short form asserts only that no session fails and
no page shows an exception element. Its timings are printed for the log, never checked.
Marked ``e2e``: it runs a real ``streamlit run`` server, like the browser tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.classroom.client import SessionFailed, StudentSession, check_streamlit_version
from benchmarks.classroom.scenario import classroom
from scripts.local_server import served

REPO = Path(__file__).resolve().parents[2]
STUDENTS = 4
EVERY_S = 2.0
DURATION_S = 12.0

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A fresh ``streamlit run app.py`` for this module (the app's own config: XSRF on)."""
    with served("app.py", REPO / "streamlit-test-server-load.log") as (_, url):
        yield url


def test_client_speaks_this_streamlit() -> None:
    check_streamlit_version()  # the wire protocol is pinned: a new Streamlit fails here first
    with pytest.raises(RuntimeError, match="tested with Streamlit 1.67"):
        check_streamlit_version("1.99.0")


def test_client_notes_exception_elements_and_widgets() -> None:
    # The detector the load test relies on, fed the messages a failing page sends.
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    s = StudentSession("http://127.0.0.1:1")
    start = ForwardMsg()
    start.new_session.page_script_hash = "abc"
    widget = ForwardMsg()
    widget.delta.new_element.number_input.id = "$$ID-0123-studio.kernel.bias"
    widget.delta.new_element.number_input.data_type = widget.delta.new_element.number_input.INT
    boom = ForwardMsg()
    boom.delta.new_element.exception.type = "ZeroDivisionError"
    boom.delta.new_element.exception.message = "division by zero"
    done = ForwardMsg(script_finished=ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY)
    for msg in (start, widget, boom, done):
        s._handle(msg)
    assert s.exceptions == ["ZeroDivisionError: division by zero"]
    assert s.number("studio.kernel.bias", 3).int_value == 3
    with pytest.raises(SessionFailed, match="no widget"):
        s.widget("studio.kernel.missing")


def test_a_few_students_at_once(server_url: str) -> None:
    # In its own thread: after the browser tests, Playwright's sync API leaves an event loop
    # running in this one, and asyncio.run refuses to start inside it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        outcomes = pool.submit(
            asyncio.run,
            classroom(
                server_url, STUDENTS, every_s=EVERY_S, duration_s=DURATION_S, arrive_within_s=1
            ),
        ).result()
    for o in outcomes:  # for the log only: timings are benchmark figures, never pass/fail
        times = {action: [round(t, 2) for t in ts] for action, ts in o.times.items()}
        print(f"student {o.student}: {o.error or 'ok'}; {times}")
    failures = {o.student: o.error for o in outcomes if o.error}
    assert not failures, f"failed sessions: {failures}"
    exceptions = {o.student: o.exceptions for o in outcomes if o.exceptions}
    assert not exceptions, f"pages showed exceptions: {exceptions}"
    # Every student did the whole scenario: studio changes, then every lab step.
    for o in outcomes:
        assert o.times["studio setting"]
        assert len(o.times["lab: max pool"]) == 1
