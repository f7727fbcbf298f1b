"""A replica lost mid-lesson, with real Chromium students (the school benchmark and its test).

Students open the studio from a link (``/studio?stride=2&padding=1``) through the school's
load balancer; :func:`lose_a_replica` kills the replica holding the most of them (SIGKILL),
then watches every student: the lost ones must come back by themselves (Streamlit's page
reconnects, HAProxy re-dispatches it to a healthy replica and rewrites its cookie), the others
must notice nothing. "Back" is the first finished script run on the new replica with the
link's settings on screen and no exception element. Then the replica is restarted and new
students are opened to see it take its share again.

Uses Playwright's sync API: call it from a thread of its own (no event loop running).
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.local_server import CHROMIUM, CHROMIUM_ARGS
from scripts.school import School

LINK = "studio?stride=2&padding=1"
COOKIE = "CONVLAB_REPLICA"
RECOVERY_LIMIT_S = 60.0
#: HAProxy's health check marks a replica up after 2 good checks 1 s apart.
RISE_S = 3.0


@dataclass
class Failover:
    """What :func:`lose_a_replica` saw."""

    victim: str
    homes: list[str]
    lost: int
    back_s: dict[int, float] = field(default_factory=dict)  # student -> seconds after the kill
    saw_notice: bool = False  # a lost student's page showed a not-connected state meanwhile
    others_untouched: bool = True
    fresh_homes: list[str] = field(default_factory=list)


def page_state(page: Any) -> dict[str, Any]:
    """The app's connection and script state, the studio's stride, exception elements."""
    return page.evaluate(
        """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        const stride = document.querySelector('.st-key-studio-conv-stride_rows input');
        return {connection: app && app.dataset.testConnectionState,
                script: app && app.dataset.testScriptState,
                stride: stride ? stride.value : null,
                errors: document.querySelectorAll('[data-testid="stException"]').length,
                main: !!document.querySelector('[data-testid="stMainBlockContainer"]')};
    }"""
    )


def restored(page: Any) -> bool:
    """Connected, idle, the link's stride on screen, no exception element."""
    st = page_state(page)
    return (
        st["connection"] == "CONNECTED"
        and st["script"] == "notRunning"
        and st["stride"] == "2"
        and st["errors"] == 0
        and st["main"]
    )


def replica_of(context: Any) -> str:
    """The replica the browser's sticky cookie names."""
    return next(c["value"] for c in context.cookies() if c["name"] == COOKIE)


def open_student(browser: Any, url: str, timeout_s: float = 60.0) -> tuple[Any, Any]:
    """A new browser (its own cookies) on the link, once its page is shown."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    page.goto(f"{url}/{LINK}")
    deadline = time.monotonic() + timeout_s
    while not restored(page):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the studio did not open: {page_state(page)}")
        page.wait_for_timeout(200)
    return context, page


def lose_a_replica(
    school: School, students: int = 6, fresh: int = 3, screenshot: Path | None = None
) -> Failover:
    """Open ``students`` browsers, kill the busiest replica, time the lost ones' return."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            opened = [open_student(browser, school.url) for _ in range(students)]
            homes = [replica_of(c) for c, _ in opened]
            victim = collections.Counter(homes).most_common(1)[0][0]
            lost = [i for i, h in enumerate(homes) if h == victim]
            result = Failover(victim, homes, len(lost))
            t0 = time.monotonic()
            school.kill(victim)
            while len(result.back_s) < len(lost) and time.monotonic() - t0 < RECOVERY_LIMIT_S:
                for i in lost:
                    if i in result.back_s:
                        continue
                    context, page = opened[i]
                    result.saw_notice |= page_state(page)["connection"] != "CONNECTED"
                    if replica_of(context) != victim and restored(page):
                        result.back_s[i] = time.monotonic() - t0
                time.sleep(0.1)
            if screenshot is not None:
                opened[lost[0]][1].screenshot(path=screenshot)
            for i, (context, page) in enumerate(opened):
                if i not in lost and not (replica_of(context) == homes[i] and restored(page)):
                    result.others_untouched = False
            school.restart(victim)
            time.sleep(RISE_S)
            result.fresh_homes = [
                replica_of(open_student(browser, school.url)[0]) for _ in range(fresh)
            ]
        finally:
            browser.close()
    return result
