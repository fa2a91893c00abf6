"""A contract's ``harness`` over two clients of one state, as two API replicas have them.

An in-process adapter is one object, so both replicas are it; a Redis one is two clients
of the machine's Redis under the test's key prefix (the test module imports the
``redis_url`` and ``redis_prefix`` fixtures), closed afterwards; a SQL one is two engines
on one fresh control database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from tests.conftest import fresh_database

Harness = TypeVar("Harness")


class _OverRedis(Protocol):
    def __call__(self, url: str, *, key_prefix: str) -> Any: ...


def replica_harness(
    local_name: str,
    in_process: Callable[[], object],
    over_redis: _OverRedis,
    harness: Callable[[Any, Any], Harness],
) -> Any:
    """A ``harness`` fixture with params ``local_name`` (``in_process()`` as both replicas)
    and "redis" (two ``over_redis(url, key_prefix=)`` clients)."""

    @pytest.fixture(params=[local_name, "redis"], name="harness")
    async def fixture(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
        if request.param == local_name:
            one = in_process()
            yield harness(one, one)
            return
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        first, second = (over_redis(url, key_prefix=prefix) for _ in range(2))
        try:
            yield harness(first, second)
        finally:
            await first.close()
            await second.close()

    return fixture


def control_database_harness(
    in_process: Callable[[], object],
    over_engine: Callable[[AsyncEngine], object],
    harness: Callable[[Any, Any], Harness],
) -> Any:
    """A ``harness`` fixture with params "memory" (``in_process()`` as both replicas),
    "sqlite" and "postgresql" (``over_engine`` on two engines, one migrated database)."""

    @pytest.fixture(params=["memory", "sqlite", "postgresql"], name="harness")
    async def fixture(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
        if request.param == "memory":
            one = in_process()
            yield harness(one, one)
            return
        async with fresh_database(request.param, tmp_path) as database:
            engines = [create_engine(database.url), create_engine(database.url)]
            await upgrade(engines[0], History.CONTROL)
            try:
                yield harness(*(over_engine(engine) for engine in engines))
            finally:
                for engine in engines:
                    await engine.dispose()

    return fixture
