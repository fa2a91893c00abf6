"""Google's side of Firebase Cloud Messaging on 127.0.0.1, recording what it receives.

One HTTP server plays both parts an FCM sender talks to, as Google documents them:

- the OAuth 2.0 token endpoint named by the service-account key's ``token_uri``
  (``POST /token``, form-encoded JWT-bearer grant). The assertion must be an RS256 JWT
  signed with the key the server knows, issued by the key's account, for Google's token
  audience and an FCM scope;
  the answer is ``{"access_token", "expires_in", "token_type"}``, and a bad assertion gets
  Google's ``400 {"error": "invalid_grant", ...}``;
- the HTTP v1 send API (``POST /v1/projects/<project>/messages:send``, body
  ``{"message": {...}}``), which requires ``Authorization: Bearer <a token it issued>``
  and answers ``{"name": "projects/<project>/messages/<id>"}``, or an FCM error body
  (``{"error": {"code", "message", "status", "details": [FcmError, BadRequest]}}``).

Tests script the failures: a device token that was unregistered, the next answers as
FCM errors, a slow API or token endpoint, refused token requests, revoked access tokens.
The server runs in its own threads; what tests read goes through a lock.

Fixtures (import them into a conftest.py to use them):

- ``fcm_keys``: two RSA keys for the session; the server trusts ``known``, not ``stranger``.
- ``start_fcm_server``: a factory starting servers (one per project), stopped at teardown.
- ``fcm_server``: one server for the project ``passerelle-test``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from adapters.firebase.settings import FirebaseSettings

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google wants this audience in the assertion whatever the token_uri; google-auth sends it.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
MESSAGING_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/firebase.messaging",
        "https://www.googleapis.com/auth/cloud-platform",
    }
)
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ACCESS_TOKEN_SECONDS = 3599


@dataclass(frozen=True)
class RsaKey:
    """A service account's key pair; ``pem`` is what a key file's ``private_key`` holds."""

    key_id: str
    pem: str
    public_key: rsa.RSAPublicKey


def new_rsa_key() -> RsaKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return RsaKey(key_id=secrets.token_hex(20), pem=pem, public_key=private.public_key())


@dataclass(frozen=True)
class FcmKeys:
    known: RsaKey
    stranger: RsaKey


@dataclass(frozen=True)
class FcmAnswer:
    """An error answer as FCM sends it."""

    status: int
    body: dict[str, Any]
    retry_after: str | None = None


def fcm_error(
    status: int,
    rpc_status: str,
    message: str,
    *,
    error_code: str | None = None,
    fields: tuple[str, ...] = (),
    retry_after: str | None = None,
) -> FcmAnswer:
    details: list[dict[str, Any]] = []
    if error_code is not None:
        details.append({"@type": FCM_ERROR, "errorCode": error_code})
    if fields:
        violations = [{"field": name, "description": message} for name in fields]
        details.append({"@type": BAD_REQUEST, "fieldViolations": violations})
    error: dict[str, Any] = {"code": status, "message": message, "status": rpc_status}
    if details:
        error["details"] = details
    return FcmAnswer(status, {"error": error}, retry_after)


UNREGISTERED = fcm_error(
    404, "NOT_FOUND", "Requested entity was not found.", error_code="UNREGISTERED"
)
INVALID_TOKEN = fcm_error(
    400,
    "INVALID_ARGUMENT",
    "The registration token is not a valid FCM registration token",
    error_code="INVALID_ARGUMENT",
)
INVALID_DATA_KEY = fcm_error(
    400,
    "INVALID_ARGUMENT",
    "Invalid data payload key: from",
    error_code="INVALID_ARGUMENT",
    fields=("message.data",),
)
SENDER_ID_MISMATCH = fcm_error(
    403, "PERMISSION_DENIED", "SenderId mismatch", error_code="SENDER_ID_MISMATCH"
)
THIRD_PARTY_AUTH_ERROR = fcm_error(
    401,
    "UNAUTHENTICATED",
    "Auth error from APNS or Web Push Service",
    error_code="THIRD_PARTY_AUTH_ERROR",
)


def quota_exceeded(retry_after: str | None = "30") -> FcmAnswer:
    return fcm_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Send requests'.",
        error_code="QUOTA_EXCEEDED",
        retry_after=retry_after,
    )


UNAVAILABLE = fcm_error(
    503, "UNAVAILABLE", "The service is currently unavailable.", error_code="UNAVAILABLE"
)
INTERNAL = fcm_error(500, "INTERNAL", "Internal error encountered.", error_code="INTERNAL")


@dataclass(frozen=True)
class ReceivedPush:
    """One message the send API accepted, and how it was asked."""

    project: str
    message: dict[str, Any]
    authorization: str
    headers: dict[str, str]
    name: str


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    pushes: list[ReceivedPush] = field(default_factory=list)
    grants: int = 0
    access_tokens: dict[str, float] = field(default_factory=dict)
    unregistered: set[str] = field(default_factory=set)
    next_answers: list[FcmAnswer] = field(default_factory=list)
    token_refusal: tuple[int, dict[str, str]] | None = None
    send_delay: float = 0.0
    token_delay: float = 0.0
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class FcmTestServer:
    """A running stand-in for Google's token endpoint and FCM's send API."""

    def __init__(self, project_id: str, key: RsaKey) -> None:
        self.project_id = project_id
        self.key = key
        self.client_email = f"firebase-adminsdk@{project_id}.iam.gserviceaccount.com"
        self._state = _State()
        self._httpd = _Httpd(("127.0.0.1", 0), _Handler)
        self._httpd.fcm = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.token_uri = f"{self.url}/token"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # --- what a sender is configured with ---------------------------------------------

    def service_account(self, key: RsaKey | None = None, **overrides: str) -> dict[str, str]:
        """A service-account key file's content, as the Firebase console hands it out."""
        key = key or self.key
        info = {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": key.key_id,
            "private_key": key.pem,
            "client_email": self.client_email,
            "client_id": "104217895309870652871",
            "auth_uri": f"{self.url}/o/oauth2/auth",
            "token_uri": self.token_uri,
            "universe_domain": "googleapis.com",
        }
        info.update(overrides)
        return info

    def settings(self, key: RsaKey | None = None, **overrides: Any) -> FirebaseSettings:
        """Settings reaching this server the way an operator would configure them."""
        values: dict[str, Any] = {
            "credentials_json": SecretStr(json.dumps(self.service_account(key))),
            "fcm_base_url": self.url,
            "timeout_seconds": 3.0,
        }
        values.update(overrides)
        return FirebaseSettings(**values)

    # --- scripting ----------------------------------------------------------------------

    def unregister(self, device_token: str) -> None:
        """From now on, pushes to ``device_token`` answer 404 UNREGISTERED."""
        with self._state.lock:
            self._state.unregistered.add(device_token)

    def answer_next(self, answer: FcmAnswer, times: int = 1) -> None:
        """Answer the next ``times`` sends with ``answer`` instead of accepting them."""
        with self._state.lock:
            self._state.next_answers.extend([answer] * times)

    def delay_sends(self, seconds: float) -> None:
        with self._state.lock:
            self._state.send_delay = seconds

    def delay_token_requests(self, seconds: float) -> None:
        with self._state.lock:
            self._state.token_delay = seconds

    def refuse_token_requests(
        self, error: str = "invalid_grant", description: str = "Invalid grant: account not found"
    ) -> None:
        """Answer every grant with 400 and Google's error, as for a deleted key."""
        with self._state.lock:
            self._state.token_refusal = (400, {"error": error, "error_description": description})

    def revoke_access_tokens(self) -> None:
        """Forget every access token issued: sends carrying one answer 401."""
        with self._state.lock:
            self._state.access_tokens.clear()

    # --- what happened ------------------------------------------------------------------

    @property
    def pushes(self) -> list[ReceivedPush]:
        with self._state.lock:
            return list(self._state.pushes)

    @property
    def grants(self) -> int:
        """Access tokens issued so far."""
        with self._state.lock:
            return self._state.grants

    def stop(self) -> None:
        self._state.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # --- the two endpoints, called from the server's threads ----------------------------

    def _grant(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        with self._state.lock:
            delay, refusal = self._state.token_delay, self._state.token_refusal
        self._state.stopping.wait(delay)
        if refusal is not None:
            return refusal
        if form.get("grant_type") != [JWT_BEARER] or len(form.get("assertion", [])) != 1:
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant"}
        problem = self._assertion_problem(form["assertion"][0])
        if problem is not None:
            return 400, {"error": "invalid_grant", "error_description": problem}
        access_token = f"ya29.test-{secrets.token_urlsafe(24)}"
        with self._state.lock:
            self._state.grants += 1
            self._state.access_tokens[access_token] = time.monotonic() + ACCESS_TOKEN_SECONDS
        return 200, {
            "access_token": access_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
        }

    def _assertion_problem(self, assertion: str) -> str | None:
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                self.key.public_key,
                algorithms=["RS256"],
                audience=GOOGLE_TOKEN_AUDIENCE,
                issuer=self.client_email,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.InvalidSignatureError:
            return "Invalid JWT Signature."
        except jwt.PyJWTError as exc:
            return f"Invalid JWT: {exc}"
        if header.get("kid") not in (None, self.key.key_id):
            return "Invalid JWT Signature."
        if not MESSAGING_SCOPES & set(str(claims.get("scope", "")).split()):
            return "Invalid OAuth scope or ID token audience provided."
        return None

    def _send(
        self, project: str, authorization: str, headers: dict[str, str], body: bytes
    ) -> FcmAnswer:
        if project != self.project_id:
            return fcm_error(
                403,
                "PERMISSION_DENIED",
                "Permission 'cloudmessaging.messages.create' denied on resource "
                f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                "(or it may not exist).",
            )
        if not self._authorized(authorization):
            return fcm_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )
        message = _message_of(body)
        if isinstance(message, FcmAnswer):
            return message
        with self._state.lock:
            delay = self._state.send_delay
        self._state.stopping.wait(delay)
        with self._state.lock:
            target = message.get("token") or message.get("fid")
            if target in self._state.unregistered:
                return UNREGISTERED
            if self._state.next_answers:
                return self._state.next_answers.pop(0)
            name = (
                f"projects/{project}/messages/0:{next(self._state.numbers)}%{secrets.token_hex(8)}"
            )
            self._state.pushes.append(ReceivedPush(project, message, authorization, headers, name))
        return FcmAnswer(200, {"name": name})

    def _authorized(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        with self._state.lock:
            expiry = self._state.access_tokens.get(token)
        return scheme == "Bearer" and expiry is not None and expiry > time.monotonic()


def _message_of(body: bytes) -> dict[str, Any] | FcmAnswer:
    """The ``message`` object, or FCM's answer to a request it cannot take."""
    try:
        request = json.loads(body)
    except ValueError:
        return fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    message = request.get("message") if isinstance(request, dict) else None
    if not isinstance(message, dict):
        return fcm_error(
            400, "INVALID_ARGUMENT", "Request contains an invalid argument.", fields=("message",)
        )
    targets = [name for name in ("token", "fid", "topic", "condition") if name in message]
    if len(targets) != 1:
        return fcm_error(
            400,
            "INVALID_ARGUMENT",
            "Recipient of the message is not set.",
            error_code="INVALID_ARGUMENT",
            fields=("message",),
        )
    data = message.get("data", {})
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return fcm_error(
            400, "INVALID_ARGUMENT", "Invalid value at 'message.data'", fields=("message.data",)
        )
    return message


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fcm: FcmTestServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Httpd

    def do_POST(self) -> None:
        fcm = self.server.fcm
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0]
        if path == "/token":
            status, answer = fcm._grant(parse_qs(body.decode()))
            self._answer(FcmAnswer(status, answer))
            return
        prefix, suffix = "/v1/projects/", "/messages:send"
        if path.startswith(prefix) and path.endswith(suffix):
            project = path[len(prefix) : -len(suffix)]
            headers = {name.lower(): value for name, value in self.headers.items()}
            authorization = self.headers.get("Authorization", "")
            self._answer(fcm._send(project, authorization, headers, body))
            return
        self._answer(fcm_error(404, "NOT_FOUND", f"{path} not found"))

    def _answer(self, answer: FcmAnswer) -> None:
        payload = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        if answer.retry_after is not None:
            self.send_header("Retry-After", answer.retry_after)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read what happened from the server's records."""


@pytest.fixture(scope="session")
def fcm_keys() -> FcmKeys:
    return FcmKeys(known=new_rsa_key(), stranger=new_rsa_key())


StartFcmServer = Callable[..., FcmTestServer]


@pytest.fixture
def start_fcm_server(fcm_keys: FcmKeys) -> Iterator[StartFcmServer]:
    """Start servers with ``project_id=`` (and ``key=``); every one is stopped at teardown."""
    servers: list[FcmTestServer] = []

    def start(*, project_id: str = "passerelle-test", key: RsaKey | None = None) -> FcmTestServer:
        server = FcmTestServer(project_id, key or fcm_keys.known)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fcm_server(start_fcm_server: StartFcmServer) -> FcmTestServer:
    return start_fcm_server()
