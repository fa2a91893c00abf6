"""Use cases on recordings: start, stop, list, the provider's callback, the copy.

Provider calls run outside any transaction: the session is read and checked, the provider
asked, then the answer written. The callback only records what the provider said; the
download and copy into the tenant's storage happen in the worker (``core.recordings.copies``),
retried with backoff, so neither a slow provider nor a slow store ever holds a request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from core.errors import InvalidInput, NotFound, Unauthenticated, Unavailable
from core.identity.model import Actor
from core.recordings.model import (
    Recording,
    RecordingMode,
    RecordingNotAllowed,
    RecordingNotFound,
    RecordingRefused,
    RecordingStatus,
    SessionNotRecordable,
    archive_name,
    owner_of_archive,
)
from core.sessions.model import AssistanceSession, SessionState
from core.tenants.model import TenantStatus
from ports.blob_store import BlobStore
from ports.clock import Clock
from ports.events import EventPublisher
from ports.recordings import RecordingDownloads, RecordingUnitOfWork, RecordingUnitOfWorkFactory
from ports.session_store import SessionRecords
from ports.tenant_catalog import TenantCatalog
from ports.video import (
    ArchiveStatus,
    CallbackRequest,
    InvalidVideoCallback,
    MalformedVideoCallback,
    VideoArchive,
    VideoArchiveRefused,
    VideoProvider,
    VideoUnavailable,
)

log = logging.getLogger(__name__)
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
    events: EventPublisher | None = None
    """Where ``recording.ready`` goes once a copy is stored (clients, and plugins' hooks)."""


async def start_recording(actor: Actor, session_id: UUID, deps: RecordingDependencies) -> Recording:
    """Record an active session. Refused when the tenant never records, when the provider
    records the session's room by itself, when the session is not active, or by the
    provider (already recording, nobody publishing)."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await _session(uow.sessions, session_id)
        current = await uow.recordings.mode()
        if current is RecordingMode.NEVER:
            raise RecordingNotAllowed("this organisation does not record sessions", field="mode")
        _ensure_not_automatic(session.room_recording_mode or current)
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
    """Stop a recording started by hand; refused only for a room the provider records by
    itself. A tenant that has since chosen never to record may still stop one."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await _session(uow.sessions, session_id)
        _ensure_not_automatic(await _room_recording_mode(uow, session))
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
    the same NotFound, so a caller learns nothing about who exists. An archive the platform
    did not start is taken only from a room created while the tenant recorded every
    session: the provider records those by itself, even after an admin changed the mode."""
    try:
        event = deps.video.parse_archive_callback(request)
    except MalformedVideoCallback as exc:
        raise InvalidInput(str(exc), field="body", code="malformed_callback") from exc
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
        session = await uow.sessions.get(session_id, for_update=True)
        recording = await uow.recordings.by_archive(event.archive_id, for_update=True)
        if (
            recording is None
            and session is not None
            and session.video_room_id == event.room_id
            and await _room_recording_mode(uow, session) is RecordingMode.ALWAYS
        ):
            recording = _automatic_recording(session_id, event.archive_id, deps.clock.now())
            await uow.recordings.add(recording)
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


def _automatic_recording(session_id: UUID, archive_id: str, now: datetime) -> Recording:
    """An archive the provider started by itself (recording mode ``always``), first heard
    of through its callback: its name and room say whose it is. The session's lock, taken
    first, makes two callbacks of one new archive add it once."""
    return Recording(
        id=uuid.uuid4(),
        session_id=session_id,
        archive_id=archive_id,
        status=RecordingStatus.RECORDING,
        started_by=None,
        created_at=now,
        updated_at=now,
    )


async def _room_recording_mode(
    uow: RecordingUnitOfWork, session: AssistanceSession
) -> RecordingMode:
    """The mode the session's video room was created in; the tenant's current mode for a
    room created before sessions kept it."""
    return session.room_recording_mode or await uow.recordings.mode()


def _ensure_not_automatic(room_mode: RecordingMode) -> None:
    """A room created in mode ``always`` is recorded by the provider from its start to its
    end, whatever the tenant chose since."""
    if room_mode is RecordingMode.ALWAYS:
        raise RecordingNotAllowed(
            "the provider records this session from its start (its room was created in "
            "recording mode always): nobody starts or stops a recording by hand",
            field="mode",
        )


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
