"""The shared AR room of a session: who the multiplayer service may let in, and who is in.

The multiplayer service calls one URL per application, not a tenant's host, so the tenant
comes from a signed join ticket or from a room name the platform derived from ids. Every
check answers the same way whatever failed (no tenant, another tenant, no session, ended
session, stranger), so a caller learns nothing about other tenants. Presence lives in the
``RoomPresence`` port (Redis when several API replicas run), never in a tenant database:
the service reports it again on every join and leave, and it is gone when the room closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

from core.errors import DomainError
from core.sessions.model import AssistanceSession, Participant
from ports.clock import Clock
from ports.multiplayer import Occupant, RoomAddress, RoomPresence
from ports.session_store import SessionUnitOfWork, SessionUnitOfWorkFactory
from ports.tenant_catalog import TenantCatalog


class RoomRefused(Exception):
    """The multiplayer service must not let this in: the message says why, for its log."""


@dataclass(frozen=True, slots=True)
class RoomDependencies:
    catalog: TenantCatalog
    tenant_uow: SessionUnitOfWorkFactory
    presence: RoomPresence
    clock: Clock


@dataclass(frozen=True, slots=True)
class RoomMember:
    session: AssistanceSession
    participant: Participant


async def find_member(
    room: RoomAddress, participant_id: UUID, deps: RoomDependencies, *, present_only: bool
) -> RoomMember:
    """The participant of the tenant's session; RoomRefused for anything else.

    ``present_only``: the session is open and the participant has not left it (nor been
    removed by the host), as whoever enters the room or acts in it must be; a leave is
    taken whatever happened since."""
    async with _tenant_session(room, deps) as (uow, session):
        participants = await uow.participants.list_for_session(session.id)
    participant = next((p for p in participants if p.id == participant_id), None)
    if participant is None:
        raise RoomRefused("not a participant of this session")
    if present_only:
        _ensure_open(session)
        if participant.left_at is not None:
            raise RoomRefused("the participant has left the session")
    return RoomMember(session, participant)


@asynccontextmanager
async def _tenant_session(
    room: RoomAddress, deps: RoomDependencies
) -> AsyncIterator[tuple[SessionUnitOfWork, AssistanceSession]]:
    """The room's session, in a unit of work of its tenant, if the tenant serves."""
    tenant = await deps.catalog.get(room.tenant_id)
    if tenant is None:
        raise RoomRefused("unknown session")
    try:
        tenant.ensure_serving()
    except DomainError as exc:
        raise RoomRefused("unknown session") from exc
    async with deps.tenant_uow(tenant.id) as uow:
        session = await uow.sessions.get(room.session_id)
        if session is None:
            raise RoomRefused("unknown session")
        yield uow, session


async def _existing_session(room: RoomAddress, deps: RoomDependencies) -> AssistanceSession:
    async with _tenant_session(room, deps) as (_, session):
        return session


def _ensure_open(session: AssistanceSession) -> None:
    if not session.state.is_open:
        raise RoomRefused(f"the session is {session.state.value}")


async def admit_to_room(
    room: RoomAddress, participant_id: UUID, deps: RoomDependencies
) -> RoomMember:
    """Someone asks to enter or create the room: only a participant of an open session."""
    return await find_member(room, participant_id, deps, present_only=True)


async def entered_room(
    room: RoomAddress, participant_id: UUID, actor_number: int, deps: RoomDependencies
) -> None:
    """A participant of an open session is in the room, under the service's actor number."""
    await find_member(room, participant_id, deps, present_only=True)
    occupant = Occupant(participant_id, actor_number, deps.clock.now())
    await deps.presence.entered(room, occupant)


async def left_room(room: RoomAddress, participant_id: UUID, deps: RoomDependencies) -> None:
    """A participant left (the session may have ended meanwhile: leaving is always allowed)."""
    await find_member(room, participant_id, deps, present_only=False)
    await deps.presence.left(room, participant_id)


async def room_closed(room: RoomAddress, deps: RoomDependencies) -> None:
    """The room is gone, so is its presence, whatever the answer; the close is refused
    (ResultCode 3) for a room of no known session."""
    await deps.presence.closed(room)
    await _existing_session(room, deps)


async def room_occupants(room: RoomAddress, deps: RoomDependencies) -> list[Occupant]:
    return await deps.presence.occupants(room)
