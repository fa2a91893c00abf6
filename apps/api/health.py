"""Liveness: the process answers. Readiness (databases, providers) comes with operations."""

from __future__ import annotations

from litestar import get

from apps.api.schemas import ResponseBody


class HealthOut(ResponseBody):
    status: str


@get("/health", tags=["operations"], summary="Liveness probe")
async def health() -> HealthOut:
    return HealthOut(status="ok")
