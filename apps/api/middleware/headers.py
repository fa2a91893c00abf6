"""Security headers on every response the application sends, errors and 404s included."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from apps.container import Container

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_PAGE_CSP = "frame-ancestors 'none'"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook; ``api.hsts_seconds`` 0 leaves Strict-Transport-Security out.

    API answers are data, never pages: they forbid every source and framing. HTML (the
    OpenAPI viewers) only forbids framing, so the viewer still loads its scripts. Nothing
    is cached unless the route says otherwise (tokens and tenant data are never shared
    caches' business), and resources are not embeddable by other sites unless the route
    sets its own Cross-Origin-Resource-Policy.
    """
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _ALWAYS.items():
        headers[name] = value
    page = (headers.get("content-type") or "").startswith("text/html")
    headers["Content-Security-Policy"] = _PAGE_CSP if page else _API_CSP
    if "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    if "cross-origin-resource-policy" not in headers:
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
    container: Container = scope["app"].state.container
    hsts_seconds = container.settings().api.hsts_seconds
    if hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
