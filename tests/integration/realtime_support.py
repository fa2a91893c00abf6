"""Helpers of the realtime tests: subscribe over the WebSocket, publish, read who is who."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp

from apps.container import Container
from core.identity.model import Actor
from ports.events import Audience, Event, EventType
from tests.support.asgi_websocket import AsgiWebSocket, Closed, connect

WS_PATH = "/api/v1/realtime/ws"


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def actor_of(container: Container, headers: dict[str, str]) -> Actor:
    return container.access_tokens().verify(token_of(headers))


def note_for(actor: Actor, number: int) -> Event:
    """An event for one user alone, numbered so tests can tell them apart."""
    return Event(
        EventType.NOTIFICATION_STATUS,
        actor.tenant_id,
        datetime.now(UTC),
        Audience(frozenset({actor.user_id})),
        {"number": number},
    )


@contextlib.asynccontextmanager
async def subscribed(
    app: ASGIApp, headers: dict[str, str], **fields: Any
) -> AsyncIterator[tuple[AsgiWebSocket, dict[str, Any]]]:
    """A socket past its subscribe message; the token goes in the message, as from a browser."""
    tenant = {"X-Passerelle-Tenant": headers["X-Passerelle-Tenant"]}
    async with connect(app, WS_PATH, tenant) as socket:
        await socket.send_json({"type": "subscribe", "token": token_of(headers), **fields})
        hello = await socket.receive_json()
        assert hello["type"] == "subscribed", hello
        yield socket, hello


async def refused(
    app: ASGIApp, tenant_headers: dict[str, str], first: dict[str, Any]
) -> tuple[dict[str, Any], Closed]:
    """The error message and the close a refused subscription gets."""
    async with connect(app, WS_PATH, tenant_headers) as socket:
        await socket.send_json(first)
        received, closed = await socket.receive_until_closed()
    assert len(received) == 1, received
    return received[0], closed


async def next_event(socket: AsgiWebSocket, wait: float = 5.0) -> dict[str, Any]:
    message = await socket.receive_json(wait)
    assert message["type"] == "event", message
    event: dict[str, Any] = message["event"]
    return event
