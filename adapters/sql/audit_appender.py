"""One audit event written on its own, in as few round trips as the database allows.

An event is recorded after the change it describes committed, alone; in a transaction
that is three round trips on PostgreSQL (BEGIN, INSERT, COMMIT) for what one INSERT in
autocommit does as atomically. SQLite, in the process, keeps its ordinary transaction
(its engine takes the write lock at BEGIN).
"""

from __future__ import annotations

from uuid import UUID

from adapters.sql.audit_repository import ADD_EVENT, event_row
from adapters.sql.engines import TenantEngines
from core.audit.model import AuditEvent


class SqlAuditAppender:
    def __init__(self, engines: TenantEngines) -> None:
        self._engines = engines

    async def append(self, tenant_id: UUID, event: AuditEvent) -> None:
        engine = await self._engines.engine_for(tenant_id)
        if engine.dialect.name != "postgresql":
            async with engine.begin() as connection:
                await connection.execute(ADD_EVENT, event_row(event))
            return
        async with engine.connect() as connection:
            alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await alone.execute(ADD_EVENT, event_row(event))
