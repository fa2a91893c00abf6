"""Two API replicas sharing one database and the real Redis: an event published by one
reaches a subscriber of the other, history for resuming lives in Redis, presence too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from litestar import Litestar

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.memory.clock import FixedClock
from apps.api.app import create_app
from apps.container import Container, build_container, close_container
from core.realtime.presence import sweep
from ports.events import session_channel, user_channel
from tests.conftest import Database
from tests.integration.conftest import Api, settings_for
from tests.integration.realtime_support import actor_of, next_event, note_for, subscribed
from tests.support.redis_service import RedisService, redis_service


@pytest.fixture
async def redis() -> AsyncIterator[RedisService]:
    async with redis_service() as service:
        yield service


@pytest.fixture
async def admin(api: Api) -> dict[str, str]:
    await api.create_tenant("acme")
    return await api.login("acme")


@dataclass
class Replica:
    container: Container
    app: Litestar
    client: httpx.AsyncClient


@pytest.fixture
async def replicas(
    database: Database, tmp_path: Path, redis: RedisService, api: Api
) -> AsyncIterator[tuple[Replica, Replica]]:
    """Two containers and apps on one database and one Redis (``api`` migrated the database)."""
    built = []
    for _ in range(2):
        container = build_container(settings_for(database, tmp_path, redis=redis.settings()))
        container.hasher.override(
            providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
        )
        app = create_app(container, close=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        built.append(Replica(container, app, client))
    try:
        yield built[0], built[1]
    finally:
        for replica in built:
            await replica.client.aclose()
            await close_container(replica.container)


async def test_an_event_published_on_one_replica_reaches_a_subscriber_of_the_other(
    api: Api, replicas: tuple[Replica, Replica], admin: dict[str, str]
) -> None:
    first, second = replicas
    me = actor_of(api.container, admin)
    session_id = await api.create_session(admin)
    channel = session_channel(me.tenant_id, uuid.UUID(session_id))
    async with subscribed(second.app, admin, channels=[channel]) as (socket, _):
        joined = await first.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)
        assert joined.status_code in (200, 201), joined.text
        event = await next_event(socket)
    assert (event["type"], event["data"]["session_id"]) == ("participant.joined", session_id)


async def test_a_client_resumes_on_another_replica_from_the_history_in_redis(
    api: Api, replicas: tuple[Replica, Replica], admin: dict[str, str]
) -> None:
    first, second = replicas
    me = actor_of(api.container, admin)
    mine = [user_channel(me.tenant_id, me.user_id)]
    async with subscribed(first.app, admin, channels=mine) as (socket, _):
        await first.container.events().publish([note_for(me, 1)])
        last_seen = (await next_event(socket))["id"]
    await first.container.events().publish([note_for(me, 2)])
    async with subscribed(second.app, admin, channels=mine, last_event_id=last_seen) as (
        socket,
        hello,
    ):
        assert hello["complete"] is True
        missed = await next_event(socket)
        await first.container.events().publish([note_for(me, 3)])
        live = await next_event(socket)
    assert [missed["data"], live["data"]] == [{"number": 2}, {"number": 3}]


async def test_a_heartbeat_on_one_replica_is_seen_by_the_other(
    api: Api, replicas: tuple[Replica, Replica], admin: dict[str, str]
) -> None:
    first, second = replicas
    beat = await first.client.post(
        "/api/v1/presence/heartbeat",
        json={"device": "glasses-1", "status": "in_call"},
        headers=admin,
    )
    assert beat.status_code == 200, beat.text
    listed = await second.client.get("/api/v1/presence", headers=admin)
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["status"] == "in_call"
    assert [d["device"] for d in item["devices"]] == ["glasses-1"]


async def test_the_sweep_announces_a_user_whose_devices_went_quiet(
    api: Api, replicas: tuple[Replica, Replica], admin: dict[str, str]
) -> None:
    first, second = replicas
    clock = FixedClock(datetime.now(UTC))
    for replica in replicas:
        replica.container.clock.override(providers.Object(clock))
    me = actor_of(api.container, admin)
    beat = await first.client.post(
        "/api/v1/presence/heartbeat", json={"device": "phone"}, headers=admin
    )
    assert beat.json()["status"] == "online"
    async with subscribed(second.app, admin) as (socket, _):
        ttl = first.container.settings().events.presence_ttl_seconds
        clock.advance(timedelta(seconds=ttl + 1))
        assert await sweep(second.container.presence_dependencies()) == 1
        assert await sweep(first.container.presence_dependencies()) == 0
        event = await next_event(socket)
    assert event["type"] == "presence.changed"
    assert (event["data"]["user_id"], event["data"]["status"]) == (str(me.user_id), "offline")
