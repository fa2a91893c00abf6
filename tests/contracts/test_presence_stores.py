"""Presence stores: the kit's contract in process and in Redis (two clients, as replicas)."""

from __future__ import annotations

from adapters.memory.presence_store import MemoryPresenceStore
from adapters.redis.presence_store import RedisPresenceStore
from plugins.testing.presence import Harness, PresenceStoreContract
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures
from tests.support.replica_harness import replica_harness

harness = replica_harness("memory", MemoryPresenceStore, RedisPresenceStore, Harness)


class TestEveryPresenceStore(PresenceStoreContract):
    """The kit's contract (plugins.testing.presence), against each built-in store."""
