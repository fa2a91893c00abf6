"""What Photon's calls are checked against: the tenant, its session and its participants.

Photon calls one URL per application, not a tenant's host, so the tenant comes from a
signed join ticket or from a room name the platform derived from ids. Every check
answers the same way whatever failed (no tenant, another tenant, no session, ended
session, stranger), so a caller learns nothing about other tenants.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from apps.container import Container
from core.errors import DomainError
from core.sessions.model import AssistanceSession, Participant
from ports.multiplayer import RoomAddress


class RoomRefused(Exception):
    """Photon must not let this in: the message says why, for Photon's log."""


@dataclass(frozen=True, slots=True)
class RoomMember:
    session: AssistanceSession
    participant: Participant


async def find_member(
    container: Container, room: RoomAddress, participant_id: UUID, *, open_only: bool
) -> RoomMember:
    """The participant of the tenant's session; RoomRefused for anything else."""
    tenant = await container.catalog().get(room.tenant_id)
    if tenant is None:
        raise RoomRefused("unknown session")
    try:
        tenant.ensure_serving()
    except DomainError as exc:
        raise RoomRefused("unknown session") from exc
    async with container.tenant_uow()(tenant.id) as uow:
        session = await uow.sessions.get(room.session_id)
        participants = (
            [] if session is None else await uow.participants.list_for_session(session.id)
        )
    if session is None:
        raise RoomRefused("unknown session")
    if open_only and not session.state.is_open:
        raise RoomRefused(f"the session is {session.state.value}")
    participant = next((p for p in participants if p.id == participant_id), None)
    if participant is None:
        raise RoomRefused("not a participant of this session")
    return RoomMember(session, participant)
