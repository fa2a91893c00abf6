"""Presence through the API: heartbeats, expiry on a controlled clock, announcements,
the paginated list, and a WebSocket counting as an online device while it is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar

from adapters.memory.clock import FixedClock
from apps.api.app import create_app
from core.realtime.presence import sweep
from ports.events import tenant_channel, user_channel
from tests.integration.conftest import Api
from tests.integration.realtime_support import actor_of, next_event, subscribed
from tests.integration.test_device_pairing import _signed_in_engineer

HEARTBEAT = "/api/v1/presence/heartbeat"


@pytest.fixture
def clock(api: Api) -> FixedClock:
    clock = FixedClock(datetime.now(UTC))
    api.container.clock.override(providers.Object(clock))
    return clock


@pytest.fixture
def app(api: Api) -> Litestar:
    return create_app(api.container, close=False)


@pytest.fixture
async def admin(api: Api, clock: FixedClock) -> dict[str, str]:
    await api.create_tenant("acme")
    return await api.login("acme")


async def _presence_of(api: Api, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = await api.client.get("/api/v1/presence", headers=headers)
    assert response.status_code == 200, response.text
    return {item["user_id"]: item for item in response.json()["items"]}


async def test_a_heartbeat_puts_a_device_online_until_its_time_runs_out(
    api: Api, admin: dict[str, str], clock: FixedClock
) -> None:
    me = str(actor_of(api.container, admin).user_id)
    beat = await api.client.post(HEARTBEAT, json={"device": "phone-1"}, headers=admin)
    assert beat.status_code == 200, beat.text
    assert beat.json()["status"] == "online"
    ttl = api.container.settings().events.presence_ttl_seconds
    clock.advance(timedelta(seconds=ttl - 1))
    assert (await _presence_of(api, admin))[me]["status"] == "online"
    clock.advance(timedelta(seconds=2))
    assert (await _presence_of(api, admin))[me] == {
        "user_id": me,
        "status": "offline",
        "devices": [],
    }


async def test_in_call_on_any_device_makes_the_user_in_call_and_offline_leaves_at_once(
    api: Api, admin: dict[str, str]
) -> None:
    me = str(actor_of(api.container, admin).user_id)
    await api.client.post(HEARTBEAT, json={"device": "portal"}, headers=admin)
    beat = await api.client.post(
        HEARTBEAT, json={"device": "glasses", "status": "in_call"}, headers=admin
    )
    assert beat.json()["status"] == "in_call"
    assert sorted(d["device"] for d in beat.json()["devices"]) == ["glasses", "portal"]
    left = await api.client.post(
        HEARTBEAT, json={"device": "glasses", "status": "offline"}, headers=admin
    )
    assert left.json()["status"] == "online"
    devices = (await _presence_of(api, admin))[me]["devices"]
    assert [d["device"] for d in devices] == ["portal"]


async def test_changes_are_announced_to_the_tenant_and_quiet_devices_by_the_sweep(
    api: Api, app: Litestar, admin: dict[str, str], clock: FixedClock
) -> None:
    me = actor_of(api.container, admin)
    engineer = await _signed_in_engineer(api)
    watched = str(actor_of(api.container, engineer).user_id)
    async with subscribed(app, admin, channels=[tenant_channel(me.tenant_id)]) as (socket, _):
        await api.client.post(HEARTBEAT, json={"device": "phone"}, headers=engineer)
        online = await next_event(socket)
        await api.client.post(HEARTBEAT, json={"device": "phone"}, headers=engineer)
        ttl = api.container.settings().events.presence_ttl_seconds
        clock.advance(timedelta(seconds=ttl // 2))
        await socket.send_json({"type": "ping"})
        assert (await socket.receive_json())["type"] == "pong"
        clock.advance(timedelta(seconds=ttl // 2 + 1))
        assert await sweep(api.container.presence_dependencies()) == 1
        offline = await next_event(socket)
    assert (online["type"], online["data"]["user_id"], online["data"]["status"]) == (
        "presence.changed",
        watched,
        "online",
    )
    assert (offline["data"]["user_id"], offline["data"]["status"]) == (watched, "offline")


async def test_an_open_websocket_counts_as_an_online_device_until_it_closes(
    api: Api, app: Litestar, admin: dict[str, str]
) -> None:
    me = str(actor_of(api.container, admin).user_id)
    async with subscribed(app, admin, device="tablet-7"):
        during = (await _presence_of(api, admin))[me]
    after = (await _presence_of(api, admin))[me]
    assert during["status"] == "online"
    assert [d["device"] for d in during["devices"]] == ["tablet-7"]
    assert after["status"] == "offline"


async def test_a_presence_with_an_unknown_status_is_answered_and_the_socket_stays_usable(
    api: Api, app: Litestar, admin: dict[str, str]
) -> None:
    """Messages are handled in order, so the answer to the second mistake also says the
    ``in_call`` before it was taken. The socket follows the user's own channel alone, so
    no ``presence.changed`` event comes between the answers."""
    actor = actor_of(api.container, admin)
    me, mine = str(actor.user_id), [user_channel(actor.tenant_id, actor.user_id)]
    async with subscribed(app, admin, channels=mine, device="glasses-2") as (socket, _):
        await socket.send_json({"type": "presence", "status": "asleep"})
        error = await socket.receive_json()
        unchanged = (await _presence_of(api, admin))[me]["status"]
        await socket.send_json({"type": "presence", "status": "in_call"})
        await socket.send_json({"type": "presence", "status": 7})
        second = await socket.receive_json()
        in_call = (await _presence_of(api, admin))[me]["status"]

    assert (error["type"], error["status"], error["code"], error["field"]) == (
        "error",
        400,
        "invalid_status",
        "status",
    )
    assert second["code"] == "invalid_status"
    assert (unchanged, in_call) == ("online", "in_call")


async def test_a_ping_keeps_a_device_in_its_call_rather_than_back_online(
    api: Api, app: Litestar, admin: dict[str, str]
) -> None:
    actor = actor_of(api.container, admin)
    me, mine = str(actor.user_id), [user_channel(actor.tenant_id, actor.user_id)]
    async with subscribed(app, admin, channels=mine, device="glasses-3") as (socket, _):
        await socket.send_json({"type": "presence", "status": "in_call"})
        await socket.send_json({"type": "ping"})
        pong = await socket.receive_json()
        after_ping = (await _presence_of(api, admin))[me]["status"]

    assert (pong["type"], after_ping) == ("pong", "in_call")


async def test_the_presence_list_covers_every_user_page_by_page(
    api: Api, admin: dict[str, str]
) -> None:
    await _signed_in_engineer(api)
    first = await api.client.get("/api/v1/presence", params={"limit": 1}, headers=admin)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await api.client.get(
        "/api/v1/presence", params={"limit": 1, "cursor": cursor}, headers=admin
    )
    ids = [item["user_id"] for page in (first, second) for item in page.json()["items"]]
    assert len(set(ids)) == 2


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"device": "phone", "status": "asleep"}, "status", 422),
        ({"device": "no spaces allowed"}, "device", 422),
        ({"device": ""}, "device", 422),
        ({}, "device", 400),
    ],
)
async def test_a_bad_heartbeat_names_the_field_422_for_a_value_400_for_a_missing_one(
    api: Api, admin: dict[str, str], body: dict[str, str], field: str, status: int
) -> None:
    response = await api.client.post(HEARTBEAT, json=body, headers=admin)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]
