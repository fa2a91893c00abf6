"""Binds each request's audit context, and records the audited requests that succeeded.

One mechanism for every audited route (``apps.api.audit.routes``): after the handler
answered 2xx, one audit event names the caller, the action, the target (a path parameter
or the created object's id from the response), the client address and the request id.
Failed sign-ins are recorded too. Request bodies are read only for JSON requests and only
allow-listed keys are kept (``core.audit.model.clean_details``); secrets never are.

The event is written right after the change committed, on its own: a crash
between the two loses the event (at most once), never the change. It sits inside the
idempotency middleware, so a replayed answer is not recorded twice.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.audit.routes import AUDITED, LOGIN, Audited
from apps.api.auth.routes import route_of
from apps.api.dependencies import container_of
from apps.api.middleware.callers import addressed_tenant, client_ip
from apps.observability.http import request_id_of
from core.audit.context import RequestContext, bind_request, unbind_request
from core.audit.model import ActorKind, AuditActor, AuditEntry
from core.audit.services import record

log = logging.getLogger(__name__)
AUDIT_PLUGIN = "plugins.builtin.audit_log"
MAX_CAPTURE = 64 * 1024
_FAILED_SIGN_IN = frozenset({401, 429})


class AuditMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        context = RequestContext(ip=client_ip(request), request_id=request_id_of(scope))
        audited = AUDITED.get(route_of(request))
        if audited is not None and not container_of(request).plugins().enabled(AUDIT_PLUGIN):
            audited = None
        token = bind_request(context)
        try:
            if audited is None:
                await next_app(scope, receive, send)
                return
            capture = _Capture(request.headers.get("content-type", ""))
            await next_app(scope, capture.receiving(receive), capture.sending(send))
        finally:
            unbind_request(token)
        try:
            await _record(request, audited, context, capture)
        except Exception:  # the answer is sent: a lost event must not fail the change
            log.exception("audit event of %s %s not recorded", request.method, request.url.path)


class _Capture:
    """The answer's status and small bodies, seen on their way through."""

    def __init__(self, content_type: str) -> None:
        self.status = 500
        self.request_body = b""
        self.response_body = b""
        self._json_request = content_type.split(";")[0].strip().lower() == "application/json"

    def receiving(self, receive: Receive) -> Receive:
        async def receiving() -> Any:
            message = await receive()
            if self._json_request and message["type"] == "http.request":
                self.request_body = _capped(self.request_body + message.get("body", b""))
            return message

        return receiving

    def sending(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.response_body = _capped(self.response_body + message.get("body", b""))
            await send(message)

        return sending


def _capped(data: bytes) -> bytes:
    return data if len(data) <= MAX_CAPTURE else b""


async def _record(
    request: Request[Any, Any, Any], audited: Audited, context: RequestContext, capture: _Capture
) -> None:
    is_login = route_of(request) == LOGIN
    if 200 <= capture.status < 300 and context.actor is not None:
        tenant_id, entry = context.actor.tenant_id, _entry(request, audited, context, capture)
    elif is_login and capture.status in _FAILED_SIGN_IN:
        tenant = await addressed_tenant(request)
        if tenant is None:
            return
        tenant_id, entry = tenant.id, _failed_sign_in(context, capture)
    else:
        return
    await record(tenant_id, entry, container_of(request).audit_dependencies())


def _entry(
    request: Request[Any, Any, Any], audited: Audited, context: RequestContext, capture: _Capture
) -> AuditEntry:
    params = {k: str(v) for k, v in request.path_params.items()}
    body = _json(capture.request_body)
    target = params.get(audited.path_param) if audited.path_param else None
    if target is None and audited.id_in:
        target = _dig(_json(capture.response_body), audited.id_in)
    if target is None and audited.target_type == "user" and context.actor is not None:
        target = str(context.actor.user_id)
    details = {**body, **params, "fields": sorted(body)} if body else dict(params)
    if route_of(request) == LOGIN:
        details = {"email": body.get("email")}
    return AuditEntry(
        actor=context.audit_actor(),
        action=audited.action,
        target_type=audited.target_type,
        target_id=target,
        ip=context.ip,
        request_id=context.request_id,
        details=details,
    )


def _failed_sign_in(context: RequestContext, capture: _Capture) -> AuditEntry:
    email = _json(capture.request_body).get("email")
    reason = _json(capture.response_body).get("code")
    return AuditEntry(
        actor=AuditActor(ActorKind.USER),
        action="auth.sign_in_failed",
        target_type="user",
        ip=context.ip,
        request_id=context.request_id,
        details={"email": email, "reason": reason},
    )


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data) if data else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _dig(value: Any, path: tuple[str, ...]) -> str | None:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, str | UUID) and str(value):
        return str(value)
    return None
