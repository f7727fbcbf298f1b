"""ui.frame.jobs.JobLimiter: how many run, who goes next, what frees a slot.

Threads are coordinated with events and conditions only: every wait has a generous
timeout that is never reached when the limiter works, so no test depends on timing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ui.frame import jobs
from ui.frame.jobs import FULL_RES_JOBS, JobLimiter, JobTimeout

WAIT = 10.0  # seconds; only reached if the limiter is broken


class Recorder:
    """Thread-safe log of events, with a wait for a condition on it."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.cond = threading.Condition()

    def add(self, event: Any) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[list[Any]], bool]) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: predicate(self.events), WAIT), self.events


class Job:
    """A caller in its own thread: records when it waits, starts and ends; blocks until released."""

    def __init__(self, limiter: JobLimiter, name: str, log: Recorder, **run_kwargs: Any) -> None:
        self.name = name
        self.log = log
        self.release = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.places: list[int] = []
        self.thread = threading.Thread(target=self._go, args=(limiter, run_kwargs), daemon=True)

    def _on_wait(self, place: int) -> None:
        self.places.append(place)
        self.log.add((self.name, "wait", place))

    def _work(self) -> str:
        self.log.add((self.name, "start"))
        assert self.release.wait(WAIT)
        self.log.add((self.name, "end"))
        return self.name.upper()

    def _go(self, limiter: JobLimiter, run_kwargs: dict[str, Any]) -> None:
        try:
            self.result = limiter.run(self._work, on_wait=self._on_wait, **run_kwargs)
        except BaseException as exc:  # the test inspects it
            self.error = exc
        self.log.add((self.name, "done"))

    def start(self) -> Job:
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def started(name: str) -> Callable[[list[Any]], bool]:
    return lambda events: (name, "start") in events


def waiting_at(name: str, place: int) -> Callable[[list[Any]], bool]:
    return lambda events: (name, "wait", place) in events


def test_at_most_slots_jobs_run_at_once() -> None:
    limiter = JobLimiter(2)
    log = Recorder()
    jobs = [Job(limiter, f"j{i}", log).start() for i in range(6)]
    log.wait_for(lambda ev: sum(e[1] == "start" for e in ev) == 2)
    log.wait_for(lambda ev: len({e[0] for e in ev if e[1] == "wait"}) == 4)
    assert (limiter.running, limiter.waiting) == (2, 4)
    for job in jobs:  # release all; each job blocks until its own event is set
        job.release.set()
    for job in jobs:
        job.join()
    # Replay the log: never more than two between a start and its end.
    running = peak = 0
    for event in log.events:
        if event[1] == "start":
            running += 1
            peak = max(peak, running)
        elif event[1] == "end":
            running -= 1
    assert peak == 2
    assert sorted(job.result for job in jobs) == [f"J{i}" for i in range(6)]
    assert (limiter.running, limiter.waiting) == (0, 0)


def test_waiters_go_first_come_first_served_and_hear_their_place() -> None:
    limiter = JobLimiter(2)
    log = Recorder()
    b1, b2 = Job(limiter, "b1", log).start(), Job(limiter, "b2", log).start()
    log.wait_for(lambda ev: started("b1")(ev) and started("b2")(ev))
    a = Job(limiter, "a", log).start()
    log.wait_for(waiting_at("a", 1))
    b = Job(limiter, "b", log).start()
    log.wait_for(waiting_at("b", 2))
    c = Job(limiter, "c", log).start()
    log.wait_for(waiting_at("c", 3))
    b1.release.set()  # a takes b1's slot; b and c move up
    log.wait_for(lambda ev: started("a")(ev) and waiting_at("b", 1)(ev) and waiting_at("c", 2)(ev))
    assert not started("b")(log.events)
    b2.release.set()
    log.wait_for(lambda ev: started("b")(ev) and waiting_at("c", 1)(ev))
    a.release.set()
    log.wait_for(started("c"))
    b.release.set()
    c.release.set()
    for job in (b1, b2, a, b, c):
        job.join()
        assert job.error is None
    assert [e[0] for e in log.events if e[1] == "start"] == ["b1", "b2", "a", "b", "c"]
    assert (b1.places, a.places, b.places, c.places) == ([], [1], [2, 1], [3, 2, 1])


def test_an_exception_frees_the_slot() -> None:
    limiter = JobLimiter(1)

    def boom() -> None:
        raise KeyError("bad job")

    with pytest.raises(KeyError, match="bad job"):
        limiter.run(boom)
    assert (limiter.running, limiter.waiting) == (0, 0)
    assert limiter.run(lambda: 5) == 5


def test_a_failing_job_lets_the_next_waiter_in() -> None:
    limiter = JobLimiter(1)
    log = Recorder()
    release = threading.Event()
    errors: list[BaseException] = []

    def failing() -> None:
        log.add(("f", "start"))
        assert release.wait(WAIT)
        raise RuntimeError("failed")

    def first() -> None:
        try:
            limiter.run(failing)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=first, daemon=True)
    t.start()
    log.wait_for(started("f"))
    waiter = Job(limiter, "w", log).start()
    log.wait_for(waiting_at("w", 1))
    release.set()
    log.wait_for(started("w"))
    waiter.release.set()
    waiter.join()
    t.join(WAIT)
    assert [str(e) for e in errors] == ["failed"] and waiter.result == "W"


def test_timeout_raises_without_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the limiter's clock stepped by hand: a waiter gives up, the one behind moves up."""
    clock = [0.0]
    monkeypatch.setattr(jobs, "_now", lambda: clock[0])
    limiter = JobLimiter(1)
    log = Recorder()
    holder = Job(limiter, "h", log).start()
    log.wait_for(started("h"))
    timed_out = Job(limiter, "t", log, timeout_s=30, poll_s=0.01).start()
    log.wait_for(waiting_at("t", 1))
    behind = Job(limiter, "b", log, timeout_s=None, poll_s=0.01).start()
    log.wait_for(waiting_at("b", 2))
    clock[0] = 29.0
    assert limiter.waiting == 2 and timed_out.thread.is_alive()
    clock[0] = 30.0
    timed_out.join()
    assert isinstance(timed_out.error, JobTimeout)
    assert isinstance(timed_out.error, RuntimeError)
    assert timed_out.error.waited_s == 30.0 and timed_out.error.position == 1
    assert str(timed_out.error) == "no free slot after waiting 30.0 s (still number 1 in the queue)"
    assert not started("t")(log.events)
    log.wait_for(waiting_at("b", 1))
    clock[0] = 1e6  # no timeout for b
    holder.release.set()
    log.wait_for(started("b"))
    behind.release.set()
    for job in (holder, behind):
        job.join()
    assert behind.result == "B" and (limiter.running, limiter.waiting) == (0, 0)
    assert behind.places == [2, 1]


def test_timeout_on_the_real_clock() -> None:
    limiter = JobLimiter(1)
    log = Recorder()
    holder = Job(limiter, "h", log).start()
    log.wait_for(started("h"))
    # The slot stays taken until after the check: the timeout passes however slow the machine.
    with pytest.raises(JobTimeout) as info:
        limiter.run(lambda: "never", timeout_s=0.05, poll_s=0.01)
    assert info.value.waited_s >= 0.05
    assert limiter.waiting == 0
    holder.release.set()
    holder.join()


def test_zero_timeout_gives_up_at_once_only_when_busy() -> None:
    limiter = JobLimiter(1)
    assert limiter.run(lambda: "free", timeout_s=0) == "free"
    log = Recorder()
    holder = Job(limiter, "h", log).start()
    log.wait_for(started("h"))
    with pytest.raises(JobTimeout) as info:
        limiter.run(lambda: "never", timeout_s=0)
    assert info.value.position == 1
    holder.release.set()
    holder.join()


def test_an_exception_from_on_wait_leaves_the_queue() -> None:
    """Streamlit stops a script by raising inside its next call: the place must be freed."""
    limiter = JobLimiter(1)
    log = Recorder()
    holder = Job(limiter, "h", log).start()
    log.wait_for(started("h"))

    class Stop(Exception):
        pass

    def stop(place: int) -> None:
        raise Stop(place)

    with pytest.raises(Stop):
        limiter.run(lambda: "never", on_wait=stop)
    assert limiter.waiting == 0
    later = Job(limiter, "l", log).start()
    log.wait_for(waiting_at("l", 1))  # first in line now, not second
    holder.release.set()
    log.wait_for(started("l"))
    later.release.set()
    later.join()
    holder.join()
    assert later.result == "L"


def test_the_job_runs_in_the_callers_thread() -> None:
    limiter = JobLimiter()
    assert limiter.slots == 2
    assert limiter.run(threading.get_ident) == threading.get_ident()


@pytest.mark.parametrize("slots", [0, -1, 1.5, True, "2"])
def test_bad_slots(slots: Any) -> None:
    with pytest.raises(ValueError, match="slots must be a positive integer"):
        JobLimiter(slots)


@pytest.mark.parametrize(
    ("kwargs", "text"), [({"poll_s": 0}, "poll_s"), ({"timeout_s": -1}, "timeout_s")]
)
def test_bad_run_arguments(kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        JobLimiter().run(lambda: None, **kwargs)


def test_the_apps_limiter_and_no_streamlit() -> None:
    assert isinstance(FULL_RES_JOBS, JobLimiter) and FULL_RES_JOBS.slots == 2
    repo = Path(__file__).resolve().parents[2]
    code = "import sys, ui.frame.jobs; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
