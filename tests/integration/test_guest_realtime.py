"""Guests follow their session's events with the pass of their join answer.

A guest has no account, so no access token: the pass opens the WebSocket and SSE for the
session's channel, while the guest is in the session, and opens nothing else.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar

from apps.api.app import create_app
from tests.integration.conftest import Api
from tests.integration.realtime_support import WS_PATH, next_event, refused, sse, sse_messages
from tests.support.asgi_websocket import connect

ALPHA = {"X-Passerelle-Tenant": "alpha"}


@pytest.fixture
def app(api: Api) -> Litestar:
    return create_app(api.container, close=False)


async def _guest(api: Api, slug: str = "alpha") -> tuple[dict[str, str], str, dict[str, Any]]:
    """A host, their session, and the join answer of a guest they invited to it."""
    await api.create_tenant(slug)
    host = await api.login(slug)
    session_id = await api.create_session(host)
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"display_name": "Gus Guest", "email": "gus@supplier.example"},
        headers=host,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["link"].rsplit("#", 1)[1]
    joined = await api.client.post(
        "/api/v1/guest/join", json={"token": token}, headers={"X-Passerelle-Tenant": slug}
    )
    assert joined.status_code == 200, joined.text
    return host, session_id, joined.json()


async def test_a_guest_follows_their_session_over_the_websocket_with_their_pass(
    api: Api, app: Litestar
) -> None:
    host, session_id, guest = await _guest(api)
    guest_pass = guest["realtime"]["guest_pass"]
    assert guest_pass.startswith("pxg_")
    lives = datetime.fromisoformat(guest["realtime"]["guest_pass_expires_at"])
    assert abs(lives - datetime.fromisoformat(guest["video"]["expires_at"])) < timedelta(seconds=5)

    async with connect(app, WS_PATH, ALPHA) as socket:
        await socket.send_json({"type": "subscribe", "token": guest_pass})
        hello = await socket.receive_json()
        joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=host)
        assert joined.status_code == 200, joined.text
        event = await next_event(socket)
        await socket.send_json({"type": "ping"})
        pong = await socket.receive_json()

    assert hello["channels"] == guest["realtime"]["channels"]
    assert (event["type"], event["data"]["participant_id"]) == (
        "participant.joined",
        joined.json()["participant_id"],
    )
    assert pong == {"type": "pong"}


async def test_a_guest_follows_their_session_over_sse_with_their_pass(
    api: Api, app: Litestar
) -> None:
    host, session_id, guest = await _guest(api)
    headers = ALPHA | {"Authorization": f"Bearer {guest['realtime']['guest_pass']}"}

    status, (chunks, disconnect, task) = await sse(app, headers)
    try:
        [hello] = await sse_messages(chunks, 1)
        ended = await api.client.post(f"/api/v1/sessions/{session_id}/end", headers=host)
        assert ended.status_code == 200, ended.text
        [event] = await sse_messages(chunks, 1)
        body_ended = await asyncio.wait_for(chunks.get(), 5)
    finally:
        disconnect.set()
        await asyncio.wait_for(task, 5)

    assert status == 200
    assert json.loads(hello["data"])["channels"] == guest["realtime"]["channels"]
    assert json.loads(event["data"])["type"] == "session.ended"
    assert body_ended == b""


@pytest.mark.parametrize("whose", ["everyone", "a user", "another session"])
async def test_a_guest_pass_follows_no_other_channel(api: Api, app: Litestar, whose: str) -> None:
    host, _, guest = await _guest(api)
    tenant_id = guest["realtime"]["channels"][0].split("/")[1]
    other_session = await api.create_session(host)
    channel = {
        "everyone": f"tenants/{tenant_id}/everyone",
        "a user": f"tenants/{tenant_id}/users/{guest['participant_id']}",
        "another session": f"tenants/{tenant_id}/sessions/{other_session}",
    }[whose]
    first = {"type": "subscribe", "token": guest["realtime"]["guest_pass"], "channels": [channel]}

    error, closed = await refused(app, ALPHA, first)

    assert (error["code"], closed.code) == ("channel_forbidden", 4403)


async def test_a_guest_who_left_can_no_longer_follow(api: Api, app: Litestar) -> None:
    host, session_id, guest = await _guest(api)
    removed = await api.client.post(
        f"/api/v1/sessions/{session_id}/participants/{guest['participant_id']}/leave",
        headers=host,
    )
    assert removed.status_code == 204, removed.text

    error, closed = await refused(
        app, ALPHA, {"type": "subscribe", "token": guest["realtime"]["guest_pass"]}
    )

    assert (error["code"], closed.code) == ("channel_forbidden", 4403)


@pytest.mark.parametrize("ending", ["removed", "ended"])
async def test_a_guests_open_stream_closes_after_their_last_event(
    api: Api, app: Litestar, ending: str
) -> None:
    """Removed by the host, or the session over: the pass's "while in the session" holds
    for a socket already open, not only at subscribe time."""
    host, session_id, guest = await _guest(api)
    url = f"/api/v1/sessions/{session_id}"
    action = (
        f"{url}/participants/{guest['participant_id']}/leave"
        if ending == "removed"
        else f"{url}/end"
    )

    async with connect(app, WS_PATH, ALPHA) as socket:
        await socket.send_json({"type": "subscribe", "token": guest["realtime"]["guest_pass"]})
        await socket.receive_json()
        assert (await api.client.post(action, headers=host)).is_success
        received, closed = await socket.receive_until_closed()

    assert received[-1]["event"]["type"] == (
        "participant.left" if ending == "removed" else "session.ended"
    )
    assert closed.code == 1000


async def test_a_guest_pass_presented_to_another_tenant_is_refused(api: Api, app: Litestar) -> None:
    _, _, guest = await _guest(api)
    await api.create_tenant("bravo")

    error, closed = await refused(
        app,
        {"X-Passerelle-Tenant": "bravo"},
        {"type": "subscribe", "token": guest["realtime"]["guest_pass"]},
    )

    assert (error["code"], closed.code) == ("tenant_mismatch", 4403)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/sessions"), ("GET", "/api/v1/users"), ("POST", "/api/v1/sessions")],
)
async def test_a_guest_pass_opens_nothing_but_the_stream(api: Api, method: str, path: str) -> None:
    _, _, guest = await _guest(api)
    for token in (guest["realtime"]["guest_pass"], guest["realtime"]["guest_pass"][4:]):
        headers = ALPHA | {"Authorization": f"Bearer {token}"}
        response = await api.client.request(method, path, headers=headers, json={"reference": "x"})
        assert response.status_code == 401, response.text


async def test_a_forged_guest_pass_is_refused(api: Api, app: Litestar) -> None:
    _, _, guest = await _guest(api)
    forged = guest["realtime"]["guest_pass"][:-4] + "AAAA"

    error, closed = await refused(app, ALPHA, {"type": "subscribe", "token": forged})

    assert closed.code == 4401
    assert forged not in str(error)


async def test_users_get_no_guest_pass(api: Api) -> None:
    host, session_id, _ = await _guest(api)

    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=host)

    assert joined.json()["realtime"]["guest_pass"] is None
