"""CORS per tenant: only the origins a tenant's operator listed may call its API from a browser.

The tenant is the one the request addresses (host ``<slug>.<base domain>``, or the tenant
header on actual requests; a preflight carries no custom header values, so browser
clients should use the tenant's host name). Origins match exactly. A request from any
other origin gets no CORS header at all, so the browser keeps the answer from the page.
Credentials are bearer tokens, never cookies, so ``Access-Control-Allow-Credentials`` is
never sent.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.dependencies import container_of
from apps.api.middleware.callers import addressed_tenant
from apps.api.middleware.idempotency import REPLAYED_HEADER

PREFLIGHT_MAX_AGE = 600
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
EXPOSED_HEADERS = ", ".join(
    [
        "Location",
        "ETag",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-Policy",
        REPLAYED_HEADER,
    ]
)
_REQUEST_HEADERS = frozenset(
    {"authorization", "content-type", "idempotency-key", "if-match", "if-none-match"}
)


class CorsMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        origin = request.headers.get("origin")
        if origin is None:
            await next_app(scope, receive, send)
            return
        tenant = await addressed_tenant(request)
        allowed = tenant is not None and tenant.allows_origin(origin)
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            await _preflight(request, origin if allowed else None, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers.extend_header_value("Vary", "Origin")
                if allowed:
                    headers["Access-Control-Allow-Origin"] = origin
                    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await next_app(scope, receive, send_with_cors)


async def _preflight(request: Request[Any, Any, Any], origin: str | None, send: Send) -> None:
    """204 either way; only an allowed origin gets the headers that let the browser go on."""
    headers = [(b"vary", b"Origin"), (b"content-length", b"0")]
    if origin is not None:
        tenant_header = container_of(request).settings().api.tenant_header.lower()
        asked = request.headers.get("access-control-request-headers", "")
        wanted = [name.strip().lower() for name in asked.split(",") if name.strip()]
        granted = [name for name in wanted if name in _REQUEST_HEADERS | {tenant_header}]
        headers += [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-max-age", str(PREFLIGHT_MAX_AGE).encode()),
        ]
        if granted:
            headers.append((b"access-control-allow-headers", ", ".join(granted).encode()))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
