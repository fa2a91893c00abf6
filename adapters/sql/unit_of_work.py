"""A transaction on one tenant database, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.engines import TenantEngines
from adapters.sql.outbox_repository import SqlOutboxRepository
from adapters.sql.session_repository import (
    SqlInvitationRepository,
    SqlParticipantRepository,
    SqlSessionRepository,
)
from adapters.sql.user_repository import SqlUserRepository
from ports.outbox import OutboxRepository
from ports.sessions import InvitationRepository, ParticipantRepository, SessionRepository
from ports.users import UserRepository


class SqlTenantUnitOfWork:
    users: UserRepository
    sessions: SessionRepository
    participants: ParticipantRepository
    invitations: InvitationRepository
    outbox: OutboxRepository

    def __init__(self, engines: TenantEngines, tenant_id: UUID) -> None:
        self._engines = engines
        self._tenant_id = tenant_id
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        engine = await self._engines.engine_for(self._tenant_id)
        connection = await engine.connect()
        await connection.begin()
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.participants = SqlParticipantRepository(connection)
        self.invitations = SqlInvitationRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("unit of work used outside its 'async with' block")
        await self._connection.commit()


class SqlTenantUnitOfWorkFactory:
    def __init__(self, engines: TenantEngines) -> None:
        self._engines = engines

    def __call__(self, tenant_id: UUID) -> SqlTenantUnitOfWork:
        return SqlTenantUnitOfWork(self._engines, tenant_id)
