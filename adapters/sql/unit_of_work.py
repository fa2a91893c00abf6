"""A transaction on one tenant database, with the repositories bound to it."""

from __future__ import annotations

import logging
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.admissions import SqlAdmissions
from adapters.sql.audit_repository import SqlAuditEventRepository
from adapters.sql.credential_repository import (
    SqlApiKeyRepository,
    SqlOneTimeTokenRepository,
    SqlRefreshTokenRepository,
)
from adapters.sql.customisation_repository import SqlCustomisationRepository
from adapters.sql.device_repository import SqlDeviceAuthorizationRepository, SqlDeviceRepository
from adapters.sql.engines import TenantEngines
from adapters.sql.file_repository import SqlFileRepository
from adapters.sql.outbox_repository import SqlOutboxRepository
from adapters.sql.recording_repository import SqlRecordingRepository
from adapters.sql.retention_repository import SqlRetentionRecords
from adapters.sql.session_repository import (
    SqlCallPreferenceRepository,
    SqlInvitationRepository,
    SqlParticipantRepository,
    SqlSessionRepository,
)
from adapters.sql.unit_transactions import UnitTransaction, begin
from adapters.sql.usage_ledger import SqlUsageLedger
from adapters.sql.user_repository import SqlUserRepository
from adapters.sql.webhook_endpoint_repository import SqlWebhookEndpointRepository
from ports.audit import AuditEventRepository
from ports.credentials import ApiKeyRepository, OneTimeTokenRepository, RefreshTokenRepository
from ports.devices import DeviceAuthorizationRepository, DeviceRepository
from ports.dispatch_index import DispatchIndex
from ports.file_store import FileRecords
from ports.notification_customisation import CustomisationRepository
from ports.outbox import OutboxRepository
from ports.recordings import RecordingRepository
from ports.retention import RetentionRecords
from ports.secret_sealer import SecretSealer
from ports.session_store import (
    CallPreferences,
    GuestInvitations,
    ParticipantRecords,
    SessionRecords,
)
from ports.usage_ledger import UsageLedger
from ports.users import UserRepository
from ports.webhooks import WebhookEndpointRepository

log = logging.getLogger(__name__)


class SqlTenantUnitOfWork:
    users: UserRepository
    sessions: SessionRecords
    participants: ParticipantRecords
    invitations: GuestInvitations
    call_preferences: CallPreferences
    outbox: OutboxRepository
    customisation: CustomisationRepository
    one_time_tokens: OneTimeTokenRepository
    refresh_tokens: RefreshTokenRepository
    api_keys: ApiKeyRepository
    devices: DeviceRepository
    device_authorizations: DeviceAuthorizationRepository
    recordings: RecordingRepository
    files: FileRecords
    webhook_endpoints: WebhookEndpointRepository
    audit: AuditEventRepository
    retention: RetentionRecords
    usage: UsageLedger
    admissions: SqlAdmissions
    _transaction: UnitTransaction

    def __init__(
        self,
        engines: TenantEngines,
        tenant_id: UUID,
        sealer: SecretSealer,
        dispatch: DispatchIndex | None = None,
    ) -> None:
        self._engines = engines
        self._tenant_id = tenant_id
        self._sealer = sealer
        self._dispatch = dispatch
        self._connection: AsyncConnection | None = None
        self._earliest_due: datetime | None = None

    async def __aenter__(self) -> Self:
        engine = await self._engines.engine_for(self._tenant_id)
        connection = await engine.connect()
        try:
            self._transaction = await begin(connection)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.participants = SqlParticipantRepository(connection)
        self.invitations = SqlInvitationRepository(connection)
        self.call_preferences = SqlCallPreferenceRepository(connection)
        self.outbox = SqlOutboxRepository(connection, on_added=self._note_due)
        self.customisation = SqlCustomisationRepository(connection)
        self.one_time_tokens = SqlOneTimeTokenRepository(connection)
        self.refresh_tokens = SqlRefreshTokenRepository(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.devices = SqlDeviceRepository(connection)
        self.device_authorizations = SqlDeviceAuthorizationRepository(connection)
        self.recordings = SqlRecordingRepository(connection)
        self.files = SqlFileRepository(connection)
        self.webhook_endpoints = SqlWebhookEndpointRepository(
            connection, self._sealer, self._tenant_id
        )
        self.audit = SqlAuditEventRepository(connection)
        self.retention = SqlRetentionRecords(connection)
        self.usage = SqlUsageLedger(connection)
        self.admissions = SqlAdmissions(connection)
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
            await self._transaction.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        """Commit and give the connection back, then tell the dispatch index when the new
        outbox messages are due. A unit of work commits once: its repositories fail after.

        The index lives in another database, so it is told after the commit; if that
        fails the messages are still safe, and the worker's periodic full scan finds them.
        """
        connection, self._connection = self._connection, None
        if connection is None:
            raise RuntimeError("unit of work used outside its 'async with' block or committed")
        try:
            await self._transaction.commit()
        finally:
            await connection.close()
        due, self._earliest_due = self._earliest_due, None
        if due is not None and self._dispatch is not None:
            try:
                await self._dispatch.mark(self._tenant_id, due)
            except SQLAlchemyError:
                log.exception("dispatch index not updated for tenant %s", self._tenant_id)

    def _note_due(self, due_at: datetime) -> None:
        if self._earliest_due is None or due_at < self._earliest_due:
            self._earliest_due = due_at


class SqlTenantUnitOfWorkFactory:
    def __init__(
        self, engines: TenantEngines, sealer: SecretSealer, dispatch: DispatchIndex | None = None
    ) -> None:
        self._engines = engines
        self._sealer = sealer
        self._dispatch = dispatch

    def __call__(self, tenant_id: UUID) -> SqlTenantUnitOfWork:
        return SqlTenantUnitOfWork(self._engines, tenant_id, self._sealer, self._dispatch)
