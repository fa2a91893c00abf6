"""Audit events of one tenant that arrive while a write is under way go together in the next
write; every caller returns once its own event is written, and learns if that write failed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.sql.audit_appender import GroupedWrites
from core.audit.model import SYSTEM, AuditEvent

TENANT, OTHER = uuid.uuid4(), uuid.uuid4()


def _event(action: str) -> AuditEvent:
    return AuditEvent(
        id=uuid.uuid4(),
        occurred_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        actor=SYSTEM,
        action=action,
        target_type="session",
        target_id=None,
        ip=None,
        request_id=None,
        details={},
    )


class SlowDatabase:
    """Each write waits until the test lets it through; ``fail`` makes the next ones fail."""

    def __init__(self) -> None:
        self.writes: list[tuple[UUID, list[str]]] = []
        self.gate = asyncio.Event()
        self.fail = False

    async def write(self, tenant_id: UUID, events: list[AuditEvent]) -> None:
        self.writes.append((tenant_id, [e.action for e in events]))
        await self.gate.wait()
        if self.fail:
            raise OSError("disk full")


async def test_events_arriving_during_a_write_go_together_in_the_next() -> None:
    database = SlowDatabase()
    grouped = GroupedWrites(database.write)

    first = asyncio.create_task(grouped.append(TENANT, _event("a")))
    await asyncio.sleep(0)
    later = [asyncio.create_task(grouped.append(TENANT, _event(n))) for n in "bcd"]
    elsewhere = asyncio.create_task(grouped.append(OTHER, _event("x")))
    await asyncio.sleep(0)
    assert not first.done()
    database.gate.set()
    await asyncio.gather(first, *later, elsewhere)

    assert sorted(database.writes) == sorted(
        [(TENANT, ["a"]), (TENANT, ["b", "c", "d"]), (OTHER, ["x"])]
    )


async def test_a_caller_returns_only_after_its_own_event_is_written() -> None:
    database = SlowDatabase()
    grouped = GroupedWrites(database.write)

    waiting = asyncio.create_task(grouped.append(TENANT, _event("a")))
    await asyncio.sleep(0.01)

    assert not waiting.done()
    database.gate.set()
    await waiting


async def test_every_caller_of_a_failed_write_hears_of_it_and_later_writes_still_run() -> None:
    database = SlowDatabase()
    database.fail = True
    database.gate.set()
    grouped = GroupedWrites(database.write)

    with pytest.raises(OSError, match="disk full"):
        await grouped.append(TENANT, _event("lost"))
    database.fail = False
    await grouped.append(TENANT, _event("kept"))

    assert database.writes == [(TENANT, ["lost"]), (TENANT, ["kept"])]


class PickyDatabase:
    """Refuses any write holding the event named ``bad``."""

    def __init__(self) -> None:
        self.written: list[str] = []

    async def write(self, tenant_id: UUID, events: list[AuditEvent]) -> None:
        await asyncio.sleep(0)
        if any(e.action == "bad" for e in events):
            raise ValueError("value too long")
        self.written += [e.action for e in events]


async def test_an_event_the_database_refuses_fails_alone_not_its_whole_batch() -> None:
    database = PickyDatabase()
    grouped = GroupedWrites(database.write)

    first = asyncio.create_task(grouped.append(TENANT, _event("a")))
    await asyncio.sleep(0)
    batch = [asyncio.create_task(grouped.append(TENANT, _event(n))) for n in ("b", "bad", "c")]
    results = await asyncio.gather(first, *batch, return_exceptions=True)

    assert [type(r).__name__ for r in results] == ["NoneType", "NoneType", "ValueError", "NoneType"]
    assert database.written == ["a", "b", "c"]


async def test_a_cancelled_writer_leaves_no_caller_waiting_for_ever() -> None:
    database = SlowDatabase()
    grouped = GroupedWrites(database.write)

    first = asyncio.create_task(grouped.append(TENANT, _event("a")))
    await asyncio.sleep(0)
    queued = asyncio.create_task(grouped.append(TENANT, _event("b")))
    await asyncio.sleep(0)
    for writer in list(grouped._writers.values()):
        writer.cancel()
    done, pending = await asyncio.wait({first, queued}, timeout=1)

    assert pending == set()
    assert all(task.cancelled() for task in done)
