"""Room presence held in the process: who Photon's webhooks said is in each room.

Presence is live state that Photon re-reports on every join and leave, and that is gone
when the room closes, so it is not written to the tenant database. Each change is one
step with no await inside, so concurrent webhooks cannot interleave. Held in one
process, it is exact with one API replica (the embedded default, small deployments);
with Redis configured, the container uses ``adapters.redis.room_presence`` instead, which
every replica shares.
"""

from __future__ import annotations

from uuid import UUID

from ports.multiplayer import Occupant, RoomAddress


class InProcessRoomPresence:
    def __init__(self) -> None:
        self._rooms: dict[RoomAddress, dict[UUID, Occupant]] = {}

    async def entered(self, room: RoomAddress, occupant: Occupant) -> None:
        self._rooms.setdefault(room, {})[occupant.participant_id] = occupant

    async def left(self, room: RoomAddress, participant_id: UUID) -> None:
        self._rooms.get(room, {}).pop(participant_id, None)

    async def closed(self, room: RoomAddress) -> None:
        self._rooms.pop(room, None)

    async def occupants(self, room: RoomAddress) -> list[Occupant]:
        return sorted(self._rooms.get(room, {}).values(), key=lambda o: o.actor_number)
