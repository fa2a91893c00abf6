"""Liveness (the process answers) and readiness (it can serve: databases, storage, adapters).

Kubernetes restarts a pod that fails liveness and stops routing to one that fails
readiness, so liveness checks nothing external (a database outage must not restart
every pod) while readiness checks everything a request needs, each under a timeout.
Readiness is public like the probes that call it; its details name the checks and their
errors (type and first line), never settings or credentials.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from litestar import Request, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncEngine

from apps.api.dependencies import container_of
from apps.api.schemas import ResponseBody
from apps.container import Container
from core.tenants.model import TenantStatus
from ports.health import HealthCheck
from ports.pagination import PageRequest

ADAPTERS = ("storage", "mail", "sms", "push", "video", "multiplayer", "events")


class CheckStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


class HealthOut(ResponseBody):
    status: str


class CheckOut(ResponseBody):
    name: str
    status: CheckStatus
    duration_ms: float
    detail: str = ""


class ReadinessOut(ResponseBody):
    status: str
    checks: list[CheckOut]


@get("/health", tags=["operations"], summary="Liveness probe")
async def health() -> HealthOut:
    return HealthOut(status="ok")


@get(
    "/health/ready",
    tags=["operations"],
    summary="Readiness probe",
    description=(
        "200 when the control database, a sample of tenant databases and every configured "
        "adapter with a health check answer within `observability.readiness_timeout_seconds`; "
        "503 with the failing checks otherwise."
    ),
    responses={},
)
async def readiness(request: Request[Any, Any, Any]) -> Response[ReadinessOut]:
    container = container_of(request)
    limit_seconds = container.settings().observability.readiness_timeout_seconds
    probes = await _probes(container, limit_seconds)
    checks = await asyncio.gather(*(_run(name, probe, limit_seconds) for name, probe in probes))
    ready = all(check.status is not CheckStatus.FAILED for check in checks)
    return Response(
        ReadinessOut(status="ready" if ready else "not_ready", checks=list(checks)),
        status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Cache-Control": "no-store"},
    )


Probe = Callable[[], Awaitable[None]] | None
"""None: the adapter has no check of its own."""


async def _probes(container: Container, limit_seconds: float) -> list[tuple[str, Probe]]:
    probes: list[tuple[str, Probe]] = [
        ("control_database", lambda: _ping(container.control_engine()))
    ]
    probes += await _tenant_probes(container, limit_seconds)
    for kind in ADAPTERS:
        adapter = getattr(container, kind)()
        probes.append((kind, adapter.check if isinstance(adapter, HealthCheck) else None))
    return probes


async def _tenant_probes(container: Container, limit_seconds: float) -> list[tuple[str, Probe]]:
    """The oldest active tenants' databases: proves the tenant engines and their server."""
    sample = container.settings().observability.readiness_tenant_sample
    if sample == 0:
        return []
    try:
        async with asyncio.timeout(limit_seconds):
            page = await container.catalog().browse(
                PageRequest(limit=sample), status=TenantStatus.ACTIVE
            )
    except Exception as exc:  # noqa: BLE001 - reported as the failing check below
        reason = _reason(exc)

        async def unlisted() -> None:
            raise RuntimeError(reason)

        return [("tenant_databases", unlisted)]
    engines = container.tenant_engines()
    return [
        (f"tenant_database:{tenant.slug}", _engine_ping(engines.engine_for, tenant.id))
        for tenant in page.items
    ]


def _engine_ping(engine_for: Callable[[Any], Awaitable[AsyncEngine]], tenant_id: Any) -> Probe:
    async def ping() -> None:
        await _ping(await engine_for(tenant_id))

    return ping


async def _ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


async def _run(name: str, probe: Probe, limit_seconds: float) -> CheckOut:
    if probe is None:
        return CheckOut(name, CheckStatus.NOT_CHECKED, 0.0, "the adapter has no health check")
    started = time.perf_counter()
    try:
        async with asyncio.timeout(limit_seconds):
            await probe()
    except TimeoutError:
        status, detail = CheckStatus.FAILED, f"no answer within {limit_seconds}s"
    except Exception as exc:  # noqa: BLE001 - any failure makes the check fail, with its reason
        status, detail = CheckStatus.FAILED, _reason(exc)
    else:
        status, detail = CheckStatus.OK, ""
    return CheckOut(name, status, round((time.perf_counter() - started) * 1000, 2), detail)


def _reason(exc: BaseException) -> str:
    """The error's type and first line, cut short: enough to act on, no connection strings."""
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line[:160]}".rstrip(": ")
