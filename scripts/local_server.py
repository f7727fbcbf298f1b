"""`streamlit run` on a loopback port and Debian's Chromium: the project's helper for anything
that drives a real server, shared by the browser tests (tests/e2e/conftest.py), the load tests
and the benchmarks (benchmarks/bench_studio.py, benchmarks/classroom), which import nothing
from tests/.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Headless, no GPU, and nothing that reaches out to the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 60
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_args(script: str | Path, port: int, *extra: str) -> list[str]:
    """``run <script>`` with the options every local server gets (after ``streamlit``)."""
    return [
        "run", str(script),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", *extra,
    ]  # fmt: skip


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for the server's health check; kill it and raise with its log's tail if it fails."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"streamlit did not start; see {log}:\n{tail}")
        time.sleep(0.25)


def start_server(
    script: str | Path,
    log: IO[str],
    *extra: str,
    launcher: Sequence[str] = ("-m", "streamlit"),
    log_path: Path,
    env: Mapping[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run <script>`` (from the repository root) on a free loopback port, healthy:
    (process, base URL). Output goes to ``log`` (open on ``log_path``); ``launcher`` replaces
    ``-m streamlit`` (a probe that wraps Streamlit); on failure the process is killed and the
    log's tail raised.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, *launcher, *run_args(script, port, *extra)],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=None if env is None else dict(env),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc, log_path)
    return proc, url


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server (kill it if it has not stopped after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def served(
    script: str | Path, log_path: Path, *extra: str, env: Mapping[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """:func:`start_server` for a ``with`` block, logging to ``log_path``; stopped after."""
    with log_path.open("w") as log:
        proc, url = start_server(script, log, *extra, env=env, log_path=log_path)
        try:
            yield proc, url
        finally:
            stop_server(proc)
