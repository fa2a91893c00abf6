"""Idempotency stores: the kit's contract against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.memory.idempotency_store import MemoryIdempotencyStore
from adapters.sql.engines import create_engine
from adapters.sql.idempotency_store import SqlIdempotencyStore
from adapters.sql.migrator import History, upgrade
from plugins.testing.idempotency import Harness, IdempotencyStoreContract
from tests.conftest import fresh_database


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    """For SQL, two stores as two API replicas have them: two engines, one database."""
    if request.param == "memory":
        store = MemoryIdempotencyStore()
        yield Harness(store, store)
        return
    async with fresh_database(request.param, tmp_path) as database:
        engines = [create_engine(database.url), create_engine(database.url)]
        await upgrade(engines[0], History.CONTROL)
        try:
            first, second = (SqlIdempotencyStore(engine) for engine in engines)
            yield Harness(first, second)
        finally:
            for engine in engines:
                await engine.dispose()


class TestEveryIdempotencyStore(IdempotencyStoreContract):
    """The kit's contract (plugins.testing.idempotency), against each built-in store."""
