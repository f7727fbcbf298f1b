"""ui.frame.server_memory: freed large arrays really leave the process (glibc only)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from ui.frame.server_memory import collect_now, release_large_blocks, start_collector

REPO = Path(__file__).resolve().parents[2]

# Forty 8 MB arrays, all freed but the last (which pins the top of the heap, so the heap
# cannot shrink from its end); RSS in MB afterwards.
SCRIPT = """
import sys
import numpy as np
from ui.frame.server_memory import collect_now, release_large_blocks, start_collector
if sys.argv[1] == "fixed":
    release_large_blocks()
first = np.ones(1 << 20)  # 8 MB, mapped on its own; freeing it raises glibc's threshold
del first
arrays = [np.ones(1 << 20) for _ in range(40)]
del arrays[:-1]
with open("/proc/self/status") as f:
    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
print(rss // 1024)
"""


def _rss_after(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], cwd=REPO, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(not release_large_blocks(), reason="needs glibc's mallopt")
def test_freed_large_arrays_go_back_to_the_system() -> None:
    kept, released = _rss_after("default"), _rss_after("fixed")
    # 39 freed arrays = 312 MB: the default allocator keeps them, the fixed threshold not.
    assert kept - released > 250, (kept, released)
    assert release_large_blocks() is True  # cached: the second call does not set it again


def test_collect_now_frees_reference_cycles() -> None:
    class Node:
        pass

    gc.disable()  # as between Python's own collections: only collect_now may free the cycle
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None
        assert collect_now() >= 0
        assert alive() is None
    finally:
        gc.enable()


def test_one_collector_thread_per_process() -> None:
    thread = start_collector(3600.0)
    assert thread.daemon and thread.is_alive() and thread.name == "convlab-memory"
    assert start_collector(3600.0) is thread
