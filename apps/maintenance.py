"""Schema upkeep shared by the CLI and `passerelle up`: the control DB, then every tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from adapters.sql.migrator import History, upgrade
from apps.container import Container
from core.errors import Conflict
from core.tenants.model import Tenant, TenantStatus
from core.tenants.services import existing_tenant
from ports.pagination import PageRequest, Position
from ports.tenant_databases import ProvisioningError


@dataclass
class MigrationReport:
    migrated: list[UUID] = field(default_factory=list)
    skipped: list[UUID] = field(default_factory=list)
    failed: dict[UUID, str] = field(default_factory=dict)


async def migrate_control(container: Container) -> None:
    await upgrade(container.control_engine(), History.CONTROL)


async def tenants_to_migrate(container: Container) -> list[Tenant]:
    catalog = container.catalog()
    found: list[Tenant] = []
    after: Position | None = None
    while True:
        page = await catalog.browse(PageRequest(limit=500, after=after))
        found += [t for t in page.items if t.status is not TenantStatus.DELETED]
        if page.next is None:
            return found
        after = page.next


IN_USE = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)


async def tenants_in_use(
    container: Container, reference: str | None, *, statuses: tuple[TenantStatus, ...] = IN_USE
) -> list[Tenant]:
    """The tenant ``reference`` names (slug or id), else every tenant in one of ``statuses``.

    A named tenant in another status is refused: a purged tenant has no database left, and
    opening one would create an empty one in its place."""
    if reference is None:
        return [t for t in await tenants_to_migrate(container) if t.status in statuses]
    tenant = await existing_tenant(container.catalog(), reference)
    if tenant.status not in statuses:
        raise Conflict(
            f"tenant '{tenant.slug}' is {tenant.status.value}: its data is not in use",
            field="tenant",
            code="tenant_not_in_use",
        )
    return [tenant]


async def migrate_tenants(
    container: Container,
    tenants: list[Tenant],
    on_done: Callable[[Tenant, str | None], None],
    *,
    concurrency: int = 4,
) -> MigrationReport:
    """Migrate tenants, ``concurrency`` at a time; a failure is recorded and the rest go on.

    Tenants already at head are skipped after one version check, so running it again
    after a failure only redoes what failed.
    """
    report = MigrationReport()
    databases = container.tenant_databases()
    slots = asyncio.Semaphore(concurrency)

    async def migrate(tenant: Tenant) -> None:
        async with slots:
            try:
                if await databases.at_head(tenant.id):
                    report.skipped.append(tenant.id)
                else:
                    await databases.ensure(tenant.id)
                    report.migrated.append(tenant.id)
            except ProvisioningError as exc:
                report.failed[tenant.id] = str(exc)
            on_done(tenant, report.failed.get(tenant.id))

    await asyncio.gather(*(migrate(tenant) for tenant in tenants))
    return report
