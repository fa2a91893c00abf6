"""Request and response bodies of the recording endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.recordings.model import Recording, RecordingMode


class RecordingOut(ResponseBody):
    """A recording; ``copy_state`` says whether the file is in the tenant's storage yet,
    and ``file_id`` names it among the tenant's files once it is."""

    id: UUID
    session_id: UUID
    status: str
    started_by: UUID | None
    created_at: datetime
    updated_at: datetime
    size_bytes: int
    duration_seconds: int
    copy_state: str
    copy_attempts: int
    copy_error: str | None
    stored_at: datetime | None
    file_id: UUID | None

    @classmethod
    def of(cls, recording: Recording) -> RecordingOut:
        return cls(
            id=recording.id,
            session_id=recording.session_id,
            status=recording.status.value,
            started_by=recording.started_by,
            created_at=recording.created_at,
            updated_at=recording.updated_at,
            size_bytes=recording.size_bytes,
            duration_seconds=recording.duration_seconds,
            copy_state=recording.copy_state.value,
            copy_attempts=recording.copy_attempts,
            copy_error=recording.copy_error,
            stored_at=recording.stored_at,
            file_id=recording.file_id,
        )


class RecordingList(ResponseBody):
    items: list[RecordingOut]


class RecordingModeBody(RequestBody):
    mode: Annotated[
        Literal["on_request", "always", "never"],
        msgspec.Meta(
            description=(
                "on_request: users with the may_record capability start and stop recordings; "
                "always: the video provider records every session from its first published "
                "stream (for video rooms created from now on: a room is created at a "
                "session's first join), and nobody starts or stops recordings by hand; "
                "never: nobody may record."
            ),
            examples=["always"],
        ),
    ]


class RecordingModeOut(ResponseBody):
    mode: str

    @classmethod
    def of(cls, mode: RecordingMode) -> RecordingModeOut:
        return cls(mode=mode.value)
