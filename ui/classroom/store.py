"""Where class mode keeps what sessions share: one small interface, two backends.

:class:`ClassStore` is everything the room logic (:mod:`ui.classroom.rooms`) needs: strings
with a time to live, atomic counters, hashes and a scored set (the live rooms). Two backends
implement it the same way:

* :class:`MemoryStore`: a dict behind a lock in this process (the default; one server,
  nothing to install). :func:`memory_store` is the process-wide one every session shares.
* :class:`RedisStore`: a Redis server (several replicas behind a load balancer), with the
  ``redis`` client imported only when it is used.

:func:`store_from_env` chooses by configuration: ``CONVLAB_REDIS_URL`` set means Redis;
``CONVLAB_REPLICAS`` above 1 without it is refused (:class:`StoreUnavailable`), since a room
made on one replica's memory would be invisible from the others.

Nothing secret is ever written here: the room logic stores the SHA-256 of a teacher's lead
secret, never the secret itself.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

__all__ = [
    "REDIS_ENV",
    "REPLICAS_ENV",
    "ClassStore",
    "MemoryStore",
    "RedisStore",
    "StoreUnavailable",
    "memory_store",
    "store_from_env",
]

REDIS_ENV = "CONVLAB_REDIS_URL"
REPLICAS_ENV = "CONVLAB_REPLICAS"


class StoreUnavailable(RuntimeError):
    """Class mode cannot run with this configuration; ``key`` names the translated message."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class ClassStore(Protocol):
    """The operations class mode needs from a shared store (all keys and values are str).

    Times to live are in seconds; a key past its time reads as absent.
    """

    def get_many(self, keys: list[str]) -> list[str | None]:
        """The values of ``keys`` (None where absent), in one round trip."""
        ...

    def set(self, key: str, value: str, ttl_s: float) -> None:
        """Set ``key`` to ``value`` for ``ttl_s`` seconds."""
        ...

    def add(self, key: str, value: str, ttl_s: float) -> bool:
        """Set ``key`` only if absent; True when it was set."""
        ...

    def delete(self, keys: list[str]) -> None:
        """Remove ``keys`` (absent ones are ignored)."""
        ...

    def touch(self, keys: list[str], ttl_s: float) -> None:
        """Give each existing key of ``keys`` ``ttl_s`` seconds to live from now."""
        ...

    def incr(self, key: str, ttl_s: float) -> int:
        """Add 1 to the counter ``key`` (0 when absent) and return it; a new counter lives
        ``ttl_s`` seconds (a window: its time is not extended by later increments)."""
        ...

    def hset(self, key: str, field: str, value: str, ttl_s: float) -> None:
        """Set ``field`` of hash ``key``; the hash lives ``ttl_s`` seconds from now."""
        ...

    def hincr(self, key: str, field: str, ttl_s: float) -> int:
        """Add 1 to ``field`` of hash ``key`` and return it; the hash lives ``ttl_s`` s."""
        ...

    def hgetall(self, key: str) -> dict[str, str]:
        """Every field of hash ``key`` ({} when absent)."""
        ...

    def hlen(self, key: str) -> int:
        """The number of fields of hash ``key``."""
        ...

    def zadd(self, key: str, member: str, score: float) -> None:
        """Put ``member`` in the scored set ``key`` with ``score`` (replacing its score)."""
        ...

    def zrem(self, key: str, member: str) -> None:
        """Remove ``member`` from the scored set ``key``."""
        ...

    def zcount_from(self, key: str, low: float) -> int:
        """Drop members scored below ``low``, then count the rest."""
        ...


# ----------------------------------------------------------------------------- in-process


class MemoryStore:
    """:class:`ClassStore` in this process: a dict and a lock, expiry checked on access.

    ``clock`` (default :func:`time.monotonic`) is replaceable so tests can let hours pass.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._data: dict[str, tuple[Any, float]] = {}  # key -> (value, expires_at)
        self._sweep_at = 0.0

    def _live(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        return item[0]

    def _sweep(self) -> None:
        # Expired keys nobody reads again are dropped once a minute, so memory stays bounded.
        now = self._clock()
        if now < self._sweep_at:
            return
        self._sweep_at = now + 60
        for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[key]

    def get_many(self, keys: list[str]) -> list[str | None]:
        with self._lock:
            return [v if isinstance(v, str) else None for v in map(self._live, keys)]

    def set(self, key: str, value: str, ttl_s: float) -> None:
        with self._lock:
            self._sweep()
            self._data[key] = (value, self._clock() + ttl_s)

    def add(self, key: str, value: str, ttl_s: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._clock() + ttl_s)
            return True

    def delete(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def touch(self, keys: list[str], ttl_s: float) -> None:
        with self._lock:
            until = self._clock() + ttl_s
            for key in keys:
                value = self._live(key)
                if value is not None:
                    self._data[key] = (value, until)

    def incr(self, key: str, ttl_s: float) -> int:
        with self._lock:
            value = self._live(key)
            if value is None:
                self._data[key] = ("1", self._clock() + ttl_s)
                return 1
            n = int(value) + 1
            self._data[key] = (str(n), self._data[key][1])
            return n

    def _hash(self, key: str, ttl_s: float) -> dict[str, str]:
        value = self._live(key)
        if not isinstance(value, dict):
            value = {}
        self._data[key] = (value, self._clock() + ttl_s)
        return value

    def hset(self, key: str, field: str, value: str, ttl_s: float) -> None:
        with self._lock:
            self._hash(key, ttl_s)[field] = value

    def hincr(self, key: str, field: str, ttl_s: float) -> int:
        with self._lock:
            table = self._hash(key, ttl_s)
            n = int(table.get(field, "0")) + 1
            table[field] = str(n)
            return n

    def hgetall(self, key: str) -> dict[str, str]:
        with self._lock:
            value = self._live(key)
            return dict(value) if isinstance(value, dict) else {}

    def hlen(self, key: str) -> int:
        with self._lock:
            value = self._live(key)
            return len(value) if isinstance(value, dict) else 0

    def zadd(self, key: str, member: str, score: float) -> None:
        with self._lock:
            value = self._live(key)
            if not isinstance(value, dict):
                value = {}
            value[member] = float(score)
            self._data[key] = (value, float("inf"))

    def zrem(self, key: str, member: str) -> None:
        with self._lock:
            value = self._live(key)
            if isinstance(value, dict):
                value.pop(member, None)

    def zcount_from(self, key: str, low: float) -> int:
        with self._lock:
            value = self._live(key)
            if not isinstance(value, dict):
                return 0
            for member in [m for m, s in value.items() if s < low]:
                del value[member]
            return len(value)


_MEMORY: MemoryStore | None = None
_MEMORY_LOCK = threading.Lock()


def memory_store() -> MemoryStore:
    """The process-wide :class:`MemoryStore` every session of this server shares."""
    global _MEMORY
    with _MEMORY_LOCK:
        if _MEMORY is None:
            _MEMORY = MemoryStore()
        return _MEMORY


# ----------------------------------------------------------------------------- Redis


def _ms(ttl_s: float) -> int:
    return max(1, round(ttl_s * 1000))


class RedisStore:
    """:class:`ClassStore` on a Redis server (``redis://host:port/db``); the ``redis``
    package is imported here only, so one server never needs it."""

    def __init__(self, url: str, *, prefix: str = "") -> None:
        import redis  # only when configured: CONVLAB_REDIS_URL

        self.prefix = prefix
        self._r = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
        )

    def _k(self, key: str) -> str:
        return self.prefix + key

    def _ks(self, keys: Iterable[str]) -> list[str]:
        return [self.prefix + k for k in keys]

    def ping(self) -> bool:
        return bool(self._r.ping())

    def get_many(self, keys: list[str]) -> list[str | None]:
        return list(self._r.mget(self._ks(keys))) if keys else []

    def set(self, key: str, value: str, ttl_s: float) -> None:
        self._r.set(self._k(key), value, px=_ms(ttl_s))

    def add(self, key: str, value: str, ttl_s: float) -> bool:
        return bool(self._r.set(self._k(key), value, px=_ms(ttl_s), nx=True))

    def delete(self, keys: list[str]) -> None:
        if keys:
            self._r.delete(*self._ks(keys))

    def touch(self, keys: list[str], ttl_s: float) -> None:
        pipe = self._r.pipeline(transaction=False)
        for key in self._ks(keys):
            pipe.pexpire(key, _ms(ttl_s))
        pipe.execute()

    def incr(self, key: str, ttl_s: float) -> int:
        pipe = self._r.pipeline(transaction=True)
        pipe.incr(self._k(key))
        pipe.pexpire(self._k(key), _ms(ttl_s), nx=True)
        return int(pipe.execute()[0])

    def hset(self, key: str, field: str, value: str, ttl_s: float) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.hset(self._k(key), field, value)
        pipe.pexpire(self._k(key), _ms(ttl_s))
        pipe.execute()

    def hincr(self, key: str, field: str, ttl_s: float) -> int:
        pipe = self._r.pipeline(transaction=True)
        pipe.hincrby(self._k(key), field, 1)
        pipe.pexpire(self._k(key), _ms(ttl_s))
        return int(pipe.execute()[0])

    def hgetall(self, key: str) -> dict[str, str]:
        return dict(self._r.hgetall(self._k(key)))

    def hlen(self, key: str) -> int:
        return int(self._r.hlen(self._k(key)))

    def zadd(self, key: str, member: str, score: float) -> None:
        self._r.zadd(self._k(key), {member: score})

    def zrem(self, key: str, member: str) -> None:
        self._r.zrem(self._k(key), member)

    def zcount_from(self, key: str, low: float) -> int:
        pipe = self._r.pipeline(transaction=True)
        pipe.zremrangebyscore(self._k(key), "-inf", f"({low}")
        pipe.zcard(self._k(key))
        return int(pipe.execute()[1])


_REDIS: dict[str, RedisStore] = {}


def store_from_env(env: dict[str, str] | None = None) -> ClassStore:
    """The store this server's configuration asks for.

    ``CONVLAB_REDIS_URL`` set: a :class:`RedisStore` on it (one client per URL and process).
    Otherwise the process's :class:`MemoryStore`, unless ``CONVLAB_REPLICAS`` says the app
    runs as several replicas: then :class:`StoreUnavailable` (``key="class.errors.needs_redis"``).
    """
    env = dict(os.environ) if env is None else env
    url = env.get(REDIS_ENV, "").strip()
    if url:
        store = _REDIS.get(url)
        if store is None:
            store = _REDIS[url] = RedisStore(url)
        return store
    try:
        replicas = int(env.get(REPLICAS_ENV, "1") or "1")
    except ValueError:
        replicas = 1
    if replicas > 1:
        raise StoreUnavailable(
            "class.errors.needs_redis",
            f"class mode needs Redis when the app runs as several replicas: {REPLICAS_ENV}="
            f"{replicas} but {REDIS_ENV} is not set",
        )
    return memory_store()
