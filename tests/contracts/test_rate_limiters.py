"""Rate limiters: slots spaced at the rate, shared by every limiter on the same store."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.rate_limiter import MemoryRateLimiter
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from adapters.sql.rate_limiter import SqlRateLimiter
from ports.rate_limiter import RateLimiter
from tests.conftest import fresh_database

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def limiters(
    request: pytest.FixtureRequest, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[list[RateLimiter]]:
    """For SQL, two limiters as two worker processes have them: two engines, one database."""
    if request.param == "memory":
        yield [MemoryRateLimiter(clock)]
        return
    async with fresh_database(request.param, tmp_path) as database:
        engines = [create_engine(database.url), create_engine(database.url)]
        await upgrade(engines[0], History.CONTROL)
        try:
            yield [SqlRateLimiter(engine, clock) for engine in engines]
        finally:
            for engine in engines:
                await engine.dispose()


async def _waits(limiters: list[RateLimiter], count: int, **options: int) -> list[timedelta]:
    calls = [
        limiters[n % len(limiters)].reserve("vonage-sms:key", 30, **options) for n in range(count)
    ]
    return sorted(await asyncio.gather(*calls))


async def test_reservations_are_spaced_at_the_rate_across_limiters(
    limiters: list[RateLimiter],
) -> None:
    waits = await _waits(limiters, 90)
    assert waits[0] == timedelta(0)
    gaps = {round((b - a).total_seconds(), 6) for a, b in itertools.pairwise(waits)}
    assert gaps == {round(1 / 30, 6)}
    assert waits[-1] >= timedelta(seconds=89 / 30) - timedelta(milliseconds=1)


async def test_a_burst_goes_at_once_then_the_rate_applies(limiters: list[RateLimiter]) -> None:
    waits = await _waits(limiters, 12, burst=10)
    assert waits[:10] == [timedelta(0)] * 10
    assert waits[10] > timedelta(0)


async def test_quiet_time_is_not_saved_up_beyond_the_burst(
    limiters: list[RateLimiter], clock: FixedClock
) -> None:
    await _waits(limiters, 5)
    clock.advance(timedelta(minutes=5))
    waits = await _waits(limiters, 3)
    assert waits[0] == timedelta(0)
    assert waits[1] > timedelta(0)


async def test_keys_do_not_share_slots(limiters: list[RateLimiter]) -> None:
    first = await limiters[0].reserve("vonage-sms:a", 1)
    other = await limiters[-1].reserve("vonage-sms:b", 1)
    again = await limiters[0].reserve("vonage-sms:a", 1)
    assert (first, other) == (timedelta(0), timedelta(0))
    assert again == timedelta(seconds=1)
