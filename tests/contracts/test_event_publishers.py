"""Event publishers: the kit's contract against the channels transport (in process, and over
the machine's Redis as replicas share it), Firebase (the local Realtime Database REST
server, its tree read back) and the in-process recorder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

from adapters.channels.event_feed import ChannelsEventPublisher
from adapters.channels.history import ChannelHistory, MemoryHistory, RedisHistory
from adapters.firebase.realtime_database import FirebaseRealtimeEvents
from adapters.firebase.settings import FirebaseSettings
from adapters.memory.event_publisher import InProcessEventPublisher
from plugins.testing.events import (
    ClientAccessContract,
    EventFeedContract,
    EventPublisherContract,
    EventRetentionContract,
    Harness,
    Payload,
    UnreachableTransportContract,
)
from ports.events import channels_of
from tests.support.fcm_server import FcmKeys
from tests.support.network import free_port
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures
from tests.support.rtdb_server import RtdbServer, firebase_block


def _over_redis(url: str, prefix: str) -> tuple[ChannelsEventPublisher, ChannelHistory]:
    """As the ``channels`` factory builds it when ``redis.url`` is set."""
    redis = Redis.from_url(url, socket_connect_timeout=0.5)
    history = RedisHistory(redis, key_prefix=prefix + "history:", limit=100, ttl_seconds=600)
    backend = RedisChannelsPubSubBackend(redis=redis)
    publisher = ChannelsEventPublisher(
        backend, history, channel_prefix=prefix, timeout_seconds=1, redis=redis
    )
    return publisher, history


def _kept_in(history: ChannelHistory) -> Any:
    async def received(channel: str) -> list[Payload]:
        return [json.loads(raw) for raw in await history.read(channel)]

    return received


def _firebase(server: RtdbServer, fcm_keys: FcmKeys) -> FirebaseRealtimeEvents:
    block = firebase_block(server, fcm_keys.known) | {"timeout_seconds": 2}
    return FirebaseRealtimeEvents(FirebaseSettings.model_validate(block))


def _firebase_tree(server: RtdbServer) -> Any:
    async def received(channel: str) -> list[Payload]:
        nodes = server.read(f"{channel}/events") or {}
        return sorted(nodes.values(), key=lambda node: node["ts"])

    return received


class TestChannelsInProcess(EventPublisherContract, EventFeedContract):
    """The channels transport of a single process."""

    @pytest.fixture
    async def harness(self) -> AsyncIterator[Harness]:
        history = MemoryHistory(100, idle_seconds=600)
        publisher = ChannelsEventPublisher(MemoryChannelsBackend(), history)
        yield Harness(publisher, _kept_in(history))
        await publisher.close()


class TestChannelsOverRedis(
    EventPublisherContract, EventFeedContract, UnreachableTransportContract
):
    """The channels transport as replicas share it, over the machine's Redis."""

    @pytest.fixture
    async def harness(self, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
        prefix = request.getfixturevalue("redis_prefix")
        publisher, history = _over_redis(request.getfixturevalue("redis_url"), prefix)
        closed = f"redis://127.0.0.1:{free_port()}/0"
        yield Harness(publisher, _kept_in(history), lambda: _over_redis(closed, prefix)[0])
        await publisher.close()


class TestFirebase(
    EventPublisherContract,
    UnreachableTransportContract,
    EventRetentionContract,
    ClientAccessContract,
):
    """Firebase Realtime Database, against the local REST server (its tree read back)."""

    @pytest.fixture
    async def harness(self, fcm_keys: FcmKeys) -> AsyncIterator[Harness]:
        server, dead = RtdbServer(), RtdbServer()
        dead.stop()
        firebase = _firebase(server, fcm_keys)
        yield Harness(firebase, _firebase_tree(server), lambda: _firebase(dead, fcm_keys))
        await firebase.close()
        server.stop()


class TestRecorder(EventPublisherContract):
    """The in-process recorder that unit tests read back."""

    @pytest.fixture
    def harness(self) -> Harness:
        recorder = InProcessEventPublisher()

        async def recorded(channel: str) -> list[Payload]:
            return [e.to_json() for e in recorder.published if channel in channels_of(e)]

        return Harness(recorder, recorded)
