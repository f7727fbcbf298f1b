"""Class mode under a class: a teacher and 30 following, answering students (protocol level).

Run from the repository root (loopback only; about 2 minutes per setup)::

    .venv/bin/python -m benchmarks.class_mode                 # one server, in-process store
    .venv/bin/python -m benchmarks.class_mode --school 3      # 3 replicas, HAProxy, Redis
    .venv/bin/python -m benchmarks.class_mode --students 4 --quick

Every participant is a :class:`~benchmarks.classroom.client.StudentSession` speaking
Streamlit's WebSocket protocol (no browser), extended here with what a browser does for
fragments: it keeps the fragment each element belongs to, and re-runs a ``run_every``
fragment on its own timer (``auto_rerun``), as Streamlit's frontend does. The teacher's
steps are the stepper's component event (``lead``: code, step and the lead secret the
teacher's page handed its stepper), sent as the browser sends a component trigger, in the
lead fragment.

Phases, one after another on the same sessions:

1. **idle class**: the teacher has started a class, every student joined and then stopped
   following (explore): sessions open, nobody polls; ``--idle`` seconds.
2. **following class**: every student follows again (a fragment polling the store every
   0.5 s); the teacher takes a step every ``--gap`` seconds for ``--follow`` seconds. Step
   to student: from the teacher's event being sent to the student's session receiving the
   stepper data with that step.
3. **answers**: the teacher asks for the next output value; each student answers at a
   random moment within 5 s. Answer to teacher: from a student's answer being sent until the
   teacher's answers panel (polling every 0.5 s while the question is open) counts it.

Printed: p50/p95 of both latencies, and the server's CPU (% of one core, from
``/proc/<pid>/stat``) and resident memory (``VmRSS``) per phase; for the school, summed
over the replicas (Redis and HAProxy not included). Figures, never pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from benchmarks.classroom.client import (  # noqa: E402
    SUCCESS,
    SessionFailed,
    StudentSession,
    check_streamlit_version,
)
from benchmarks.classroom.measure import cpu_s, fmt_times, nearest_rank, rss_mb  # noqa: E402
from benchmarks.markdown_table import print_table  # noqa: E402
from scripts.local_server import served  # noqa: E402

STEPPER_KEY = "studio.stepper"
TRIGGER_PREFIX = "$$STREAMLIT_INTERNAL_KEY_"


class ClassSession(StudentSession):
    """A :class:`StudentSession` that also keeps fragments, auto-reruns and the stepper's
    class-mode data (with the time each step arrived)."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        super().__init__(base_url, **kw)
        self.fragment_of: dict[str, str] = {}  # widget id -> fragment id
        self.auto: dict[str, float] = {}  # fragment id -> interval (s)
        self.classroom: dict[str, Any] | None = None
        self.step_seen: dict[int, float] = {}  # step -> first time the stepper got it
        self.texts_seen: list[tuple[float, str]] = []
        self._delta_fragment = ""
        self._full_run = True
        self.last_sent = 0.0
        self.last_status = -1
        self.dropped_ticks = 0
        self.tick_times: list[float] = []  # each poll: sent -> script_finished
        self._lock = asyncio.Lock()
        self._auto_task: asyncio.Task[None] | None = None

    def _handle(self, msg: Any) -> None:
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            self.auto[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun" or (kind == "new_session" and self._full_run):
            # A full run starts (a fragment run sends new_session too): the frontend drops
            # its fragment timers, and the run's fragments set theirs again.
            self.auto.clear()
        elif kind == "delta":
            self._delta_fragment = msg.delta.fragment_id
        elif kind == "script_finished":
            self.last_status = msg.script_finished
        super()._handle(msg)

    def _element(self, element: Any) -> None:
        super()._element(element)
        kind = element.WhichOneof("type")
        if kind is None:
            return
        sub = getattr(element, kind)
        wid = getattr(sub, "id", "") if "id" in sub.DESCRIPTOR.fields_by_name else ""
        if wid:
            self.fragment_of[wid] = self._delta_fragment
        if kind == "bidi_component" and wid.endswith(f"-{STEPPER_KEY}"):
            data = json.loads(sub.json or "{}")
            self.classroom = data.get("classroom")
            step = (self.classroom or {}).get("step")
            if isinstance(step, int) and step not in self.step_seen:
                self.step_seen[step] = time.perf_counter()
        if kind in {"markdown", "alert"}:
            self.texts_seen.append((time.perf_counter(), sub.body))

    async def run(
        self,
        changes: list[WidgetState] | None = None,
        *,
        fragment: str = "",
        auto: bool = False,
        timeout_s: float | None = None,
    ) -> int:
        """A rerun (of ``fragment`` when given), one at a time per session, as the browser;
        returns the ``script_finished`` status (a fragment run's is
        ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``)."""
        async with self._lock:
            self._full_run = not fragment
            if not fragment:
                await self.rerun(changes)
                return self.last_status
            state = ClientState()
            state.query_string = self.query_string
            state.page_script_hash = self.page_script_hash
            state.fragment_id = fragment
            state.is_auto_rerun = auto
            self._fill(state, changes)
            while not self._finished.empty():
                self._finished.get_nowait()
            self.last_sent = time.perf_counter()
            await self._send(BackMsg(rerun_script=state))
            deadline = time.perf_counter() + (timeout_s or self.timeout_s)
            while True:
                left = deadline - time.perf_counter()
                try:
                    status = await asyncio.wait_for(self._finished.get(), max(left, 0.001))
                except TimeoutError:
                    raise SessionFailed("no script_finished in time") from None
                if status == -1:
                    raise SessionFailed(self._closed_reason or "connection lost")
                if status in SUCCESS:
                    return status

    def click(self, key: str) -> WidgetState:
        return WidgetState(id=self.widget(key).id, trigger_value=True)

    def text(self, key: str, value: str) -> WidgetState:
        return WidgetState(id=self.widget(key).id, string_value=value)

    def fragment(self, key: str) -> str:
        return self.fragment_of.get(self.widget(key).id, "")

    def lead_event(self, step: int) -> WidgetState:
        """The stepper's ``lead`` component event, as the teacher's browser sends it."""
        stepper = self.widget(STEPPER_KEY)
        c = self.classroom or {}
        payload = [{"event": "lead", "value": {"code": c["code"], "step": step,
                                                "secret": c["secret"]}}]  # fmt: skip
        return WidgetState(
            id=f"{TRIGGER_PREFIX}{stepper.id}__events", json_trigger_value=json.dumps(payload)
        )

    def start_auto(self) -> None:
        """Re-run the ``run_every`` fragment on a fixed-rate timer, as the frontend's
        setInterval does (a tick that finds a run going waits for it)."""

        async def loop() -> None:
            next_at = time.perf_counter()
            while True:
                if not self.auto:
                    await asyncio.sleep(0.05)
                    next_at = time.perf_counter()
                    continue
                fid, interval = next(iter(self.auto.items()))
                next_at = max(next_at + interval, time.perf_counter())
                await asyncio.sleep(next_at - time.perf_counter())
                if fid in self.auto:
                    try:
                        t0 = time.perf_counter()
                        await self.run(fragment=fid, auto=True, timeout_s=5)
                        self.tick_times.append(time.perf_counter() - t0)
                    except SessionFailed:
                        # A tick that reached the server during a full run finds its fragment
                        # gone and gets no answer; the browser's next tick simply comes.
                        self.dropped_ticks += 1

        self._auto_task = asyncio.create_task(loop())

    async def stop_auto(self) -> None:
        if self._auto_task is not None:
            self._auto_task.cancel()
            try:
                await self._auto_task
            except (asyncio.CancelledError, Exception):
                pass


def _answered(texts: list[tuple[float, str]]) -> list[tuple[float, int]]:
    found = []
    for t, body in texts:
        m = re.search(r"Answered: \*\*(\d+)\*\*", body)
        if m:
            found.append((t, int(m.group(1))))
    return found


class Cost:
    """CPU and memory of the server processes over a phase."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def __enter__(self) -> Cost:
        self.t0, self.c0 = time.perf_counter(), sum(cpu_s(p) for p in self.pids)
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu = sum(cpu_s(p) for p in self.pids) - self.c0
        self.rss = sum(rss_mb(p) for p in self.pids)

    def row(self, name: str) -> list[str]:
        return [name, f"{self.seconds:.0f} s", f"{100 * self.cpu / self.seconds:.0f} %",
                f"{self.rss:.0f} MB"]  # fmt: skip


async def run_class(base_url: str, pids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    teacher = ClassSession(base_url)
    await teacher.open("studio")
    await teacher.run([teacher.click("class.start")])
    if not (teacher.classroom or {}).get("secret"):
        raise SessionFailed(f"the teacher leads no class: {teacher.error_alerts}")
    code = teacher.classroom["code"]
    students = [ClassSession(base_url) for _ in range(args.students)]

    async def join(i: int, s: ClassSession) -> None:
        await asyncio.sleep(rng.uniform(0, 3))
        await s.open("studio", f"join={code}")
        await s.run([s.text("class.join_code", code), s.text("class.join_nick", f"s{i}"),
                     s.click("class.join")])  # fmt: skip
        if (s.classroom or {}).get("role") != "follow":
            raise SessionFailed(f"student {i} does not follow: {s.error_alerts}")

    await asyncio.gather(*(join(i, s) for i, s in enumerate(students)))
    for s in (teacher, *students):
        s.start_auto()
    result: dict[str, Any] = {}
    # 1. idle: everyone explores
    await asyncio.gather(*(s.run([s.click("class.stop")]) for s in students))
    await asyncio.sleep(2)
    with Cost(pids) as idle:
        await asyncio.sleep(args.idle)
    result["idle"] = idle
    # 2. following: the teacher steps every --gap s
    await asyncio.gather(*(s.run([s.click("class.again")]) for s in students))
    await asyncio.sleep(3)
    step_lat: list[float] = []
    lead_fragment = teacher.fragment(STEPPER_KEY)
    for s in students:
        s.tick_times.clear()
    with Cost(pids) as follow:
        n_steps = max(1, int(args.follow / args.gap))
        sent: dict[int, float] = {}
        for k in range(1, n_steps + 1):
            step = 1 + (k - 1) % 15  # 1..15 and round again: every step a new one
            for s in students:
                s.step_seen.pop(step, None)
            sent[step] = time.perf_counter()
            await teacher.run([teacher.lead_event(step)], fragment=lead_fragment)
            await asyncio.sleep(args.gap)
            for s in students:
                if step in s.step_seen:
                    step_lat.append(s.step_seen[step] - sent[step])
                else:
                    step_lat.append(float("inf"))
    result["follow"], result["step_lat"] = follow, step_lat
    result["ticks"] = [x for s in students for x in s.tick_times]
    result["steps_sent"] = n_steps
    # 3. answers
    await teacher.run([teacher.click("class.ask_value")], fragment=teacher.fragment(
        "class.ask_value"))  # fmt: skip
    await asyncio.sleep(2)
    if not any("-class.answer." in wid for wid in students[0].widgets):
        raise SessionFailed(
            f"no question reached the students: teacher {teacher.error_alerts} "
            f"{[x for x in teacher.texts if 'step' in x][:3]}; student {students[0].texts[:5]} "
            f"{students[0].auto} {students[0].classroom} {students[0]._auto_task}"
        )
    answer_sent: list[float] = []

    async def answer(s: ClassSession) -> None:
        await asyncio.sleep(rng.uniform(0, 5))
        field = next(w.id for wid, w in s.widgets.items() if "-class.answer." in wid)
        send = next(k for k in s.widgets if "-class.send." in k)
        key = send.rsplit("-", 1)[1]
        await s.run(
            [WidgetState(id=field, string_value="1"), WidgetState(id=send, trigger_value=True)],
            fragment=s.fragment(key),
        )
        answer_sent.append(s.last_sent)  # when the answer left the student's browser

    teacher.texts_seen.clear()
    with Cost(pids) as answering:
        await asyncio.gather(*(answer(s) for s in students))
        await asyncio.sleep(3)
    seen = _answered(teacher.texts_seen)
    answer_lat = []
    for rank, t0 in enumerate(sorted(answer_sent), 1):
        when = next((t for t, n in seen if n >= rank and t >= t0), None)
        answer_lat.append(float("inf") if when is None else when - t0)
    result["answers"], result["answer_lat"] = answering, answer_lat
    result["dropped"] = sum(s.dropped_ticks for s in (teacher, *students))
    result["exceptions"] = sorted({e for s in (teacher, *students) for e in s.exceptions})
    for s in (teacher, *students):
        await s.stop_auto()
        await s.close()
    return result


def report(name: str, r: dict[str, Any]) -> None:
    print(f"\n### {name}\n")
    finite = [x for x in r["step_lat"] if x != float("inf")]
    missed = len(r["step_lat"]) - len(finite)
    fa = [x for x in r["answer_lat"] if x != float("inf")]
    lost = len(r["answer_lat"]) - len(fa)
    print_table(
        ["latency", "p50 / p95 (n) s", "missed"],
        [
            ["teacher's step -> student's session", fmt_times(finite), str(missed)],
            ["answer -> teacher's answers panel", fmt_times(fa), str(lost)],
        ],
    )  # fmt: skip
    print()
    print_table(
        ["phase", "length", "server CPU (one core = 100 %)", "server RSS"],
        [r["idle"].row("idle class (joined, exploring)"),
         r["follow"].row("following class (polling 0.5 s, a step every "
                         f"{ARGS.gap:g} s)"),
         r["answers"].row(f"answering ({ARGS.students} answers in 5 s)")],
    )  # fmt: skip
    ticks, idle, follow = r["ticks"], r["idle"], r["follow"]
    extra_cpu = follow.cpu - idle.cpu * follow.seconds / idle.seconds
    calls = len(ticks) + r["steps_sent"]
    print(
        f"\nfollowing: {len(ticks)} polls ({len(ticks) / follow.seconds:.0f}/s) and "
        f"{r['steps_sent']} step events; a poll's round trip {fmt_times(ticks)} s; server CPU "
        f"above the idle class {1000 * extra_cpu / max(calls, 1):.1f} ms per call"
    )
    print(f"poll ticks the server dropped (sent during a full run): {r['dropped']}")
    if r["exceptions"]:
        print("\nexceptions:", r["exceptions"])
    if finite:
        print(f"\nstep p95 {nearest_rank(finite, 0.95):.2f} s; answers p95 "
              f"{nearest_rank(fa, 0.95) if fa else float('nan'):.2f} s")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    global ARGS
    parser = argparse.ArgumentParser(prog="python -m benchmarks.class_mode", description=__doc__)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--follow", type=float, default=30.0)
    parser.add_argument("--gap", type=float, default=1.5)
    parser.add_argument("--school", type=int, default=0, help="replicas behind HAProxy + Redis")
    parser.add_argument("--quick", action="store_true")
    ARGS = args = parser.parse_args(argv)
    if args.quick:
        args.idle, args.follow = 5.0, 8.0
    check_streamlit_version()
    with ExitStack() as stack:
        if args.school:
            from scripts.school import School

            school = stack.enter_context(School(args.school))
            url, pids = school.url, [r.proc.pid for r in school.members]
            name = f"school: {args.school} replicas behind HAProxy, Redis store"
        else:
            proc, url = stack.enter_context(
                served(REPO / "app.py", REPO / "benchmark-class-mode.log")
            )
            pids, name = [proc.pid], "one server, in-process store"
        r = asyncio.run(run_class(url, pids, args))
    print(f"{args.students} students, teacher stepping every {args.gap:g} s")
    report(name, r)
    return 0


ARGS: argparse.Namespace


if __name__ == "__main__":
    sys.exit(main())
