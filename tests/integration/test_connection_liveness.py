"""PostgreSQL connections are pinged on checkout only after sitting idle: a connection the
server dropped while it sat idle is replaced before the caller sees it, and one used moments
ago is handed out with no ping (no extra round trip)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sql.liveness import ping_when_idle
from tests.conftest import Database, fresh_database


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock_and_engine(tmp_path: Path) -> AsyncIterator[tuple[FakeClock, AsyncEngine]]:
    async with fresh_database("postgresql", tmp_path) as database:
        yield await _engine(database)


async def _engine(database: Database) -> tuple[FakeClock, AsyncEngine]:
    clock = FakeClock()
    engine = create_async_engine(database.url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=10.0, monotonic=clock)
    return clock, engine


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(engine: AsyncEngine, pid: int) -> None:
    other = create_async_engine(engine.url, pool_size=1)
    try:
        async with other.connect() as connection:
            await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    clock_and_engine: tuple[FakeClock, AsyncEngine],
) -> None:
    clock, engine = clock_and_engine
    try:
        first = await _backend_pid(engine)
        await _terminate(engine, first)
        clock.now += 11.0
        second = await _backend_pid(engine)
    finally:
        await engine.dispose()
    assert second != first


async def test_a_connection_used_moments_ago_is_not_pinged(
    clock_and_engine: tuple[FakeClock, AsyncEngine],
) -> None:
    clock, engine = clock_and_engine
    pings: list[Any] = []
    original = engine.sync_engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    engine.sync_engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    try:
        await _backend_pid(engine)
        clock.now += 9.0
        await _backend_pid(engine)
        assert pings == []
        clock.now += 11.0
        await _backend_pid(engine)
        assert len(pings) == 1
    finally:
        await engine.dispose()
