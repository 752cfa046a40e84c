"""The limiter interface on both backends: this process's memory and a real Redis server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest

from matchmaker.core.ratelimit import Limiter, MemoryLimiter, RedisLimiter

REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    """A clock the test moves by hand (memory backend)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def redis_limiter() -> RedisLimiter:
    """A limiter on the test Redis, or skip (never in CI, where Redis runs)."""
    limiter = RedisLimiter.from_url(REDIS_URL)
    try:
        limiter._redis.ping()
    except Exception as exc:  # connection refused, no server
        if os.environ.get("CI"):
            pytest.fail(f"Redis must run in CI at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return limiter


@pytest.mark.parametrize("make", [lambda: MemoryLimiter(), redis_limiter], ids=["memory", "redis"])
def test_a_window_allows_the_limit_then_refuses_with_the_time_to_wait(
    make: Callable[[], Limiter],
) -> None:
    limiter = make()
    key = f"test:{uuid.uuid4().hex}"
    verdicts = [limiter.hit(key, 3, 60) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    assert 0 < verdicts[-1].retry_after <= 60
    assert not limiter.peek(key, 3, 60).allowed, "peek sees the full window"
    assert limiter.peek(key, 3, 60).count == 5, "and counts nothing"
    other = f"test:{uuid.uuid4().hex}"
    assert limiter.peek(other, 3, 60).allowed and limiter.hit(other, 3, 60).allowed
    limiter.reset(key)
    assert limiter.hit(key, 3, 60).allowed


def test_memory_windows_end_after_their_length() -> None:
    clock = Clock()
    limiter = MemoryLimiter(clock)
    for _ in range(3):
        limiter.hit("k", 2, 60)
    refused = limiter.hit("k", 2, 60)
    assert not refused.allowed and refused.retry_after == 60
    clock.now += 59.5
    assert limiter.hit("k", 2, 60).retry_after == 1
    clock.now += 1
    assert limiter.hit("k", 2, 60).allowed, "a new window"


def test_redis_counts_are_shared_between_limiters_and_expire() -> None:
    first = redis_limiter()
    second = RedisLimiter.from_url(REDIS_URL)  # another server process, same Redis
    key = f"test:{uuid.uuid4().hex}"
    assert first.hit(key, 2, 1).allowed and second.hit(key, 2, 1).allowed
    assert not first.hit(key, 2, 1).allowed
    assert first._redis.ttl("matchmaker:rl:" + key) in (0, 1), "the window expires"
