"""Tenant data held in dictionaries, with transactions as copy-on-commit snapshots."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID

from adapters.memory.credentials import MemoryApiKeys, MemoryOneTimeTokens, MemoryRefreshTokens
from adapters.memory.devices import MemoryDeviceAuthorizations, MemoryDevices
from adapters.memory.usage_ledger import MemoryUsageLedger
from core.devices.model import Device, DeviceAuthorization
from core.errors import Conflict
from core.identity.credentials import ApiKey, OneTimeToken, RefreshToken
from core.identity.model import Role, User, UserStatus
from core.notifications.customisation import SenderIdentity, TemplateKey, TemplateOverride
from core.notifications.model import NotificationStatus, OutboxMessage
from core.recordings.model import RecordingMode
from core.sessions.model import AssistanceSession, Invitation, Participant, SessionState
from core.sessions.preferences import CallPreference
from core.usage.meter import SessionMeter
from core.usage.model import Month
from ports.credentials import ApiKeyRepository, OneTimeTokenRepository, RefreshTokenRepository
from ports.devices import DeviceAuthorizationRepository, DeviceRepository
from ports.dispatch_index import DispatchIndex
from ports.notification_customisation import CustomisationRepository
from ports.outbox import OutboxRepository
from ports.pagination import Page, PageRequest, Position
from ports.session_store import (
    CallPreferences,
    GuestInvitations,
    JoinSnapshot,
    ParticipantRecords,
    SessionRecords,
)
from ports.usage_ledger import UsageLedger
from ports.users import UserRepository

T = TypeVar("T")


@dataclass
class TenantData:
    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, AssistanceSession] = field(default_factory=dict)
    participants: dict[UUID, Participant] = field(default_factory=dict)
    invitations: dict[UUID, Invitation] = field(default_factory=dict)
    outbox: dict[UUID, OutboxMessage] = field(default_factory=dict)
    call_preferences: dict[UUID, CallPreference] = field(default_factory=dict)
    sender: SenderIdentity = field(default_factory=SenderIdentity)
    template_overrides: dict[TemplateKey, TemplateOverride] = field(default_factory=dict)
    devices: dict[UUID, Device] = field(default_factory=dict)
    device_authorizations: dict[UUID, DeviceAuthorization] = field(default_factory=dict)
    one_time_tokens: dict[UUID, OneTimeToken] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    api_keys: dict[UUID, ApiKey] = field(default_factory=dict)
    meters: dict[UUID, SessionMeter] = field(default_factory=dict)
    usage_months: dict[Month, int] = field(default_factory=dict)
    recording_mode: RecordingMode = RecordingMode.ON_REQUEST

    def copy(self) -> TenantData:
        return replace(
            self,
            template_overrides=dict(self.template_overrides),
            users=dict(self.users),
            sessions=dict(self.sessions),
            participants=dict(self.participants),
            invitations=dict(self.invitations),
            outbox=dict(self.outbox),
            call_preferences=dict(self.call_preferences),
            devices=dict(self.devices),
            device_authorizations=dict(self.device_authorizations),
            one_time_tokens=dict(self.one_time_tokens),
            refresh_tokens=dict(self.refresh_tokens),
            api_keys=dict(self.api_keys),
            meters=dict(self.meters),
            usage_months=dict(self.usage_months),
        )


def keyset_page(items: list[T], page: PageRequest, key: Callable[[T], Position]) -> Page[T]:
    ordered = sorted(items, key=lambda item: (key(item).created_at, key(item).id))
    if page.after is not None:
        after = (page.after.created_at, page.after.id)
        ordered = [item for item in ordered if (key(item).created_at, key(item).id) > after]
    chosen = ordered[: page.limit]
    has_more = len(ordered) > page.limit
    return Page(items=chosen, next=key(chosen[-1]) if has_more else None)


def _position(item: Any) -> Position:
    return Position(created_at=item.created_at, id=item.id)


class MemoryUsers:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def add(self, user: User) -> None:
        if any(existing.email == user.email for existing in self._data.users.values()):
            raise Conflict("e-mail address already in use", field="email", code="email_taken")
        self._data.users[user.id] = user

    async def save(self, user: User) -> None:
        self._data.users[user.id] = user

    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        return self._data.users.get(user_id)

    async def find_by_email(self, email: str) -> User | None:
        return next((u for u in self._data.users.values() if u.email == email), None)

    async def list(self, page: PageRequest, *, role: Role | None = None) -> Page[User]:
        chosen = [u for u in self._data.users.values() if role is None or u.role is role]
        return keyset_page(chosen, page, _position)

    async def count_active_admins(self) -> int:
        return sum(
            1
            for u in self._data.users.values()
            if u.role is Role.ADMIN and u.status is UserStatus.ACTIVE
        )


class MemorySessions:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def add(self, session: AssistanceSession) -> None:
        self._data.sessions[session.id] = session

    async def save(self, session: AssistanceSession) -> None:
        self._data.sessions[session.id] = session

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AssistanceSession | None:
        return self._data.sessions.get(session_id)

    async def list(self, page: PageRequest) -> Page[AssistanceSession]:
        return keyset_page(list(self._data.sessions.values()), page, _position)

    async def count_open(self) -> int:
        return sum(1 for s in self._data.sessions.values() if s.state.is_open)

    async def due_for_sweep(
        self, now: datetime, idle_since: datetime
    ) -> builtins.list[AssistanceSession]:
        def due(s: AssistanceSession) -> bool:
            if s.state is SessionState.RINGING:
                return s.ring_deadline is not None and s.ring_deadline <= now
            quiet = s.last_activity_at or s.updated_at
            return s.state in (SessionState.ACTIVE, SessionState.CREATED) and quiet <= idle_since

        return sorted(filter(due, self._data.sessions.values()), key=lambda s: (s.created_at, s.id))


class MemoryParticipants:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def add(self, participant: Participant) -> None:
        self._data.participants[participant.id] = participant

    async def list_for_session(self, session_id: UUID) -> list[Participant]:
        found = [p for p in self._data.participants.values() if p.session_id == session_id]
        return sorted(found, key=lambda p: (p.joined_at, p.id))

    async def get(self, participant_id: UUID) -> Participant | None:
        return self._data.participants.get(participant_id)

    async def save(self, participant: Participant) -> None:
        self._data.participants[participant.id] = participant

    async def present_between(self, start: datetime, end: datetime) -> list[Participant]:
        found = [
            p
            for p in self._data.participants.values()
            if p.joined_at < end and (p.left_at is None or p.left_at > start)
        ]
        return sorted(found, key=lambda p: (p.joined_at, p.id))


class MemoryInvitations:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def add(self, invitation: Invitation) -> None:
        self._data.invitations[invitation.id] = invitation

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[Invitation]:
        found = [i for i in self._data.invitations.values() if i.session_id == session_id]
        return keyset_page(found, page, _position)

    async def get(self, invitation_id: UUID) -> Invitation | None:
        return self._data.invitations.get(invitation_id)

    async def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        found = (i for i in self._data.invitations.values() if i.token_hash == token_hash)
        return next(found, None)

    async def save(self, invitation: Invitation) -> None:
        self._data.invitations[invitation.id] = invitation


class MemoryCallPreferences:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def get(self, user_id: UUID) -> CallPreference | None:
        return self._data.call_preferences.get(user_id)

    async def save(self, preference: CallPreference) -> None:
        self._data.call_preferences[preference.user_id] = preference


class MemoryOutbox:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def add(self, message: OutboxMessage) -> None:
        self._data.outbox[message.id] = message

    async def save(self, message: OutboxMessage) -> None:
        self._data.outbox[message.id] = message

    async def get(self, message_id: UUID) -> OutboxMessage | None:
        return self._data.outbox.get(message_id)

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        def ready(m: OutboxMessage) -> bool:
            if m.status in (NotificationStatus.QUEUED, NotificationStatus.FAILED):
                return m.next_attempt_at <= now
            lease = m.lease_expires_at
            return m.status is NotificationStatus.SENDING and lease is not None and lease <= now

        found = sorted(
            filter(ready, self._data.outbox.values()), key=lambda m: (m.next_attempt_at, m.id)
        )
        return found[:limit]

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[OutboxMessage]:
        found = [m for m in self._data.outbox.values() if m.session_id == session_id]
        return keyset_page(found, page, _position)

    async def next_due(self) -> datetime | None:
        waiting = (NotificationStatus.QUEUED, NotificationStatus.FAILED)
        times = [
            m.next_attempt_at if m.status in waiting else m.lease_expires_at
            for m in self._data.outbox.values()
            if m.status in waiting or m.status is NotificationStatus.SENDING
        ]
        present = [t for t in times if t is not None]
        return min(present) if present else None


class MemoryCustomisation:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def sender(self) -> SenderIdentity:
        return self._data.sender

    async def save_sender(self, sender: SenderIdentity) -> None:
        self._data.sender = sender

    async def override(self, key: TemplateKey) -> TemplateOverride | None:
        return self._data.template_overrides.get(key)

    async def overrides_for(
        self, keys: Iterable[TemplateKey]
    ) -> dict[TemplateKey, TemplateOverride]:
        found = self._data.template_overrides
        return {key: found[key] for key in set(keys) if key in found}

    async def save_override(self, override: TemplateOverride) -> None:
        existing = self._data.template_overrides.get(override.key)
        if existing is not None:
            override = replace(override, id=existing.id, created_at=existing.created_at)
        self._data.template_overrides[override.key] = override

    async def delete_override(self, key: TemplateKey) -> bool:
        return self._data.template_overrides.pop(key, None) is not None

    async def list_overrides(self, page: PageRequest) -> Page[TemplateOverride]:
        return keyset_page(
            list(self._data.template_overrides.values()),
            page,
            lambda item: Position(created_at=item.created_at, id=item.id),
        )


class MemoryRecordingModes:
    def __init__(self, data: TenantData) -> None:
        self._data = data

    async def mode(self) -> RecordingMode:
        return self._data.recording_mode


@dataclass
class MemoryAdmissions:
    """A join's read and writes, as the SQL adapter makes them in one statement each."""

    sessions: SessionRecords
    participants: ParticipantRecords
    usage: UsageLedger

    async def read_for_join(self, session_id: UUID, now: datetime) -> JoinSnapshot | None:
        session = await self.sessions.get(session_id, for_update=True)
        if session is None:
            return None
        meter = await self.usage.meter(session_id)
        return JoinSnapshot(session, meter, await self.usage.minutes_so_far(now))

    async def record(
        self, session: AssistanceSession, participant: Participant, meter: SessionMeter
    ) -> None:
        await self.sessions.save(session)
        await self.participants.add(participant)
        await self.usage.save_meter(meter)


class MemoryTenantUnitOfWork:
    """Works on a copy of the tenant's data; commit publishes the copy, exit discards it."""

    users: UserRepository
    sessions: SessionRecords
    participants: ParticipantRecords
    invitations: GuestInvitations
    call_preferences: CallPreferences
    outbox: OutboxRepository
    customisation: CustomisationRepository
    devices: DeviceRepository
    device_authorizations: DeviceAuthorizationRepository
    one_time_tokens: OneTimeTokenRepository
    refresh_tokens: RefreshTokenRepository
    api_keys: ApiKeyRepository
    usage: UsageLedger
    recordings: MemoryRecordingModes
    admissions: MemoryAdmissions

    def __init__(
        self,
        stores: dict[UUID, TenantData],
        tenant_id: UUID,
        dispatch: DispatchIndex | None = None,
    ) -> None:
        self._stores = stores
        self._tenant_id = tenant_id
        self._dispatch = dispatch
        self.committed = False

    async def __aenter__(self) -> Self:
        self._working = self._stores.setdefault(self._tenant_id, TenantData()).copy()
        self.users = MemoryUsers(self._working)
        self.sessions = MemorySessions(self._working)
        self.participants = MemoryParticipants(self._working)
        self.invitations = MemoryInvitations(self._working)
        self.call_preferences = MemoryCallPreferences(self._working)
        self.outbox = MemoryOutbox(self._working)
        self.customisation = MemoryCustomisation(self._working)
        self.devices = MemoryDevices(self._working.devices, keyset_page)
        self.device_authorizations = MemoryDeviceAuthorizations(self._working.device_authorizations)
        self.one_time_tokens = MemoryOneTimeTokens(self._working.one_time_tokens)
        self.refresh_tokens = MemoryRefreshTokens(self._working.refresh_tokens)
        self.api_keys = MemoryApiKeys(self._working.api_keys, keyset_page)
        self.usage = MemoryUsageLedger(self._working.meters, self._working.usage_months)
        self.recordings = MemoryRecordingModes(self._working)
        self.admissions = MemoryAdmissions(self.sessions, self.participants, self.usage)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        if self.committed:
            raise RuntimeError("unit of work already committed")
        before = self._stores.get(self._tenant_id, TenantData()).outbox
        added = [
            m.next_attempt_at
            for i, m in self._working.outbox.items()
            if m.status is NotificationStatus.QUEUED and before.get(i) != m
        ]
        self._stores[self._tenant_id] = self._working.copy()
        self.committed = True
        if added and self._dispatch is not None:
            await self._dispatch.mark(self._tenant_id, min(added))


class MemoryTenantUnitOfWorkFactory:
    def __init__(self, dispatch: DispatchIndex | None = None) -> None:
        self.stores: dict[UUID, TenantData] = {}
        self._dispatch = dispatch

    def __call__(self, tenant_id: UUID) -> MemoryTenantUnitOfWork:
        return MemoryTenantUnitOfWork(self.stores, tenant_id, self._dispatch)

    def data(self, tenant_id: UUID) -> TenantData:
        return self.stores.setdefault(tenant_id, TenantData())
