"""Give the memory of large NumPy arrays back to the operating system as soon as they are freed.

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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["MMAP_THRESHOLD", "release_large_blocks"]

#: Blocks from this size on are mapped on their own and unmapped when freed (glibc's default
#: starting threshold, kept fixed).
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>


@functools.cache
def release_large_blocks() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`, once per process.

    Returns whether it was set (False where the C library has no ``mallopt``).

    >>> release_large_blocks() in (True, False)
    True
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
