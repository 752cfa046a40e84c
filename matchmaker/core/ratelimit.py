"""Counting attempts per key in fixed time windows, behind one small interface (`Limiter`): a
per-process backend (`MemoryLimiter`) and a shared one in Redis (`RedisLimiter`), so several
server processes can share their counts. Callers name the key ("login:203.0.113.9"), the limit
and the window; the answer says whether to go on and, if not, how long to wait."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from matchmaker.core.config import Settings

Clock = Callable[[], float]
MAX_MEMORY_KEYS = 100_000  # expired windows are dropped past this many keys


@dataclass(frozen=True)
class Verdict:
    """The state of one key's window: whether one more attempt is allowed, the attempts counted
    so far, the limit, and the seconds until the window ends (what Retry-After says)."""

    allowed: bool
    count: int
    limit: int
    retry_after: int


class Limiter(Protocol):
    """Fixed-window counters: `hit` counts an attempt, `peek` looks without counting."""

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        """Count one attempt; allowed while the count, this one included, is within the limit."""
        ...

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        """Whether one more attempt would be allowed now, counting nothing."""
        ...

    def reset(self, key: str) -> None:
        """Forget a key's count (e.g. after a successful login)."""
        ...


class MemoryLimiter:
    """Counters in this process's memory (one server process; tests; development)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, window: int, now: float) -> tuple[float, int]:
        start, count = self._windows.get(key, (now, 0))
        if now - start >= window:
            return now, 0
        return start, count

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        """Count one attempt in the key's current window."""
        now = self._clock()
        with self._lock:
            start, count = self._current(key, window, now)
            count += 1
            self._windows[key] = (start, count)
            if len(self._windows) > MAX_MEMORY_KEYS:
                self._prune(now, window)
        return _verdict(count, limit, start + window - now, counted=True)

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        """The key's window as it stands."""
        now = self._clock()
        with self._lock:
            start, count = self._current(key, window, now)
        return _verdict(count, limit, start + window - now, counted=False)

    def reset(self, key: str) -> None:
        """Forget the key."""
        with self._lock:
            self._windows.pop(key, None)

    def _prune(self, now: float, window: int) -> None:
        stale = [k for k, (start, _) in self._windows.items() if now - start >= window]
        for k in stale:
            del self._windows[k]


class RedisLimiter:
    """Counters in Redis (INCR with an expiry per window), shared by every server process."""

    def __init__(self, client: Any, prefix: str = "matchmaker:rl:") -> None:
        self._redis = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisLimiter:
        """A limiter on the Redis server at this URL (redis://host:port/db)."""
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0))

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        """INCR the key; the first attempt of a window sets its expiry."""
        name = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.pttl(name)
        count, _, ttl_ms = pipe.execute()
        return _verdict(int(count), limit, _seconds(ttl_ms, window), counted=True)

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        """Read the key's count and remaining time."""
        name = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.get(name)
        pipe.pttl(name)
        raw, ttl_ms = pipe.execute()
        return _verdict(int(raw or 0), limit, _seconds(ttl_ms, window), counted=False)

    def reset(self, key: str) -> None:
        """Delete the key."""
        self._redis.delete(self._prefix + key)


class NoLimiter:
    """Counts nothing and allows everything (MATCHMAKER_RATE_LIMITS=false, e.g. load benchmarks)."""

    def hit(self, key: str, limit: int, window: int) -> Verdict:
        """Always allowed."""
        return Verdict(True, 0, limit, 0)

    def peek(self, key: str, limit: int, window: int) -> Verdict:
        """Always allowed."""
        return Verdict(True, 0, limit, 0)

    def reset(self, key: str) -> None:
        """Nothing to forget."""


def _seconds(ttl_ms: Any, window: int) -> float:
    ttl = int(ttl_ms) if ttl_ms is not None else -1
    return ttl / 1000 if ttl >= 0 else float(window)


def _verdict(count: int, limit: int, remaining: float, *, counted: bool) -> Verdict:
    allowed = count <= limit if counted else count < limit
    wait = 0 if allowed else max(1, math.ceil(remaining))
    return Verdict(allowed, count, limit, wait)


def make_limiter(settings: Settings) -> Limiter:
    """The limiter the settings ask for: none, Redis when a URL is set, else this process's."""
    if not settings.rate_limits:
        return NoLimiter()
    if settings.rate_limit_redis_url:
        return RedisLimiter.from_url(settings.rate_limit_redis_url)
    return MemoryLimiter()
