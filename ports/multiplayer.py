"""Shared AR rooms: one multiplayer room per assistance session, and who may enter it.

The multiplayer service (Photon in production) holds the live room; the platform names
the room, hands each participant a short-lived ticket to enter it, and later checks that
ticket when the service asks (custom authentication). Room names derive from the tenant
and session ids, never from user text, so a room always says whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RoomAddress:
    """The tenant and session a room belongs to."""

    tenant_id: UUID
    session_id: UUID


@dataclass(frozen=True, slots=True)
class MultiplayerJoin:
    """What a client needs to enter the session's room: the part of the join answer."""

    provider: str
    app_id: str
    region: str
    room_name: str
    ticket: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RoomTicket:
    """A verified ticket: who it admits, to which tenant's session, until when."""

    tenant_id: UUID
    session_id: UUID
    participant_id: UUID
    expires_at: datetime


class InvalidRoomTicket(Exception):
    """A ticket that was not signed by the platform, is malformed, or has expired."""


class MultiplayerRooms(Protocol):
    name: str

    def room_name(self, room: RoomAddress) -> str:
        """The room's name at the multiplayer service, derived from the ids only."""
        ...

    def room_address(self, room_name: str) -> RoomAddress | None:
        """The tenant and session a room name stands for; None for a name not ours."""
        ...

    def join_info(self, room: RoomAddress, participant_id: UUID, ttl: timedelta) -> MultiplayerJoin:
        """Everything a participant needs to enter the room, with a ticket signed offline."""
        ...

    def verify_ticket(self, ticket: str) -> RoomTicket:
        """The ticket's claims if the platform signed it and it has not expired.

        Raises InvalidRoomTicket otherwise.
        """
        ...


@dataclass(frozen=True, slots=True)
class Occupant:
    """Someone in a room, as the multiplayer service reported them."""

    participant_id: UUID
    actor_number: int
    entered_at: datetime


class RoomPresence(Protocol):
    """Who is in which room right now, as the multiplayer service's webhooks report it."""

    async def entered(self, room: RoomAddress, occupant: Occupant) -> None: ...

    async def left(self, room: RoomAddress, participant_id: UUID) -> None: ...

    async def closed(self, room: RoomAddress) -> None:
        """The room is gone: nobody is in it any more."""
        ...

    async def occupants(self, room: RoomAddress) -> list[Occupant]: ...
