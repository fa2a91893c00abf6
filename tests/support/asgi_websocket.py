"""A WebSocket client that drives an ASGI app directly, in the test's own event loop.

Litestar's TestClient runs the app in another thread and loop, where the test's database
engines and channel subscriptions do not work; httpx has no WebSocket. This plays the
server side of the ASGI WebSocket protocol (connect, receive, disconnect) by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar.types import ASGIApp


class Closed(Exception):
    """The server closed the socket (or refused it) with this code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class AsgiWebSocket:
    def __init__(self) -> None:
        self.to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send_json(self, data: object) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def send_frame(self, *, text: str | None = None, data: bytes | None = None) -> None:
        """A frame as it comes off the wire: text, or binary, whatever it holds."""
        await self.to_app.put({"type": "websocket.receive", "text": text, "bytes": data})

    async def receive_json(self, wait: float = 5.0) -> dict[str, Any]:
        message = await asyncio.wait_for(self.from_app.get(), wait)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason") or "")
        if message["type"] != "websocket.send":
            raise AssertionError(f"unexpected ASGI message {message}")
        text = message.get("text") or message["bytes"].decode()
        data: dict[str, Any] = json.loads(text)
        return data

    async def receive_until_closed(self, wait: float = 5.0) -> tuple[list[dict[str, Any]], Closed]:
        """Every message up to the close, and the close itself."""
        received = []
        while True:
            try:
                received.append(await self.receive_json(wait))
            except Closed as closed:
                return received, closed


@contextlib.asynccontextmanager
async def connect(
    app: ASGIApp, path: str, headers: dict[str, str] | None = None
) -> AsyncIterator[AsgiWebSocket]:
    socket = AsgiWebSocket()
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": [],
        "state": {},
    }
    await socket.to_app.put({"type": "websocket.connect"})
    running = app(scope, socket.to_app.get, socket.from_app.put)  # type: ignore[arg-type]
    task: asyncio.Task[None] = asyncio.create_task(running)
    accepted = await asyncio.wait_for(socket.from_app.get(), 5)
    if accepted["type"] != "websocket.accept":
        task.cancel()
        raise Closed(accepted.get("code", 1000), accepted.get("reason") or "")
    try:
        yield socket
    finally:
        await socket.to_app.put({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(task, 5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
