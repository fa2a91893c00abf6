"""The example plugin against the platform's own SMS contract, through its entry point."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core.notifications.sms_text import measure_sms
from plugins.lifecycle import LifecycleHookPublisher
from plugins.manager import PluginSet, build_plugins
from plugins.testing.pytest_plugin import BuildAdapter
from plugins.testing.sms import Delivered, Harness, SmsSenderContract
from ports.events import Audience, Event, EventType

TOKEN = "gateway-token"  # noqa: S105 - a test token for the fake gateway


class Gateway(ThreadingHTTPServer):
    """A fake gateway on loopback: keeps what it was sent, answers one id per part."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v1/messages" or self.headers["Authorization"] != f"Bearer {TOKEN}":
            self.send_response(401)
            self.end_headers()
            return
        self.server.received.append(body)
        ids = [str(uuid.uuid4()) for _ in range(measure_sms(body["text"]).parts)]
        answer = json.dumps({"ids": ids}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class TestGatewaySender(SmsSenderContract):
    """The adapter as the platform builds it: by name, from the installed entry point
    (``passerelle_adapter`` is the kit's pytest fixture: no conftest needed)."""

    @pytest.fixture
    def harness(self, gateway: Gateway, passerelle_adapter: BuildAdapter) -> Harness:
        blocks = {"example_sms": {"url": gateway.url, "token": TOKEN}}
        sender = passerelle_adapter("sms", "gateway", blocks)

        def delivered() -> list[Delivered]:
            return [Delivered(m["to"], m["from"], m["text"], m["ref"]) for m in gateway.received]

        return Harness(sender, delivered)


def test_the_plugin_is_found_through_its_entry_point_with_its_version_and_hooks(
    passerelle_plugins: PluginSet,
) -> None:
    plugins = passerelle_plugins
    [info] = [info for info in plugins.describe() if info.name == "example-sms"]
    assert info.version == "0.1.0"
    assert info.hooks == ["register_adapters", "register_settings", "session_ended"]
    assert plugins.load_errors == {}


def test_its_settings_block_is_validated_naming_the_setting() -> None:
    blocks = build_plugins().settings_blocks()
    with pytest.raises(ValueError, match=r"invalid setting plugins\.example_sms\.token"):
        blocks.validate({"example_sms": {"url": "https://sms.example.com"}})


async def test_the_session_ended_hook_logs_the_session(caplog: pytest.LogCaptureFixture) -> None:
    session_id = str(uuid.uuid4())
    ended = Event(
        EventType.SESSION_ENDED,
        uuid.uuid4(),
        datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        Audience(),
        {"session_id": session_id, "state": "ended"},
    )
    with caplog.at_level(logging.INFO, logger="passerelle_example_sms"):
        await LifecycleHookPublisher(None, build_plugins()).publish([ended])
    assert f"session {session_id} of tenant" in caplog.text
    assert "ended at 2026-11-28T09:30:00+00:00" in caplog.text
