"""Async engines: one for the control database, a bounded cache of them for tenant databases."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sql.liveness import ping_when_idle
from adapters.sql.shared_dialect import sharing_initialisation
from adapters.sql.tls import DatabaseTls


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 5,
    max_overflow: int = 0,
    tls: DatabaseTls | None = None,
) -> AsyncEngine:
    """An engine with the settings each backend needs to behave like the other.

    SQLite gets foreign keys, WAL, a busy timeout and ``BEGIN IMMEDIATE``: every
    transaction takes the write lock up front, so two transactions that read then write
    (claiming outbox rows, say) wait for each other instead of failing half-way. That
    serialises writers, which suits the embedded profile's single process. PostgreSQL
    connections are pinged on checkout only after sitting idle (``adapters.sql.liveness``).

    Both pool ``pool_size`` connections, opened as needed. SQLAlchemy closes an overflow
    connection when it is returned, so a pool busier than its size reconnects per use (on
    SQLite, also a new thread per connection): the defaults keep no overflow. Under 16
    concurrent joins, SQLite's default pool (5 + 10) cost 5 ms of API CPU per join against
    3 ms with 5 + 0 (``bench/sessions.py``).
    """
    parsed = make_url(url)
    pool = {"pool_size": pool_size, "max_overflow": max_overflow}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            pool = {}  # one in-memory database: SQLAlchemy keeps its single connection
        engine = create_async_engine(parsed, connect_args={"timeout": 30}, **pool)
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {"ssl": tls.asyncpg_ssl()} if tls is not None else {}
    if "statement_cache_size" in parsed.query:  # asyncpg's own cache, which takes an int
        connect_args["statement_cache_size"] = int(str(parsed.query["statement_cache_size"]))
        parsed = parsed.difference_update_query(["statement_cache_size"])
    engine = create_async_engine(parsed, connect_args=connect_args, **pool)
    ping_when_idle(engine)
    return engine


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
    """Engines of tenant databases: at most ``max_engines`` open, least recently used first out.

    Each engine holds at most ``pool_size + max_overflow`` connections, so connections to a
    shared instance stay under ``max_engines * (pool_size + max_overflow)`` whatever the
    number of tenants. Engines unused for ``idle_seconds`` are disposed too (checked on each
    ``get`` and by ``sweep``), so a quiet deployment holds no tenant connections at all.
    """

    def __init__(
        self,
        url_for: Callable[[UUID], URL],
        *,
        learn: Callable[[UUID], Awaitable[None]] | None = None,
        max_engines: int = 20,
        pool_size: int = 2,
        max_overflow: int = 2,
        idle_seconds: float = 300.0,
        tls: DatabaseTls | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url_for = url_for
        self._learn = learn
        self._max = max_engines
        self._pool_size = pool_size
        self._max_overflow = max_overflow
        self._idle = idle_seconds
        self._tls = tls
        self._monotonic = monotonic
        self._engines: OrderedDict[UUID, tuple[AsyncEngine, float]] = OrderedDict()
        self._disposing: set[asyncio.Task[None]] = set()

    @property
    def connection_bound(self) -> int:
        return self._max * (self._pool_size + self._max_overflow)

    async def engine_for(self, tenant_id: UUID) -> AsyncEngine:
        """The tenant's engine, its placement looked up first when it is not cached yet."""
        if tenant_id not in self._engines and self._learn is not None:
            await self._learn(tenant_id)
        return self.get(tenant_id)

    def get(self, tenant_id: UUID) -> AsyncEngine:
        """The engine of a tenant whose placement is already known (or that is shared)."""
        now = self._monotonic()
        cached = self._engines.pop(tenant_id, None)
        engine = cached[0] if cached else self._create(tenant_id)
        self._engines[tenant_id] = (engine, now)
        self._evict(now)
        return engine

    def open_uncached(self, url: URL) -> AsyncEngine:
        """A one-connection engine outside the cache, with the tenants' TLS settings: for a
        short job on a database that is no tenant's (building a template, creating or
        dropping a dedicated tenant's database from its server's maintenance database)."""
        return create_engine(url, pool_size=1, tls=self._tls)

    def sweep(self) -> int:
        """Dispose the engines idle for too long; returns how many were disposed."""
        return self._evict(self._monotonic())

    def __len__(self) -> int:
        return len(self._engines)

    def __contains__(self, tenant_id: object) -> bool:
        """Whether the tenant's engine is open now (a read of it would find it warm)."""
        return tenant_id in self._engines

    async def forget(self, tenant_id: UUID) -> None:
        cached = self._engines.pop(tenant_id, None)
        if cached is not None:
            await cached[0].dispose()

    async def dispose(self) -> None:
        engines = [engine for engine, _ in self._engines.values()]
        self._engines.clear()
        for engine in engines:
            await engine.dispose()
        if self._disposing:
            await asyncio.gather(*self._disposing)

    def _create(self, tenant_id: UUID) -> AsyncEngine:
        """An engine whose dialect reuses what earlier engines on its server learnt."""
        return create_engine(
            sharing_initialisation(self._url_for(tenant_id)),
            pool_size=self._pool_size,
            max_overflow=self._max_overflow,
            tls=self._tls,
        )

    def _evict(self, now: float) -> int:
        """Oldest first: the least recently used beyond the bound, then the idle ones."""
        evicted = 0
        while self._engines:
            tenant_id, (engine, last_used) = next(iter(self._engines.items()))
            if len(self._engines) <= self._max and now - last_used < self._idle:
                break
            del self._engines[tenant_id]
            task = asyncio.get_running_loop().create_task(engine.dispose())
            self._disposing.add(task)
            task.add_done_callback(self._disposing.discard)
            evicted += 1
        return evicted
