"""Realtime events: what clients (portal, phones, glasses) learn as it happens.

Each event names its audience (users and/or one session) so an adapter can fan it out
to the right channels; its ``data`` is flat JSON so every transport (Firebase paths,
WebSocket frames) carries it unchanged. ``SCHEMA_VERSION`` changes when a type's
fields change incompatibly; clients ignore types they do not know.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable
from uuid import UUID

SCHEMA_VERSION = 1

EventValue = str | int | bool | None


class EventType(StrEnum):
    SESSION_CREATED = "session.created"
    SESSION_STARTED = "session.started"
    SESSION_RINGING = "session.ringing"
    SESSION_ACCEPTED = "session.accepted"
    SESSION_DECLINED = "session.declined"
    SESSION_MISSED = "session.missed"
    SESSION_CANCELLED = "session.cancelled"
    SESSION_ENDED = "session.ended"
    PARTICIPANT_JOINED = "participant.joined"
    PARTICIPANT_LEFT = "participant.left"
    FILE_SHARED = "file.shared"
    RECORDING_READY = "recording.ready"
    NOTIFICATION_STATUS = "notification.status"
    PRESENCE_CHANGED = "presence.changed"


INTERNAL_EVENT_TYPES = frozenset({EventType.SESSION_CREATED, EventType.SESSION_STARTED})
"""Published by the core for the platform's own listeners (plugins' lifecycle hooks) and
never handed to a client transport: clients learn the same from ringing, accepted and
participant events."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives an event: these users wherever they are, and everyone in the session.

    ``tenant_wide`` also sends it to every user of the tenant (presence, which colleagues
    watch), through one channel rather than one per user.
    """

    user_ids: frozenset[UUID] = frozenset()
    session_id: UUID | None = None
    tenant_wide: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    tenant_id: UUID
    occurred_at: datetime
    audience: Audience
    data: Mapping[str, EventValue] = field(default_factory=dict)
    id: UUID = field(default_factory=uuid.uuid4)
    version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "type": self.type.value,
            "version": self.version,
            "tenant_id": str(self.tenant_id),
            "occurred_at": self.occurred_at.isoformat(),
            "data": dict(self.data),
        }


def user_channel(tenant_id: UUID, user_id: UUID) -> str:
    return f"tenants/{tenant_id}/users/{user_id}"


def session_channel(tenant_id: UUID, session_id: UUID) -> str:
    return f"tenants/{tenant_id}/sessions/{session_id}"


def tenant_channel(tenant_id: UUID) -> str:
    return f"tenants/{tenant_id}/everyone"


def channels_of(event: Event) -> list[str]:
    """The channels an event goes to: one per user of its audience, plus its session's."""
    found = [user_channel(event.tenant_id, user) for user in sorted(event.audience.user_ids)]
    if event.audience.session_id is not None:
        found.append(session_channel(event.tenant_id, event.audience.session_id))
    if event.audience.tenant_wide:
        found.append(tenant_channel(event.tenant_id))
    return found


class EventPublisher(Protocol):
    name: str

    async def publish(self, events: Sequence[Event]) -> None:
        """Hand events to the transport, in order. Called only after the change committed;
        raises EventsUnavailable when the transport cannot take them."""
        ...


class EventsUnavailable(Exception):
    """The realtime transport did not take the events; the committed change stands."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A live feed of channels. ``complete`` is False when a resume asked for events older
    than the kept history: some were lost, and the client should reload its state."""

    events: AsyncIterator[Mapping[str, object]]
    complete: bool = True


@runtime_checkable
class EventFeed(Protocol):
    """The subscribing side, for transports the platform serves itself (WebSocket, SSE)."""

    def follow(
        self, channels: Sequence[str], *, after: str | None = None
    ) -> AbstractAsyncContextManager[Subscription]:
        """Events of ``channels`` as their ``to_json`` form, live; with ``after`` (an event
        id), first those kept since that event. Each event comes once, even if it was sent
        to several of the channels."""
        ...


@runtime_checkable
class EventRetention(Protocol):
    """Transports that store events until they are deleted (Firebase) prune old ones."""

    async def prune(self, before: datetime) -> int:
        """Delete events that occurred before ``before``; return how many."""
        ...


@dataclass(frozen=True, slots=True)
class ClientGrant:
    """What a client needs to read its events straight from the transport."""

    token: str
    expires_in_seconds: int
    database_url: str
    channels: tuple[str, ...]


@runtime_checkable
class ClientAccess(Protocol):
    """Transports that clients reach directly (Firebase) sign them a credential."""

    async def grant(self, tenant_id: UUID, user_id: UUID, role: str) -> ClientGrant:
        """A credential confining the client to the tenant and the user's own channels."""
        ...
