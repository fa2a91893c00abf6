"""Presence stores: the kit's contract in process and in Redis (two clients, as replicas)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.memory.presence_store import MemoryPresenceStore
from adapters.redis.presence_store import RedisPresenceStore
from plugins.testing.presence import Harness, PresenceStoreContract
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures


@pytest.fixture(params=["memory", "redis"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "memory":
        store = MemoryPresenceStore()
        yield Harness(store, store)
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    first, second = (RedisPresenceStore(url, key_prefix=prefix) for _ in range(2))
    try:
        yield Harness(first, second)
    finally:
        await first.close()
        await second.close()


class TestEveryPresenceStore(PresenceStoreContract):
    """The kit's contract (plugins.testing.presence), against each built-in store."""
