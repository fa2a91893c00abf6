"""The outbox dispatch index in the control database."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import outbox_dispatch
from ports.dispatch_index import DueTenant


class SqlDispatchIndex:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def mark(self, tenant_id: UUID, due_at: datetime) -> None:
        """One upsert: keep the earlier due time, bump the version."""
        insert = (
            postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        )(outbox_dispatch).values(tenant_id=tenant_id, due_at=due_at, version=1)
        earlier = sa.case(
            (insert.excluded.due_at < outbox_dispatch.c.due_at, insert.excluded.due_at),
            else_=outbox_dispatch.c.due_at,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[outbox_dispatch.c.tenant_id],
            set_={"due_at": earlier, "version": outbox_dispatch.c.version + 1},
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def due(self, now: datetime, limit: int) -> list[DueTenant]:
        query = (
            sa.select(outbox_dispatch.c.tenant_id, outbox_dispatch.c.version)
            .where(outbox_dispatch.c.due_at <= now)
            .order_by(outbox_dispatch.c.due_at)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [DueTenant(tenant_id=row.tenant_id, version=row.version) for row in rows]

    async def settle(self, entry: DueTenant, next_due: datetime | None) -> bool:
        unchanged = sa.and_(
            outbox_dispatch.c.tenant_id == entry.tenant_id,
            outbox_dispatch.c.version == entry.version,
        )
        statement = (
            outbox_dispatch.delete().where(unchanged)
            if next_due is None
            else outbox_dispatch.update().where(unchanged).values(due_at=next_due)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)
