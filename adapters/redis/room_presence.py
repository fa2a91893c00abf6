"""Room presence in Redis, shared by every API replica: Photon may call any of them.

Each room is a hash ``<prefix>rooms:<tenant>:<session>`` of participant id -> actor
number and time of entry. Every change is one Redis command, so webhooks reaching
different replicas at once cannot interleave halfway. A room whose close webhook never
came expires a day after its last change, so nothing outlives an abandoned room.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import cast
from uuid import UUID

from redis.asyncio import Redis

from ports.multiplayer import Occupant, RoomAddress

ROOM_TTL_SECONDS = 24 * 3600


class RedisRoomPresence:
    def __init__(self, url: str, *, key_prefix: str = "pxr:", timeout: float = 0.5) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
        self._prefix = key_prefix + "rooms:"

    async def entered(self, room: RoomAddress, occupant: Occupant) -> None:
        value = json.dumps({"a": occupant.actor_number, "t": occupant.entered_at.timestamp()})
        key = self._key(room)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, str(occupant.participant_id), value)
            pipe.expire(key, ROOM_TTL_SECONDS)
            await pipe.execute()

    async def left(self, room: RoomAddress, participant_id: UUID) -> None:
        await self._redis.hdel(self._key(room), str(participant_id))

    async def closed(self, room: RoomAddress) -> None:
        await self._redis.delete(self._key(room))

    async def occupants(self, room: RoomAddress) -> list[Occupant]:
        found = cast("dict[str, str]", await self._redis.hgetall(self._key(room)))
        occupants = [_occupant(participant, raw) for participant, raw in found.items()]
        return sorted(occupants, key=lambda o: o.actor_number)

    async def close(self) -> None:
        await self._redis.aclose()

    def _key(self, room: RoomAddress) -> str:
        return f"{self._prefix}{room.tenant_id}:{room.session_id}"


def _occupant(participant: str, raw: str) -> Occupant:
    value = json.loads(raw)
    entered_at = datetime.fromtimestamp(value["t"], tz=UTC)
    return Occupant(UUID(participant), int(value["a"]), entered_at)
