"""Use cases of retention: read and set a tenant's policy, purge what it lets go.

The purge works in batches, each its own transaction, so it is safe to stop and re-run:
- ended sessions (never an open one) go with their participants, invitations, recordings
  rows and attached files; a file's blob is deleted before its row, so a purge cut short
  leaves at worst a row whose blob is gone (deleted again, harmlessly, by the next run),
  never a blob nobody refers to;
- files older than the files period go the same way, except those attached to an open
  session; a file attached to an ended session that is still kept goes by its own age;
- audit events, and finished notifications (sent, delivered, dead) that no kept
  invitation refers to, are deleted by age.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from core.errors import NotFound
from core.identity.model import Actor
from core.identity.permissions import Action, authorize
from core.retention.model import Cutoffs, RetentionPolicy
from core.tenants.model import TenantStatus
from ports.blob_store import BlobStore
from ports.clock import Clock
from ports.pagination import PageRequest
from ports.retention import FileBlob, RetentionUnitOfWork, RetentionUnitOfWorkFactory
from ports.tenant_catalog import TenantCatalog

log = logging.getLogger(__name__)
_TENANT_PAGE = 200
_Step = Callable[[RetentionUnitOfWork, datetime, int], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class RetentionDependencies:
    tenant_uow: RetentionUnitOfWorkFactory
    catalog: TenantCatalog
    blobs: BlobStore
    clock: Clock
    batch_size: int = 200


@dataclass(slots=True)
class RetentionReport:
    """What one tenant's purge deleted, or with ``dry_run`` would delete."""

    tenant_id: UUID
    slug: str
    dry_run: bool
    sessions: int = 0
    files: int = 0
    audit_events: int = 0
    outbox: int = 0


@dataclass(slots=True)
class RetentionRound:
    reports: list[RetentionReport] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


async def retention_policy(actor: Actor, deps: RetentionDependencies) -> RetentionPolicy:
    authorize(actor, Action.RETENTION_POLICY)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.retention.policy()


async def set_retention_policy(
    actor: Actor, policy: RetentionPolicy, deps: RetentionDependencies
) -> RetentionPolicy:
    authorize(actor, Action.RETENTION_POLICY)
    checked = policy.checked()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.retention.save_policy(checked)
        await uow.commit()
    return checked


async def purge_tenant(
    tenant_id: UUID, slug: str, deps: RetentionDependencies, *, dry_run: bool = False
) -> RetentionReport:
    report = RetentionReport(tenant_id, slug, dry_run)
    async with deps.tenant_uow(tenant_id) as uow:
        policy = await uow.retention.policy()
    if policy.keeps_everything:
        return report
    cutoffs = policy.cutoffs(deps.clock.now())
    if dry_run:
        return await _count(tenant_id, cutoffs, report, deps)
    if cutoffs.sessions is not None:
        await _purge_sessions(tenant_id, cutoffs.sessions, report, deps)
    if cutoffs.files is not None:
        await _purge_files(tenant_id, cutoffs.files, report, deps)
    if cutoffs.audit_events is not None:
        report.audit_events = await _drain(deps, tenant_id, _audit_step, cutoffs.audit_events)
    if cutoffs.outbox is not None:
        report.outbox = await _drain(deps, tenant_id, _outbox_step, cutoffs.outbox)
    return report


async def purge_every_tenant(
    deps: RetentionDependencies, *, slug: str | None = None, dry_run: bool = False
) -> RetentionRound:
    """Every active tenant (or the one named), each failure logged and the others done."""
    found = RetentionRound()
    async for tenant_id, tenant_slug in _tenants(deps.catalog, slug):
        try:
            found.reports.append(await purge_tenant(tenant_id, tenant_slug, deps, dry_run=dry_run))
        except Exception as exc:  # one tenant's failure must not stop the rest
            log.exception("retention purge of tenant %s failed", tenant_slug)
            found.failed[tenant_slug] = f"{type(exc).__name__}: {exc}"
    return found


async def _purge_sessions(
    tenant_id: UUID, cutoff: datetime, report: RetentionReport, deps: RetentionDependencies
) -> None:
    while True:
        async with deps.tenant_uow(tenant_id) as uow:
            session_ids = await uow.retention.ended_sessions_before(cutoff, deps.batch_size)
            attached = await uow.retention.files_of_sessions(session_ids) if session_ids else []
        if not session_ids:
            return
        await _delete_blobs(tenant_id, attached, deps.blobs)
        async with deps.tenant_uow(tenant_id) as uow:
            report.files += await uow.retention.delete_files([f.id for f in attached])
            report.sessions += await uow.retention.delete_sessions(session_ids)
            await uow.commit()


async def _purge_files(
    tenant_id: UUID, cutoff: datetime, report: RetentionReport, deps: RetentionDependencies
) -> None:
    while True:
        async with deps.tenant_uow(tenant_id) as uow:
            old = await uow.retention.files_before(cutoff, deps.batch_size)
        if not old:
            return
        await _delete_blobs(tenant_id, old, deps.blobs)
        async with deps.tenant_uow(tenant_id) as uow:
            report.files += await uow.retention.delete_files([f.id for f in old])
            await uow.commit()


async def _delete_blobs(tenant_id: UUID, files: list[FileBlob], blobs: BlobStore) -> None:
    """Blobs first: a failure here stops the batch before any row is gone."""
    for file in files:
        await blobs.delete(tenant_id, file.key)


async def _audit_step(uow: RetentionUnitOfWork, cutoff: datetime, limit: int) -> int:
    return await uow.audit.purge_before(cutoff, limit)


async def _outbox_step(uow: RetentionUnitOfWork, cutoff: datetime, limit: int) -> int:
    return await uow.retention.delete_outbox_before(cutoff, limit)


async def _drain(
    deps: RetentionDependencies, tenant_id: UUID, step: _Step, cutoff: datetime
) -> int:
    """Delete in batches, each committed, until a batch comes back short."""
    total = 0
    while True:
        async with deps.tenant_uow(tenant_id) as uow:
            deleted = await step(uow, cutoff, deps.batch_size)
            await uow.commit()
        total += deleted
        if deleted < deps.batch_size:
            return total


async def _count(
    tenant_id: UUID, cutoffs: Cutoffs, report: RetentionReport, deps: RetentionDependencies
) -> RetentionReport:
    async with deps.tenant_uow(tenant_id) as uow:
        records = uow.retention
        if cutoffs.sessions is not None:
            report.sessions = await records.count_ended_sessions_before(cutoffs.sessions)
        report.files = await records.count_files_before(cutoffs.files, cutoffs.sessions)
        if cutoffs.audit_events is not None:
            report.audit_events = await uow.audit.count_before(cutoffs.audit_events)
        if cutoffs.outbox is not None:
            report.outbox = await records.count_outbox_before(cutoffs.outbox)
    return report


async def _tenants(catalog: TenantCatalog, slug: str | None) -> AsyncIterator[tuple[UUID, str]]:
    if slug is not None:
        tenant = await catalog.find_by_slug(slug)
        if tenant is None:
            raise NotFound(f"no tenant '{slug}'", field="tenant", code="tenant_not_found")
        yield tenant.id, tenant.slug
        return
    page = PageRequest(limit=_TENANT_PAGE)
    while True:
        found = await catalog.browse(page, status=TenantStatus.ACTIVE)
        for tenant in found.items:
            yield tenant.id, tenant.slug
        if found.next is None:
            return
        page = PageRequest(limit=_TENANT_PAGE, after=found.next)
