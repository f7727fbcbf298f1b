"""Give a class server's memory back once it is free: large arrays as soon as they are freed,
and the sessions' reference cycles after the students have gone.

Why: one server runs a whole class, and every lab rerun makes arrays of several MB (a photo
in float32, its maps, PNGs) on the session's own script thread. glibc's ``malloc`` raises its
mmap threshold each time such a block is freed (up to 32 MB), so later ones come from the
per-thread heaps, which keep the pages after ``free``. Measured with the classroom benchmark's
scenario (15 students, two rounds, ``benchmarks/classroom``): the server's RSS stayed near
600 MB after the sessions had closed and expired (200 MB at the start), whereas with the
threshold fixed at 128 KiB it fell back to 250 MB (the rest: the bounded upload cache) and
peaked lower. Setting the threshold through ``mallopt`` also turns that raising off.

Only glibc (Linux) has ``mallopt``; elsewhere this does nothing. The same can be set from
outside with the environment variable ``MALLOC_MMAP_THRESHOLD_=131072``.

Why a collector thread: the app turns off Streamlit's ``gc.collect()`` after every script
run (``runner.postScriptGC``, 90 ms of CPU per settings change), so a closed session's
reference cycles wait for Python's own collector, which runs only when new objects are made:
after the class has gone, nothing is made and they stay. Measured with 30 students: 487 MB
after their sessions had expired, 365 MB after one ``gc.collect()``, 343 MB after
``malloc_trim`` too. :func:`start_collector` does both once a minute on a daemon thread
(a full collection here takes tens of milliseconds).

Example
-------
In ``app.py``, once per server (later calls do nothing)::

    server_memory.tune()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading
import time

__all__ = [
    "COLLECT_EVERY_S",
    "MMAP_THRESHOLD",
    "collect_now",
    "release_large_blocks",
    "start_collector",
    "tune",
]

#: Seconds between two collections of the collector thread.
COLLECT_EVERY_S = 60.0

#: Blocks from this size on are mapped on their own and unmapped when freed (glibc's default
#: starting threshold, kept fixed).
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):
        return None


@functools.cache
def release_large_blocks() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`, once per process.

    Returns whether it was set (False where the C library has no ``mallopt``).

    >>> release_large_blocks() in (True, False)
    True
    """
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def collect_now() -> float:
    """One full ``gc.collect()``, then glibc's ``malloc_trim(0)`` (where there is one) to
    hand freed heap pages back; returns the seconds it took.

    >>> collect_now() >= 0
    True
    """
    t0 = time.perf_counter()
    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim.argtypes = [ctypes.c_size_t]
        trim(0)
    return time.perf_counter() - t0


def _collect_forever(every_s: float) -> None:
    while True:
        time.sleep(every_s)
        collect_now()


@functools.cache
def start_collector(every_s: float = COLLECT_EVERY_S) -> threading.Thread:
    """Start the daemon thread that calls :func:`collect_now` every ``every_s`` seconds
    (once per process and interval; later calls return the same thread)."""
    thread = threading.Thread(
        target=_collect_forever, args=(every_s,), name="convlab-memory", daemon=True
    )
    thread.start()
    return thread


def tune() -> None:
    """:func:`release_large_blocks` and :func:`start_collector`: what ``app.py`` calls."""
    release_large_blocks()
    start_collector()
