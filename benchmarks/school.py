"""The school benchmark: a class through the load balancer against the same class direct,
and a replica lost mid-lesson.

    python -m benchmarks.school                  # 30 students, 3 replicas, 2 minutes each
    python -m benchmarks.school --students 12 --minutes 0.5 --browsers 6   # a quick look

1. **Direct**: ``--students`` protocol-level students (benchmarks/classroom: the studio, a
   setting every ``--every`` seconds, then the lab's upload, Sobel, ReLU and pooling) on one
   ``streamlit run app.py``.
2. **Through the load balancer**: the same class on ``scripts.school.School`` (HAProxy in
   front of ``--replicas`` replicas, Redis beside them): students per replica, settings-change
   and upload p50 / p95, peak memory of each replica.
3. **A replica lost**: ``--browsers`` Chromium students on the school, the busiest replica
   killed (SIGKILL): how many come back, how fast (p50 / p95 / max), whether the others
   noticed, and whether the restarted replica takes new students.

Everything runs on this machine: the load client, HAProxy and the replicas share its cores,
so the comparison of direct and through-the-proxy says what the proxy adds and how the class
spreads, not what three machines would do.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import os
import platform
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.classroom.failover import lose_a_replica  # noqa: E402
from benchmarks.classroom.measure import Sampler, fmt_times, nearest_rank, rss_mb  # noqa: E402
from benchmarks.classroom.scenario import Outcome, classroom  # noqa: E402
from benchmarks.markdown_table import print_table  # noqa: E402
from scripts.local_server import served  # noqa: E402
from scripts.school import School  # noqa: E402

SETTING = "studio setting"
UPLOAD = "lab: upload photo"


async def _class(
    url: str, pids: list[int], args: argparse.Namespace
) -> tuple[list[Outcome], list[float]]:
    samplers = [Sampler(pid) for pid in pids]
    for s in samplers:
        s.start()
    outcomes = await classroom(url, args.students, every_s=args.every, duration_s=args.minutes * 60)
    for s in samplers:
        await s.stop()
    return outcomes, [s.peak for s in samplers]


def _times(outcomes: list[Outcome], action: str) -> list[float]:
    return [t for o in outcomes for t in o.times.get(action, [])]


def _run(coro: Any) -> Any:
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.school", description=__doc__)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=2.0, help="studio part, per class")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between settings")
    parser.add_argument("--browsers", type=int, default=9, help="Chromium students, failover")
    args = parser.parse_args(argv)
    log = REPO / "benchmark-school-direct.log"

    with served("app.py", log) as (proc, url):
        direct, direct_peak = _run(_class(url, [proc.pid], args))
    with School(args.replicas) as school:
        pids = [r.proc.pid for r in school.members if r.proc is not None]
        idle = [rss_mb(pid) for pid in pids]
        proxied, peaks = _run(_class(school.url, pids, args))
        failover = lose_a_replica(school, students=args.browsers)

    homes = collections.Counter(o.replicas[0] for o in proxied if o.replicas)
    sticky = sum(len(set(o.replicas)) == 1 for o in proxied if o.replicas)
    print(
        f"\n{args.students} students, every {args.every:g} s for {args.minutes:g} min, then the "
        f"lab; {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}\n"
    )
    print_table(
        ["", "direct (1 process)", f"through HAProxy ({args.replicas} replicas)"],
        [
            ["failed sessions", str(sum(o.error is not None for o in direct)),
             str(sum(o.error is not None for o in proxied))],
            ["settings change p50 / p95 s (n)", fmt_times(_times(direct, SETTING)),
             fmt_times(_times(proxied, SETTING))],
            ["upload + rerun p50 / p95 s (n)", fmt_times(_times(direct, UPLOAD)),
             fmt_times(_times(proxied, UPLOAD))],
            ["students per replica", str(args.students),
             " / ".join(f"{name} {homes[name]}" for name in sorted(homes))],
            ["students on one replica throughout", "-", f"{sticky} of {len(proxied)}"],
            ["peak RSS per process MB (idle)", f"{direct_peak[0]:.0f}",
             " / ".join(f"{p:.0f} ({m:.0f})" for p, m in zip(peaks, idle, strict=True))],
        ],
    )  # fmt: skip
    back = list(failover.back_s.values())
    print()
    print_table(
        ["a replica lost mid-lesson", ""],
        [
            ["Chromium students / on the killed replica", f"{args.browsers} / {failover.lost}"],
            ["back on a healthy replica", f"{len(back)} of {failover.lost}"],
            ["time back p50 / p95 / max s",
             " / ".join(f"{nearest_rank(back, q):.1f}" for q in (0.5, 0.95, 1.0)) if back else "-"],
            ["the other students noticed", "no" if failover.others_untouched else "yes"],
            ["restarted replica takes new students",
             f"{'yes' if failover.victim in failover.fresh_homes else 'no'} "
             f"(new students on {', '.join(failover.fresh_homes)})"],
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
