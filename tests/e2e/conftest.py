"""Browser tests: real `streamlit run` servers driven by Debian's Chromium (pytest-playwright).

Fixtures
--------
streamlit_server
    A factory: ``streamlit_server("app.py")`` or ``streamlit_server(HARNESS)`` starts that
    script on a free port (once per session and script) and returns its base URL.
app_url, stepper_harness_url
    The app and the stepper harness, started through the factory.
st_wait_idle
    ``st_wait_idle(page)`` waits until the app is connected and no script run is going on.

A missing Chromium fails the run (it never skips): CI installs it with
``apt-get install -y chromium fonts-nanum`` (scripts/test.sh does).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts.local_server import CHROMIUM, CHROMIUM_ARGS, served

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent / "stepper_harness.py"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[Callable[[str | Path], str]]:
    """Start ``streamlit run <script>`` (path relative to the repo, or absolute) on demand."""
    servers: dict[Path, str] = {}
    stack = contextlib.ExitStack()

    def start(script: str | Path) -> str:
        path = (REPO / script).resolve()
        if path in servers:
            return servers[path]
        if not path.is_file():
            raise FileNotFoundError(path)
        _, url = stack.enter_context(served(path, REPO / f"streamlit-test-server-{path.stem}.log"))
        servers[path] = url
        return url

    with stack:
        yield start


@pytest.fixture
def fresh_app_url() -> Iterator[str]:
    """A new server of the app for one test: its first script run is the test's first page.

    (A server's first run differs: see ui/frame/legacy_pages.py.)
    """
    with served(REPO / "app.py", REPO / "streamlit-test-server-fresh.log") as (_, url):
        yield url


@pytest.fixture(scope="session")
def app_url(streamlit_server: Callable[[str | Path], str]) -> str:
    """The app (`streamlit run app.py`)."""
    return streamlit_server("app.py")


@pytest.fixture(scope="session")
def stepper_harness_url(streamlit_server: Callable[[str | Path], str]) -> str:
    """The stepper harness (tests/e2e/stepper_harness.py)."""
    return streamlit_server(HARNESS)


# pytest-playwright has no option for a browser *path*; overriding this session fixture makes
# its `browser`/`page` fixtures use Debian's Chromium (no downloaded browser, no CDN).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium fonts-nanum; scripts/test.sh installs it)",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def wait_idle(page) -> None:
    """Wait until the app is rendered and no script run is in progress."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_selector('[data-testid="stMainBlockContainer"]')


@pytest.fixture
def st_wait_idle() -> Callable[..., None]:
    """The :func:`wait_idle` helper, for tests in any folder."""
    return wait_idle


@pytest.fixture
def sent_frames(page) -> list[float]:
    """Timestamps of every WebSocket frame the page sends to the server (ask before goto).

    The stepper must send nothing while stepping or playing: a test compares the count
    before and after.
    """
    sent: list[float] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda _payload: sent.append(time.time())))
    return sent


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ (gitignored): screenshots to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
