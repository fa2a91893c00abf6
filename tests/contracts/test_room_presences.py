"""Room presence: the kit's contract in process and in Redis (two clients, as replicas)."""

from __future__ import annotations

from adapters.photon.presence import InProcessRoomPresence
from adapters.redis.room_presence import RedisRoomPresence
from plugins.testing.room_presence import Harness, RoomPresenceContract
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures
from tests.support.replica_harness import replica_harness

harness = replica_harness("in-process", InProcessRoomPresence, RedisRoomPresence, Harness)


class TestEveryRoomPresence(RoomPresenceContract):
    """The kit's contract (plugins.testing.room_presence), against each built-in presence."""
