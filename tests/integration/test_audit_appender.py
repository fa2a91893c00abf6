"""Audit events appended at the same moment are all written, in one write or several, and
read back as they were given."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.audit_appender import SqlAuditAppender
from adapters.sql.audit_repository import SqlAuditEventRepository
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from core.audit.model import SYSTEM, AuditEvent, AuditFilter
from ports.pagination import PageRequest
from tests.conftest import Database

NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class OneDatabase:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def engine_for(self, tenant_id: UUID) -> AsyncEngine:
        return self.engine


def _event(number: int) -> AuditEvent:
    return AuditEvent(
        id=uuid.uuid4(),
        occurred_at=NOON + timedelta(seconds=number),
        actor=SYSTEM,
        action=f"session.event_{number}",
        target_type="session",
        target_id=str(number),
        ip="192.0.2.7",
        request_id=f"req-{number}",
        details={"n": number},
    )


async def test_events_appended_together_are_all_written_as_given(database: Database) -> None:
    engine = create_engine(database.url)
    try:
        await upgrade(engine, History.TENANT)
        appender = SqlAuditAppender(OneDatabase(engine))  # type: ignore[arg-type]
        tenant, events = uuid.uuid4(), [_event(n) for n in range(6)]

        await asyncio.gather(*(appender.append(tenant, event) for event in events))

        async with engine.connect() as connection:
            found = await SqlAuditEventRepository(connection).list(AuditFilter(), PageRequest(10))
    finally:
        await engine.dispose()
    assert sorted(found.items, key=lambda e: e.occurred_at) == events
