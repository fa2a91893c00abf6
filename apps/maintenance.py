"""Schema upkeep shared by the CLI and `passerelle up`: the control DB, then every tenant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from adapters.sql.migrator import History, upgrade
from apps.container import Container
from core.tenants.model import Tenant, TenantStatus
from ports.pagination import PageRequest, Position


@dataclass
class MigrationReport:
    migrated: list[UUID] = field(default_factory=list)
    failed: dict[UUID, str] = field(default_factory=dict)


async def migrate_control(container: Container) -> None:
    await upgrade(container.control_engine(), History.CONTROL)


async def tenants_to_migrate(container: Container) -> list[Tenant]:
    catalog = container.catalog()
    found: list[Tenant] = []
    after: Position | None = None
    while True:
        page = await catalog.list(PageRequest(limit=500, after=after))
        found += [t for t in page.items if t.status is not TenantStatus.DELETED]
        if page.next is None:
            return found
        after = page.next


async def migrate_tenants(
    container: Container, tenants: list[Tenant], on_done: Callable[[Tenant, str | None], None]
) -> MigrationReport:
    """Migrate each tenant in turn; a failure is recorded and the next tenant goes on.

    Running it again resumes: tenants already at head cost one version check.
    """
    report = MigrationReport()
    databases = container.tenant_databases()
    for tenant in tenants:
        try:
            await databases.ensure(tenant.id)
        except Exception as exc:  # noqa: BLE001 - every failure is reported per tenant
            report.failed[tenant.id] = f"{type(exc).__name__}: {exc}"
            on_done(tenant, report.failed[tenant.id])
            continue
        report.migrated.append(tenant.id)
        on_done(tenant, None)
    return report
