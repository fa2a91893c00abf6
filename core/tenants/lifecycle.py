"""Use cases on a tenant's life after creation: limits, suspension, deletion, purge, reconcile."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from core.tenants.model import Tenant, TenantStatus
from core.tenants.services import TenantDependencies, existing_tenant, record_event
from ports.pagination import PageRequest, Position
from ports.tenant_databases import ProvisioningError


async def update_tenant(
    reference: UUID | str,
    deps: TenantDependencies,
    *,
    actor: str,
    display_name: str | None = None,
    limits: Mapping[str, int] | None = None,
) -> Tenant:
    """Rename and/or change some plan limits; limits not named keep their value."""
    tenant = await existing_tenant(deps.catalog, reference)
    now = deps.clock.now()
    changed = tenant
    if display_name is not None:
        changed = changed.renamed(display_name, now)
    if limits:
        changed = changed.with_limits(replace(changed.limits, **limits), now)
    if changed == tenant:
        return tenant
    await deps.catalog.save(changed)
    detail = {
        "display_name": changed.display_name,
        **{name: str(value) for name, value in asdict(changed.limits).items()},
    }
    await record_event(deps, changed, "updated", actor, **detail)
    return changed


async def suspend_tenant(reference: UUID | str, deps: TenantDependencies, *, actor: str) -> Tenant:
    """Requests to a suspended tenant answer 403 ``tenant_suspended``; its data is untouched."""
    return await _change_state(reference, deps, actor, Tenant.suspended, "suspended")


async def resume_tenant(reference: UUID | str, deps: TenantDependencies, *, actor: str) -> Tenant:
    return await _change_state(reference, deps, actor, Tenant.resumed, "resumed")


async def _change_state(
    reference: UUID | str,
    deps: TenantDependencies,
    actor: str,
    transition: Callable[[Tenant, datetime], Tenant],
    action: str,
) -> Tenant:
    tenant = await existing_tenant(deps.catalog, reference)
    changed = transition(tenant, deps.clock.now())
    await deps.catalog.save(changed)
    await record_event(deps, changed, action, actor)
    return changed


async def delete_tenant(
    reference: UUID | str, deps: TenantDependencies, *, actor: str, grace: timedelta
) -> Tenant:
    """Soft delete now, purge after ``grace``. Asking twice is harmless."""
    tenant = await existing_tenant(deps.catalog, reference)
    deleting = tenant.deletion_requested(deps.clock.now(), grace)
    if deleting is not tenant:
        await deps.catalog.save(deleting)
        purge_after = deleting.purge_after.isoformat() if deleting.purge_after else ""
        await record_event(deps, deleting, "deletion_requested", actor, purge_after=purge_after)
    return deleting


async def purge_tenant(tenant: Tenant, deps: TenantDependencies, *, actor: str) -> Tenant:
    """Drop the database and the directory, then mark the tenant deleted; safe to retry."""
    await deps.databases.drop(tenant.id)
    await deps.storage.purge(tenant.id)
    purged = tenant.purged(deps.clock.now())
    await deps.catalog.save(purged)
    await record_event(deps, purged, "purged", actor)
    return purged


@dataclass
class PurgeReport:
    purged: list[Tenant] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


async def purge_due_tenants(
    deps: TenantDependencies, *, actor: str, limit: int = 20
) -> PurgeReport:
    """Purge every tenant whose grace period has ended; one failure does not stop the rest."""
    report = PurgeReport()
    for tenant in await deps.catalog.purge_due(deps.clock.now(), limit):
        try:
            report.purged.append(await purge_tenant(tenant, deps, actor=actor))
        except ProvisioningError as exc:
            report.failed[tenant.slug] = str(exc)
    return report


@dataclass
class ReconcileReport:
    """What exists without a tenant, and what a live tenant lacks."""

    orphan_databases: set[UUID] = field(default_factory=set)
    orphan_directories: set[UUID] = field(default_factory=set)
    missing_databases: set[UUID] = field(default_factory=set)
    missing_directories: set[UUID] = field(default_factory=set)
    cleaned: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.orphan_databases
            or self.orphan_directories
            or self.missing_databases
            or self.missing_directories
        )


async def reconcile_tenants(
    deps: TenantDependencies, *, actor: str, remove_orphans: bool = False
) -> ReconcileReport:
    """Compare the catalog with the databases and directories that exist.

    A database or directory is an orphan when no tenant that still owns data has its id
    (never catalogued, or already purged). With ``remove_orphans`` they are dropped.
    Dedicated tenants' databases live on other servers, so they are checked one by one.
    """
    owners = await _tenants_owning_data(deps)
    live = {t.id for t in owners if t.status in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)}
    owner_ids = {t.id for t in owners}
    databases = await deps.databases.tenant_ids()
    directories = await deps.storage.tenant_ids()
    report = ReconcileReport(
        orphan_databases=databases - owner_ids,
        orphan_directories=directories - owner_ids,
        missing_databases={t for t in live - databases if not await deps.databases.exists(t)},
        missing_directories=live - directories,
    )
    if remove_orphans:
        for tenant_id in report.orphan_databases:
            await deps.databases.drop(tenant_id)
        for tenant_id in report.orphan_directories:
            await deps.storage.purge(tenant_id)
        report.cleaned = True
    return report


async def _tenants_owning_data(deps: TenantDependencies) -> list[Tenant]:
    owners: list[Tenant] = []
    after: Position | None = None
    while True:
        page = await deps.catalog.browse(PageRequest(limit=500, after=after))
        owners += [t for t in page.items if t.status is not TenantStatus.DELETED]
        if page.next is None:
            return owners
        after = page.next
