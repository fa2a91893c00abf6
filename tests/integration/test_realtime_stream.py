"""The self-hosted event stream (channels backend, in memory): who may subscribe, what
they receive, resuming after a reconnect, and the SSE fallback."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar

from apps.api.app import create_app
from core.identity.model import Role
from ports.events import Audience, session_channel, tenant_channel, user_channel
from tests.integration.conftest import Api
from tests.integration.realtime_support import (
    WS_PATH,
    actor_of,
    next_event,
    note_for,
    refused,
    sse,
    sse_messages,
    subscribed,
    token_of,
)
from tests.integration.test_device_pairing import _signed_in_engineer
from tests.support.asgi_websocket import connect


@pytest.fixture
def app(api: Api) -> Litestar:
    return create_app(api.container, close=False)


@pytest.fixture
async def alpha(api: Api) -> dict[str, str]:
    await api.create_tenant("alpha")
    return await api.login("alpha")


async def test_a_socket_without_a_token_is_closed_as_unauthenticated(
    app: Litestar, alpha: dict[str, str]
) -> None:
    error, closed = await refused(
        app, {"X-Passerelle-Tenant": "alpha"}, {"type": "subscribe", "channels": []}
    )
    assert closed.code == 4401
    assert error["code"] == "missing_credentials"


async def test_a_forged_token_is_refused_and_never_echoed(
    app: Litestar, alpha: dict[str, str]
) -> None:
    forged = token_of(alpha)[:-4] + "AAAA"
    error, closed = await refused(
        app, {"X-Passerelle-Tenant": "alpha"}, {"type": "subscribe", "token": forged}
    )
    assert closed.code == 4401
    assert forged not in json.dumps(error)


async def test_a_first_message_that_is_not_subscribe_is_refused(
    app: Litestar, alpha: dict[str, str]
) -> None:
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, {"type": "ping"})
    assert closed.code == 4400
    assert (error["code"], error["field"]) == ("subscribe_first", "type")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "frame",
    [{"text": "hello"}, {"data": b'{"type": "subscribe"}'}, {"text": DEEP}],
    ids=["not-json", "binary", "nested-too-deep"],
)
async def test_a_first_frame_that_is_not_json_text_gets_an_error_then_4400(
    app: Litestar, alpha: dict[str, str], frame: dict[str, Any]
) -> None:
    async with connect(app, WS_PATH, {"X-Passerelle-Tenant": "alpha"}) as socket:
        await socket.send_frame(**frame)
        received, closed = await socket.receive_until_closed()

    assert [(m["type"], m["code"], m["field"]) for m in received] == [
        ("error", "malformed_message", "type")
    ]
    assert closed.code == 4400


async def test_a_bad_frame_after_subscribing_gets_an_error_then_4400(
    app: Litestar, alpha: dict[str, str]
) -> None:
    async with subscribed(app, alpha) as (socket, _):
        await socket.send_frame(data=b"\x00\x01")
        received, closed = await socket.receive_until_closed()

    assert [m["code"] for m in received] == ["malformed_message"]
    assert closed.code == 4400


@pytest.mark.parametrize("last_event_id", ["x" * 101, 42])
async def test_a_last_event_id_sse_would_refuse_is_refused_on_the_socket_too(
    app: Litestar, alpha: dict[str, str], last_event_id: object
) -> None:
    first = {"type": "subscribe", "token": token_of(alpha), "last_event_id": last_event_id}
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)

    assert (error["field"], closed.code) == ("last_event_id", 4400)


async def test_a_token_of_another_tenant_is_refused(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    await api.create_tenant("bravo")
    bravo = await api.login("bravo")
    first = {"type": "subscribe", "token": token_of(bravo)}
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)
    assert closed.code == 4403
    assert error["code"] == "tenant_mismatch"


async def test_another_tenants_channels_are_refused(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    await api.create_tenant("bravo")
    bravo = actor_of(api.container, await api.login("bravo"))
    bravo_session = await api.create_session(await api.login("bravo"), "bravo's")
    for channel in (
        user_channel(bravo.tenant_id, bravo.user_id),
        session_channel(bravo.tenant_id, uuid.UUID(bravo_session)),
        tenant_channel(bravo.tenant_id),
    ):
        first = {"type": "subscribe", "token": token_of(alpha), "channels": [channel]}
        error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)
        assert (closed.code, error["code"]) == (4403, "channel_forbidden"), channel


async def test_another_users_channel_is_refused(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    channel = user_channel(me.tenant_id, uuid.uuid4())
    first = {"type": "subscribe", "token": token_of(alpha), "channels": [channel]}
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)
    assert (closed.code, error["code"]) == (4403, "channel_forbidden")


async def test_a_session_the_user_takes_no_part_in_is_refused(api: Api, app: Litestar) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    session_id = await api.create_session(admin)
    engineer = await _signed_in_engineer(api)
    assert actor_of(api.container, engineer).role is Role.FIELD_ENGINEER
    channel = session_channel(actor_of(api.container, admin).tenant_id, uuid.UUID(session_id))
    first = {"type": "subscribe", "token": token_of(engineer), "channels": [channel]}
    error, closed = await refused(app, {"X-Passerelle-Tenant": "acme"}, first)
    assert (closed.code, error["code"]) == (4403, "channel_forbidden")


async def test_an_unknown_session_is_not_found(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    first = {
        "type": "subscribe",
        "token": token_of(alpha),
        "channels": [session_channel(me.tenant_id, uuid.uuid4())],
    }
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)
    assert (closed.code, error["code"]) == (4404, "session_not_found")


async def test_a_malformed_channel_name_is_refused_with_its_field(
    app: Litestar, alpha: dict[str, str]
) -> None:
    first = {"type": "subscribe", "token": token_of(alpha), "channels": ["tenants/../x"]}
    error, closed = await refused(app, {"X-Passerelle-Tenant": "alpha"}, first)
    assert (closed.code, error["code"], error["field"]) == (4400, "invalid_channel", "channels")


async def test_a_user_receives_their_own_events_and_nobody_elses(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    await api.create_tenant("bravo")
    other = actor_of(api.container, await api.login("bravo"))
    async with subscribed(app, alpha) as (socket, hello):
        assert hello["channels"] == [
            user_channel(me.tenant_id, me.user_id),
            tenant_channel(me.tenant_id),
        ]
        await api.container.events().publish([note_for(other, 1), note_for(me, 2)])
        event = await next_event(socket)
    assert event["data"] == {"number": 2}
    assert event["tenant_id"] == str(me.tenant_id)


async def test_the_host_following_a_session_sees_a_participant_join(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    session_id = await api.create_session(alpha)
    channel = session_channel(me.tenant_id, uuid.UUID(session_id))
    async with subscribed(app, alpha, channels=[channel]) as (socket, _):
        joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=alpha)
        assert joined.status_code in (200, 201), joined.text
        event = await next_event(socket)
    assert event["type"] == "participant.joined"
    assert event["data"]["session_id"] == session_id


async def test_a_client_resuming_from_its_last_event_gets_only_what_it_missed(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    mine = [user_channel(me.tenant_id, me.user_id)]
    events = api.container.events()
    async with subscribed(app, alpha, channels=mine) as (socket, _):
        await events.publish([note_for(me, 1)])
        last_seen = (await next_event(socket))["id"]
    await events.publish([note_for(me, 2), note_for(me, 3)])
    async with subscribed(app, alpha, channels=mine, last_event_id=last_seen) as (socket, hello):
        assert hello["complete"] is True
        replayed = [await next_event(socket), await next_event(socket)]
        await events.publish([note_for(me, 4)])
        live = await next_event(socket)
    assert [e["data"]["number"] for e in [*replayed, live]] == [2, 3, 4]


async def test_resuming_from_an_id_no_longer_kept_replays_history_and_says_so(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    await api.container.events().publish([note_for(me, 1)])
    async with subscribed(app, alpha, last_event_id=str(uuid.uuid4())) as (socket, hello):
        assert hello["complete"] is False
        assert (await next_event(socket))["data"] == {"number": 1}


async def test_an_event_sent_to_two_followed_channels_arrives_once(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    session_id = await api.create_session(alpha)
    channels = [
        user_channel(me.tenant_id, me.user_id),
        session_channel(me.tenant_id, uuid.UUID(session_id)),
    ]
    audience = Audience(frozenset({me.user_id}), uuid.UUID(session_id))
    both = replace(note_for(me, 1), audience=audience)
    async with subscribed(app, alpha, channels=channels) as (socket, _):
        await api.container.events().publish([both, note_for(me, 2)])
        first, second = await next_event(socket), await next_event(socket)
    assert [first["data"], second["data"]] == [{"number": 1}, {"number": 2}]


async def test_sse_streams_events_and_resumes_from_last_event_id(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    events = api.container.events()
    await events.publish([note_for(me, 1)])
    first = await _sse_replay_id(api, app, alpha)
    await events.publish([note_for(me, 2)])
    status, (chunks, disconnect, task) = await sse(app, {**alpha, "Last-Event-ID": first})
    try:
        assert status == 200
        hello, missed = await sse_messages(chunks, 2)
        assert hello["event"] == "subscribed"
        assert json.loads(hello["data"])["complete"] is True
        assert json.loads(missed["data"])["data"] == {"number": 2}
        assert missed["id"] == json.loads(missed["data"])["id"]
    finally:
        disconnect.set()
        await asyncio.wait_for(task, 5)


async def _sse_replay_id(api: Api, app: Litestar, headers: dict[str, str]) -> str:
    """The id of the newest kept event, as a client that saw it would remember it."""
    status, (chunks, disconnect, task) = await sse(app, headers, "")
    try:
        assert status == 200
        me = actor_of(api.container, headers)
        (hello,) = await sse_messages(chunks, 1)
        assert hello["event"] == "subscribed"
        await api.container.events().publish([note_for(me, 100)])
        (live,) = await sse_messages(chunks, 1)
        last: str = live["id"]
        return last
    finally:
        disconnect.set()
        await asyncio.wait_for(task, 5)


async def test_sse_without_a_token_is_a_401_problem(app: Litestar, alpha: dict[str, str]) -> None:
    status, (chunks, disconnect, task) = await sse(app, {"X-Passerelle-Tenant": "alpha"})
    disconnect.set()
    await asyncio.wait_for(task, 5)
    assert status == 401
    body = json.loads((await chunks.get()).decode())
    assert body["code"] == "missing_credentials"


async def test_sse_refuses_another_users_channel_with_a_403_problem(
    api: Api, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    channel = user_channel(me.tenant_id, uuid.uuid4())
    response = await api.client.get(
        "/api/v1/realtime/events", params={"channel": channel}, headers=alpha
    )
    assert response.status_code == 403
    assert response.json()["code"] == "channel_forbidden"


@pytest.mark.parametrize(
    ("channels", "code"),
    [(["tenants/../x"], "invalid_channel"), ([f"c{n}" for n in range(21)], "too_many")],
    ids=["malformed", "too-many"],
)
async def test_sse_problems_name_the_channel_query_parameter_the_client_sent(
    api: Api, alpha: dict[str, str], channels: list[str], code: str
) -> None:
    response = await api.client.get(
        "/api/v1/realtime/events", params={"channel": channels}, headers=alpha
    )

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code
    assert [error["field"] for error in problem["errors"]] == ["channel"]


async def test_firebase_tokens_are_refused_when_events_do_not_go_through_firebase(
    api: Api, alpha: dict[str, str]
) -> None:
    response = await api.client.post("/api/v1/realtime/firebase-token", headers=alpha)
    assert response.status_code == 409
    assert response.json()["code"] == "realtime_not_firebase"


async def test_the_socket_takes_the_token_from_the_authorization_header_too(
    api: Api, app: Litestar, alpha: dict[str, str]
) -> None:
    me = actor_of(api.container, alpha)
    async with connect(app, WS_PATH, alpha) as socket:
        await socket.send_json({"type": "subscribe"})
        assert (await socket.receive_json())["type"] == "subscribed"
        await api.container.events().publish([note_for(me, 5)])
        assert (await next_event(socket))["data"] == {"number": 5}
    assert datetime.now(UTC)
