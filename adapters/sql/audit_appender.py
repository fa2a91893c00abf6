"""Audit events written on their own, in as few round trips as the database allows.

An event is recorded after the change it describes committed, alone; in a transaction
that is three round trips on PostgreSQL (BEGIN, INSERT, COMMIT) for what one INSERT in
autocommit does as atomically. SQLite, in the process, keeps its ordinary transaction
(its engine takes the write lock at BEGIN).

Events of one tenant are also grouped, as databases group commits: while one write is
under way, the events that arrive wait and go together in the next one (one pipelined
``executemany``). Each caller still returns only once its own event is written (or
raises if that write failed), so the guarantee is the same as one write per event; a
quiet tenant's event is written at once, and a busy one's take one round trip per batch
instead of one each. A batch that fails is written again event by event, so one event the
database refuses does not take the others of its batch with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID

from adapters.sql.audit_repository import ADD_EVENT, event_row
from adapters.sql.driver_statements import DriverStatement
from adapters.sql.engines import TenantEngines
from core.audit.model import AuditEvent

Write = Callable[[UUID, list[AuditEvent]], Awaitable[None]]
_Waiting = list[tuple[AuditEvent, "asyncio.Future[None]"]]
_Key = tuple[asyncio.AbstractEventLoop, UUID]


class GroupedWrites:
    """At most one write per tenant under way; what arrives meanwhile goes in the next.

    Kept per event loop as well (a CLI or a test may run several loops in turn), so a
    loop's writer only ever settles futures of its own loop."""

    def __init__(self, write: Write) -> None:
        self._write = write
        self._waiting: dict[_Key, _Waiting] = {}
        self._writers: dict[_Key, asyncio.Task[None]] = {}

    async def append(self, tenant_id: UUID, event: AuditEvent) -> None:
        loop = asyncio.get_running_loop()
        key, written = (loop, tenant_id), loop.create_future()
        written.add_done_callback(_retrieved)  # a caller that gave up leaves no warning
        self._waiting.setdefault(key, []).append((event, written))
        if key not in self._writers:
            self._writers[key] = loop.create_task(self._drain(key))
        await asyncio.shield(written)  # a caller that gives up leaves the batch alone

    async def _drain(self, key: _Key) -> None:
        batch: _Waiting = []
        try:
            while batch := self._waiting.pop(key, []):
                await self._settle(key[1], batch)
        finally:
            del self._writers[key]
            for _, written in batch + self._waiting.pop(key, []):  # cancelled (shutdown):
                written.cancel()  # nobody may wait for ever; a settled future stays as it is

    async def _settle(self, tenant_id: UUID, batch: _Waiting) -> None:
        """Write one batch; each waiting caller learns how its own event fared."""
        try:
            await self._write(tenant_id, [event for event, _ in batch])
        except Exception as error:  # noqa: BLE001 - handed to the waiting callers, who log it
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            for one in batch:
                await self._settle(tenant_id, [one])
        else:
            for _, written in batch:
                written.set_result(None)


def _retrieved(written: asyncio.Future[None]) -> None:
    if not written.cancelled():
        written.exception()


class SqlAuditAppender:
    def __init__(self, engines: TenantEngines) -> None:
        self._engines = engines
        self._grouped = GroupedWrites(self._write)

    async def append(self, tenant_id: UUID, event: AuditEvent) -> None:
        await self._grouped.append(tenant_id, event)

    async def _write(self, tenant_id: UUID, events: list[AuditEvent]) -> None:
        rows = [event_row(event) for event in events]
        engine = await self._engines.engine_for(tenant_id)
        if engine.dialect.name != "postgresql":
            async with engine.begin() as connection:
                await _ADD_EVENTS.run_many(connection, rows)
            return
        async with engine.connect() as connection:
            alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await _ADD_EVENTS.run_many(alone, rows)


_ADD_EVENTS = DriverStatement(ADD_EVENT)
