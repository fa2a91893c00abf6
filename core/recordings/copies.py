"""Copying finished recordings from the video provider into the tenant's storage.

A copy counts against the tenant's storage quota like an upload: its bytes are reserved
first (a pending file row, under the tenant's quota lock), streamed to the store without
going past what the quota leaves, then checked again and confirmed. A copy the quota
cannot hold ends the recording's copy in ``quota_exceeded`` (not retried) with nothing
kept: no file row, no blob. Other failures (download, store) are retried with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from core.errors import DomainError
from core.files.model import FileKind, FileStatus, StoredFile
from core.recordings.model import CopyState, Recording, copy_backoff
from core.recordings.services import RecordingDependencies
from core.tenants.model import PlanLimits, TenantStatus
from ports.blob_store import BlobInfo
from ports.events import Audience, Event, EventsUnavailable, EventType
from ports.pagination import PageRequest
from ports.recordings import DownloadFailed, RecordingUnitOfWork

log = logging.getLogger(__name__)
RECORDING_CONTENT_TYPE = "video/mp4"


async def copy_due_recordings(tenant_id: UUID, deps: RecordingDependencies) -> int:
    """Copy the tenant's available recordings into its storage; returns how many were stored.

    Each due recording is claimed (a lease) in its own short transaction, so several
    workers share the work and a worker that dies mid-copy only delays that copy.
    """
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        due = await uow.recordings.due_for_copy(now, deps.copy_batch)
        claimed = [r.claimed(now, deps.copy_lease) for r in due]
        for recording in claimed:
            await uow.recordings.save(recording)
        await uow.commit()
    if not claimed:
        return 0
    tenant = await deps.catalog.get(tenant_id)
    limits = tenant.limits if tenant is not None else PlanLimits()
    stored = 0
    for recording in claimed:
        stored += await _copy_one(tenant_id, recording, limits, deps)
    return stored


async def copy_every_tenant(deps: RecordingDependencies, page_size: int = 200) -> int:
    """One pass over every active tenant; a tenant that fails is logged and skipped."""
    stored = 0
    page = PageRequest(limit=page_size)
    while True:
        found = await deps.catalog.browse(page, status=TenantStatus.ACTIVE)
        for tenant in found.items:
            try:
                stored += await copy_due_recordings(tenant.id, deps)
            except Exception:
                log.exception("recording copy of tenant %s failed", tenant.slug)
        if found.next is None:
            return stored
        page = PageRequest(limit=page_size, after=found.next)


@dataclass(frozen=True, slots=True)
class _Reservation:
    file: StoredFile
    room: int
    """The most bytes the copy may hold: what the quota left when it was reserved."""


class _Meter:
    """Counts the bytes streamed; past ``room`` it stops the copy."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.over = False

    async def within(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in chunks:
            received += len(chunk)
            if received > self.room:
                self.over = True
                raise _OverQuota(f"the recording passes the {self.room} bytes the quota leaves")
            yield chunk


class _OverQuota(Exception):
    """The stream went past what the tenant's quota leaves."""


async def _copy_one(
    tenant_id: UUID, recording: Recording, limits: PlanLimits, deps: RecordingDependencies
) -> int:
    reservation = await _reserve(tenant_id, recording, limits, deps)
    if reservation is None:
        return 0
    meter = _Meter(reservation.room)
    try:
        info = await deps.blobs.put(
            tenant_id,
            recording.file_key,
            meter.within(deps.downloads.fetch(recording.download_url or "")),
            content_type=RECORDING_CONTENT_TYPE,
        )
    except (_OverQuota, DownloadFailed, DomainError) as exc:
        await _release(tenant_id, reservation.file, deps)
        if meter.over:
            await _give_up(tenant_id, recording, f"quota_exceeded: {exc}", deps)
        else:
            await _note_failure(tenant_id, recording, f"{type(exc).__name__}: {exc}", deps)
        return 0
    kept = await _keep(tenant_id, recording, info, limits, deps)
    if kept is None:
        return 0
    await _publish_ready(tenant_id, kept, deps)
    return 1


async def _reserve(
    tenant_id: UUID, recording: Recording, limits: PlanLimits, deps: RecordingDependencies
) -> _Reservation | None:
    """A pending file row holding the recording's announced size (or all the quota leaves
    when the provider gave none); None when there is nothing to copy or no room for it."""
    now = deps.clock.now()
    quota = limits.storage_quota_bytes
    async with deps.tenant_uow(tenant_id) as uow:
        await uow.files.lock_quota()
        current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
        if current is None or current.copy_state is not CopyState.PENDING:
            return None
        left_over = await uow.files.get(current.id)
        if left_over is not None:
            await uow.files.delete(left_over.id)
        room = quota - await uow.files.total_size()
        wanted = current.size_bytes or room
        if wanted > room or room <= 0:
            await uow.recordings.save(current.copy_refused(_over(quota, room), now))
            await uow.commit()
            return None
        reserved = _recording_file(current, wanted, now, expires_at=now + deps.copy_lease)
        await uow.files.add(reserved)
        await uow.commit()
    return _Reservation(reserved, room)


async def _keep(
    tenant_id: UUID,
    recording: Recording,
    info: BlobInfo,
    limits: PlanLimits,
    deps: RecordingDependencies,
) -> Recording | None:
    """The stored blob becomes the tenant's file, if the quota still holds it; returns the
    recording as stored, None when it is not kept."""
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        await uow.files.lock_quota()
        current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
        if current is not None and current.copy_state is CopyState.STORED:
            return None
        reserved = await uow.files.get(recording.id)
        if current is not None and reserved is not None:
            room = limits.storage_quota_bytes - (await uow.files.total_size() - reserved.size)
            if info.size <= room:
                kept = current.stored(info.key, info.size, now, file_id=current.id)
                await uow.files.save(reserved.confirmed(info.size, info.sha256, now))
                await uow.recordings.save(kept)
                await uow.commit()
                return kept
            await uow.files.delete(reserved.id)
            refused = _over(limits.storage_quota_bytes, room)
            await uow.recordings.save(current.copy_refused(refused, now))
            await uow.commit()
    await _discard(deps, tenant_id, info.key)
    if current is not None and reserved is None:
        await _note_failure(tenant_id, recording, "the copy's reservation lapsed", deps)
    return None


async def _publish_ready(
    tenant_id: UUID, recording: Recording, deps: RecordingDependencies
) -> None:
    """After the commit: a realtime outage loses the live notice, never the recording."""
    if deps.events is None:
        return
    event = Event(
        EventType.RECORDING_READY,
        tenant_id,
        recording.updated_at,
        Audience(session_id=recording.session_id),
        {
            "session_id": str(recording.session_id),
            "recording_id": str(recording.id),
            "file_id": str(recording.file_id),
            "size": recording.size_bytes,
        },
    )
    try:
        await deps.events.publish([event])
    except EventsUnavailable:
        log.warning("realtime event recording.ready not published for recording %s", recording.id)


def _over(quota: int, room: int) -> str:
    return f"quota_exceeded: the tenant's storage quota of {quota} bytes leaves {max(room, 0)}"


def _recording_file(
    recording: Recording, size: int, now: datetime, *, expires_at: datetime
) -> StoredFile:
    """The tenant's file the copy becomes, attached to the session, listed with its files;
    pending (a reservation of the quota) until the copy is stored."""
    return StoredFile(
        id=recording.id,
        name=f"recording-{recording.created_at:%Y%m%d-%H%M%S}.mp4",
        kind=FileKind.RECORDING,
        content_type=RECORDING_CONTENT_TYPE,
        size=size,
        status=FileStatus.PENDING,
        uploader_id=recording.started_by,
        created_at=now,
        updated_at=now,
        session_id=recording.session_id,
        expires_at=expires_at,
    )


async def _release(tenant_id: UUID, reserved: StoredFile, deps: RecordingDependencies) -> None:
    """Nothing half-stored: the reservation row and whatever reached the store go."""
    try:
        async with deps.tenant_uow(tenant_id) as uow:
            await uow.files.delete(reserved.id)
            await uow.commit()
    except Exception:
        log.exception("reservation of recording %s not released; it expires", reserved.id)
    await _discard(deps, tenant_id, reserved.key)


async def _discard(deps: RecordingDependencies, tenant_id: UUID, key: str) -> None:
    try:
        await asyncio.shield(deps.blobs.delete(tenant_id, key))
    except Exception:
        log.exception("blob %s of tenant %s not deleted; reconciliation will", key, tenant_id)


async def _give_up(
    tenant_id: UUID, recording: Recording, error: str, deps: RecordingDependencies
) -> None:
    async with deps.tenant_uow(tenant_id) as uow:
        current = await _pending(uow, recording)
        if current is not None:
            await uow.recordings.save(current.copy_refused(error, deps.clock.now()))
            await uow.commit()


async def _note_failure(
    tenant_id: UUID, recording: Recording, error: str, deps: RecordingDependencies
) -> None:
    now = deps.clock.now()
    retry_at = None
    if recording.copy_attempts < deps.max_copy_attempts:
        delay = copy_backoff(recording.copy_attempts, deps.copy_retry_base, deps.copy_retry_ceiling)
        retry_at = now + delay
    log.warning(
        "copy of recording %s failed (attempt %d): %s", recording.id, recording.copy_attempts, error
    )
    async with deps.tenant_uow(tenant_id) as uow:
        current = await _pending(uow, recording)
        if current is not None:
            await uow.recordings.save(current.copy_failed(error, now, retry_at=retry_at))
            await uow.commit()


async def _pending(uow: RecordingUnitOfWork, recording: Recording) -> Recording | None:
    current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
    return current if current is not None and current.copy_state is CopyState.PENDING else None
