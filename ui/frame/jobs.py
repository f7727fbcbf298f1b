"""A server-wide limit on heavy jobs: a few run at once, the rest wait their turn in order.

One Streamlit server serves a whole class. A full-resolution run of the Image Filter Lab on
a 12 MP photo holds several hundred MB while it computes; thirty students asking at the
same moment must not hold thirty times that. :data:`FULL_RES_JOBS` lets two such jobs run
at a time (the server has two cores) and queues the others first come, first served,
telling each waiting caller its place in the queue as it changes.

Pure Python and thread-safe (Streamlit runs each session's script in its own thread);
no Streamlit here, so the page decides how a place in the queue is shown.

Examples
--------
>>> limiter = JobLimiter(2)
>>> limiter.run(lambda: 6 * 7)
42
>>> limiter.running, limiter.waiting
(0, 0)
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

__all__ = ["FULL_RES_JOBS", "JobLimiter", "JobTimeout"]

T = TypeVar("T")

# The clock of the timeouts (a name of its own so tests can step it by hand).
_now = time.monotonic


class JobTimeout(RuntimeError):
    """A job waited longer than its ``timeout_s`` for a free slot; it never ran."""

    def __init__(self, waited_s: float, position: int) -> None:
        super().__init__(
            f"no free slot after waiting {waited_s:.1f} s (still number {position} in the queue)"
        )
        self.waited_s = waited_s
        self.position = position


class JobLimiter:
    """At most ``slots`` jobs at once; later callers wait in first-come, first-served order.

    Parameters
    ----------
    slots : int, optional
        How many jobs may run at the same time (default 2).

    Notes
    -----
    A job runs in the calling thread (so a Streamlit script's context stays its own);
    the limiter only decides when. A caller that leaves the queue for any reason (a
    timeout, an exception from ``on_wait``, such as Streamlit stopping the script) gives
    up its place, and those behind it move up.
    """

    def __init__(self, slots: int = 2) -> None:
        if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
            raise ValueError(f"slots must be a positive integer, but got slots={slots!r}")
        self._slots = slots
        self._running = 0
        self._queue: deque[object] = deque()  # tickets of the waiting callers, oldest first
        self._cond = threading.Condition()

    @property
    def slots(self) -> int:
        """How many jobs may run at once."""
        return self._slots

    @property
    def running(self) -> int:
        """Jobs running now."""
        with self._cond:
            return self._running

    @property
    def waiting(self) -> int:
        """Callers waiting for a slot now."""
        with self._cond:
            return len(self._queue)

    def run(
        self,
        fn: Callable[[], T],
        *,
        on_wait: Callable[[int], None] | None = None,
        poll_s: float = 0.25,
        timeout_s: float | None = 600,
    ) -> T:
        """Run ``fn()`` when a slot is free and return its result.

        Parameters
        ----------
        fn : callable with no arguments
            The job; it runs in the calling thread. Its exceptions propagate, and its
            slot is freed either way.
        on_wait : callable taking an int, optional
            Called while the job waits, with its place in the queue (1 = next), once when
            it starts waiting and again each time the place changes; never called when a
            slot is free at once. Called without the limiter's lock held; if it raises, the
            caller leaves the queue and the exception propagates.
        poll_s : float, optional
            Longest sleep between checks of the queue and the clock (default 0.25 s); a
            freed slot wakes the waiters at once anyway.
        timeout_s : float or None, optional
            Give up after waiting this long for a slot (default 600 s); None waits for ever.
            Only the wait counts, not the job's own run time.

        Returns
        -------
        The value ``fn()`` returned.

        Raises
        ------
        JobTimeout
            No slot became free within ``timeout_s``; ``fn`` did not run.
        ValueError
            ``poll_s`` not positive or ``timeout_s`` negative.

        Examples
        --------
        >>> places = []
        >>> JobLimiter(1).run(lambda: "done", on_wait=places.append)
        'done'
        >>> places
        []
        """
        if not poll_s > 0:
            raise ValueError(f"poll_s must be a positive number, but got poll_s={poll_s!r}")
        if timeout_s is not None and not timeout_s >= 0:
            raise ValueError(
                f"timeout_s must be None or at least 0, but got timeout_s={timeout_s!r}"
            )
        self._wait_for_slot(on_wait, poll_s, timeout_s)
        try:
            return fn()
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def _wait_for_slot(
        self, on_wait: Callable[[int], None] | None, poll_s: float, timeout_s: float | None
    ) -> None:
        """Queue up and return once this caller holds a slot (``_running`` counts it)."""
        ticket = object()
        start = _now()
        reported = 0
        with self._cond:
            self._queue.append(ticket)
        try:
            while True:
                with self._cond:
                    while True:
                        if self._queue[0] is ticket and self._running < self._slots:
                            self._queue.popleft()
                            self._running += 1
                            # The next in line may find a slot free too.
                            self._cond.notify_all()
                            return
                        position = self._queue.index(ticket) + 1
                        waited = _now() - start
                        if timeout_s is not None and waited >= timeout_s:
                            raise JobTimeout(waited, position)
                        if on_wait is not None and position != reported:
                            break  # tell the caller, outside the lock
                        limit = poll_s if timeout_s is None else min(poll_s, timeout_s - waited)
                        self._cond.wait(limit)
                reported = position
                assert on_wait is not None
                on_wait(position)
        except BaseException:
            with self._cond:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                    self._cond.notify_all()  # those behind move up
            raise


#: The app's one limit on full-resolution jobs, shared by every session of the server.
FULL_RES_JOBS = JobLimiter(2)
#: The MNIST page's trainings have their own queue, one training per core at a time (a
#: session runs one script at a time, so one training per session): a class training does
#: not hold up the lab's full-resolution downloads, nor they the trainings.
TRAINING_JOBS = JobLimiter(max(1, os.cpu_count() or 1))
#: How long an MNIST training waits for a slot before the page says the server is busy: a
#: whole class pressing Train at once (30 trainings of about 10-20 s, two at a time) is
#: served within it (benchmarks/bench_mnist.py, the queue table).
TRAINING_WAIT_S = 360
