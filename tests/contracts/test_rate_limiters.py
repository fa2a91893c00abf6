"""Rate limiters: the kit's contract against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.rate_limiter import MemoryRateLimiter
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from adapters.sql.rate_limiter import SqlRateLimiter
from plugins.testing.rate_limiter import START, Harness, RateLimiterContract
from tests.conftest import fresh_database


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    """For SQL, two limiters as two worker processes have them: two engines, one database."""
    clock = FixedClock(START)
    if request.param == "memory":
        yield Harness([MemoryRateLimiter(clock)], clock)
        return
    async with fresh_database(request.param, tmp_path) as database:
        engines = [create_engine(database.url), create_engine(database.url)]
        await upgrade(engines[0], History.CONTROL)
        try:
            yield Harness([SqlRateLimiter(engine, clock) for engine in engines], clock)
        finally:
            for engine in engines:
                await engine.dispose()


class TestEveryRateLimiter(RateLimiterContract):
    """The kit's contract (plugins.testing.rate_limiter), against each built-in limiter."""
