"""Recordings of sessions and the tenant's recording mode, in a tenant database."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tenant_tables import recording_settings, recordings
from core.recordings.model import CopyState, Recording, RecordingMode, RecordingStatus

_SETTINGS_ROW = 1


class SqlRecordingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, recording: Recording) -> None:
        await self._connection.execute(recordings.insert().values(**_row(recording)))

    async def save(self, recording: Recording) -> None:
        await self._connection.execute(
            recordings.update().where(recordings.c.id == recording.id).values(**_row(recording))
        )

    async def get(self, recording_id: UUID) -> Recording | None:
        query = recordings.select().where(recordings.c.id == recording_id)
        row = (await self._connection.execute(query)).first()
        return _recording(row) if row else None

    async def by_archive(self, archive_id: str, *, for_update: bool = False) -> Recording | None:
        query = recordings.select().where(recordings.c.archive_id == archive_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _recording(row) if row else None

    async def list_for_session(self, session_id: UUID) -> builtins.list[Recording]:
        query = (
            recordings.select()
            .where(recordings.c.session_id == session_id)
            .order_by(recordings.c.created_at, recordings.c.id)
        )
        return [_recording(row) for row in (await self._connection.execute(query)).all()]

    async def due_for_copy(self, now: datetime, limit: int) -> builtins.list[Recording]:
        query = (
            recordings.select()
            .where(
                recordings.c.copy_state == CopyState.PENDING.value,
                recordings.c.next_copy_at <= now,
            )
            .order_by(recordings.c.next_copy_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_recording(row) for row in (await self._connection.execute(query)).all()]

    async def mode(self) -> RecordingMode:
        query = sa.select(recording_settings.c.mode).where(recording_settings.c.id == _SETTINGS_ROW)
        value = (await self._connection.execute(query)).scalar_one_or_none()
        return RecordingMode(value) if value else RecordingMode.ON_REQUEST

    async def set_mode(self, mode: RecordingMode) -> None:
        changed = await self._connection.execute(
            recording_settings.update()
            .where(recording_settings.c.id == _SETTINGS_ROW)
            .values(mode=mode.value)
        )
        if changed.rowcount == 0:
            await self._connection.execute(
                recording_settings.insert().values(id=_SETTINGS_ROW, mode=mode.value)
            )


def _row(recording: Recording) -> dict[str, Any]:
    return {
        "id": recording.id,
        "session_id": recording.session_id,
        "archive_id": recording.archive_id,
        "status": recording.status.value,
        "started_by": recording.started_by,
        "created_at": recording.created_at,
        "updated_at": recording.updated_at,
        "size_bytes": recording.size_bytes,
        "duration_seconds": recording.duration_seconds,
        "download_url": recording.download_url,
        "copy_state": recording.copy_state.value,
        "copy_attempts": recording.copy_attempts,
        "next_copy_at": recording.next_copy_at,
        "copy_error": recording.copy_error,
        "blob_key": recording.blob_key,
        "stored_at": recording.stored_at,
        "file_id": recording.file_id,
    }


def _recording(row: sa.Row[Any]) -> Recording:
    return Recording(
        id=row.id,
        session_id=row.session_id,
        archive_id=row.archive_id,
        status=RecordingStatus(row.status),
        started_by=row.started_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        size_bytes=row.size_bytes,
        duration_seconds=row.duration_seconds,
        download_url=row.download_url,
        copy_state=CopyState(row.copy_state),
        copy_attempts=row.copy_attempts,
        next_copy_at=row.next_copy_at,
        copy_error=row.copy_error,
        blob_key=row.blob_key,
        stored_at=row.stored_at,
        file_id=row.file_id,
    )
