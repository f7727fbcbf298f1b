"""The classroom scenario, shared by the benchmark (``python -m benchmarks.classroom``) and
the short CI test (``tests/load/test_classroom_short.py``).

Every student (one :class:`~benchmarks.classroom.client.StudentSession`):

1. opens the Sliding-Window Studio (``/studio``: the lecture's 6x6 example): first the
   page's HTML and the scripts, styles and fonts it names (a first visit, nothing cached),
   then the WebSocket and the first script run;
2. changes a setting every ``every_s`` seconds for ``duration_s`` seconds, cycling through
   what a student touches: the kernel's bias (a new value each time), the kernel preset,
   the padding, the stride, the operation (cross-correlation / convolution); after every
   second change the student steps through the new trace and pauses, and the stepper
   keeps the step in the session (a rerun with the component's state, as the browser's
   stepper sends it after its idle delay);
3. goes to the Image Filter Lab, picks "Upload your own", uploads a photo (a JPEG of the
   repository's cat sample at 1600x1064, with a little per-student noise so no two
   uploads share a cache entry), then picks Sobel y, ReLU and max pooling.

Each action is timed from the rerun request to its ``script_finished`` (the upload action
also includes the upload URL request and the HTTP PUT). A session fails when anything
breaks (no answer in 60 s, a closed socket, a refused upload, a missing widget); exception
elements the pages send are collected separately.
"""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.classroom.client import SessionFailed, StudentSession

REPO = Path(__file__).resolve().parents[2]
PHOTO_SOURCE = REPO / "assets" / "samples" / "chelsea.png"
PHOTO_SIZE = (1600, 1064)

# Studio settings a student changes, in turn.
STUDIO_CHANGES = ("bias", "kernel", "padding", "stride", "op")


@dataclass
class Outcome:
    """What one student's session did."""

    student: int
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    exceptions: list[str] = field(default_factory=list)
    error: str | None = None
    bytes_received: int = 0
    replicas: list[str] = field(default_factory=list)  # who answered each request (school)
    action: str = "connect"  # the action going on (named in a failure)


@cache
def _photo_base() -> np.ndarray:
    with Image.open(PHOTO_SOURCE) as img:
        return np.asarray(img.convert("RGB").resize(PHOTO_SIZE, Image.Resampling.BICUBIC))


def photo_jpeg(student: int) -> bytes:
    """A photo-like JPEG, different for every student (so uploads are never cache hits)."""
    rng = np.random.default_rng(student)
    noisy = _photo_base().astype(np.int16) + rng.integers(-6, 7, _photo_base().shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=88)
    return buf.getvalue()


def studio_change(s: StudentSession, what: str, rng: random.Random):
    """The widget state of one studio settings change."""
    if what == "bias":
        return s.number("studio.kernel.bias", round(rng.uniform(-5, 5), 2))
    if what == "kernel":
        options = s.widget("studio.kernel.preset").options
        return s.choose("studio.kernel.preset", rng.randrange(len(options) - 1))  # not Custom
    if what == "padding":
        return s.number("studio.conv.padding", rng.randint(0, 2))
    if what == "stride":
        return s.number("studio.conv.stride_rows", rng.randint(1, 2))
    if what == "op":
        return s.choose("studio.op", rng.randrange(2))
    raise ValueError(what)


async def _timed(outcome: Outcome, action: str, coro) -> None:
    outcome.action = action
    result = await coro
    outcome.times[action].append(result.seconds)
    outcome.exceptions.extend(result.exceptions)


async def student(
    base_url: str,
    n: int,
    *,
    every_s: float,
    duration_s: float,
    start_delay_s: float = 0.0,
    lab: bool = True,
    assets: bool = True,
    steps: bool = True,
) -> Outcome:
    """One student's whole scenario; never raises (a failure is noted in the outcome)."""
    outcome = Outcome(n)
    rng = random.Random(n)
    s = StudentSession(base_url)
    photo = photo_jpeg(n)  # made before connecting: the client's CPU is not the server's
    await asyncio.sleep(start_delay_s)
    try:
        if assets:
            outcome.action = "page load"
            t0 = time.perf_counter()
            outcome.bytes_received += await s.load_page("studio")
            outcome.times["page load (HTML, JS, CSS)"].append(time.perf_counter() - t0)
        await _timed(outcome, "open studio", s.open("studio"))
        start = time.monotonic()
        i = 0
        while True:
            # The next change comes every_s after the previous one was due (+-10% jitter),
            # or right away when the server was slower than that.
            due = start + (i + 1) * every_s + rng.uniform(-0.1, 0.1) * every_s
            if due - start > duration_s:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            what = STUDIO_CHANGES[i % len(STUDIO_CHANGES)]
            await _timed(outcome, "studio setting", s.rerun([studio_change(s, what, rng)]))
            if not s.has_widget("studio.stepper"):
                raise SessionFailed(f"the studio shows no stepper after changing the {what}")
            if steps and i % 2 == 1:
                # The student steps through the new trace and pauses: the stepper keeps
                # the step in the session (one rerun, after its idle delay).
                await asyncio.sleep(rng.uniform(0.2, 0.4) * every_s)
                step = s.component_state("studio.stepper", {"step": rng.randrange(4)})
                await _timed(outcome, "studio: stepper keeps the step", s.rerun([step]))
            i += 1
        if lab:
            await _timed(outcome, "open lab", s.rerun(page="lab"))
            source = s.option_index("lab.image.source", "upload")
            await _timed(
                outcome, "lab: upload source", s.rerun([s.choose("lab.image.source", source)])
            )
            t0 = time.perf_counter()
            outcome.action = "lab: upload photo"
            state = await s.upload("lab.image.upload", f"photo{n}.jpg", photo, "image/jpeg")
            run = await s.rerun([state])
            outcome.times["lab: upload photo"].append(time.perf_counter() - t0)
            outcome.exceptions.extend(run.exceptions)
            sobel = s.option_index("lab.kernel.preset", "sobel y")
            await _timed(outcome, "lab: Sobel", s.rerun([s.choose("lab.kernel.preset", sobel)]))
            relu = s.option_index("lab.activation", "relu")
            await _timed(outcome, "lab: ReLU", s.rerun([s.choose("lab.activation", relu)]))
            pool = s.option_index("lab.pool", "max")
            await _timed(outcome, "lab: max pool", s.rerun([s.choose("lab.pool", pool)]))
            # The page's stage-by-stage shapes name every stage the student chose.
            shown = "\n".join(s.texts)
            for stage in ("Sobel y", "ReLU", "Max pooling"):
                if stage not in shown or not s.has_widget("lab.result"):
                    raise SessionFailed(f"the lab's result does not show {stage!r}")
    except SessionFailed as err:
        outcome.error = f"{outcome.action}: {err}"
    except Exception as err:  # a client-side bug counts as a failed session, loudly
        outcome.error = f"{outcome.action}: {type(err).__name__}: {err}"
    finally:
        outcome.bytes_received += s.bytes_received
        outcome.replicas = list(s.replicas)
        outcome.exceptions = sorted(set(outcome.exceptions))
        try:
            await s.close()
        except Exception:
            pass
    return outcome


async def classroom(
    base_url: str,
    students: int,
    *,
    every_s: float,
    duration_s: float,
    arrive_within_s: float = 5.0,
    lab: bool = True,
    assets: bool = True,
    steps: bool = True,
) -> list[Outcome]:
    """All students at once; they arrive spread over ``arrive_within_s`` seconds."""
    # HTTP requests (page assets, uploads) run in threads: enough for every student at
    # once, so the client's thread pool never queues them.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=max(8, 6 * students)))
    delays = [arrive_within_s * i / max(1, students) for i in range(students)]
    return list(
        await asyncio.gather(
            *(
                student(
                    base_url, n, every_s=every_s, duration_s=duration_s,
                    start_delay_s=delays[n], lab=lab, assets=assets, steps=steps,
                )
                for n in range(students)
            )
        )
    )  # fmt: skip
