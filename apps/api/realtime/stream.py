"""The event stream of the self-hosted transport: a WebSocket, and SSE where sockets fail.

WebSocket ``/api/v1/realtime/ws``. The tenant comes from the host (``<slug>.<base>``) or
the tenant header, as for every endpoint. Browsers cannot set headers on a WebSocket, so
the access token comes in the first message, never in the URL (URLs end up in proxy and
access logs; a message does not). Clients that can set headers may send
``Authorization: Bearer`` instead; the first message is required either way. A guest sends
the pass of their join answer where a user sends their token (``core.realtime.access``):

    -> {"type": "subscribe", "token": "...", "channels": [...], "last_event_id": "...",
        "device": "..."}                 (all but type optional; see core.realtime.access)
    <- {"type": "subscribed", "channels": [...], "complete": true}
    <- {"type": "event", "event": {...}}  (as Event.to_json; resume with its id)
    -> {"type": "ping"} / {"type": "presence", "status": "in_call"}   <- {"type": "pong"}

Refusals are an error message (RFC 9457 fields) then a close with code 4000 + HTTP
status: 4400 bad first message or a frame that is not JSON text, 4401 no or bad token,
4403 another tenant's or user's channel, 4404 no such tenant or session, 4409 events not
served here (Firebase), 4503 transport down. A later message the client got wrong (a
presence with an unknown status) gets the same error message and the socket stays open.
The socket keeps the device present until it closes, in the status it last reported
(online at first; a ``ping`` renews it).

SSE ``GET /api/v1/realtime/events`` takes the same channels as ``channel`` query
parameters, the bearer token in the Authorization header (so a fetch-based SSE client,
not the browser's EventSource, which cannot send it), and resumes from ``Last-Event-ID``.

A guest's resumed stream replays nothing that occurred before they joined, on either
transport (``core.realtime.access.GuestStream``, ``_carried``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, cast

from litestar import Request, WebSocket, get, websocket
from litestar.di import NamedDependency, Provide
from litestar.exceptions import WebSocketDisconnect
from litestar.params import HeaderParameter, QueryParameter, SkipValidation
from litestar.response import ServerSentEvent, ServerSentEventMessage

from apps.api.auth.guest_callers import bearer_guest_pass, guest_of
from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.container import Container
from core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from core.identity.model import Actor
from core.realtime import presence
from core.realtime.access import Guest, GuestStream, followable, guest_stream
from core.tenants.model import Tenant
from ports.events import EventFeed, EventsUnavailable, Subscription
from ports.presence import PresenceStatus

Follower = Actor | Guest
PresenceReporter = Callable[[PresenceStatus | None], Awaitable[None]]
"""Reports the device's status; None renews the one it last reported."""
Payload = Mapping[str, object]
FIRST_MESSAGE_SECONDS = 10.0
MAX_EVENT_ID = 100
SSE_ROUTE = "/realtime/events"
SSE_PATH = "/api/v1" + SSE_ROUTE
SSE_CHANNEL = "channel"
_CLOSE_STATUS: list[tuple[type[DomainError], int]] = [
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
]


@websocket("/realtime/ws", summary="Realtime events over a WebSocket")
async def event_socket(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    container = container_of(cast("Request[Any, Any, Any]", socket))
    try:
        first = await _first_message(socket)
        follower = await _follower(socket, first)
        view = await _view(follower, _channels(first.get("channels")), container)
        feed = _feed(container.events())
        report = _presence_reporter(follower, _device(first.get("device")), container)
        await report(PresenceStatus.ONLINE)
        try:
            after = _resume_after(first.get("last_event_id"))
            async with _following(feed, view.channels, after) as subscription:
                hello = {"channels": view.channels, "complete": subscription.complete}
                await socket.send_json({"type": "subscribed", **hello})
                events = _carried(subscription, view, resuming=after is not None)
                await _serve(socket, events, report)
        finally:
            await report(PresenceStatus.OFFLINE)
        await socket.close(code=1000, reason="the stream has ended")
    except DomainError as error:
        await _refuse(socket, error)
    except WebSocketDisconnect:
        return


async def provide_follower(
    request: Request[Any, Any, Any], tenant: NamedDependency[Tenant]
) -> Follower:
    """A guest with their pass, else the caller ``provide_actor`` authenticates (and
    authorises) from the same bearer token."""
    guest_pass = bearer_guest_pass(request)
    if guest_pass is None:
        return await provide_actor(request, tenant)
    return guest_of(request, tenant, guest_pass)


@get(
    SSE_ROUTE,
    summary="Realtime events as server-sent events (fallback for the WebSocket)",
    description="The bearer token is a user's access token, or a guest's pass.",
    dependencies={"tenant": Provide(provide_tenant), "follower": Provide(provide_follower)},
    security=[{"BearerAuth": []}],
    tags=["realtime"],
    media_type="text/event-stream",
)
async def event_source(
    request: Request[Any, Any, Any],
    follower: NamedDependency[SkipValidation[Follower]],
    channel: Annotated[
        list[str] | None,
        QueryParameter(description="Channels to follow (default: your own).", required=False),
    ] = None,
    last_event_id: Annotated[
        str | None,
        HeaderParameter(name="Last-Event-ID", required=False, max_length=MAX_EVENT_ID),
    ] = None,
) -> ServerSentEvent:
    container = container_of(request)
    view = await _sse_view(follower, channel or [], container)
    feed = _feed(container.events())
    return ServerSentEvent(_sse(feed, view, last_event_id))


@dataclass(frozen=True, slots=True)
class _UserStream:
    """A user's stream: every event of their channels, until they close it."""

    channels: list[str]

    def shows(self, _payload: Payload) -> bool:
        return True

    def ends_with(self, _payload: Payload) -> bool:
        return False


View = _UserStream | GuestStream


async def _view(follower: Follower, channels: list[str], container: Container) -> View:
    """What the follower's stream may carry: the channels they may follow, and which of
    their events."""
    deps = container.session_dependencies()
    if isinstance(follower, Guest):
        return await guest_stream(follower, channels, deps)
    return _UserStream(await followable(follower, channels, deps))


async def _sse_view(follower: Follower, channels: list[str], container: Container) -> View:
    """``_view``, its errors naming the query parameter the client sent (``channel``)
    rather than the subscribe message's field (``channels``)."""
    try:
        return await _view(follower, channels, container)
    except InvalidInput as error:
        if error.field != "channels":
            raise
        raise InvalidInput(error.detail, field=SSE_CHANNEL, code=error.code) from error


def _presence_reporter(follower: Follower, device: str, container: Container) -> PresenceReporter:
    """A user's socket keeps their device online; a guest has no presence to keep.

    The device's status is the last one it reported, so a ``ping`` renews that status for
    another TTL: a device in a call stays in it rather than dropping back to online."""

    deps = container.presence_dependencies()
    last = PresenceStatus.ONLINE

    async def report(status: PresenceStatus | None) -> None:
        nonlocal last
        last = last if status is None else status
        if isinstance(follower, Actor):
            await presence.report(follower, device, last, deps)

    return report


async def _sse(
    feed: EventFeed, view: View, last_event_id: str | None
) -> AsyncIterator[ServerSentEventMessage]:
    async with _following(feed, view.channels, last_event_id or None) as subscription:
        hello = {"channels": view.channels, "complete": subscription.complete}
        yield ServerSentEventMessage(event="subscribed", data=json.dumps(hello))
        async for payload in _carried(subscription, view, resuming=bool(last_event_id)):
            yield ServerSentEventMessage(id=str(payload["id"]), data=json.dumps(payload))


async def _carried(
    subscription: Subscription, view: View, *, resuming: bool
) -> AsyncIterator[Payload]:
    """The subscription's events that the follower may see, up to and including the last
    one their stream carries. Both transports send exactly these.

    Only a resumed stream replays kept history (in the order events occurred), which may
    go back before a guest joined: it is shown from the first event at or after their
    join. What is published once the stream is open is shown however it is stamped, so an
    event published after the join but stamped just before it (another replica's clock, a
    slow commit) is not lost."""
    caught_up = not resuming
    async for payload in subscription.events:
        caught_up = caught_up or view.shows(payload)
        if caught_up:
            yield payload
        if view.ends_with(payload):
            return


@contextlib.asynccontextmanager
async def _following(
    feed: EventFeed, channels: list[str], after: str | None
) -> AsyncIterator[Subscription]:
    try:
        async with feed.follow(channels, after=after) as subscription:
            yield subscription
    except EventsUnavailable as exc:
        raise Unavailable(str(exc), code="realtime_unavailable") from exc


async def _serve(
    socket: WebSocket[Any, Any, Any], events: AsyncIterator[Payload], report: PresenceReporter
) -> None:
    """Send events while reading the client's messages, until either side stops: the
    client, the transport, or the last event the follower may see (then a normal close)."""

    async def send_events() -> None:
        async for payload in events:
            await socket.send_json({"type": "event", "event": payload})

    sender = asyncio.create_task(send_events())
    try:
        while True:
            receiving = asyncio.ensure_future(_receive(socket))
            await asyncio.wait({sender, receiving}, return_when=asyncio.FIRST_COMPLETED)
            if not receiving.done():
                receiving.cancel()
                return
            message = receiving.result()
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "ping":
                await report(None)
                await socket.send_json({"type": "pong"})
            elif kind == "presence":
                await _report_presence(socket, report, message.get("status"))
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await sender


async def _report_presence(
    socket: WebSocket[Any, Any, Any], report: PresenceReporter, raw: object
) -> None:
    """An unknown status is the client's mistake, not the stream's end: it is answered with
    the error message and the socket stays open, its presence as it was."""
    try:
        status = _status(raw)
    except InvalidInput as error:
        await socket.send_json(_problem(error))
        return
    await report(status)


async def _first_message(socket: WebSocket[Any, Any, Any]) -> dict[str, Any]:
    try:
        async with asyncio.timeout(FIRST_MESSAGE_SECONDS):
            message = await _receive(socket)
    except TimeoutError:
        raise Unauthenticated(
            "send the subscribe message first", code="missing_credentials"
        ) from None
    if not isinstance(message, dict) or message.get("type") != "subscribe":
        raise InvalidInput(
            'the first message must be {"type": "subscribe", ...}',
            field="type",
            code="subscribe_first",
        )
    return message


async def _receive(socket: WebSocket[Any, Any, Any]) -> Any:
    """The client's next message: a text frame holding JSON, anything else refused (4400)."""
    text = await socket.receive_data("text")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput(
            "messages must be JSON in text frames", field="type", code="malformed_message"
        ) from None


def _resume_after(raw: object) -> str | None:
    """The id to resume after, as SSE's Last-Event-ID: a string of at most 100 characters."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_EVENT_ID:
        raise InvalidInput(
            f"last_event_id must be an event id, at most {MAX_EVENT_ID} characters",
            field="last_event_id",
        )
    return raw


async def _follower(socket: WebSocket[Any, Any, Any], first: dict[str, Any]) -> Follower:
    """The tenant of the host or header; the token of the header, else of the first message."""
    token = first.get("token")
    headers = list(socket.scope["headers"])
    if "authorization" not in socket.headers and isinstance(token, str) and token.strip():
        headers.append((b"authorization", f"Bearer {token.strip()}".encode()))
    request = _as_sse_request(socket, headers)
    return await provide_follower(request, await provide_tenant(request))


def _as_sse_request(
    socket: WebSocket[Any, Any, Any], headers: list[tuple[bytes, bytes]]
) -> Request[Any, Any, Any]:
    """The handshake seen as the SSE request, so the credential is authenticated and
    authorised by the same code, under the same rule (realtime.follow), as there."""
    scope: dict[str, Any] = {
        **socket.scope,
        "type": "http",
        "method": "GET",
        "headers": headers,
        "state": {},
        "path_template": SSE_PATH,
    }
    return Request(scope)  # type: ignore[arg-type]


def _channels(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidInput("channels must be a list of channel names", field="channels")
    return list(raw)


def _device(raw: object) -> str:
    if raw is None:
        return f"ws-{uuid.uuid4().hex[:12]}"
    if not isinstance(raw, str):
        raise InvalidInput("device must be a string", field="device", code="invalid_device")
    return presence.validate_device(raw)


def _status(raw: object) -> PresenceStatus:
    try:
        return PresenceStatus(str(raw))
    except ValueError:
        raise InvalidInput(
            "status must be online, in_call or offline", field="status", code="invalid_status"
        ) from None


def _feed(events: object) -> EventFeed:
    if not isinstance(events, EventFeed):
        raise Conflict(
            "realtime events are served by Firebase here: POST /api/v1/realtime/firebase-token",
            code="realtime_not_served",
        )
    return events


async def _refuse(socket: WebSocket[Any, Any, Any], error: DomainError) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await socket.send_json(_problem(error))
        await socket.close(code=4000 + _http_status(error), reason=str(error.code)[:100])


def _problem(error: DomainError) -> dict[str, object]:
    """The error message of the socket: the RFC 9457 fields, as SSE's problems carry them."""
    return {
        "type": "error",
        "status": _http_status(error),
        "code": error.code,
        "detail": error.detail,
        "field": error.field,
    }


def _http_status(error: DomainError) -> int:
    return next((code for kind, code in _CLOSE_STATUS if isinstance(error, kind)), 400)
