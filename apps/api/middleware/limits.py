"""Request limits per client IP, credential and tenant: 429 with Retry-After past them.

Every limited response carries the IETF draft RateLimit headers of the tightest limit
that applied (``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``,
``RateLimit-Policy``), so well-behaved clients slow down before they are refused.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.dependencies import container_of, tenant_slug
from apps.api.middleware.callers import client_ip, credential_hash, verified_tenant_id
from apps.api.middleware.routes import AUTH_LIMITS, NO_LIMITS, RATE_LIMIT
from apps.config.settings import RateLimitSettings
from ports.request_limiter import Quota, Verdict

MINUTE = 60.0


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        settings = container_of(request).settings().rate_limits
        route_class = scope["route_handler"].opt.get(RATE_LIMIT)
        if not settings.enabled or route_class == NO_LIMITS or request.method == "OPTIONS":
            await next_app(scope, receive, send)
            return
        limiter = container_of(request).request_limiter()
        verdicts = [
            await limiter.hit(key, quota) for key, quota in _checks(request, settings, route_class)
        ]
        tightest = min(verdicts, key=_tightness)
        headers = _headers(tightest)
        if not tightest.allowed:
            headers["Retry-After"] = str(tightest.retry_after_seconds)
            raise TooManyRequestsException(
                detail=f"too many requests; retry in {tightest.retry_after_seconds} s",
                headers=headers,
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)


def _checks(
    request: Request[Any, Any, Any], settings: RateLimitSettings, route_class: str | None
) -> list[tuple[str, Quota]]:
    ip = client_ip(request)
    credential = credential_hash(request)
    checks = [(f"ip:{ip}", Quota(settings.per_ip_per_minute, MINUTE))]
    if credential is not None:
        checks.append((f"user:{credential}", Quota(settings.per_user_per_minute, MINUTE)))
    tenant_id = verified_tenant_id(request)
    if tenant_id is not None:
        checks.append((f"tenant:{tenant_id}", Quota(settings.per_tenant_per_minute, MINUTE)))
    if route_class == AUTH_LIMITS:
        who = credential or f"{tenant_slug(request) or '-'}@{ip}"
        checks += [
            (f"auth-ip:{ip}", Quota(settings.auth_per_ip_per_minute, MINUTE)),
            (f"auth-user:{who}", Quota(settings.auth_per_user_per_minute, MINUTE)),
        ]
    return checks


def _tightness(verdict: Verdict) -> tuple[bool, int, int]:
    """Refusals first (the longest wait first), then the fewest requests left."""
    return (verdict.allowed, -verdict.retry_after_seconds, verdict.remaining)


def _headers(verdict: Verdict) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(verdict.limit),
        "RateLimit-Remaining": str(verdict.remaining),
        "RateLimit-Reset": str(verdict.reset_seconds),
        "RateLimit-Policy": f"{verdict.limit};w={int(MINUTE)}",
    }
