"""Speed and size of the Sliding-Window Studio, printed as a Markdown table.

Run from the repository root (about 1.5 minutes; needs Debian's Chromium)::

    .venv/bin/python benchmarks/bench_studio.py

It starts its own ``streamlit run app.py`` servers on free loopback ports, drives them with
Debian's Chromium (``/usr/bin/chromium`` through Playwright, with the e2e tests' flags) and
stops them at the end. The servers run ``streamlit run`` through a few lines
(:data:`SERVER_PROBE`) that note the wall and CPU time of every script run in a file. The
grid is the studio's random 32x32 grid (0..9, seed 1) with its default 3x3 kernel (the
lecture's X-shaped filter), cross-correlation, no padding (900 steps) unless stated.

Rows (goals from the issue; "-" where it names none):

1. *Server time of one settings change* (goal under 100 ms):

   a. the page's compute path alone, in this process: ``trace_correlate2d`` +
      ``to_compact(digits=9)`` + ``json.dumps``, each call with a new bias (never cached),
      and what ``ui.components.stepper.stepper_data`` adds (the trace_id hash and its JSON);
   b. a full rerun in the real server: a new bias is typed into the kernel tab's number
      input in Chromium (a new value each time, so ``st.cache_data`` misses), and the
      server notes how long its script run took: ``ScriptRunner._run_script``, i.e.
      app.py, pages/studio.py, sending the elements, and the ``gc.collect()`` Streamlit
      runs after every script run unless ``runner.postScriptGC`` is off (the app's
      .streamlit/config.toml turns it off), with the
      thread's CPU time and the part spent in ``gc.collect``;
   c. the same changes as the page sees them, from the moment it sends the rerun request:
      to the "script finished" message (Chromium's network events, stamped when the page
      handles the frame), to the app being idle (``data-test-script-state="notRunning"``)
      and to the stepper showing the new trace (its arithmetic text);
   d. for reference, ``AppTest`` reruns of pages/studio.py alone (no browser, no app.py);
   e. 1b again on a server started with ``--runner.postScriptGC true`` (Streamlit's
      default): what the app's config saves.

2. *One step in the browser* (goal under 20 ms): ArrowRight key events dispatched to the
   stepper on the 32x32 grid with padding 'same' (1024 steps); per step the stepper's
   JavaScript plus a forced style and layout (2); then one step per animation frame,
   whose frame interval includes painting (2').
3. *Play rate* at the fastest speed (goal 30 steps/s): steps advanced over 5 s of Play,
   the longest time between two steps, and the messages sent to the server meanwhile.
4. *Payload*: the compact trace as JSON (``json.dumps`` as Streamlit serialises the
   component's data) and the whole component data (trace + strings + settings) for the
   lecture's 6x6 example, 16x16 and 32x32 random grids and 32x32 with padding 'same';
   then what goes over the WebSocket (no compression is negotiated): every frame of one
   settings change (4'), and the stepper element split into its data and whatever of the
   component's own HTML/CSS/JS is inline in it (Streamlit sends an inline part inside every
   new stepper element); the component's files served as assets are counted apart, from
   Chromium's network events: fetched over HTTP once per page load, never per change
   (4', 4'').
5. *Export*: ``ui.figures.export.steps_gif`` of a 32x32 run (``frame_indices``: 400 of its 900
   steps; two runs) and ``step_png`` of one step (seven runs), in this process.

Times are medians with the 95th percentile (nearest rank). This is a 2-core machine shared
with other work: server and page times move with its load (printed above the table).

``--wire`` measures rows 4' and 4'' alone (one server, five settings changes; about 20 s).
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import streamlit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import conv_core as cc  # noqa: E402
from benchmarks.markdown_table import print_table  # noqa: E402
from scripts.local_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    start_server,
    stop_server,
)
from ui.components.stepper import stepper_data, stepper_strings  # noqa: E402
from ui.figures.export import FrameLabels, frame_indices, step_png, steps_gif  # noqa: E402
from ui.teaching.grid_sources import grid_presets, random_grid  # noqa: E402

VIEWPORT = {"width": 1280, "height": 1000}
LECTURE = grid_presets()["feature_map_6x6"]
KERNEL = LECTURE.kernel  # the studio's default filter
GRID = random_grid(32, 32, 0, 9, seed=1)  # the studio's random grid at its default seed
STUDIO_32 = "/studio?src=random&rows=32&cols=32"

N_COMPUTE = 50
N_CHANGES = 20  # settings changes in the browser (after 2 not counted)
N_CHANGES_WIRE = 5  # --wire
N_CHANGES_DEFAULT_GC = 12
N_APPTEST = 10
N_SYNC_STEPS = 300
N_FRAME_STEPS = 120
PLAY_SECONDS = 5.0

GOAL_SERVER_MS = 100.0
GOAL_STEP_MS = 20.0
GOAL_PLAY = 30.0

# The stepper's shadow root (the component is mounted in one).
ROOT = """() => {
  for (const h of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
    if (h.shadowRoot && h.shadowRoot.querySelector('.stp')) return h.shadowRoot;
  }
  return null;
}"""

# Before the app's own scripts: note when the page sends a WebSocket message and when the
# app's script state changes, on the page's own clock (performance.now()).
INIT_SCRIPT = """(() => {
  const B = (window.__bench = { sent: [], states: [], arith: [] });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    B.sent.push(performance.now());
    return send.call(this, d);
  };
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.target.getAttribute('data-testid') !== 'stApp') continue;
      B.states.push([performance.now(), m.target.getAttribute('data-test-script-state')]);
    }
  }).observe(document, { subtree: true, attributes: true,
                         attributeFilter: ['data-test-script-state'] });
})();"""


# ----------------------------------------------------------------------------- helpers


def stats(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def med_p95(values_s: list[float]) -> str:
    med, p95 = stats(values_s)
    return f"{ms(med)} (p95 {ms(p95)})"


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def page_trace(
    grid: np.ndarray, kernel: np.ndarray, *, bias: float = 0.0, padding: Any = 0, stride: int = 1
) -> cc.ConvTrace:
    """The trace as pages/studio.py makes it (arguments through JSON, as its cache key)."""
    grid_json, kernel_json = json.dumps(grid.tolist()), json.dumps(kernel.tolist())
    bias_value = int(bias) if float(bias).is_integer() else bias
    return cc.trace_correlate2d(
        np.asarray(json.loads(grid_json)),
        np.asarray(json.loads(kernel_json)),
        (stride, stride),
        padding,
        (1, 1),
        "zeros",
        bias=bias_value or None,
    )


# ----------------------------------------------------------------------------- in process


def compute_path() -> dict[str, Any]:
    """1a: trace + compact + JSON, a new bias each call; then what the component adds."""
    strings = stepper_strings("en")
    core, extra = [], []
    for i in range(N_COMPUTE + 3):
        start = time.perf_counter()
        compact = cc.to_compact(page_trace(GRID, KERNEL, bias=i + 1), digits=9)
        json.dumps(compact)
        mid = time.perf_counter()
        json.dumps(stepper_data(compact, strings))  # trace_id hash + the component's JSON
        end = time.perf_counter()
        if i >= 3:
            core.append(mid - start)
            extra.append(end - mid)
    return {"core": core, "extra": extra, "n_steps": compact["n_steps"]}


def payload_sizes() -> list[tuple[str, int, int, int]]:
    """4: (case, steps, compact trace JSON bytes, stepper data JSON bytes)."""
    grid16 = random_grid(16, 16, 0, 9, seed=1)
    cases = [
        (
            "6x6 lecture example",
            page_trace(
                LECTURE.grid,
                LECTURE.kernel,
                bias=LECTURE.bias,
                padding=LECTURE.padding,
                stride=LECTURE.stride,
            ),
        ),
        ("16x16 random", page_trace(grid16, KERNEL)),
        ("32x32 random", page_trace(GRID, KERNEL)),
        ("32x32 random, padding 'same'", page_trace(GRID, KERNEL, padding="same")),
    ]
    strings = stepper_strings("en")
    out = []
    for name, trace in cases:
        compact = cc.to_compact(trace, digits=9)
        data = stepper_data(compact, strings)
        out.append((name, len(trace), len(json.dumps(compact)), len(json.dumps(data))))
    return out


def export_times() -> dict[str, Any]:
    """5: the GIF of a 32x32 run (at most 400 frames) and one PNG."""
    trace = page_trace(GRID, KERNEL)
    indices = frame_indices(len(trace))
    gif_times = []
    for _ in range(2):
        start = time.perf_counter()
        gif = steps_gif(trace, indices, FrameLabels())
        gif_times.append(time.perf_counter() - start)
    png_times = []
    for _ in range(7):
        start = time.perf_counter()
        png = step_png(trace, len(trace) // 2, FrameLabels())
        png_times.append(time.perf_counter() - start)
    return {
        "gif": gif_times,
        "frames": len(indices),
        "steps": len(trace),
        "gif_bytes": len(gif),
        "png": png_times,
        "png_bytes": len(png),
    }


def apptest_reruns() -> list[float]:
    """1d: AppTest reruns of pages/studio.py after a bias change (a new value each time)."""
    from streamlit.testing.v1 import AppTest

    # Setting a widget from this (main) thread logs "missing ScriptRunContext": harmless.
    for name in ("scriptrunner_utils.script_run_context", "state.session_state_proxy"):
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True
    at = AppTest.from_file(str(REPO / "pages" / "studio.py"), default_timeout=60)
    for name, value in (("src", "random"), ("rows", "32"), ("cols", "32")):
        at.query_params[name] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"AppTest: {at.exception}")
    times = []
    for i in range(N_APPTEST + 1):
        at.number_input(key="studio.kernel.bias").set_value(float(100 + i))
        start = time.perf_counter()
        at.run()
        if i:
            times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"AppTest: {at.exception}")
    return times


# ----------------------------------------------------------------------------- the server


# What the benchmark's servers run instead of the `streamlit` command: the same `streamlit run`
# that also writes one JSON line per script run to the file named by $BENCH_STUDIO_RUNS: wall
# and thread CPU time of ScriptRunner._run_script (which includes the gc.collect Streamlit
# runs after every script run) and of gc.collect itself. Only this benchmark's own servers
# are patched; if Streamlit's internals move, they run unpatched and those cells say "n/a".
SERVER_PROBE = """
import gc, json, os, sys, time
try:
    from streamlit.runtime.scriptrunner import script_runner as _sr
    _log = open(os.environ["BENCH_STUDIO_RUNS"], "a", buffering=1)
    _run, _collect, _gc = _sr.ScriptRunner._run_script, gc.collect, [0.0, 0.0]
    def _timed_collect(*args, **kwargs):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return _collect(*args, **kwargs)
        finally:
            _gc[0] += time.perf_counter() - start
            _gc[1] += time.thread_time() - cpu
    def _timed_run(self, rerun_data):
        _gc[:] = [0.0, 0.0]
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return _run(self, rerun_data)
        finally:
            _log.write(json.dumps({"wall": time.perf_counter() - start,
                                   "cpu": time.thread_time() - cpu, "gc": _gc[0],
                                   "gc_cpu": _gc[1]}) + "\\n")
    gc.collect, _sr.ScriptRunner._run_script = _timed_collect, _timed_run
except Exception as exc:
    print(f"bench_studio: server probe not installed: {exc!r}", file=sys.stderr)
from streamlit.web import cli
sys.argv = ["streamlit", *sys.argv[1:]]
cli.main()
"""


class Server:
    """``streamlit run app.py`` on a free loopback port (as tests/e2e/conftest.py starts it),
    through :data:`SERVER_PROBE`; ``extra`` are more command-line options."""

    def __init__(self, script: str = "app.py", extra: tuple[str, ...] = ()) -> None:
        fd, name = tempfile.mkstemp(prefix="bench-studio-streamlit-", suffix=".log")
        self.log_path = Path(name)
        self.log = os.fdopen(fd, "w")
        fd, name = tempfile.mkstemp(prefix="bench-studio-runs-", suffix=".jsonl")
        os.close(fd)
        self.runs_path = Path(name)
        try:
            self.proc, self.url = start_server(
                REPO / script, self.log, *extra,
                launcher=("-c", SERVER_PROBE),
                env={**os.environ, "BENCH_STUDIO_RUNS": str(self.runs_path)},
                log_path=self.log_path,
            )  # fmt: skip
        except RuntimeError:
            self.log.close()
            self.runs_path.unlink(missing_ok=True)
            raise

    def runs(self) -> list[dict[str, float]]:
        """The script runs so far (empty if the probe could not be installed)."""
        text = self.runs_path.read_text() if self.runs_path.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stop(self, keep_log: bool = False) -> None:
        stop_server(self.proc)
        self.log.close()
        self.runs_path.unlink(missing_ok=True)
        if not keep_log:
            self.log_path.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- the browser


#: Where Streamlit serves a v2 component's asset files (its asset_dir).
ASSET_ROUTE = "/_stcore/bidi-components/"


class WireLog:
    """Every WebSocket frame of a page, from Chromium's network events (their own clock),
    and every HTTP response from a component's asset folder (``assets``: time, URL, bytes on
    the wire)."""

    def __init__(self, page) -> None:
        self.sent: list[tuple[float, int]] = []
        self.received: list[tuple[float, int, bytes]] = []
        self.assets: list[tuple[float, str, int]] = []
        self._urls: dict[str, str] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", lambda e: self.sent.append(self._frame(e)[:2]))
        cdp.on("Network.webSocketFrameReceived", lambda e: self.received.append(self._frame(e)))
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _request(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if ASSET_ROUTE in url:
            self._urls[event["requestId"]] = url

    def _finished(self, event: dict[str, Any]) -> None:
        url = self._urls.pop(event["requestId"], None)
        if url is not None:
            self.assets.append((event["timestamp"], url, int(event["encodedDataLength"])))

    @staticmethod
    def _frame(event: dict[str, Any]) -> tuple[float, int, bytes]:
        resp = event["response"]
        data = resp["payloadData"]
        raw = base64.b64decode(data) if resp.get("opcode") == 2 else data.encode("utf-8")
        return event["timestamp"], len(raw), raw

    def mark(self) -> tuple[int, int]:
        return len(self.sent), len(self.received)


def asset_cell(assets: list[tuple[float, str, int]]) -> str:
    """``N files, X KB`` of a component's asset fetches (``0 files`` when none)."""
    total = sum(n for _, _, n in assets)
    return f"{len(assets)} files, {kb(total)}" if assets else "0 files"


def forward_msgs(frames: list[tuple[float, int, bytes]]) -> list[tuple[float, int, Any]]:
    """(time, bytes, ForwardMsg) for binary frames (Streamlit's protobuf messages)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for t, n, raw in frames:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
        except Exception:  # a frame that is not a ForwardMsg: count its bytes only
            msg = None
        out.append((t, n, msg))
    return out


def stepper_element(msgs: list[tuple[float, int, Any]]) -> tuple[int, int, int] | None:
    """(message bytes, data JSON bytes, inline HTML+CSS+JS bytes) of the stepper element, if
    sent. CSS/JS served as asset files are not inline: the element names their paths only."""
    for _, n, msg in msgs:
        if msg is None or msg.WhichOneof("type") != "delta":
            continue
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            continue
        el = delta.new_element
        if el.WhichOneof("type") != "bidi_component":
            continue
        comp = el.bidi_component
        source = len(comp.js_content) + len(comp.css_content) + len(comp.html_content)
        data = comp.mixed.json if comp.HasField("mixed") else comp.json
        return n, len(data.encode("utf-8")), source
    return None


def wait_idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_selector('.stp[data-ready="1"]')


def open_studio(browser, url: str):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(30_000)
    page.add_init_script(INIT_SCRIPT)
    wire = WireLog(page)
    page.goto(url)
    try:
        wait_idle(page)
    except Exception as exc:
        shot = REPO / "test-artifacts" / "bench-studio-failure.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=shot)
        raise RuntimeError(f"the studio did not show its stepper at {url}; see {shot}") from exc
    return page, wire


def settings_changes(browser, server: Server, n_changes: int) -> dict[str, Any]:
    """1b, 1c and the wire size of a change: type new bias values on /studio (32x32)."""
    page, wire = open_studio(browser, server.url + STUDIO_32)
    page.locator(".st-key-studio-tabs [role=tab]").nth(1).click()  # "Operation and kernel"
    box = page.locator(".st-key-studio-kernel-bias input")
    box.wait_for()
    page.evaluate(
        f"""() => {{
          const a = ({ROOT})().querySelector('.stp-arith');
          new MutationObserver(() => window.__bench.arith.push([performance.now(), a.textContent]))
            .observe(a, {{ childList: true, characterData: true, subtree: true }});
        }}"""
    )
    keys = ("run", "cpu", "gc", "gc_cpu", "finished", "idle", "drawn")
    out: dict[str, Any] = {k: [] for k in keys}
    out["received"], out["element"], out["assets"] = [], None, []
    for i in range(n_changes + 2):
        bias = 10 + i  # a new value every time: compact_trace's cache misses
        page.wait_for_timeout(300)
        n_sent, n_recv = wire.mark()
        n_assets = len(wire.assets)
        n_runs = len(server.runs())
        t_mark = page.evaluate("() => performance.now()")
        box.fill(str(bias))
        box.press("Enter")
        page.wait_for_function(
            """([t, bias]) => {
              const B = window.__bench;
              const states = B.states.filter((s) => s[0] > t);
              const ran = states.some((s) => s[1] === 'running');
              const done = states.length && states[states.length - 1][1] === 'notRunning';
              const shown = B.arith.some((a) => a[0] > t && a[1].includes(` + ${bias} = `));
              return ran && done && shown;
            }""",
            arg=[t_mark, bias],
        )
        page.wait_for_timeout(200)  # trailing frames
        timeline = page.evaluate(
            """(t) => {
              const B = window.__bench;
              return { sent: B.sent.filter((s) => s > t), states: B.states.filter((s) => s[0] > t),
                       arith: B.arith.filter((a) => a[0] > t) };
            }""",
            t_mark,
        )
        msgs = forward_msgs(wire.received[n_recv:])
        finished = [t for t, _, m in msgs if m is not None and m.HasField("script_finished")]
        runs = server.runs()[n_runs:]
        if i < 2 or not finished or len(wire.sent) <= n_sent:
            continue  # warm-up (or a change that did not rerun: not counted)
        if runs:
            out["run"].append(runs[0]["wall"])
            out["cpu"].append(runs[0]["cpu"])
            out["gc"].append(runs[0]["gc"])
            out["gc_cpu"].append(runs[0]["gc_cpu"])
        t_send = timeline["sent"][0]
        t_idle = [s[0] for s in timeline["states"] if s[1] == "notRunning"][-1]
        t_drawn = next(a[0] for a in timeline["arith"] if f" + {bias} = " in a[1])
        out["finished"].append(finished[0] - wire.sent[n_sent][0])
        out["idle"].append((t_idle - t_send) / 1e3)
        out["drawn"].append((t_drawn - t_send) / 1e3)
        out["received"].append(sum(n for _, n, _ in msgs))
        out["element"] = stepper_element(msgs) or out["element"]
        out["assets"] += wire.assets[n_assets:]
    page.close()
    return out


def stepping_and_play(browser, base: str) -> dict[str, Any]:
    """2 and 3 on the 32x32 grid with padding 'same' (1024 steps)."""
    page, wire = open_studio(browser, base + STUDIO_32 + "&padding=same")
    load_element = stepper_element(forward_msgs(wire.received))
    load_assets = list(wire.assets)
    n_steps = int(page.locator(".stp").get_attribute("data-n"))
    page.locator(".stp-stage").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    timings = page.evaluate(
        f"""async ([nSync, nFrames]) => {{
          const r = ({ROOT})();
          const stage = r.querySelector('.stp-stage'), svg = r.querySelector('.stp-svg');
          const key = () => stage.dispatchEvent(new KeyboardEvent('keydown',
              {{ key: 'ArrowRight', bubbles: true, composed: true, cancelable: true }}));
          const el = r.querySelector('.stp');
          const s0 = +el.dataset.step;
          const sync = [];
          for (let i = 0; i < nSync; i++) {{
            const t0 = performance.now();
            key();
            svg.getBoundingClientRect(); document.body.offsetHeight;  // style + layout now
            sync.push(performance.now() - t0);
          }}
          const moved = +el.dataset.step - s0;
          // one step per animation frame: the frame interval includes painting
          const frames = [];
          let last = await new Promise(requestAnimationFrame);
          for (let i = 0; i < nFrames; i++) {{
            key();
            const t = await new Promise(requestAnimationFrame);
            frames.push(t - last); last = t;
          }}
          // the same number of frames with no step: the frame rate of an idle page
          const idle = [];
          last = await new Promise(requestAnimationFrame);
          for (let i = 0; i < 60; i++) {{
            const t = await new Promise(requestAnimationFrame);
            idle.push(t - last); last = t;
          }}
          return {{ sync, frames, idle, moved }};
        }}""",
        [N_SYNC_STEPS, N_FRAME_STEPS],
    )
    # Play at the fastest speed, from the first step.
    page.locator(".stp-speed").select_option("30")
    page.locator(".stp-first").click()
    n_sent = len(wire.sent)
    page.locator(".stp-play").click()
    page.wait_for_selector('.stp[data-playing="1"]')
    play = page.evaluate(
        f"""async (seconds) => {{
          const el = ({ROOT})().querySelector('.stp');
          const s0 = +el.dataset.step, t0 = performance.now();
          let changes = 0, prev = s0, longest = 0, tPrev = t0;
          await new Promise((done) => {{
            const tick = (now) => {{
              const s = +el.dataset.step;
              if (s !== prev) {{ changes++; longest = Math.max(longest, now - tPrev);
                                prev = s; tPrev = now; }}
              if (now - t0 >= seconds * 1000) done(); else requestAnimationFrame(tick);
            }};
            requestAnimationFrame(tick);
          }});
          return {{ steps: +el.dataset.step - s0, ms: performance.now() - t0, changes, longest }};
        }}""",
        PLAY_SECONDS,
    )
    sent_while_playing = len(wire.sent) - n_sent
    page.locator(".stp-play").click()
    page.close()
    return {
        "n_steps": n_steps,
        "timings": timings,
        "play": play,
        "sent_while_playing": sent_while_playing,
        "load_element": load_element,
        "load_assets": load_assets,
    }


def wire_only() -> dict[str, Any]:
    """--wire: rows 4' and 4'' alone, on one server."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} not found (apt-get install -y chromium fonts-nanum)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            server = Server("app.py")
            try:
                warm_up(browser, server)
                changes = settings_changes(browser, server, N_CHANGES_WIRE)
                page, wire = open_studio(browser, server.url + STUDIO_32 + "&padding=same")
                load = {
                    "load_element": stepper_element(forward_msgs(wire.received)),
                    "load_assets": list(wire.assets),
                }
                page.close()
            finally:
                server.stop()
            return {"chromium": browser.version, "changes": changes, "stepping": load}
        finally:
            browser.close()


def wire_rows(changes: dict[str, Any], stepping: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows 4' and 4'' (what went over the WebSocket, and the asset files over HTTP)."""
    rows = []
    el, el_load = changes["element"], stepping["load_element"]
    if el is not None:
        rows.append(
            (
                "4'. WebSocket, one settings change (1b), 32x32: all frames received "
                "/ the stepper element (+ the component's files fetched over HTTP meanwhile)",
                "-",
                f"{kb(int(statistics.median(changes['received'])))} / {kb(el[0])} = data "
                f"{kb(el[1])} + the component's inline HTML/CSS/JS {kb(el[2])} "
                f"(+ {asset_cell(changes['assets'])} in {len(changes['received'])} changes)",
                verdict(None),
            )
        )
    if el_load is not None:
        rows.append(
            (
                "4''. WebSocket, the stepper element at page load, 32x32 'same' "
                "(+ the component's files over HTTP, once per page load)",
                "-",
                f"{kb(el_load[0])} = data {kb(el_load[1])} + inline HTML/CSS/JS "
                f"{kb(el_load[2])} (+ {asset_cell(stepping['load_assets'])})",
                verdict(None),
            )
        )
    return rows


def warm_up(browser, server: Server) -> None:
    """A server's first run of a page imports and builds everything: not timed."""
    page, _ = open_studio(browser, server.url + STUDIO_32)
    page.close()


def browser_part() -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} not found (apt-get install -y chromium fonts-nanum)")
    out: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            out["chromium"] = browser.version
            server = Server("app.py")
            try:
                warm_up(browser, server)
                out["changes"] = settings_changes(browser, server, N_CHANGES)
                out["stepping"] = stepping_and_play(browser, server.url)
            finally:
                server.stop()
            # The same changes with Streamlit's default gc.collect after every run.
            server = Server("app.py", ("--runner.postScriptGC", "true"))
            try:
                warm_up(browser, server)
                out["default_gc"] = settings_changes(browser, server, N_CHANGES_DEFAULT_GC)
            finally:
                server.stop()
        finally:
            browser.close()
    return out


# ----------------------------------------------------------------------------- the table


def server_cells(changes: dict[str, Any]) -> tuple[str, bool | None]:
    """The in-server numbers of a series of changes, and whether the median meets the goal."""
    if not changes["run"]:
        return "n/a (server probe not installed)", None
    med = statistics.median(changes["run"])
    text = (
        f"{med_p95(changes['run'])}, of which gc.collect "
        f"{ms(statistics.median(changes['gc']))}; thread CPU "
        f"{ms(statistics.median(changes['cpu']))}, of which gc.collect "
        f"{ms(statistics.median(changes['gc_cpu']))}; {len(changes['run'])} changes"
    )
    return text, med < GOAL_SERVER_MS / 1e3


def main() -> None:
    started = time.perf_counter()
    if "--wire" in sys.argv[1:]:
        wire = wire_only()
        print(
            f"Sliding-Window Studio benchmark, rows 4' and 4'' only (--wire): "
            f"Streamlit {streamlit.__version__}, Chromium {wire['chromium']} (headless).\n"
        )
        print_table(
            ("measure", "goal", "measured", "meets goal"),
            wire_rows(wire["changes"], wire["stepping"]),
        )
        print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.")
        return
    compute = compute_path()
    sizes = payload_sizes()
    export = export_times()
    apptest = apptest_reruns()
    browser = browser_part()
    changes, stepping, default_gc = browser["changes"], browser["stepping"], browser["default_gc"]

    t = stepping["timings"]
    sync_med, sync_p95 = stats(t["sync"])
    frame_med, frame_p95 = stats(t["frames"])
    idle_med = statistics.median(t["idle"])
    slow_frames = sum(f > 1.5 * idle_med for f in t["frames"])
    play = stepping["play"]
    rate = play["steps"] / (play["ms"] / 1e3)
    core_med, _ = stats(compute["core"])
    server_text, server_ok = server_cells(changes)
    default_gc_text, _ = server_cells(default_gc)

    rows: list[tuple[str, str, str, str]] = [
        (
            f"1a. compute path, 32x32 random, 3x3 ({compute['n_steps']} steps): "
            "trace + to_compact + json.dumps",
            "< 100 ms",
            f"{med_p95(compute['core'])}; the component's data (trace_id hash + JSON) "
            f"adds {ms(statistics.median(compute['extra']))}",
            verdict(core_med < GOAL_SERVER_MS / 1e3),
        ),
        (
            "1b. one settings change (bias), 32x32: full script run in `streamlit run` "
            "(app.py + studio.py, with the app's config: no post-run gc.collect)",
            "< 100 ms",
            server_text,
            verdict(server_ok),
        ),
        (
            "1c. the same changes seen in Chromium: request -> script-finished message "
            "/ -> app idle / -> stepper shows the new trace",
            "-",
            f"{med_p95(changes['finished'])} / {med_p95(changes['idle'])} / "
            f"{med_p95(changes['drawn'])}",
            verdict(None),
        ),
        (
            "1d. AppTest rerun of pages/studio.py alone after a bias change (no browser)",
            "-",
            f"{med_p95(apptest)}, {len(apptest)} reruns",
            verdict(None),
        ),
        (
            "1e. as 1b on a server started with `--runner.postScriptGC true` "
            "(Streamlit's default; the app's config turns it off)",
            "-",
            f"{default_gc_text}; in Chromium: request -> app idle {med_p95(default_gc['idle'])}",
            verdict(None),
        ),
        (
            f"2. one step in Chromium, 32x32 'same' ({stepping['n_steps']} steps): "
            "ArrowRight -> JS + style + layout",
            "< 20 ms",
            f"{ms(sync_med / 1e3)} (p95 {ms(sync_p95 / 1e3)}), {len(t['sync'])} steps",
            verdict(sync_med < GOAL_STEP_MS),
        ),
        (
            "2'. one step per animation frame: frame interval (painting included)",
            "-",
            f"{ms(frame_med / 1e3)} (p95 {ms(frame_p95 / 1e3)}); idle page "
            f"{ms(idle_med / 1e3)}; {slow_frames} of {len(t['frames'])} frames > 1.5x idle",
            verdict(None),
        ),
        (
            "3. Play at 30 steps/s, 32x32 'same'",
            "30 steps/s",
            f"{rate:.1f} steps/s ({play['steps']} steps in {play['ms'] / 1e3:.1f} s; "
            f"longest gap {play['longest']:.0f} ms; {stepping['sent_while_playing']} "
            "messages to the server)",
            verdict(rate >= 0.95 * GOAL_PLAY),
        ),
    ]
    for name, n, trace_bytes, data_bytes in sizes:
        rows.append(
            (
                f"4. payload, {name} ({n} steps): compact trace JSON / component data JSON",
                "-",
                f"{kb(trace_bytes)} / {kb(data_bytes)} ({trace_bytes / n:.0f} B a step)",
                verdict(None),
            )
        )
    rows += wire_rows(changes, stepping)
    rows += [
        (
            f"5. GIF export, 32x32 run ({export['steps']} steps): steps_gif of "
            f"{export['frames']} frames",
            "-",
            f"{statistics.median(export['gif']):.2f} s (runs: "
            f"{', '.join(f'{s:.2f}' for s in export['gif'])} s), {kb(export['gif_bytes'])}",
            verdict(None),
        ),
        (
            "5'. PNG export of one step (step_png)",
            "-",
            f"{med_p95(export['png'])}, {kb(export['png_bytes'])}",
            verdict(None),
        ),
    ]

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Sliding-Window Studio benchmark: {os.cpu_count()} CPUs ({platform.machine()}), "
        f"load average at the end {load}, Python {platform.python_version()}, "
        f"Streamlit {streamlit.__version__}, NumPy {np.__version__}, "
        f"Chromium {browser['chromium']} (headless).\n"
    )
    print_table(("measure", "goal", "measured", "meets goal"), rows)
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
