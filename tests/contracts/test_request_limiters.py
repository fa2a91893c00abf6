"""API request limiters: GCRA with a burst of ``limit``, in process and in Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.request_limiter import MemoryRequestLimiter
from adapters.redis.request_limiter import RedisRequestLimiter
from ports.request_limiter import Quota, RequestLimiter
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis"])
async def limiters(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[list[RequestLimiter], FixedClock | None]]:
    """Two limiters sharing one state (Redis: two clients, as two API replicas have)."""
    if request.param == "memory":
        clock = FixedClock(START)
        limiter = MemoryRequestLimiter(clock)
        yield [limiter, limiter], clock
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    shared = [RedisRequestLimiter(url, key_prefix=prefix) for _ in range(2)]
    try:
        yield list(shared), None
    finally:
        for client in shared:
            await client.close()


async def test_limit_requests_pass_then_the_next_is_refused_with_a_wait(
    limiters: tuple[list[RequestLimiter], FixedClock | None],
) -> None:
    pair, _ = limiters
    quota = Quota(5, 60)
    verdicts = [await pair[n % 2].hit("ip:1", quota) for n in range(6)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert [v.remaining for v in verdicts] == [4, 3, 2, 1, 0, 0]
    refused = verdicts[-1]
    assert 1 <= refused.retry_after_seconds <= 12
    assert refused.limit == 5
    assert 48 <= refused.reset_seconds <= 60


async def test_concurrent_hits_never_let_more_than_the_limit_through(
    limiters: tuple[list[RequestLimiter], FixedClock | None],
) -> None:
    pair, _ = limiters
    quota = Quota(10, 60)
    verdicts = await asyncio.gather(*(pair[n % 2].hit("user:x", quota) for n in range(40)))
    assert sum(v.allowed for v in verdicts) == 10


async def test_keys_are_counted_apart(
    limiters: tuple[list[RequestLimiter], FixedClock | None],
) -> None:
    pair, _ = limiters
    quota = Quota(1, 60)
    assert (await pair[0].hit("tenant:a", quota)).allowed
    assert (await pair[1].hit("tenant:b", quota)).allowed
    assert not (await pair[1].hit("tenant:a", quota)).allowed


async def test_a_refused_request_is_not_counted_and_time_frees_a_slot(
    limiters: tuple[list[RequestLimiter], FixedClock | None],
) -> None:
    pair, clock = limiters
    quota = Quota(2, 0.2) if clock is None else Quota(2, 60)
    for _ in range(2):
        assert (await pair[0].hit("ip:2", quota)).allowed
    for _ in range(3):
        assert not (await pair[1].hit("ip:2", quota)).allowed
    if clock is None:
        await asyncio.sleep(0.12)
    else:
        clock.advance(timedelta(seconds=31))
    assert (await pair[0].hit("ip:2", quota)).allowed
    assert not (await pair[1].hit("ip:2", quota)).allowed


async def test_an_unreachable_redis_lets_requests_pass() -> None:
    limiter = RedisRequestLimiter("redis://127.0.0.1:1/0", timeout=0.2)
    try:
        verdict = await limiter.hit("ip:3", Quota(1, 60))
    finally:
        await limiter.close()
    assert verdict.allowed
