"""Photon may call any API replica: room presence written by one is seen by the others,
through the real Redis (two containers and apps on one database and one Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.redis.room_presence import RedisRoomPresence
from apps.api.app import create_app
from apps.container import Container, build_container, close_container
from ports.multiplayer import RoomAddress
from tests.conftest import Database
from tests.integration.conftest import Api, settings_for
from tests.integration.test_photon import HOOKS, SECRET_HEADER, WEBHOOK_SECRET, call, join, rooms
from tests.support.redis_service import RedisService, redis_service


@pytest.fixture
async def redis() -> AsyncIterator[RedisService]:
    async with redis_service() as service:
        yield service


@pytest.fixture
async def replicas(
    database: Database, tmp_path: Path, redis: RedisService, api: Api
) -> AsyncIterator[list[tuple[Container, httpx.AsyncClient]]]:
    """Two replicas configured as production would be: Redis and the dashboard's secret."""
    built = []
    for _ in range(2):
        settings = settings_for(
            database,
            tmp_path,
            redis=redis.settings(),
            photon={"webhook_secret": WEBHOOK_SECRET},
        )
        container = build_container(settings)
        container.hasher.override(
            providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
        )
        app = create_app(container, close=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        built.append((container, client))
    try:
        yield built
    finally:
        for container, client in built:
            await client.aclose()
            await close_container(container)


async def _hook(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Any:
    response = await client.post(
        f"{HOOKS}/{path}", json=body, headers={SECRET_HEADER: WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    return response.json()


async def test_presence_written_through_one_replica_is_seen_by_the_other(
    api: Api, replicas: list[tuple[Container, httpx.AsyncClient]]
) -> None:
    (first, first_client), (second, second_client) = replicas
    alpha = await join(api, "alpha")
    room = RoomAddress(alpha.tenant_id, alpha.session_id)
    game, user = rooms(api).room_name(room), str(alpha.participant_id)
    assert isinstance(first.room_presence(), RedisRoomPresence)

    joined = await _hook(first_client, "GameJoin", call("Join", game, user, 3))
    seen_by_second = await second.room_presence().occupants(room)
    left = await _hook(second_client, "GameLeave", call("LeaveRequest", game, user, 3, Reason="0"))
    seen_by_first = await first.room_presence().occupants(room)

    assert joined == {"ResultCode": 0}
    assert [(o.participant_id, o.actor_number) for o in seen_by_second] == [
        (alpha.participant_id, 3)
    ]
    assert left == {"ResultCode": 0}
    assert seen_by_first == []


async def test_a_room_closed_on_one_replica_is_empty_on_the_other(
    api: Api, replicas: list[tuple[Container, httpx.AsyncClient]]
) -> None:
    (first, _), (_, second_client) = replicas
    alpha = await join(api, "alpha")
    room = RoomAddress(alpha.tenant_id, alpha.session_id)
    game, user = rooms(api).room_name(room), str(alpha.participant_id)
    await _hook(second_client, "GameCreate", call("Create", game, user, 1))
    assert len(await first.room_presence().occupants(room)) == 1

    close = {k: v for k, v in call("Close", game, user).items() if k not in ("ActorNr", "UserId")}
    closed = await _hook(second_client, "GameClose", close)

    assert closed == {"ResultCode": 0}
    assert await first.room_presence().occupants(room) == []
