"""Every HTTP request measured and logged once: request id, tenant, route, status, duration.

The request id comes from the caller's ``X-Request-ID`` when it is a sane token, else is
made here; it is bound to every log line the request causes and sent back in the
response. Only the route template, method, status and timing are recorded: never
headers, bodies or query strings, where credentials travel.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from uuid import UUID, uuid4

from litestar import Request, Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.dependencies import container_of, tenant_slug
from apps.api.errors import status_of
from apps.container import Container
from apps.observability.logging import bind_request, clear_request
from apps.observability.metrics import CONTENT_TYPE

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_STATE_KEY = "request_id"
log = logging.getLogger("passerelle.http")


def request_id_of(scope: Scope) -> str | None:
    request_id: str | None = scope.get("state", {}).get(_STATE_KEY)
    return request_id


class ObservabilityMiddleware(ASGIMiddleware):
    """Outermost of the app's middleware, so limits and idempotency are timed too."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid4().hex
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        route = scope.get("path_template") or scope["path"]
        bind_request({"request_id": request_id, "method": request.method, "route": route})
        status = 500

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await next_app(scope, receive, recording)
        except Exception as exc:
            status = status_of(exc)
            raise
        finally:
            await _record(request, route, status, time.perf_counter() - started)
            clear_request()


async def _record(request: Request[Any, Any, Any], route: str, status: int, seconds: float) -> None:
    container = container_of(request)
    slug = tenant_slug(request)
    tenant_id = await _tenant_id(container, slug) if slug and status != 404 else None
    known_slug = slug if tenant_id is not None else None
    container.metrics().observe_request(
        route=route, method=request.method, status=status, seconds=seconds, tenant=known_slug
    )
    log.info(
        "request",
        extra={
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "tenant": known_slug,
            "tenant_id": str(tenant_id) if tenant_id else None,
        },
    )


async def _tenant_id(container: Container, slug: str) -> UUID | None:
    """From the tenant cache the request itself just filled; unknown slugs stay unlabelled."""
    try:
        tenant = await container.catalog().find_by_slug(slug)
    except Exception:  # noqa: BLE001 - a log line must not fail the request it describes
        return None
    return tenant.id if tenant is not None else None


async def send_request_id(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the id goes out on every answer, error documents included."""
    request_id = request_id_of(scope)
    if message["type"] == "http.response.start" and request_id:
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus text format; the outbox gauges are refreshed from the control database."""
    container = container_of(request)
    metrics = container.metrics()
    try:
        await metrics.refresh_outbox(container.control_engine(), container.clock().now())
    except Exception:  # stale gauges beat a failed scrape of every other metric
        log.warning("outbox metrics not refreshed", exc_info=True)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)
