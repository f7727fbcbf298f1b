"""What the load benchmarks measure of a server process: memory, CPU time, percentiles.

Shared by the classroom benchmark (``python -m benchmarks.classroom``) and the school
benchmark (``python -m benchmarks.school``).
"""

from __future__ import annotations

import asyncio
import math
import os

TICK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def fmt_times(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{nearest_rank(values, 0.5):.2f} / {nearest_rank(values, 0.95):.2f} ({len(values)})"


class Sampler:
    """Samples the server's RSS every 0.5 s while running."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb(self.pid))
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self.peak = rss_mb(self.pid)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
