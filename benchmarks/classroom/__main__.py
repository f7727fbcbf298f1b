"""A whole class on one server: 30 students at the protocol level, printed as Markdown tables.

Run from the repository root (about 15 minutes for the full run; loopback only)::

    .venv/bin/python -m benchmarks.classroom            # 30 students + 2 browsers, 3 rounds
    .venv/bin/python -m benchmarks.classroom --quick    # 4 students + 1 browser, 1 short round

It starts its own ``streamlit run app.py`` (the app's ``.streamlit/config.toml``: XSRF on,
``postScriptGC`` off; ``server.disconnectedSessionTTL`` set to ``--session-ttl``, 20 s, so a
round's closed sessions are gone before memory is read) on a free loopback port, then runs
``--rounds`` rounds of the classroom scenario (:mod:`benchmarks.classroom.scenario`) one after
another on that one server: every student loads the page (HTML, JS, CSS) and opens the
studio, changes a setting every ``--every`` seconds for ``--minutes`` minutes (after every
second change the stepper keeps a step: one more rerun), then uploads a photo in the lab and
picks Sobel y, ReLU and max pooling. The students arrive spread over the first 5 s; a warm-up
student runs alone before round 1. The students are
:class:`~benchmarks.classroom.client.StudentSession` objects speaking Streamlit's
WebSocket protocol (no browser), all in this one process. Beside them, ``--browsers`` real
Chromium students (:mod:`benchmarks.classroom.browsers`) step, change the bias, upload and
filter in the real pages, to check the pages still work for a student while the crowd runs.

Printed:

1. per action, the time from the rerun request to ``script_finished`` as the student sees
   it: median and 95th percentile (nearest rank) per round and over all rounds;
2. per round: sessions, failed sessions, distinct exception elements, the server's
   resident memory (``VmRSS`` from ``/proc/<pid>/status``, sampled every 0.5 s) before
   the round, at its peak, 15 s after the last session closed (the closed sessions still
   kept for reconnecting) and a minute after they expired (the app's collector thread has
   run), and the server's CPU seconds
   (``/proc/<pid>/stat``) during the round;
3. the browser students: failures, their actions' times and the in-browser step time.

The load client shares the machine's cores with the server (its own CPU time is printed),
so the times are what a class would see from a server that also runs a little more work.
Timings and memory are benchmark figures, never pass/fail (the short form in
``tests/load/test_classroom_short.py`` asserts only that no session fails and no page
shows an exception).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import streamlit  # noqa: E402

from benchmarks.classroom.browsers import browser_students  # noqa: E402
from benchmarks.classroom.client import StudentSession, check_streamlit_version  # noqa: E402
from benchmarks.classroom.measure import Sampler, cpu_s, fmt_times, nearest_rank, rss_mb  # noqa: E402
from benchmarks.classroom.scenario import classroom  # noqa: E402
from benchmarks.markdown_table import print_table  # noqa: E402
from scripts.local_server import served  # noqa: E402
from ui.frame.server_memory import COLLECT_EVERY_S  # noqa: E402

SETTLE_S = 15.0  # after the last session closes, before "RSS after"


def cache_stats(url: str) -> tuple[dict[str, float], dict[str, dict[str, int]]]:
    """From the server's ``/_stcore/metrics``: MB held by each Streamlit cache, and each
    cache's lookups so far by result (``{"hit": n, "miss": m}``)."""
    text = urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=30).read().decode()
    found = re.findall(r'^cache_memory_bytes\{[^}]*cache="([^"]+)"[^}]*\} (\S+)$', text, re.M)
    lookups: dict[str, dict[str, int]] = {}
    for labels, value in re.findall(r"^cache_lookups_total\{([^}]*)\} (\S+)$", text, re.M):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        counts = lookups.setdefault(fields.get("cache", "?"), {})
        counts[fields.get("result", "?")] = int(float(value))
    return {name: float(value) / 1e6 for name, value in found}, lookups


async def run_rounds(url: str, pid: int, args: argparse.Namespace) -> list[dict]:
    # One student first, alone: the server imports the pages' modules on its first runs,
    # so "RSS before" of round 1 is the warmed-up server, as in rounds 2 and 3.
    warm = await classroom(url, 1, every_s=1.0, duration_s=1.0, arrive_within_s=0)
    if warm[0].error:
        raise RuntimeError(f"the warm-up session failed: {warm[0].error}")
    await asyncio.sleep(SETTLE_S)
    args.rss_start = rss_mb(pid)
    rounds = []
    for r in range(1, args.rounds + 1):
        before, cpu0, wall0 = rss_mb(pid), cpu_s(pid), time.monotonic()
        sampler = Sampler(pid)
        sampler.start()
        outcomes, browsers = await asyncio.gather(
            classroom(
                url,
                args.students,
                every_s=args.every,
                duration_s=args.minutes * 60,
                steps=not args.no_steps,
                assets=not args.no_assets,
            ),
            browser_students(
                url, args.browsers, duration_s=args.minutes * 60, every_s=2 * args.every
            ),
        )
        wall = time.monotonic() - wall0
        cpu = cpu_s(pid) - cpu0
        await asyncio.sleep(SETTLE_S)
        rss_settled = rss_mb(pid)
        # The closed sessions stay for the server's disconnected-session TTL; they are
        # dropped at the next session write, so one short visit after the TTL lets them go.
        await asyncio.sleep(max(0.0, args.session_ttl + 2 - SETTLE_S))
        probe = StudentSession(url)
        await probe.open("")
        await probe.close()
        # The app's collector thread (ui/frame/server_memory.py) runs once a minute.
        await asyncio.sleep(COLLECT_EVERY_S + 5.0)
        await sampler.stop()
        caches, lookups = await asyncio.to_thread(cache_stats, url)
        rounds.append(
            {
                "caches": caches,
                "lookups": lookups,
                "outcomes": outcomes,
                "browsers": browsers,
                "rss_before": before,
                "rss_peak": sampler.peak,
                "rss_settled": rss_settled,
                "rss_after": rss_mb(pid),
                "cpu": cpu,
                "wall": wall,
            }
        )
        failed = sum(o.error is not None for o in outcomes)
        failed_b = sum(b.error is not None for b in browsers)
        print(
            f"round {r}: {wall:.0f} s, {failed} failed, {failed_b} browser(s) failed",
            file=sys.stderr,
        )
    return rounds


def fmt_ms(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"{nearest_rank(values, 0.5):.1f} / {nearest_rank(values, 0.95):.1f} / "
        f"{max(values):.1f} ({len(values)})"
    )


def browser_report(rounds: list[dict]) -> None:
    """The real Chromium students' table: did the pages work, and how fast for them."""
    if not any(rnd["browsers"] for rnd in rounds):
        return
    actions: list[str] = []
    for rnd in rounds:
        for b in rnd["browsers"]:
            actions += [a for a in b.times if a not in actions]
    header = ["Real Chromium students beside the crowd"]
    header += [f"round {i}" for i in range(1, len(rounds) + 1)]
    rows = [
        ["sessions / failed"]
        + [
            f"{len(rnd['browsers'])} / {sum(b.error is not None for b in rnd['browsers'])}"
            for rnd in rounds
        ]
    ]
    for action in actions:
        rows.append(
            [f"{action} (s: median / p95 (runs))"]
            + [
                fmt_times([t for b in rnd["browsers"] for t in b.times.get(action, [])])
                for rnd in rounds
            ]
        )
    rows.append(
        ["in-browser step, keydown -> style + layout (ms: median / p95 / max (steps))"]
        + [fmt_ms([t for b in rnd["browsers"] for t in b.step_ms]) for rnd in rounds]
    )
    print()
    print_table(header, rows)


def report(rounds: list[dict], args: argparse.Namespace, client_cpu: float) -> None:
    actions: list[str] = []
    for rnd in rounds:
        for o in rnd["outcomes"]:
            actions += [a for a in o.times if a not in actions]
    print(
        f"Streamlit {streamlit.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; load average before the run: "
        f"{' '.join(f'{x:.2f}' for x in args.load_before)}. {args.students} students, a "
        f"studio setting every {args.every:g} s for {args.minutes:g} min"
        f"{'' if args.no_steps else ' (and a stepper rerun after every second one)'}"
        f"{'' if args.no_assets else ' after loading the page (HTML, JS, CSS)'}, then the lab; "
        f"{args.rounds} round(s) on one server, warmed up by one student first (RSS after the "
        f"warm-up: {args.rss_start:.0f} MB). Load client CPU: {client_cpu:.0f} s.\n"
    )
    header = ["Action (s: median / p95 (runs))"]
    header += [f"round {i}" for i in range(1, len(rounds) + 1)] + ["all rounds"]
    rows = []
    for action in actions:
        per_round = [
            [t for o in rnd["outcomes"] for t in o.times.get(action, [])] for rnd in rounds
        ]
        rows.append(
            [action, *map(fmt_times, per_round), fmt_times([t for ts in per_round for t in ts])]
        )
    print_table(header, rows)
    print()
    header = [
        "Round", "Sessions", "Failed", "Exceptions shown", "RSS before (MB)",
        "RSS peak (MB)", f"RSS {SETTLE_S:.0f} s after (MB)",
        f"RSS a minute after the sessions expired (TTL {args.session_ttl} s) (MB)",
        "Streamlit caches after (MB)",
        "Server CPU (s)", "Wall (s)", "Received per session (MB)",
    ]  # fmt: skip
    rows = []
    for i, rnd in enumerate(rounds, 1):
        outcomes = rnd["outcomes"]
        exceptions = {e for o in outcomes for e in o.exceptions}
        received = sum(o.bytes_received for o in outcomes) / max(1, len(outcomes)) / 1e6
        rows.append(
            [
                str(i), str(len(outcomes)), str(sum(o.error is not None for o in outcomes)),
                str(len(exceptions)), f"{rnd['rss_before']:.0f}", f"{rnd['rss_peak']:.0f}",
                f"{rnd['rss_settled']:.0f}", f"{rnd['rss_after']:.0f}",
                f"{sum(rnd['caches'].values()):.0f}",
                f"{rnd['cpu']:.0f}", f"{rnd['wall']:.0f}",
                f"{received:.1f}",
            ]
        )  # fmt: skip
    print_table(header, rows)
    browser_report(rounds)
    largest = sorted(rounds[-1]["caches"].items(), key=lambda kv: -kv[1])[:5]
    print(
        "\nLargest Streamlit caches after the last round (MB): "
        + ", ".join(f"{name} {mb:.1f}" for name, mb in largest)
    )
    lookups = rounds[-1]["lookups"]
    print(
        "Streamlit cache lookups over all rounds (hits / misses): "
        + ", ".join(
            f"{name} {c.get('hit', 0)} / {c.get('miss', 0)}" for name, c in sorted(lookups.items())
        )
    )
    errors = sorted({o.error for rnd in rounds for o in rnd["outcomes"] if o.error})
    errors += sorted({f"browser {b.student}: {b.error}" for rnd in rounds for b in rnd["browsers"]
                      if b.error})  # fmt: skip
    exceptions = sorted({e for rnd in rounds for o in rnd["outcomes"] for e in o.exceptions})
    for label, items in (("Failures", errors), ("Exceptions", exceptions)):
        if items:
            print(f"\n{label}:")
            for item in items[:10]:
                print(f"- {item[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between changes")
    parser.add_argument("--minutes", type=float, default=2.0, help="studio phase length")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-steps", action="store_true", help="no stepper reruns between settings changes"
    )
    parser.add_argument(
        "--no-assets", action="store_true", help="skip fetching the page's HTML/JS/CSS"
    )
    parser.add_argument(
        "--browsers", type=int, default=2, help="real Chromium students beside the crowd"
    )
    parser.add_argument(
        "--session-ttl", type=int, default=20,
        help="the server's server.disconnectedSessionTTL, seconds (Streamlit's default: 120)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="4 students, one 15-s round")
    args = parser.parse_args()
    if args.quick:
        args.students, args.every, args.minutes, args.rounds = 4, 3.0, 0.25, 1
        args.browsers = min(args.browsers, 1)
    check_streamlit_version()
    args.load_before = os.getloadavg()

    log_path = Path(tempfile.gettempdir()) / f"convlab-classroom-{os.getpid()}.log"
    # A short disconnected-session TTL, so a round's sessions are gone (and their memory
    # with them) before "RSS after the sessions expired" is read; a class server keeps
    # Streamlit's default (120 s) for students whose Wi-Fi drops.
    ttl = ("--server.disconnectedSessionTTL", str(args.session_ttl))
    with served("app.py", log_path, *ttl) as (proc, url):
        t0 = time.process_time()
        rounds = asyncio.run(run_rounds(url, proc.pid, args))
        client_cpu = time.process_time() - t0
    report(rounds, args, client_cpu)
    print(f"\n(server log: {log_path})", file=sys.stderr)


if __name__ == "__main__":
    main()
