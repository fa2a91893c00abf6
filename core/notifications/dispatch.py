"""Finding the tenants with outbox work through the dispatch index, and keeping it true.

The index lets a fleet of workers serve thousands of tenants without opening each
tenant database every tick: a worker reads the few due entries, delivers, then settles
the entry with the tenant's next due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from core.notifications.services import (
    DEFAULT_LEASE,
    DeliveryDependencies,
    DeliveryReport,
    deliver_due,
)
from core.tenants.model import TenantStatus
from ports.dispatch_index import DispatchIndex, DueTenant
from ports.pagination import PageRequest, Position
from ports.tenant_catalog import TenantCatalog

_GONE = (TenantStatus.DELETING, TenantStatus.DELETED)


@dataclass(frozen=True, slots=True)
class DispatchDependencies:
    index: DispatchIndex
    catalog: TenantCatalog
    delivery: DeliveryDependencies


async def due_tenants(deps: DispatchDependencies, *, limit: int) -> list[DueTenant]:
    return await deps.index.due(deps.delivery.clock.now(), limit)


async def dispatch_tenant(
    entry: DueTenant,
    deps: DispatchDependencies,
    *,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
) -> DeliveryReport:
    """Deliver one batch of a due tenant's messages, then settle its index entry.

    A tenant being deleted has its entry dropped: its messages are not sent any more.
    If more messages are due than one batch, the entry stays due for the next pass.
    """
    tenant = await deps.catalog.get(entry.tenant_id)
    if tenant is None or tenant.status in _GONE:
        await deps.index.settle(entry, None)
        return DeliveryReport()
    report = await deliver_due(
        tenant.id, deps.delivery, tenant_name=tenant.display_name, limit=batch, lease=lease
    )
    await deps.index.settle(entry, await _next_due(tenant.id, deps))
    return report


async def rebuild_dispatch_index(deps: DispatchDependencies) -> int:
    """Mark every tenant that has work waiting; the safety net behind the index.

    Marks are only ever added here, so running it beside busy workers is harmless.
    Returns the number of tenants marked.
    """
    marked = 0
    after: Position | None = None
    while True:
        page = await deps.catalog.browse(PageRequest(200, after))
        for tenant in page.items:
            if tenant.status in _GONE or tenant.status is TenantStatus.PROVISIONING:
                continue
            due = await _next_due(tenant.id, deps)
            if due is not None:
                await deps.index.mark(tenant.id, due)
                marked += 1
        if page.next is None:
            return marked
        after = page.next


async def _next_due(tenant_id: UUID, deps: DispatchDependencies) -> datetime | None:
    async with deps.delivery.tenant_uow(tenant_id) as uow:
        return await uow.outbox.next_due()
