"""What the recording use cases need: a tenant's recordings, its recording mode, and a
way to fetch a finished recording from where the video provider keeps it."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.recordings.model import Recording, RecordingMode
from ports.file_store import FileRecords
from ports.session_store import SessionRecords
from ports.unit_of_work import TenantUnitOfWork


class RecordingRepository(Protocol):
    async def add(self, recording: Recording) -> None: ...

    async def save(self, recording: Recording) -> None: ...

    async def get(self, recording_id: UUID) -> Recording | None: ...

    async def by_archive(self, archive_id: str, *, for_update: bool = False) -> Recording | None:
        """The recording the provider knows under ``archive_id``; ``for_update`` locks it."""
        ...

    async def list_for_session(self, session_id: UUID) -> builtins.list[Recording]:
        """Oldest first."""
        ...

    async def due_for_copy(self, now: datetime, limit: int) -> builtins.list[Recording]:
        """Pending copies whose time has come, locked; rows another worker holds are skipped."""
        ...

    async def mode(self) -> RecordingMode:
        """The tenant's recording mode; on request until an admin chooses."""
        ...

    async def set_mode(self, mode: RecordingMode) -> None: ...


class RecordingUnitOfWork(TenantUnitOfWork, Protocol):
    sessions: SessionRecords
    recordings: RecordingRepository
    files: FileRecords


class RecordingUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> RecordingUnitOfWork: ...


class DownloadFailed(Exception):
    """The file could not be fetched (refused, gone, cut off): the copy is retried later."""


class RecordingDownloads(Protocol):
    def fetch(self, url: str) -> AsyncIterator[bytes]:
        """The file at ``url`` in chunks, never whole in memory; raises DownloadFailed,
        possibly after some chunks were handed out."""
        ...
