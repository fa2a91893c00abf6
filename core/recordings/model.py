"""Recordings of assistance sessions: started and stopped on request, made by the video
provider, then copied into the tenant's own storage.

A recording's life follows what the provider says (``recording`` -> ``stopped`` ->
``available``, or ``failed``/``expired``); once ``available`` with a download URL, the
worker copies the file into the tenant's directory (``copy_state``: ``pending`` ->
``stored``, or ``failed`` after the last retry, or ``quota_exceeded`` when the tenant's
storage quota cannot hold it). Each tenant chooses whether its sessions
are recorded on request, always, or never (``RecordingMode``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from core.errors import Conflict, NotFound
from core.files.model import file_key

MAX_COPY_ERROR = 500


class RecordingMode(StrEnum):
    """A tenant's choice: record on request, record every session, or never record.

    ``always``: the video room is created so that the provider records it by itself from
    the first published stream, every archive named ``archive_name(tenant, session)`` so
    its callbacks find the tenant; nobody starts or stops those recordings by hand. The
    mode applies to video rooms created after it is chosen (a room is created at a
    session's first join); each room keeps the mode it was created in
    (``AssistanceSession.room_recording_mode``), which decides whether the archives the
    provider starts by itself are taken.
    """

    ON_REQUEST = "on_request"
    ALWAYS = "always"
    NEVER = "never"


class RecordingStatus(StrEnum):
    """Where the provider says the recording stands."""

    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    AVAILABLE = "available"
    UPLOADED = "uploaded"
    FAILED = "failed"
    EXPIRED = "expired"


class CopyState(StrEnum):
    """Whether the file is in the tenant's storage yet; ``quota_exceeded``: it never will
    be, the tenant's storage quota could not hold it (nothing of it was kept)."""

    NONE = "none"
    PENDING = "pending"
    STORED = "stored"
    FAILED = "failed"
    QUOTA_EXCEEDED = "quota_exceeded"


class RecordingNotAllowed(Conflict):
    """Nobody may start this recording (the tenant never records, or the provider records
    the session's room by itself), or stop it (the provider's own)."""

    code = "recording_not_allowed"


class SessionNotRecordable(Conflict):
    """Only an active session whose video room exists can be recorded."""

    code = "session_not_active"


class RecordingRefused(Conflict):
    """The provider refused for what was asked (already recording, nothing to stop)."""

    code = "recording_refused"


class RecordingNotFound(NotFound):
    code = "recording_not_found"


@dataclass(frozen=True, slots=True)
class Recording:
    id: UUID
    session_id: UUID
    archive_id: str
    status: RecordingStatus
    started_by: UUID | None
    created_at: datetime
    updated_at: datetime
    size_bytes: int = 0
    duration_seconds: int = 0
    download_url: str | None = None
    copy_state: CopyState = CopyState.NONE
    copy_attempts: int = 0
    next_copy_at: datetime | None = None
    copy_error: str | None = None
    blob_key: str | None = None
    stored_at: datetime | None = None
    file_id: UUID | None = None

    @property
    def file_key(self) -> str:
        """Where the copy goes in the tenant's directory: the key of the file (same id)
        that lists it among the tenant's files."""
        return file_key(self.id)

    def reported(
        self,
        status: RecordingStatus,
        *,
        url: str | None,
        size_bytes: int,
        duration_seconds: int,
        now: datetime,
    ) -> Recording:
        """The provider's news; an available file with a URL is queued for copying once."""
        changed = replace(
            self,
            status=status,
            size_bytes=size_bytes or self.size_bytes,
            duration_seconds=duration_seconds or self.duration_seconds,
            download_url=url or self.download_url,
            updated_at=now,
        )
        if (
            status is RecordingStatus.AVAILABLE
            and changed.download_url
            and self.copy_state in (CopyState.NONE, CopyState.FAILED)
        ):
            changed = replace(
                changed, copy_state=CopyState.PENDING, copy_attempts=0, next_copy_at=now
            )
        return changed

    def claimed(self, now: datetime, lease: timedelta) -> Recording:
        """A worker takes the copy; another may retry it only after the lease ran out."""
        return replace(
            self, copy_attempts=self.copy_attempts + 1, next_copy_at=now + lease, updated_at=now
        )

    def stored(
        self, blob_key: str, size_bytes: int, now: datetime, file_id: UUID | None = None
    ) -> Recording:
        return replace(
            self,
            copy_state=CopyState.STORED,
            blob_key=blob_key,
            size_bytes=size_bytes,
            stored_at=now,
            next_copy_at=None,
            copy_error=None,
            file_id=file_id,
            updated_at=now,
        )

    def copy_refused(self, error: str, now: datetime) -> Recording:
        """The tenant's storage quota cannot hold the copy: given up at once, not retried."""
        return replace(
            self,
            copy_state=CopyState.QUOTA_EXCEEDED,
            next_copy_at=None,
            copy_error=error[:MAX_COPY_ERROR],
            updated_at=now,
        )

    def copy_failed(self, error: str, now: datetime, *, retry_at: datetime | None) -> Recording:
        """Retried at ``retry_at``; None gives up (state ``failed``, the error kept)."""
        return replace(
            self,
            copy_state=CopyState.PENDING if retry_at is not None else CopyState.FAILED,
            next_copy_at=retry_at,
            copy_error=error[:MAX_COPY_ERROR],
            updated_at=now,
        )


def copy_backoff(attempts: int, base: timedelta, ceiling: timedelta) -> timedelta:
    """Doubling delays after each failed copy, capped."""
    delay: timedelta = base * (2 ** max(attempts - 1, 0))
    return min(delay, ceiling)


def archive_name(tenant_id: UUID, session_id: UUID) -> str:
    """The name a recording is started with: the provider's callback hands it back, which
    is how a callback finds its tenant among all of them."""
    return f"pxr/{tenant_id}/{session_id}"


def owner_of_archive(name: str | None) -> tuple[UUID, UUID] | None:
    """The tenant and session an archive name points at, or None for a stranger's."""
    parts = (name or "").split("/")
    if len(parts) != 3 or parts[0] != "pxr":
        return None
    try:
        return UUID(parts[1]), UUID(parts[2])
    except ValueError:
        return None
