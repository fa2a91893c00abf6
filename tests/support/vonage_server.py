"""Vonage's SMS API played on 127.0.0.1 over HTTPS, recording what it receives.

Answers ``POST /sms/json`` the way Vonage documents it: a form-encoded request
authenticated by HTTP Basic (or ``api_key``/``api_secret`` fields); a JSON answer
``{"message-count": "N", "messages": [...]}`` with one entry per part, each with
``status`` "0" and a ``message-id``, or a non-zero ``status`` and an ``error-text``, still
with HTTP 200. A test can make it answer a status, an HTTP error, late, or refuse some
parts of a multipart message. The vonage SDK always speaks HTTPS, so the server has a
certificate for 127.0.0.1 from a throwaway CA.

Fixtures (import them into a conftest.py to use them):

- ``vonage_certificates``: the CA, written to a PEM file ``VonageSettings.ca_file`` can name;
- ``start_vonage_server``: a factory, every server stopped at teardown;
- ``vonage_server``: one running server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import trustme

from adapters.vonage.settings import VonageSettings

API_KEY = "pxr-test-key"
API_SECRET = "pxr-test-s3cret"
SIGNATURE_SECRET = "pxr-test-signature-secret-0123456789"
_GSM_EXTENSION = "\f^{}\\[~]|€"


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server parsed it: path, form fields and who sent it."""

    path: str
    fields: dict[str, str]
    content_type: str
    api_key: str | None
    basic_auth: bool
    authenticated: bool


@dataclass(frozen=True)
class VonageCertificates:
    ca: trustme.CA
    ca_file: Path
    server_context: ssl.SSLContext


@dataclass
class _Plan:
    """How the server answers from now on."""

    status: str = "0"
    error_text: str = ""
    refused_parts: dict[int, tuple[str, str]] = field(default_factory=dict)
    http_status: int | None = None
    http_body: str = ""
    delay: float = 0.0


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    plan: _Plan = field(default_factory=_Plan)
    requests: list[ReceivedRequest] = field(default_factory=list)
    next_id: int = 0x0C000000217B7F02


def count_parts(text: str, unicode: bool) -> int:
    """Parts billed, counted on the server's side (independently of the adapter's code)."""
    if unicode:
        units, single, per_part = len(text.encode("utf-16-le")) // 2, 70, 67
    else:
        units = sum(2 if char in _GSM_EXTENSION else 1 for char in text)
        single, per_part = 160, 153
    return 1 if units <= single else math.ceil(units / per_part)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 5
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: pytest shows what matters."""

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        fields = {name: values[-1] for name, values in parse_qs(body, True).items()}
        api_key, authenticated = self._credentials(fields)
        request = ReceivedRequest(
            path=self.path,
            fields=fields,
            content_type=self.headers.get("Content-Type", ""),
            api_key=api_key,
            basic_auth=self.headers.get("Authorization", "").startswith("Basic "),
            authenticated=authenticated,
        )
        with state.lock:
            state.requests.append(request)
            plan = state.plan
        if plan.delay:
            state.stopping.wait(plan.delay)
        if self.path != "/sms/json":
            self._reply(404, json.dumps({"title": "Not Found"}))
        elif plan.http_status is not None:
            self._reply(plan.http_status, plan.http_body)
        else:
            self._reply(200, json.dumps(self._answer(request, plan)))

    def _credentials(self, fields: dict[str, str]) -> tuple[str | None, bool]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            key, _, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        else:
            key, secret = fields.get("api_key", ""), fields.get("api_secret", "")
        return key or None, (key, secret) == (API_KEY, API_SECRET)

    def _answer(self, request: ReceivedRequest, plan: _Plan) -> dict[str, Any]:
        fields = request.fields
        if not request.authenticated:
            return _refusal("4", "Bad Credentials")
        if not all(fields.get(name) for name in ("from", "to", "text")):
            return _refusal("2", "Missing from param")
        parts = count_parts(fields["text"], fields.get("type") == "unicode")
        messages = []
        for number in range(1, parts + 1):
            status, error_text = plan.refused_parts.get(number, (plan.status, plan.error_text))
            if status != "0":
                messages.append({"status": status, "error-text": error_text})
                continue
            messages.append(
                {
                    "to": fields["to"],
                    "message-id": self._next_message_id(),
                    "status": "0",
                    "remaining-balance": "15.53590000",
                    "message-price": "0.03330000",
                    "network": "20610",
                }
                | ({"client-ref": fields["client-ref"]} if "client-ref" in fields else {})
            )
        return {"message-count": str(parts), "messages": messages}

    def _next_message_id(self) -> str:
        state = self.server.state
        with state.lock:
            state.next_id += 1
            return f"{state.next_id:016X}"

    def _reply(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _refusal(status: str, error_text: str) -> dict[str, Any]:
    return {"message-count": "1", "messages": [{"status": status, "error-text": error_text}]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, context: ssl.SSLContext, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.state = state


class VonageTestServer:
    """A running fake of Vonage's SMS API and what it has received."""

    def __init__(self, certificates: VonageCertificates) -> None:
        self._certificates = certificates
        self._state = _State()
        self._server = _Server(certificates.server_context, self._state)
        self.host = "127.0.0.1"
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def rest_host(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self._certificates.ca_file

    def settings(self, **overrides: Any) -> VonageSettings:
        """Settings that reach this server the way an operator would configure them."""
        values: dict[str, Any] = {
            "api_key": API_KEY,
            "api_secret": API_SECRET,
            "rest_host": self.rest_host,
            "ca_file": self.ca_file,
            "timeout_seconds": 3,
        }
        values.update(overrides)
        return VonageSettings(**values)

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def answer_status(self, status: str, error_text: str) -> None:
        """From now on, refuse every part with this Vonage status (HTTP 200, as Vonage does)."""
        with self._state.lock:
            self._state.plan = _Plan(status=status, error_text=error_text)

    def refuse_parts(self, refusals: dict[int, tuple[str, str]]) -> None:
        """From now on, refuse the numbered parts (from 1) with (status, error-text)."""
        with self._state.lock:
            self._state.plan = _Plan(refused_parts=dict(refusals))

    def answer_http(self, status: int, body: str = "") -> None:
        """From now on, answer every request with this HTTP status and body."""
        with self._state.lock:
            self._state.plan = _Plan(http_status=status, http_body=body)

    def delay(self, seconds: float) -> None:
        """From now on, wait before answering, as an overloaded API."""
        with self._state.lock:
            self._state.plan.delay = seconds

    def accept_all(self) -> None:
        with self._state.lock:
            self._state.plan = _Plan()

    def stop(self) -> None:
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def delivery_receipt(
    request: ReceivedRequest,
    *,
    status: str,
    at: datetime,
    err_code: str = "0",
    secret: str = SIGNATURE_SECRET,
    method: str = "sha256",
) -> dict[str, str]:
    """The delivery receipt Vonage sends for an SMS this server accepted, signed as Vonage
    documents it: an HMAC over ``&key=value`` of every field sorted by name, with ``&``
    and ``=`` in values replaced by ``_`` (written here independently of the SDK)."""
    fields = {
        "msisdn": request.fields["to"],
        "to": request.fields["from"],
        "network-code": "20610",
        "messageId": f"{0x0C000000217B7F03:016X}",
        "price": "0.03330000",
        "status": status,
        "scts": at.strftime("%y%m%d%H%M"),
        "err-code": err_code,
        "api-key": API_KEY,
        "message-timestamp": at.strftime("%Y-%m-%d %H:%M:%S"),
        "timestamp": str(int(at.timestamp())),
        "nonce": secrets.token_hex(8),
    }
    if "client-ref" in request.fields:
        fields["client-ref"] = request.fields["client-ref"]
    text = "".join(
        f"&{key}={value.replace('&', '_').replace('=', '_')}"
        for key, value in sorted(fields.items())
    )
    digest = hmac.new(secret.encode(), text.encode(), getattr(hashlib, method)).hexdigest()
    return {**fields, "sig": digest}


@pytest.fixture(scope="session")
def vonage_certificates(tmp_path_factory: pytest.TempPathFactory) -> VonageCertificates:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("vonage-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return VonageCertificates(ca=ca, ca_file=ca_file, server_context=server_context)


StartVonageServer = Callable[[], VonageTestServer]


@pytest.fixture
def start_vonage_server(vonage_certificates: VonageCertificates) -> Iterator[StartVonageServer]:
    """Start servers on demand; every one is stopped at teardown."""
    servers: list[VonageTestServer] = []

    def start() -> VonageTestServer:
        server = VonageTestServer(vonage_certificates)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def vonage_server(start_vonage_server: StartVonageServer) -> VonageTestServer:
    return start_vonage_server()
