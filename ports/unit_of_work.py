"""One transaction in one tenant's database: every use case commits through one of these."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from ports.credentials import ApiKeyRepository, OneTimeTokenRepository, RefreshTokenRepository
from ports.devices import DeviceAuthorizationRepository, DeviceRepository
from ports.notification_customisation import CustomisationRepository
from ports.outbox import OutboxRepository
from ports.sessions import InvitationRepository, ParticipantRepository, SessionRepository
from ports.users import UserRepository


class TenantUnitOfWork(Protocol):
    users: UserRepository
    outbox: OutboxRepository
    customisation: CustomisationRepository
    devices: DeviceRepository
    device_authorizations: DeviceAuthorizationRepository
    one_time_tokens: OneTimeTokenRepository
    refresh_tokens: RefreshTokenRepository
    api_keys: ApiKeyRepository

    @property
    def sessions(self) -> SessionRepository:
        """Read-only, so a unit of work may offer a richer repository (ports.session_store)."""
        ...

    @property
    def participants(self) -> ParticipantRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make the changes durable. Once: the unit of work is spent after it (the SQL one
        gives its connection back at once)."""
        ...


class TenantUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> TenantUnitOfWork: ...
