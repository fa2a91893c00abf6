"""Reconcile a tenant's file rows with its blobs, and clean what neither side can use.

Three findings: blobs under ``files/`` without a row (an upload cut short, a delete whose
blob removal failed), available rows whose blob is gone, and pending uploads whose signed
URL expired unconfirmed. Repair deletes orphan blobs only once older than a grace period,
so an upload still in flight (blob written, row not yet committed) is never hit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from core.files.model import KEY_PREFIX, StoredFile, file_id_of
from core.tenants.model import TenantStatus
from ports.blob_store import BlobInfo, BlobPageRequest, BlobStore
from ports.file_store import FileUnitOfWorkFactory
from ports.pagination import PageRequest
from ports.tenant_catalog import TenantCatalog

log = logging.getLogger(__name__)

_PAGE = 500


@dataclass(slots=True)
class Reconciliation:
    tenant_id: UUID
    files: int = 0
    blobs: int = 0
    orphan_blobs: list[BlobInfo] = field(default_factory=list)
    missing_blobs: list[StoredFile] = field(default_factory=list)
    expired_uploads: list[StoredFile] = field(default_factory=list)
    repaired: int = 0

    @property
    def clean(self) -> bool:
        return not (self.orphan_blobs or self.missing_blobs or self.expired_uploads)


async def reconcile(
    tenant_id: UUID,
    uow_factory: FileUnitOfWorkFactory,
    blobs: BlobStore,
    now: datetime,
    *,
    repair: bool = False,
    grace: timedelta = timedelta(hours=1),
) -> Reconciliation:
    found = Reconciliation(tenant_id)
    async with uow_factory(tenant_id) as uow:
        rows = {row.id: row for row in await uow.files.every()}
    found.files = len(rows)
    keys: set[UUID] = set()
    async for info in _blobs(blobs, tenant_id):
        found.blobs += 1
        file_id = file_id_of(info.key)
        if file_id is not None and file_id in rows:
            keys.add(file_id)
        else:
            found.orphan_blobs.append(info)
    for row in rows.values():
        if row.available and row.id not in keys:
            found.missing_blobs.append(row)
        elif not row.available and row.expires_at is not None and row.expires_at < now:
            found.expired_uploads.append(row)
    if repair:
        found.repaired = await _repair(found, uow_factory, blobs, now - grace)
    return found


async def expire_uploads(
    tenant_id: UUID, uow_factory: FileUnitOfWorkFactory, blobs: BlobStore, now: datetime
) -> int:
    """Delete pending uploads past their expiry, rows and any blob that arrived."""
    async with uow_factory(tenant_id) as uow:
        expired = await uow.files.expired_pending(now)
        for row in expired:
            await uow.files.delete(row.id)
        await uow.commit()
    for row in expired:
        await blobs.delete(tenant_id, row.key)
    return len(expired)


async def expire_every_tenant(
    catalog: TenantCatalog, uow_factory: FileUnitOfWorkFactory, blobs: BlobStore, now: datetime
) -> int:
    """The worker's pass: expired uploads of every active tenant; a failing tenant is
    logged and skipped."""
    removed = 0
    page = PageRequest(limit=_PAGE)
    while True:
        found = await catalog.browse(page, status=TenantStatus.ACTIVE)
        for tenant in found.items:
            try:
                removed += await expire_uploads(tenant.id, uow_factory, blobs, now)
            except Exception:
                log.exception("expired uploads of tenant %s not removed", tenant.slug)
        if found.next is None:
            return removed
        page = PageRequest(limit=_PAGE, after=found.next)


async def _blobs(blobs: BlobStore, tenant_id: UUID) -> AsyncIterator[BlobInfo]:
    after: str | None = None
    while True:
        page = await blobs.list(tenant_id, KEY_PREFIX, BlobPageRequest(limit=_PAGE, after=after))
        for info in page.items:
            yield info
        if page.next is None:
            return
        after = page.next


async def _repair(
    found: Reconciliation, uow_factory: FileUnitOfWorkFactory, blobs: BlobStore, cutoff: datetime
) -> int:
    repaired = 0
    for info in found.orphan_blobs:
        if info.updated < cutoff:
            await blobs.delete(found.tenant_id, info.key)
            repaired += 1
    stale = [*found.missing_blobs, *found.expired_uploads]
    if stale:
        async with uow_factory(found.tenant_id) as uow:
            for row in stale:
                await uow.files.delete(row.id)
            await uow.commit()
        for row in found.expired_uploads:
            await blobs.delete(found.tenant_id, row.key)
    return repaired + len(stale)
