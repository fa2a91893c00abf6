"""``Idempotency-Key`` on create endpoints: a retried POST answers what the first one did.

Only routes tagged with ``idempotent()`` take part, and only when the client sends the
header. The key is scoped by tenant (or operator) and by a hash of the credential, so two
callers never share a key; a request without a credential takes no part (it is refused
with 401 as if it had no key, and anonymous callers would otherwise share one scope), and
a 401 is never kept: a credential nobody knows is no caller to answer again.
The request is fingerprinted (SHA-256 of method, path, query and body) so a key reused
for another request is refused rather than answered wrongly.

Uploads (``idempotent(streamed=True)``) are never read whole: the key is claimed with a
fingerprint of method, path, query and Content-Type, the body's SHA-256 is computed as
the handler streams it, and both are kept with the answer. A replay's body is read and
hashed to be compared, then dropped, so nothing new is stored. An attempt that did not
read its whole body (refused before the bytes, client gone) created nothing and frees
the key.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.dependencies import container_of, tenant_slug
from apps.api.middleware.callers import credential_hash
from apps.api.middleware.routes import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENT,
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    STREAMED_BODY,
)
from apps.api.middleware.streamed_bodies import BodyDigest, drained_digest
from core.errors import Conflict, InvalidInput
from ports.idempotency import IdempotencyRecord, StoredResponse

REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(KEY_PATTERN)
_KEPT_HEADERS = frozenset({"content-type", "location", "etag", "last-modified"})


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        taking_part = key is not None and scope["route_handler"].opt.get(IDEMPOTENT)
        credential = credential_hash(request) if taking_part else None
        if key is None or credential is None:
            await next_app(scope, receive, send)
            return
        _check_key(key)
        streamed = bool(scope["route_handler"].opt.get(STREAMED_BODY))
        head = request.headers.get("content-type", "").encode()
        container = container_of(request)
        settings = container.settings().api
        now = container.clock().now()
        record = IdempotencyRecord(
            scope=f"{tenant_slug(request) or 'operator'}:{credential}",
            key=key,
            fingerprint=_fingerprint(request, head if streamed else await request.body()),
            started_at=now,
            expires_at=now + timedelta(seconds=settings.idempotency_ttl_seconds),
        )
        store = container.idempotency_store()
        lease = timedelta(seconds=settings.idempotency_lease_seconds)
        found = await store.claim(record, now=now, lease=lease)
        if found is not None:
            fingerprint = record.fingerprint
            if streamed and found.response is not None:
                fingerprint = _with_body(fingerprint, await drained_digest(receive))
            await _answer_again(found, fingerprint, send)
            return
        body = BodyDigest(receive) if streamed else None
        recorder = _Recorder(send)
        try:
            await next_app(scope, body.receive if body else receive, recorder.send)
        except BaseException:
            await store.release(record.scope, key)
            raise
        response = recorder.response()
        if response is None or _not_kept(response.status) or (body and not body.complete):
            await store.release(record.scope, key)
        else:
            final = _with_body(record.fingerprint, body.hexdigest()) if body else None
            await store.complete(record.scope, key, response, fingerprint=final)


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            f"{IDEMPOTENCY_HEADER} must be 1-{MAX_KEY_LENGTH} printable ASCII characters",
            field=IDEMPOTENCY_HEADER,
            code="invalid_idempotency_key",
        )


def _not_kept(status: int) -> bool:
    """A server failure may not happen again, and a 401 answered a caller nobody knows:
    neither is the answer to replay (and strangers would otherwise fill the store)."""
    return status >= 500 or status == 401


def _fingerprint(request: Request[Any, Any, Any], body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query or ""):
        digest.update(part.encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def _with_body(fingerprint: str, body_sha256: str) -> str:
    """A streamed request's fingerprint once its body was read: still 64 hex digits."""
    return hashlib.sha256(f"{fingerprint}:{body_sha256}".encode()).hexdigest()


async def _answer_again(found: IdempotencyRecord, fingerprint: str, send: Send) -> None:
    if found.fingerprint != fingerprint:
        raise InvalidInput(
            f"this {IDEMPOTENCY_HEADER} was used for another request; use a new key",
            field=IDEMPOTENCY_HEADER,
            code="idempotency_key_reused",
        )
    if found.response is None:
        raise Conflict(
            f"a request with this {IDEMPOTENCY_HEADER} is still being processed; retry later",
            field=IDEMPOTENCY_HEADER,
            code="idempotency_key_in_flight",
        )
    stored = found.response
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in stored.headers]
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


class _Recorder:
    """Passes the response on to the client while keeping a copy of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._status: int | None = None
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = message["status"]
            self._headers = [
                (name.decode("latin-1").lower(), value.decode("latin-1"))
                for name, value in message.get("headers", [])
                if name.decode("latin-1").lower() in _KEPT_HEADERS
            ]
        elif message["type"] == "http.response.body":
            self._body.append(message.get("body", b""))
        await self._send(message)

    def response(self) -> StoredResponse | None:
        if self._status is None:
            return None
        return StoredResponse(self._status, tuple(self._headers), b"".join(self._body))
