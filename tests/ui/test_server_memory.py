"""ui.server_memory: freed large arrays really leave the process (glibc only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ui.server_memory import release_large_blocks

REPO = Path(__file__).resolve().parents[2]

# Forty 8 MB arrays, all freed but the last (which pins the top of the heap, so the heap
# cannot shrink from its end); RSS in MB afterwards.
SCRIPT = """
import sys
import numpy as np
from ui.server_memory import release_large_blocks
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
