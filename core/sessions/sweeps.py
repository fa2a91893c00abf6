"""The worker's pass over every active tenant: unanswered calls and idle sessions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.sessions.calls import SweepReport, sweep_sessions
from core.sessions.services import SessionDependencies
from core.tenants.model import TenantStatus
from ports.pagination import PageRequest
from ports.tenant_catalog import TenantCatalog

log = logging.getLogger(__name__)
_PAGE = 200


@dataclass(frozen=True, slots=True)
class SweepRound:
    tenants: int = 0
    missed: int = 0
    ended: int = 0
    cancelled: int = 0
    failed: tuple[str, ...] = field(default=())


async def sweep_every_tenant(catalog: TenantCatalog, deps: SessionDependencies) -> SweepRound:
    """One tenant whose database is down is logged and skipped; the others are swept."""
    totals = SweepReport()
    failed: list[str] = []
    count = 0
    page = PageRequest(limit=_PAGE)
    while True:
        found = await catalog.browse(page, status=TenantStatus.ACTIVE)
        for tenant in found.items:
            count += 1
            try:
                report = await sweep_sessions(tenant.id, deps)
            except Exception:
                log.exception("session sweep of tenant %s failed", tenant.slug)
                failed.append(tenant.slug)
                continue
            totals = SweepReport(
                missed=totals.missed + report.missed,
                ended=totals.ended + report.ended,
                cancelled=totals.cancelled + report.cancelled,
            )
        if found.next is None:
            break
        page = PageRequest(limit=_PAGE, after=found.next)
    return SweepRound(count, totals.missed, totals.ended, totals.cancelled, tuple(failed))
