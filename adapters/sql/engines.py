"""Async engines: one for the control database, a bounded cache of them for tenant databases."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(url: str | URL, *, pool_size: int = 5, max_overflow: int = 5) -> AsyncEngine:
    """An engine with the settings each backend needs to behave like the other.

    SQLite gets foreign keys, WAL, a busy timeout and ``BEGIN IMMEDIATE``: every
    transaction takes the write lock up front, so two transactions that read then write
    (claiming outbox rows, say) wait for each other instead of failing half-way. That
    serialises writers, which suits the embedded profile's single process.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        parsed, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class TenantEngines:
    """Engines of tenant databases, least recently used evicted past ``max_engines``.

    The bound keeps the number of pools (and so of connections to a shared instance)
    finite whatever the number of tenants.
    """

    def __init__(
        self,
        url_for: Callable[[UUID], URL],
        *,
        max_engines: int = 50,
        pool_size: int = 2,
        max_overflow: int = 3,
    ) -> None:
        self._url_for = url_for
        self._max = max_engines
        self._pool_size = pool_size
        self._max_overflow = max_overflow
        self._engines: OrderedDict[UUID, AsyncEngine] = OrderedDict()
        self._evicted: set[asyncio.Task[None]] = set()

    def get(self, tenant_id: UUID) -> AsyncEngine:
        engine = self._engines.get(tenant_id)
        if engine is not None:
            self._engines.move_to_end(tenant_id)
            return engine
        engine = create_engine(
            self._url_for(tenant_id), pool_size=self._pool_size, max_overflow=self._max_overflow
        )
        self._engines[tenant_id] = engine
        while len(self._engines) > self._max:
            _, oldest = self._engines.popitem(last=False)
            task = asyncio.get_running_loop().create_task(oldest.dispose())
            self._evicted.add(task)
            task.add_done_callback(self._evicted.discard)
        return engine

    def __len__(self) -> int:
        return len(self._engines)

    async def forget(self, tenant_id: UUID) -> None:
        engine = self._engines.pop(tenant_id, None)
        if engine is not None:
            await engine.dispose()

    async def dispose(self) -> None:
        engines = list(self._engines.values())
        self._engines.clear()
        for engine in engines:
            await engine.dispose()
        if self._evicted:
            await asyncio.gather(*self._evicted)
