"""API request limiters: the kit's contract in process and in Redis, and Redis's failure mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.request_limiter import MemoryRequestLimiter
from adapters.redis.request_limiter import RedisRequestLimiter
from plugins.testing.request_limiter import START, Harness, RequestLimiterContract
from ports.request_limiter import Quota
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures


@pytest.fixture(params=["memory", "redis"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Redis: two clients, as two API replicas have, on the server's own clock."""
    if request.param == "memory":
        clock = FixedClock(START)
        limiter = MemoryRequestLimiter(clock)
        yield Harness(limiter, limiter, clock)
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    first, second = (RedisRequestLimiter(url, key_prefix=prefix) for _ in range(2))
    try:
        yield Harness(first, second, None)
    finally:
        await first.close()
        await second.close()


class TestEveryRequestLimiter(RequestLimiterContract):
    """The kit's contract (plugins.testing.request_limiter), against each built-in limiter."""


async def test_an_unreachable_redis_lets_requests_pass() -> None:
    limiter = RedisRequestLimiter("redis://127.0.0.1:1/0", timeout=0.2)
    try:
        verdict = await limiter.hit("ip:3", Quota(1, 60))
    finally:
        await limiter.close()
    assert verdict.allowed
