"""Helpers of the realtime tests: subscribe over the WebSocket, publish, read who is who."""

from __future__ import annotations

import asyncio
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


async def sse(app: ASGIApp, headers: dict[str, str], query: str = "") -> tuple[int, Any]:
    """Starts an SSE request on the ASGI app; answers its status and a queue of body chunks."""
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    disconnect = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.set_result(message["status"])
        elif message["type"] == "http.response.body":
            await chunks.put(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/realtime/events",
        "raw_path": b"/api/v1/realtime/events",
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50001),
        "server": ("testserver", 80),
        "state": {},
    }
    task = asyncio.create_task(app(scope, receive, send))  # type: ignore[arg-type]
    status = await asyncio.wait_for(started, 5)
    return status, (chunks, disconnect, task)


async def sse_messages(chunks: asyncio.Queue[bytes], count: int) -> list[dict[str, str]]:
    text = ""
    while text.count("\r\n\r\n") + text.count("\n\n") < count:
        text += (await asyncio.wait_for(chunks.get(), 5)).decode()
    messages = []
    for block in text.replace("\r\n", "\n").split("\n\n")[:count]:
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            fields[name] = value
        messages.append(fields)
    return messages
