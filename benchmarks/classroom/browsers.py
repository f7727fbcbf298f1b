"""Real Chromium students beside the protocol-level crowd: do the pages still work for a
student while thirty others load the server?

Each browser student (Playwright's async API, Debian's Chromium, on the benchmark's own event
loop) does what a student in class does, for as long as the crowd is in the studio:

1. opens the Sliding-Window Studio and waits for the stepper;
2. every ``every_s`` seconds: steps through the trace with the keyboard (``STEPS`` ArrowRight
   key events, each timed in the page from the key event to style and layout done: the
   in-browser step time), then types a new bias and waits until the stepper shows it
   (``" + <bias> = "`` in the arithmetic; timed from Enter);
3. then opens the Image Filter Lab, uploads a photo through the real file input and picks
   Sobel y, waiting each time for the page to show it.

Any step that does not happen within ``TIMEOUT_MS``, and any exception element on a page, fails
that browser session; a screenshot of the moment goes to ``test-artifacts/``.

The step times here share the two cores with the server and the crowd's client; the step
time on a quiet machine is row 2 of ``benchmarks/bench_studio.py``.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import conv_core as cc
from benchmarks.classroom.scenario import PHOTO_SIZE, photo_jpeg
from scripts.local_server import CHROMIUM, CHROMIUM_ARGS
from scripts.stepper_dom import ROOT
from ui.frame.i18n import translate

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 1000}
TIMEOUT_MS = 60_000
STEPS = 20  # keyboard steps per round of stepping
SOBEL_Y = translate("en", cc.KERNELS["sobel_y"].title_key)
SOBEL_Y_EXPLAINED = translate("en", cc.KERNELS["sobel_y"].explain_key)

# Steps timed in the page: the key event, then style and layout forced at once.
TIME_STEPS = f"""async (n) => {{
  const r = ({ROOT})();
  const stage = r.querySelector('.stp-stage'), svg = r.querySelector('.stp-svg');
  const el = r.querySelector('.stp');
  const times = [];
  for (let i = 0; i < n; i++) {{
    const before = el.dataset.step;
    const t0 = performance.now();
    stage.dispatchEvent(new KeyboardEvent('keydown',
        {{ key: +before >= +el.dataset.n - 1 ? 'Home' : 'ArrowRight',
          bubbles: true, composed: true, cancelable: true }}));
    svg.getBoundingClientRect(); document.body.offsetHeight;
    times.push(performance.now() - t0);
    if (el.dataset.step === before) throw new Error('a step did not move the stepper');
    await new Promise(requestAnimationFrame);
  }}
  return times;
}}"""

SHOWS_BIAS = f"""(bias) => {{
  const r = ({ROOT})();
  const a = r && r.querySelector('.stp-arith');
  return !!a && a.textContent.includes(` + ${{bias}} = `);
}}"""


@dataclass
class BrowserOutcome:
    """What one browser student did and measured."""

    student: int
    times: dict[str, list[float]] = field(default_factory=dict)
    step_ms: list[float] = field(default_factory=list)
    error: str | None = None
    action: str = "launch"

    def add(self, action: str, seconds: float) -> None:
        self.times.setdefault(action, []).append(seconds)


async def _idle(page) -> None:
    await page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    await page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


async def _no_exception(page) -> None:
    n = await page.locator('[data-testid="stException"]').count()
    if n:
        raise RuntimeError(f"the page shows {n} exception(s)")


async def _studio(page, base_url: str, out: BrowserOutcome, until: float, every_s: float) -> None:
    out.action = "open studio"
    t0 = time.perf_counter()
    await page.goto(f"{base_url}/studio")
    await page.wait_for_selector('.stp[data-ready="1"]')
    out.add("browser: open studio", time.perf_counter() - t0)
    await _idle(page)
    await page.locator(".st-key-studio-tabs [role=tab]").nth(1).click()  # operation and kernel
    box = page.locator(".st-key-studio-kernel-bias input")
    rng = random.Random(out.student)
    i = 0
    while time.monotonic() < until:
        out.action = "step with the keyboard"
        out.step_ms += await page.evaluate(TIME_STEPS, STEPS)
        out.action = "change the bias"
        bias = 100 + 10 * out.student + i  # new every time: no cache hit on the server
        await box.fill(str(bias))
        t0 = time.perf_counter()
        await box.press("Enter")
        await page.wait_for_function(SHOWS_BIAS, arg=bias)
        out.add("browser: bias change shown by the stepper", time.perf_counter() - t0)
        await _no_exception(page)
        i += 1
        await asyncio.sleep(max(0.0, every_s * rng.uniform(0.8, 1.2)))


async def _lab(page, base_url: str, out: BrowserOutcome) -> None:
    out.action = "open lab"
    t0 = time.perf_counter()
    await page.goto(f"{base_url}/lab")
    await _idle(page)
    out.add("browser: open lab", time.perf_counter() - t0)
    out.action = "upload a photo"
    source = page.locator(".st-key-lab-image-source")
    await source.get_by_text(translate("en", "image.source_upload")).click()
    await _idle(page)
    uploader = page.locator('.st-key-lab-image-upload input[type="file"]')
    photo = photo_jpeg(1000 + out.student)
    t0 = time.perf_counter()
    await uploader.set_input_files(
        files=[{"name": f"browser{out.student}.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    # The preview note names the working copy (640 wide) and the file's own size.
    note = translate(
        "en", "lab.result.preview_note", w=640, h="H", ow=PHOTO_SIZE[0], oh=PHOTO_SIZE[1]
    )
    note = re.compile(re.escape(note).replace("H", r"\d+", 1))
    await page.get_by_text(note).first.wait_for()
    await _idle(page)
    out.add("browser: upload a photo, preview shown", time.perf_counter() - t0)
    await _no_exception(page)
    out.action = "pick Sobel y"
    t0 = time.perf_counter()
    await page.get_by_role("tab", name=translate("en", "lab.tabs.filters")).click()
    await page.locator(".st-key-lab-kernel-preset").click()
    await page.get_by_role("option", name=SOBEL_Y).click()
    await _idle(page)
    await page.get_by_text(SOBEL_Y_EXPLAINED).first.wait_for()  # the kernel's caption
    # .first: while the page reruns, the old chart and the new one can both be there.
    await page.locator(".st-key-lab-result").first.wait_for()
    out.add("browser: Sobel y shown", time.perf_counter() - t0)
    await _no_exception(page)


async def browser_student(
    browser, base_url: str, n: int, *, duration_s: float, every_s: float, start_delay_s: float
) -> BrowserOutcome:
    """One real-browser student; never raises (a failure is noted, with a screenshot)."""
    out = BrowserOutcome(n)
    await asyncio.sleep(start_delay_s)
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    until = time.monotonic() + duration_s
    try:
        await _studio(page, base_url, out, until, every_s)
        await _lab(page, base_url, out)
    except Exception as err:
        out.error = f"{out.action}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            await page.screenshot(path=str(ARTIFACTS / f"classroom-browser-{n}-failure.png"))
        except Exception:
            pass
    finally:
        await context.close()
    return out


async def browser_students(
    base_url: str, count: int, *, duration_s: float, every_s: float
) -> list[BrowserOutcome]:
    """``count`` real Chromium students at once (one browser, a context each)."""
    if count <= 0:
        return []
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return list(
                await asyncio.gather(
                    *(
                        browser_student(
                            browser, base_url, n, duration_s=duration_s, every_s=every_s,
                            start_delay_s=2.0 * n,
                        )
                        for n in range(count)
                    )
                )
            )  # fmt: skip
        finally:
            await browser.close()
