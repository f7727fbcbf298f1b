"""`streamlit run` on a loopback port and Debian's Chromium: the setup shared by the browser
tests (conftest.py) and the benchmarks that drive a real server (benchmarks/bench_studio.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

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
