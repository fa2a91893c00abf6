"""Photon rooms: names from tenant + session ids, join tickets for custom authentication.

Nothing here calls Photon: the client connects to Photon with the app id and region,
sends the ticket as its ``token`` auth parameter, and Photon asks the platform's
custom-authentication endpoint whether to let it in. The development adapter is the
same with a local app id, so the embedded platform's endpoints behave as in production.
"""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from adapters.photon.tickets import TicketSigner
from ports.clock import Clock
from ports.multiplayer import MultiplayerJoin, RoomAddress, RoomTicket

_ROOM_NAME = re.compile(r"pxr-([0-9a-f]{32})-([0-9a-f]{32})")


class PhotonRooms:
    def __init__(self, *, name: str, app_id: str, region: str, secret: bytes, clock: Clock) -> None:
        if len(secret) < 32:
            raise ValueError("the ticket secret must be at least 32 bytes")
        self.name = name
        self._app_id = app_id
        self._region = region
        self._signer = TicketSigner(secret)
        self._clock = clock

    def room_name(self, room: RoomAddress) -> str:
        return f"pxr-{room.tenant_id.hex}-{room.session_id.hex}"

    def room_address(self, room_name: str) -> RoomAddress | None:
        match = _ROOM_NAME.fullmatch(room_name)
        if match is None:
            return None
        return RoomAddress(UUID(match[1]), UUID(match[2]))

    def join_info(self, room: RoomAddress, participant_id: UUID, ttl: timedelta) -> MultiplayerJoin:
        expires_at = self._clock.now() + ttl
        ticket = RoomTicket(room.tenant_id, room.session_id, participant_id, expires_at)
        return MultiplayerJoin(
            provider=self.name,
            app_id=self._app_id,
            region=self._region,
            room_name=self.room_name(room),
            ticket=self._signer.sign(ticket),
            expires_at=expires_at,
        )

    def verify_ticket(self, ticket: str) -> RoomTicket:
        return self._signer.verify(ticket, self._clock.now())
