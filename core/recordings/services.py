"""Use cases on recordings: start, stop, list, the provider's callback, the copy.

Provider calls run outside any transaction: the session is read and checked, the provider
asked, then the answer written. The callback only records what the provider said; the
download and copy into the tenant's storage happen in the worker (``copy_due_recordings``),
retried with backoff, so neither a slow provider nor a slow store ever holds a request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from core.errors import DomainError, NotFound, Unauthenticated, Unavailable
from core.files.model import FileKind, FileStatus, StoredFile
from core.identity.model import Actor
from core.recordings.model import (
    CopyState,
    Recording,
    RecordingMode,
    RecordingNotAllowed,
    RecordingNotFound,
    RecordingRefused,
    RecordingStatus,
    SessionNotRecordable,
    archive_name,
    copy_backoff,
    owner_of_archive,
)
from core.sessions.model import AssistanceSession, SessionState
from core.tenants.model import TenantStatus
from ports.blob_store import BlobInfo, BlobStore
from ports.clock import Clock
from ports.pagination import PageRequest
from ports.recordings import DownloadFailed, RecordingDownloads, RecordingUnitOfWorkFactory
from ports.session_store import SessionRecords
from ports.tenant_catalog import TenantCatalog
from ports.video import (
    ArchiveStatus,
    CallbackRequest,
    InvalidVideoCallback,
    VideoArchive,
    VideoArchiveRefused,
    VideoProvider,
    VideoUnavailable,
)

log = logging.getLogger(__name__)
RECORDING_CONTENT_TYPE = "video/mp4"
_STATUSES = {
    ArchiveStatus.STARTED: RecordingStatus.RECORDING,
    ArchiveStatus.PAUSED: RecordingStatus.PAUSED,
    ArchiveStatus.STOPPED: RecordingStatus.STOPPED,
    ArchiveStatus.AVAILABLE: RecordingStatus.AVAILABLE,
    ArchiveStatus.UPLOADED: RecordingStatus.UPLOADED,
    ArchiveStatus.FAILED: RecordingStatus.FAILED,
    ArchiveStatus.EXPIRED: RecordingStatus.EXPIRED,
}


@dataclass(frozen=True, slots=True)
class RecordingDependencies:
    tenant_uow: RecordingUnitOfWorkFactory
    video: VideoProvider
    clock: Clock
    catalog: TenantCatalog
    blobs: BlobStore
    downloads: RecordingDownloads
    max_copy_attempts: int = 8
    copy_retry_base: timedelta = timedelta(seconds=30)
    copy_retry_ceiling: timedelta = timedelta(hours=1)
    copy_lease: timedelta = timedelta(minutes=30)
    copy_batch: int = 10


async def start_recording(actor: Actor, session_id: UUID, deps: RecordingDependencies) -> Recording:
    """Record an active session. Refused when the tenant never records, when the session
    is not active, or by the provider (already recording, nobody publishing)."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await _session(uow.sessions, session_id)
        _ensure_on_request(await uow.recordings.mode())
        room_id = _recordable_room(session)
    archive = await _provider_call(
        deps.video.start_archive(room_id, archive_name(actor.tenant_id, session_id))
    )
    now = deps.clock.now()
    recording = Recording(
        id=uuid.uuid4(),
        session_id=session_id,
        archive_id=archive.archive_id,
        status=_STATUSES[archive.status],
        started_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.recordings.add(recording)
        await uow.commit()
    return recording


async def stop_recording(
    actor: Actor, session_id: UUID, recording_id: UUID, deps: RecordingDependencies
) -> Recording:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _session(uow.sessions, session_id)
        _ensure_on_request(await uow.recordings.mode())
        recording = await uow.recordings.get(recording_id)
        if recording is None or recording.session_id != session_id:
            raise RecordingNotFound("no such recording", field="recording_id")
    archive = await _provider_call(deps.video.stop_archive(recording.archive_id))
    async with deps.tenant_uow(actor.tenant_id) as uow:
        current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
        if current is None:
            raise RecordingNotFound("no such recording", field="recording_id")
        if current.status is RecordingStatus.RECORDING:
            current = current.reported(
                _STATUSES[archive.status],
                url=None,
                size_bytes=0,
                duration_seconds=0,
                now=deps.clock.now(),
            )
            await uow.recordings.save(current)
            await uow.commit()
    return current


async def list_recordings(
    actor: Actor, session_id: UUID, deps: RecordingDependencies
) -> list[Recording]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _session(uow.sessions, session_id)
        return await uow.recordings.list_for_session(session_id)


async def record_archive_callback(
    request: CallbackRequest, deps: RecordingDependencies
) -> Recording:
    """The provider's word on a recording, verified by the video adapter, stored on the
    tenant's recording its name points at. Unknown tenants, sessions and archives are all
    the same NotFound, so a caller learns nothing about who exists."""
    try:
        event = deps.video.parse_archive_callback(request)
    except InvalidVideoCallback as exc:
        raise Unauthenticated(str(exc), code="invalid_callback") from exc
    owner = owner_of_archive(event.name)
    if owner is None:
        raise RecordingNotFound("no such recording", field="id")
    tenant_id, session_id = owner
    tenant = await deps.catalog.get(tenant_id)
    if tenant is None or tenant.status is not TenantStatus.ACTIVE:
        raise RecordingNotFound("no such recording", field="id")
    async with deps.tenant_uow(tenant_id) as uow:
        recording = await uow.recordings.by_archive(event.archive_id, for_update=True)
        if recording is None or recording.session_id != session_id:
            raise RecordingNotFound("no such recording", field="id")
        recording = recording.reported(
            _STATUSES[event.status],
            url=event.url,
            size_bytes=event.size_bytes,
            duration_seconds=event.duration_seconds,
            now=deps.clock.now(),
        )
        await uow.recordings.save(recording)
        await uow.commit()
    return recording


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
    stored = 0
    for recording in claimed:
        stored += await _copy_one(tenant_id, recording, deps)
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


async def _copy_one(tenant_id: UUID, recording: Recording, deps: RecordingDependencies) -> int:
    url = recording.download_url or ""
    try:
        info = await deps.blobs.put(
            tenant_id,
            recording.file_key,
            _chunks(deps.downloads, url),
            content_type=RECORDING_CONTENT_TYPE,
        )
    except (DownloadFailed, DomainError) as exc:
        await _note_failure(tenant_id, recording, f"{type(exc).__name__}: {exc}", deps)
        return 0
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
        if current is None or current.copy_state is CopyState.STORED:
            return 0
        if await uow.files.get(recording.id) is None:
            await uow.files.add(_recording_file(current, info, now))
        await uow.recordings.save(current.stored(info.key, info.size, now, file_id=current.id))
        await uow.commit()
    return 1


def _recording_file(recording: Recording, info: BlobInfo, now: datetime) -> StoredFile:
    """The tenant's file the copy becomes, attached to the session, listed with its files."""
    return StoredFile(
        id=recording.id,
        name=f"recording-{recording.created_at:%Y%m%d-%H%M%S}.mp4",
        kind=FileKind.RECORDING,
        content_type=RECORDING_CONTENT_TYPE,
        size=info.size,
        status=FileStatus.AVAILABLE,
        uploader_id=recording.started_by,
        created_at=now,
        updated_at=now,
        sha256=info.sha256,
        session_id=recording.session_id,
    )


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
        current = await uow.recordings.by_archive(recording.archive_id, for_update=True)
        if current is None or current.copy_state is not CopyState.PENDING:
            return
        await uow.recordings.save(current.copy_failed(error, now, retry_at=retry_at))
        await uow.commit()


async def _chunks(downloads: RecordingDownloads, url: str) -> AsyncIterator[bytes]:
    async for chunk in downloads.fetch(url):
        yield chunk


def _ensure_on_request(mode: RecordingMode) -> None:
    if mode is RecordingMode.NEVER:
        raise RecordingNotAllowed("this organisation does not record sessions", field="mode")


def _recordable_room(session: AssistanceSession) -> str:
    if session.state is not SessionState.ACTIVE or session.video_room_id is None:
        raise SessionNotRecordable(
            f"only an active session can be recorded; this one is {session.state.value}",
            field="session_id",
        )
    return session.video_room_id


async def _session(sessions: SessionRecords, session_id: UUID) -> AssistanceSession:
    session = await sessions.get(session_id)
    if session is None:
        raise NotFound("no such session", field="session_id", code="session_not_found")
    return session


async def _provider_call(call: Awaitable[VideoArchive]) -> VideoArchive:
    try:
        return await call
    except VideoArchiveRefused as exc:
        raise RecordingRefused(f"the video provider refused: {exc}") from exc
    except VideoUnavailable as exc:
        raise Unavailable(f"the video provider is unavailable: {exc}") from exc


async def recording_mode(actor: Actor, deps: RecordingDependencies) -> RecordingMode:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.recordings.mode()


async def set_recording_mode(
    actor: Actor, mode: RecordingMode, deps: RecordingDependencies
) -> RecordingMode:
    """An admin chooses; recordings already made stay."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.recordings.set_mode(mode)
        await uow.commit()
    return mode
