"""The school setup (scripts/school.py, deploy/): three replicas behind HAProxy, with Redis.

Short forms of the school benchmark (``python -m benchmarks.school``), run in CI:

* students at the protocol level through the load balancer: each stays on one replica for
  everything it sends (page, assets, WebSocket, upload), the replicas share them 20-50 %
  each, no session fails; a 24.9 MB upload passes the proxy;
* real Chromium students: one replica is killed (SIGKILL) mid-lesson; its students are back
  on a healthy replica by themselves with their link's settings and no error, the others
  notice nothing, and the restarted replica takes new students; a 30 MB photo gets the app's
  own message through the proxy, never the proxy's error page;
* https: a self-signed certificate, the page loads and its WebSocket upgrades over wss.

Timings are printed for the log; the assertions are about behaviour, except the recovery,
which must happen (and is reported) within the browser's reconnect window.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.class_mode import STEPPER_KEY, ClassSession, _answered
from benchmarks.classroom.client import StudentSession
from benchmarks.classroom.failover import COOKIE, LINK, lose_a_replica, page_state, restored
from benchmarks.classroom.scenario import classroom
from scripts.local_server import CHROMIUM, CHROMIUM_ARGS
from scripts.school import (
    MAX_BODY_BYTES,
    REDIS_ENV,
    School,
    haproxy_binary,
    render_haproxy,
    self_signed_pem,
)

pytestmark = pytest.mark.e2e
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY

STUDENTS = 9


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ (gitignored): screenshots to look at."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def school() -> Iterator[School]:
    with School(3) as s:
        yield s


def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    # After the browser tests Playwright's sync API leaves an event loop in this thread;
    # asyncio.run and a second sync_playwright refuse to start inside it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def test_config_renders_and_haproxy_accepts_it(tmp_path: Path) -> None:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(render_haproxy([8501, 8502, 8503], 8080))
    subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(cfg)], check=True)
    text = cfg.read_text()
    assert f"gt {MAX_BODY_BYTES}" in text and MAX_BODY_BYTES == 26 * 1024 * 1024
    assert text.count("check cookie") == 3 and "option redispatch" in text


def test_replicas_share_the_cookie_secret_and_redis(school: School) -> None:
    assert school.redis_url and school.redis_url.startswith("redis://127.0.0.1:")
    for replica in school.members:
        assert replica.proc is not None
        env = Path(f"/proc/{replica.proc.pid}/environ").read_bytes().split(b"\0")
        assert f"{REDIS_ENV}={school.redis_url}".encode() in env
        assert f"STREAMLIT_SERVER_COOKIE_SECRET={school.cookie_secret}".encode() in env


def test_students_stick_to_one_replica_and_spread(school: School) -> None:
    outcomes = _in_thread(
        asyncio.run,
        classroom(school.url, STUDENTS, every_s=2.0, duration_s=6.0, arrive_within_s=2),
    )
    failures = {o.student: o.error for o in outcomes if o.error}
    assert not failures, failures
    assert not [o.exceptions for o in outcomes if o.exceptions]
    homes = []
    for o in outcomes:
        # page, assets, WebSocket upgrade and upload: all answered by one replica
        assert len(o.replicas) > 5 and len(set(o.replicas)) == 1, o.replicas
        homes.append(o.replicas[0])
    share = collections.Counter(homes)
    print(f"students per replica: {dict(share)}")
    assert set(share) == {"r1", "r2", "r3"}
    assert all(0.2 <= n / STUDENTS <= 0.5 for n in share.values()), share


async def _big_upload(url: str, size: int) -> list[str]:
    s = StudentSession(url)
    try:
        await s.open("studio")
        await s.rerun(page="lab")
        await s.rerun([s.choose("lab.image.source", s.option_index("lab.image.source", "upload"))])
        state = await s.upload(
            "lab.image.upload", "big.png", b"\x89PNG" + bytes(size - 4), "image/png"
        )
        await s.rerun([state])
        return list(s.replicas)
    finally:
        await s.close()


def test_a_24_9_mb_upload_passes_the_proxy(school: School) -> None:
    replicas = _in_thread(asyncio.run, _big_upload(school.url, int(24.9 * 1024 * 1024)))
    assert len(set(replicas)) == 1  # the upload went to the replica holding the WebSocket


# ----------------------------------------------------------------------------- browsers


def test_a_replica_lost_mid_lesson(school: School, artifacts_dir: Path) -> None:
    result = _in_thread(
        lambda: lose_a_replica(school, screenshot=artifacts_dir / "school-failover-back.png")
    )
    print(f"failover: {result}")
    assert result.lost >= 1 and len(result.back_s) == result.lost, result  # all back
    assert result.others_untouched, result  # the other replicas' students saw nothing
    assert result.victim in result.fresh_homes, result  # restarted, it takes students


def _too_big_photo(url: str, artifacts: Path, tmp: Path) -> str:
    from playwright.sync_api import sync_playwright

    big = tmp / "too-big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + bytes(30 * 1024 * 1024))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/lab")
        page.locator(".st-key-lab-image-source").get_by_text("Upload your own").click()
        uploader = page.locator('.st-key-lab-image-upload input[type="file"]')
        uploader.set_input_files(str(big))
        # The uploader refuses it in the browser (nothing is sent): a red file chip whose
        # tooltip says why.
        page.locator('[data-testid="stTooltipErrorHoverTarget"]').hover()
        tip = page.get_by_role("tooltip")
        tip.wait_for()
        page.screenshot(path=artifacts / "school-upload-30mb.png")
        text = tip.inner_text() + "\n" + page.locator("body").inner_text()
        browser.close()
    return text


def test_a_30_mb_photo_gets_the_apps_message(school: School, artifacts_dir: Path, tmp_path: Path):
    text = _in_thread(_too_big_photo, school.url, artifacts_dir, tmp_path)
    print(text.splitlines()[0])
    assert "25" in text.splitlines()[0]  # Streamlit's own message, with the app's limit
    assert "413" not in text and "haproxy" not in text.lower()


def _https_page(url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sockets: list[str] = []
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(f"{url}/{LINK}")
        deadline = time.monotonic() + 60
        while not restored(page):
            assert time.monotonic() < deadline, page_state(page)
            page.wait_for_timeout(200)
        state = page_state(page) | {"sockets": sockets, "cookies": context.cookies()}
        browser.close()
    return state


def test_https_and_wss(tmp_path: Path) -> None:
    pem = self_signed_pem(tmp_path)
    with School(2, tls_pem=pem) as s:
        assert s.url.startswith("https://")
        state = _in_thread(_https_page, s.url)
    assert state["connection"] == "CONNECTED"
    assert any(u.startswith("wss://") and u.endswith("/_stcore/stream") for u in state["sockets"])
    replica = next(c for c in state["cookies"] if c["name"] == COOKIE)
    assert replica["secure"] and replica["httpOnly"]


def test_class_mode_across_replicas(school: School) -> None:
    """A teacher and students on different replicas share one class through Redis: the
    teacher's step events reach every student, their answers reach the teacher."""

    async def lesson() -> tuple[set[str], set[str], list[int], int]:
        teacher = ClassSession(school.url)
        await teacher.open("studio")
        await teacher.run([teacher.click("class.start")])
        code = teacher.classroom["code"]
        students = [ClassSession(school.url) for _ in range(4)]
        for i, s in enumerate(students):
            await s.open("studio", f"join={code}")
            await s.run([s.text("class.join_code", code), s.text("class.join_nick", f"s{i}"),
                         s.click("class.join")])  # fmt: skip
            assert (s.classroom or {}).get("role") == "follow", s.error_alerts
        for s in (teacher, *students):
            s.start_auto()
        # The teacher's step: one component event, handled in a fragment run (no full run).
        status = await teacher.run([teacher.lead_event(6)], fragment=teacher.fragment(STEPPER_KEY))
        assert status == FRAGMENT_DONE
        poll = await students[1].run(fragment=next(iter(students[1].auto)), auto=True)
        assert poll == FRAGMENT_DONE  # a student's poll is a fragment run too
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(6 not in s.step_seen for s in students):
            await asyncio.sleep(0.1)
        steps = [s.classroom["step"] for s in students]
        # A student forging the teacher's events (a lead step, a resume) changes nothing.
        forger = students[0]
        stepper_id = forger.widget(STEPPER_KEY).id
        for event, value in (("lead", {"code": code, "step": 2, "secret": "forged"}),
                             ("resume", {"code": code, "secret": "forged"})):  # fmt: skip
            payload = json.dumps([{"event": event, "value": value}])
            forged = WidgetState(
                id=f"$$STREAMLIT_INTERNAL_KEY_{stepper_id}__events", json_trigger_value=payload
            )
            await forger.run([forged], fragment=forger.fragment(STEPPER_KEY))
        await asyncio.sleep(1.5)
        assert forger.classroom["role"] == "follow" and forger.classroom["step"] == 6
        await teacher.run([teacher.click("class.ask_value")],
                          fragment=teacher.fragment("class.ask_value"))  # fmt: skip
        await asyncio.sleep(2)
        for s in students:
            field = next(w for w in s.widgets if "-class.answer." in w)
            send = next(w for w in s.widgets if "-class.send." in w)
            await s.run([s.text(field.rsplit("-", 1)[1], "1"), s.click(send.rsplit("-", 1)[1])],
                        fragment=s.fragment(send.rsplit("-", 1)[1]))  # fmt: skip
        deadline = time.monotonic() + 15
        answered = 0
        while time.monotonic() < deadline and answered < len(students):
            await asyncio.sleep(0.2)
            answered = max((n for _, n in _answered(teacher.texts_seen)), default=0)
        for s in (teacher, *students):
            await s.stop_auto()
            await s.close()
        return set(teacher.replicas), {r for s in students for r in s.replicas}, steps, answered

    teacher_on, students_on, steps, answered = _in_thread(asyncio.run, lesson())
    assert students_on - teacher_on, "some student is on another replica than the teacher"
    assert steps == [6, 6, 6, 6]
    assert answered == 4
