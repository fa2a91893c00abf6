"""A tenant's webhook receiver on 127.0.0.1: records each POST, answers scripted statuses.

``running_receiver(tls=...)`` serves over TLS too; 3xx statuses answer with a Location.

Tests queue the statuses of the next answers (``answer(500, 200)``); once the queue is
empty every answer is 200. The server runs in its own thread; what tests read goes
through a lock.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True, slots=True)
class ReceivedHook:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    server: ThreadingHTTPServer
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: list[int] = field(default_factory=list)
    received: list[ReceivedHook] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/passerelle"

    def answer(self, *statuses: int) -> None:
        with self.lock:
            self.statuses.extend(statuses)

    def hooks(self) -> list[ReceivedHook]:
        with self.lock:
            return list(self.received)

    def take(self, hook: ReceivedHook) -> int:
        with self.lock:
            self.received.append(hook)
            return self.statuses.pop(0) if self.statuses else 200


def _handler(receiver_of: dict[str, WebhookReceiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver_of["it"].take(ReceivedHook(self.path, headers, body))
            answer = b'{"ok": true}' if status < 300 else b"receiver trouble " * 100
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("location", "http://169.254.169.254/latest/meta-data")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def running_receiver(tls: ssl.SSLContext | None = None) -> Iterator[WebhookReceiver]:
    """A receiver on a free loopback port, over TLS when given a server context."""
    receiver_of: dict[str, WebhookReceiver] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver_of))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver = receiver_of["it"] = WebhookReceiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as receiver:
        yield receiver
