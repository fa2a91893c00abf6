"""Backups of tenants in blob storage: daily ones kept by count, manual ones, and restores.

A backup is the tenant's portable archive (``core.tenants.portability``) kept as a blob
under ``backups/`` in the tenant's own directory, so it follows the tenant's placement
(shared or dedicated bucket) and goes when the tenant is purged, as erasure requires.
Names sort by time: ``backups/daily-2026-11-28.tar.gz``,
``backups/manual-20261128T091402123456Z-5f3a9c1e.tar.gz``: a manual (or pre-restore)
backup's name holds the instant to the microsecond and a random suffix, so two made at
the same instant are both kept.

A daily backup is made once per UTC day: its name is the day, and the store creates a
blob only if absent, so two workers racing on the same tenant store one backup (the
loser's work is wasted, not duplicated). Only daily backups are pruned, newest
``keep`` kept; manual and pre-restore backups stay until removed by hand.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from core.errors import InvalidInput, NotFound
from core.tenants.model import Tenant, TenantStatus
from core.tenants.portability import (
    BACKUP_PREFIX,
    PortabilityDependencies,
    Progress,
    export_tenant,
    verify_archive_of,
    write_archive,
)
from core.tenants.services import existing_tenant, record_event
from ports.blob_store import BlobChanged, BlobInfo, BlobPageRequest, BlobStore
from ports.pagination import PageRequest
from ports.tenant_backups import BackupArchives

DAILY = "daily-"
PRE_RESTORE = "pre-restore"
SUFFIX = ".tar.gz"
_BACKED_UP = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)
_PAGE = 100


@dataclass(frozen=True, slots=True)
class BackupDependencies:
    portability: PortabilityDependencies
    blobs: BlobStore
    archives: BackupArchives


@dataclass(frozen=True, slots=True)
class Backup:
    name: str
    size: int
    created_at: datetime
    sha256: str | None

    @property
    def daily(self) -> bool:
        return self.name.startswith(DAILY)

    @property
    def pre_restore(self) -> bool:
        return self.name.startswith(PRE_RESTORE + "-")


@dataclass(slots=True)
class BackupRound:
    """What one pass of the daily job did."""

    backed_up: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    pruned: int = 0
    failed: dict[str, str] = field(default_factory=dict)


async def back_up(
    reference: UUID | str,
    deps: BackupDependencies,
    *,
    actor: str,
    label: str = "manual",
    progress: Progress | None = None,
) -> Backup:
    """Archive the tenant now into a new backup, under a name of its own (_new_name)."""
    tenant = await existing_tenant(deps.portability.tenants.catalog, reference)
    return await _archive(tenant, _new_name(label, deps), deps, actor=actor, progress=progress)


async def list_backups(reference: UUID | str, deps: BackupDependencies) -> list[Backup]:
    """The tenant's backups, oldest first."""
    tenant = await existing_tenant(deps.portability.tenants.catalog, reference)
    return await _backups(tenant.id, deps.blobs)


async def back_up_every_tenant(
    deps: BackupDependencies, *, keep: int, actor: str = "worker:backups"
) -> BackupRound:
    """Make today's daily backup of every tenant that has none yet, then prune.

    A tenant that fails is reported and the others carry on; it is tried again on the
    next pass.
    """
    round_ = BackupRound()
    today = f"{DAILY}{deps.portability.tenants.clock.now():%Y-%m-%d}{SUFFIX}"
    async for tenant in _tenants_with_data(deps):
        try:
            backups = await _backups(tenant.id, deps.blobs)
            if any(b.name == today for b in backups):
                round_.already_done.append(tenant.slug)
            else:
                await _archive(tenant, today, deps, actor=actor)
                round_.backed_up.append(tenant.slug)
            round_.pruned += await _prune(tenant.id, deps.blobs, keep)
        except BlobChanged:
            round_.already_done.append(tenant.slug)
        except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the rest
            round_.failed[tenant.slug] = f"{type(exc).__name__}: {exc}"
    return round_


async def restore(
    reference: UUID | str,
    name: str | None,
    deps: BackupDependencies,
    *,
    actor: str,
    safety_backup: bool = True,
    progress: Progress | None = None,
) -> tuple[Tenant, Backup]:
    """Bring a tenant back to one of its backups (when ``name`` is None, the newest one
    not made by a restore: a failed restore is retried from the backup it was restoring,
    not from the copy of the state it was replacing).

    Rules: the backup is read and every checksum checked before the tenant is touched,
    and it must be a backup of this very tenant. A backup of the current state is made
    first ("pre-restore"), so a restore can itself be undone. The tenant is suspended
    while its database is recreated and its files (backups aside) replaced, then
    resumed if it was active. If writing fails the tenant stays suspended with the error
    in its audit trail: restoring again (from the same or the pre-restore backup) finishes.
    """
    portability = deps.portability
    tenant = await existing_tenant(portability.tenants.catalog, reference)
    if tenant.status not in _BACKED_UP:
        raise InvalidInput(f"cannot restore a tenant that is {tenant.status.value}", field="status")
    backup = await _chosen(tenant, name, deps)
    async with deps.archives.source(tenant.id, BACKUP_PREFIX + backup.name) as source:
        verified = await verify_archive_of(tenant, source, portability, _or_silent(progress))
        if safety_backup:
            await _archive(tenant, _new_name(PRE_RESTORE, deps), deps, actor=actor)
        suspended = await _suspended(tenant, deps, actor)
        try:
            await _empty(tenant.id, deps)
            await write_archive(source, verified, tenant.id, portability, _or_silent(progress))
        except Exception as exc:
            await record_event(
                portability.tenants,
                suspended,
                "restore_failed",
                actor,
                backup=backup.name,
                error=str(exc),
            )
            raise
    restored = suspended
    if tenant.status is TenantStatus.ACTIVE:
        restored = suspended.resumed(portability.tenants.clock.now())
        await portability.tenants.catalog.save(restored)
    await record_event(portability.tenants, restored, "restored", actor, backup=backup.name)
    return restored, backup


async def _archive(
    tenant: Tenant,
    name: str,
    deps: BackupDependencies,
    *,
    actor: str,
    progress: Progress | None = None,
) -> Backup:
    sink = deps.archives.sink(tenant.id, BACKUP_PREFIX + name)
    await export_tenant(
        tenant.id, deps.portability, sink, actor=actor, progress=_or_silent(progress)
    )
    return _backup(await deps.blobs.stat(tenant.id, BACKUP_PREFIX + name))


async def _backups(tenant_id: UUID, blobs: BlobStore) -> list[Backup]:
    found: list[Backup] = []
    after: str | None = None
    while True:
        page = await blobs.list(tenant_id, BACKUP_PREFIX, BlobPageRequest(_PAGE, after))
        found.extend(_backup(info) for info in page.items if info.key.endswith(SUFFIX))
        if page.next is None:
            return sorted(found, key=lambda b: (b.created_at, b.name))
        after = page.next


async def _prune(tenant_id: UUID, blobs: BlobStore, keep: int) -> int:
    daily = [b for b in await _backups(tenant_id, blobs) if b.daily]
    stale = sorted(daily, key=lambda b: b.name)[:-keep] if len(daily) > keep else []
    for backup in stale:
        await blobs.delete(tenant_id, BACKUP_PREFIX + backup.name)
    return len(stale)


async def _chosen(tenant: Tenant, name: str | None, deps: BackupDependencies) -> Backup:
    backups = await _backups(tenant.id, deps.blobs)
    if name is None:
        usable = [b for b in backups if not b.pre_restore]
        if usable:
            return usable[-1]
        only_safety = " but pre-restore ones: name the one to restore" if backups else ""
        detail = f"'{tenant.slug}' has no backup{only_safety}"
        raise NotFound(detail, field="backup", code="backup_not_found")
    for backup in backups:
        if backup.name == name:
            return backup
    detail = f"'{tenant.slug}' has no backup named {name}"
    raise NotFound(detail, field="backup", code="backup_not_found")


async def _suspended(tenant: Tenant, deps: BackupDependencies, actor: str) -> Tenant:
    tenants = deps.portability.tenants
    if tenant.status is TenantStatus.SUSPENDED:
        return tenant
    suspended = tenant.suspended(tenants.clock.now())
    await tenants.catalog.save(suspended)
    await record_event(tenants, suspended, "suspended", actor, reason="restore")
    return suspended


async def _empty(tenant_id: UUID, deps: BackupDependencies) -> None:
    """Drop the database and every file but the backups, so the archive lands on nothing."""
    tenants = deps.portability.tenants
    await tenants.databases.drop(tenant_id)
    doomed = [
        key async for key in tenants.storage.keys(tenant_id) if not key.startswith(BACKUP_PREFIX)
    ]
    for key in doomed:
        await deps.blobs.delete(tenant_id, key)


async def _tenants_with_data(deps: BackupDependencies) -> AsyncIterator[Tenant]:
    catalog = deps.portability.tenants.catalog
    for status in _BACKED_UP:
        page = PageRequest(limit=_PAGE)
        while True:
            found = await catalog.browse(page, status=status)
            for tenant in found.items:
                yield tenant
            if found.next is None:
                break
            page = PageRequest(limit=_PAGE, after=found.next)


def _new_name(label: str, deps: BackupDependencies) -> str:
    """``<label>-<UTC instant to the microsecond>Z-<8 random hex>.tar.gz``: sorts by time
    within a label, and two backups made at the same instant (two operators, a fixed
    clock) still get two names, where one would meet the other's and be refused."""
    now = deps.portability.tenants.clock.now()
    return f"{label}-{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}{SUFFIX}"


def _backup(info: BlobInfo) -> Backup:
    return Backup(
        name=info.key.removeprefix(BACKUP_PREFIX),
        size=info.size,
        created_at=info.updated,
        sha256=info.sha256,
    )


def _or_silent(progress: Progress | None) -> Progress:
    return progress if progress is not None else _silent


def _silent(stage: str, done: int, total: int) -> None:
    return None
