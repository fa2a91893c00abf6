"""OpenTok's REST API played on 127.0.0.1 over plain HTTP, recording what it receives.

Answers as the opentok SDK (3.15) sends and expects:

- ``POST /session/create``, form-encoded (``p2p.preference``, ``archiveMode``, ``e2ee``),
  authenticated by an ``X-OPENTOK-AUTH`` header: an HS256 JWT signed with the project
  secret, ``iss`` the API key, ``ist`` "project", not expired. The answer is
  ``application/json`` ``[{"session_id": ...}]``, the id in the shape the SDK validates
  when minting tokens: two characters, then base64url of ``~``-separated parts that
  include the API key.
  With ``archiveMode=always`` (and optionally ``archiveName``), the provider starts an
  archive by itself when a client first publishes: ``VideoApiFake.publish`` plays that
  moment, the archive named by the session's ``archiveName``.
- ``POST /v2/project/{key}/archive`` (JSON ``sessionId``, ``name``) and
  ``POST /v2/project/{key}/archive/{id}/stop``: the archive as JSON; 404 for an unknown
  session or archive, 409 when already recording or not recording.
- Bad credentials: 403. A test can also make it answer any status (5xx) from now on.

The bookkeeping of sessions and archives (``VideoApiState``, ``VideoApiHandler``) is
shared with the Vonage Video fake, which differs only in transport and authentication.

Fixture: ``opentok_server`` (import ``opentok_server_fixture`` to use it).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from pydantic import SecretStr

from adapters.opentok.settings import OpenTokSettings

OPENTOK_API_KEY = "47120135"
OPENTOK_API_SECRET = "pxr-test-opentok-secret-0123456789abcdef"
CALLBACK_SECRET = "pxr-test-opentok-callback-secret"


@dataclass(frozen=True)
class ReceivedCall:
    """One request as the fake parsed it."""

    method: str
    path: str
    form: dict[str, str]
    json_body: Any
    authenticated: bool


@dataclass
class VideoApiState:
    """Rooms and archives of one fake project; what was received; the planned failure."""

    project: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[ReceivedCall] = field(default_factory=list)
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    archives: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: int | None = None

    def recording(self, session_id: str) -> bool:
        return any(
            a["sessionId"] == session_id and a["status"] == "started"
            for a in self.archives.values()
        )

    def new_archive(self, session_id: str, name: str | None, owner_field: str) -> dict[str, Any]:
        """A started archive as the REST API describes it."""
        archive = {
            "createdAt": int(time.time() * 1000),
            "duration": 0,
            "hasAudio": True,
            "hasVideo": True,
            "id": str(uuid.uuid4()),
            "name": name,
            "outputMode": "composed",
            owner_field: self.project,
            "reason": "",
            "resolution": "640x480",
            "sessionId": session_id,
            "size": 0,
            "status": "started",
            "streamMode": "auto",
            "url": None,
        }
        self.archives[archive["id"]] = archive
        return archive

    def new_session_id(self) -> str:
        parts = f"1~{self.project}~127.0.0.1~{time.time_ns()}~{secrets.token_hex(8)}~"
        return "2_" + base64.urlsafe_b64encode(parts.encode()).decode().rstrip("=")


class VideoApiHandler(BaseHTTPRequestHandler):
    """The REST routes both fakes share; subclasses say how a caller is authenticated."""

    protocol_version = "HTTP/1.1"
    timeout = 5
    server: VideoApiServer
    owner_field = "projectId"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: pytest shows what matters."""

    def authenticated(self) -> bool:
        raise NotImplementedError

    def do_POST(self) -> None:
        state = self.server.state
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), True).items()}
        try:
            json_body = json.loads(raw) if raw.startswith(b"{") else None
        except json.JSONDecodeError:
            json_body = None
        call = ReceivedCall("POST", self.path, form, json_body, self.authenticated())
        with state.lock:
            state.calls.append(call)
            fail_with = state.fail_with
            if fail_with is not None:
                self._reply(fail_with, {"code": fail_with, "message": "planned failure"})
            elif not call.authenticated:
                self._reply(403, {"code": 403, "message": "Invalid credentials"})
            else:
                self._route(state, call)

    def _route(self, state: VideoApiState, call: ReceivedCall) -> None:
        archives = f"/v2/project/{state.project}/archive"
        if self.path == "/session/create":
            self._create_session(state, call.form)
        elif self.path == archives:
            self._start_archive(state, call.json_body or {})
        elif self.path.startswith(archives + "/") and self.path.endswith("/stop"):
            self._stop_archive(state, self.path[len(archives) + 1 : -len("/stop")])
        else:
            self._reply(404, {"code": 404, "message": "Resource not found"})

    def _create_session(self, state: VideoApiState, form: dict[str, str]) -> None:
        if form.get("archiveName") and form.get("archiveMode") != "always":
            self._reply(400, {"code": 400, "message": "archiveName needs archiveMode always"})
            return
        session_id = state.new_session_id()
        state.sessions[session_id] = form
        self._reply(
            200,
            [
                {
                    "session_id": session_id,
                    "project_id": state.project,
                    "partner_id": state.project,
                    "create_dt": time.strftime("%a %b %d %H:%M:%S GMT %Y", time.gmtime()),
                    "media_server_url": "",
                }
            ],
        )

    def _start_archive(self, state: VideoApiState, body: dict[str, Any]) -> None:
        session_id = body.get("sessionId")
        if session_id not in state.sessions:
            self._reply(404, {"code": 404, "message": "Session not found"})
            return
        if state.recording(session_id):
            self._reply(409, {"code": 409, "message": "Session is already being recorded"})
            return
        self._reply(200, state.new_archive(session_id, body.get("name"), self.owner_field))

    def _stop_archive(self, state: VideoApiState, archive_id: str) -> None:
        archive = state.archives.get(archive_id)
        if archive is None:
            self._reply(404, {"code": 404, "message": "Archive not found"})
        elif archive["status"] != "started":
            self._reply(409, {"code": 409, "message": "Archive is not in started state"})
        else:
            archive["status"] = "stopped"
            self._reply(200, archive)

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class VideoApiServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[VideoApiHandler], state: VideoApiState) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state


class VideoApiFake:
    """A running fake video API: what it received, and how to make it fail."""

    def __init__(self, server: VideoApiServer) -> None:
        self._server = server
        handler: type[VideoApiHandler] = server.RequestHandlerClass  # type: ignore[assignment]
        self._owner_field = handler.owner_field
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def state(self) -> VideoApiState:
        return self._server.state

    @property
    def calls(self) -> list[ReceivedCall]:
        with self.state.lock:
            return list(self.state.calls)

    def publish(self, room_id: str) -> dict[str, Any] | None:
        """A client starts publishing in the room. A room created with ``archiveMode=always``
        starts recording by itself, under the room's ``archiveName``; returns that archive
        (None when the room records only on request or already records)."""
        with self.state.lock:
            form = self.state.sessions[room_id]
            if form.get("archiveMode") != "always" or self.state.recording(room_id):
                return None
            return self.state.new_archive(
                room_id, form.get("archiveName") or None, self._owner_field
            )

    def answer_http(self, status: int | None) -> None:
        """Answer every request with this status from now on (None: answer normally)."""
        with self.state.lock:
            self.state.fail_with = status

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _OpenTokHandler(VideoApiHandler):
    def authenticated(self) -> bool:
        token = self.headers.get("X-OPENTOK-AUTH", "")
        try:
            claims = jwt.decode(
                token,
                OPENTOK_API_SECRET,
                algorithms=["HS256"],
                options={"require": ["iss", "ist", "iat", "exp"]},
            )
        except jwt.PyJWTError:
            return False
        return bool(claims["iss"] == OPENTOK_API_KEY and claims["ist"] == "project")


class OpenTokTestServer(VideoApiFake):
    def __init__(self) -> None:
        super().__init__(VideoApiServer(_OpenTokHandler, VideoApiState(OPENTOK_API_KEY)))

    def settings(self, **overrides: Any) -> OpenTokSettings:
        values: dict[str, Any] = {
            "api_key": OPENTOK_API_KEY,
            "api_secret": SecretStr(OPENTOK_API_SECRET),
            "api_url": f"http://127.0.0.1:{self.port}",
            "timeout_seconds": 5,
            "callback_secret": SecretStr(CALLBACK_SECRET),
        }
        return OpenTokSettings(**(values | overrides))


@pytest.fixture(name="opentok_server")
def opentok_server_fixture() -> Iterator[OpenTokTestServer]:
    server = OpenTokTestServer()
    yield server
    server.stop()
