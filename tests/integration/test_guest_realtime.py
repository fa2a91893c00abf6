"""Guests follow their session's events with the pass of their join answer.

A guest has no account, so no access token: the pass opens the WebSocket and SSE for the
session's channel, while the guest is in the session and from their join on, and opens
nothing else.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from litestar import Litestar

from apps.api.app import create_app
from ports.events import Audience, Event, EventType
from tests.integration.conftest import Api
from tests.integration.realtime_support import (
    WS_PATH,
    actor_of,
    next_event,
    refused,
    sse,
    sse_messages,
    subscribed,
)
from tests.support.asgi_websocket import connect

ALPHA = {"X-Passerelle-Tenant": "alpha"}
Receive = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture
def app(api: Api) -> Litestar:
    return create_app(api.container, close=False)


async def _guest(api: Api, slug: str = "alpha") -> tuple[dict[str, str], str, dict[str, Any]]:
    """A host, their session, and the join answer of a guest they invited to it."""
    host, session_id = await _hosted_session(api, slug)
    return host, session_id, await _guest_joins(api, host, session_id)


async def _hosted_session(api: Api, slug: str = "alpha") -> tuple[dict[str, str], str]:
    await api.create_tenant(slug)
    host = await api.login(slug)
    return host, await api.create_session(host)


async def _guest_joins(api: Api, host: dict[str, str], session_id: str) -> dict[str, Any]:
    """The join answer of a guest the host invites to their session."""
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"display_name": "Gus Guest", "email": "gus@supplier.example"},
        headers=host,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["link"].rsplit("#", 1)[1]
    tenant = {"X-Passerelle-Tenant": host["X-Passerelle-Tenant"]}
    joined = await api.client.post("/api/v1/guest/join", json={"token": token}, headers=tenant)
    assert joined.status_code == 200, joined.text
    answer: dict[str, Any] = joined.json()
    return answer


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


@dataclass(frozen=True)
class _History:
    """A session whose kept history holds, in order: a file shared (``earliest``), the
    host's join, another file (``before``), the guest's join, a third file (``after``)."""

    host: dict[str, str]
    session_id: str
    tenant_id: uuid.UUID
    guest: dict[str, Any]
    ids: dict[str, str]

    @property
    def guest_headers(self) -> dict[str, str]:
        return ALPHA | {"Authorization": f"Bearer {self.guest['realtime']['guest_pass']}"}

    def resume_id(self, resume_from: str) -> str:
        """The id of the marked event, or one that was never kept."""
        return self.ids.get(resume_from) or str(uuid.uuid4())

    async def publish_live(self, api: Api) -> None:
        await api.container.events().publish([_shared(self.tenant_id, self.session_id, "live")])

    async def labels_until_live(self, receive: Receive) -> list[str]:
        """What the follower received, up to the live event published last, each named by
        its marker or by who joined."""
        labels = [self._label(await receive())]
        while labels[-1] != "live":
            labels.append(self._label(await receive()))
        return labels

    def _label(self, event: dict[str, Any]) -> str:
        if "marker" in event["data"]:
            return str(event["data"]["marker"])
        joined = event["data"]["participant_id"] == self.guest["participant_id"]
        return "guest joined" if joined else "host joined"


def _shared(
    tenant_id: uuid.UUID, session_id: str, marker: str, at: datetime | None = None
) -> Event:
    """A file shared in the session, told apart from the others by its marker; stamped
    now unless ``at`` says when it occurred."""
    audience = Audience(session_id=uuid.UUID(session_id))
    data = {"marker": marker}
    return Event(EventType.FILE_SHARED, tenant_id, at or datetime.now(UTC), audience, data)


async def _history_around_a_join(api: Api) -> _History:
    host, session_id = await _hosted_session(api)
    tenant_id = actor_of(api.container, host).tenant_id
    ids: dict[str, str] = {}

    async def share(marker: str) -> None:
        """Stamped as it is published, as the platform's own events are."""
        event = _shared(tenant_id, session_id, marker)
        await api.container.events().publish([event])
        ids[marker] = str(event.id)

    await share("earliest")
    host_joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=host)
    assert host_joined.status_code == 200, host_joined.text
    await share("before")
    guest = await _guest_joins(api, host, session_id)
    await share("after")
    return _History(host, session_id, tenant_id, guest, ids)


async def _next_sse_event(chunks: asyncio.Queue[bytes]) -> dict[str, Any]:
    [message] = await sse_messages(chunks, 1)
    event: dict[str, Any] = json.loads(message["data"])
    return event


FROM_THE_JOIN = ["guest joined", "after", "live"]
GUEST_RESUMES = [
    pytest.param("earliest", FROM_THE_JOIN, True, id="from-an-event-before-the-join"),
    pytest.param("never kept", FROM_THE_JOIN, False, id="from-an-id-not-kept"),
    pytest.param("after", ["live"], True, id="from-an-event-after-the-join"),
]


@pytest.mark.parametrize(("resume_from", "expected", "complete"), GUEST_RESUMES)
async def test_a_guest_resuming_over_the_websocket_gets_nothing_from_before_their_join(
    api: Api, app: Litestar, resume_from: str, expected: list[str], complete: bool
) -> None:
    history = await _history_around_a_join(api)
    after = history.resume_id(resume_from)

    async with subscribed(app, history.guest_headers, last_event_id=after) as (socket, hello):
        await history.publish_live(api)
        received = await history.labels_until_live(partial(next_event, socket))

    assert hello["complete"] is complete
    assert received == expected


@pytest.mark.parametrize(("resume_from", "expected", "complete"), GUEST_RESUMES)
async def test_a_guest_resuming_over_sse_gets_nothing_from_before_their_join(
    api: Api, app: Litestar, resume_from: str, expected: list[str], complete: bool
) -> None:
    history = await _history_around_a_join(api)
    headers = history.guest_headers | {"Last-Event-ID": history.resume_id(resume_from)}

    status, (chunks, disconnect, task) = await sse(app, headers)
    try:
        [hello] = await sse_messages(chunks, 1)
        await history.publish_live(api)
        received = await history.labels_until_live(partial(_next_sse_event, chunks))
    finally:
        disconnect.set()
        await asyncio.wait_for(task, 5)

    assert status == 200
    assert json.loads(hello["data"])["complete"] is complete
    assert received == expected


async def test_a_guest_gets_every_live_event_however_it_is_stamped(api: Api, app: Litestar) -> None:
    """Another replica's clock, or a commit that took its time, can stamp an event published
    after the join a little before it: a stream not resumed carries it all the same."""
    history = await _history_around_a_join(api)
    early = datetime.now(UTC) - timedelta(minutes=1)

    async with subscribed(app, history.guest_headers) as (socket, _):
        await api.container.events().publish(
            [_shared(history.tenant_id, history.session_id, "stamped before the join", at=early)]
        )
        await history.publish_live(api)
        received = await history.labels_until_live(partial(next_event, socket))

    assert received == ["stamped before the join", "live"]


async def test_a_user_resuming_in_the_same_session_still_gets_what_preceded_the_guest(
    api: Api, app: Litestar
) -> None:
    history = await _history_around_a_join(api)
    channels = history.guest["realtime"]["channels"]
    after = history.resume_id("earliest")

    async with subscribed(app, history.host, channels=channels, last_event_id=after) as (
        socket,
        _,
    ):
        await history.publish_live(api)
        received = await history.labels_until_live(partial(next_event, socket))

    assert received == ["host joined", "before", "guest joined", "after", "live"]
