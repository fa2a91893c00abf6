"""Assistance sessions, their participants and guest invitations."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from core.errors import Conflict, InvalidInput

MAX_REFERENCE = 200


class SessionState(StrEnum):
    CREATED = "created"
    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"
    MISSED = "missed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (SessionState.CREATED, SessionState.RINGING, SessionState.ACTIVE)


class ParticipantRole(StrEnum):
    HOST = "host"
    FIELD_ENGINEER = "field_engineer"
    GUEST = "guest"
    OBSERVER = "observer"


class SessionClosed(Conflict):
    code = "session_closed"


@dataclass(frozen=True, slots=True)
class AssistanceSession:
    id: UUID
    host_id: UUID
    reference: str
    state: SessionState
    video_room_id: str | None
    created_at: datetime
    updated_at: datetime

    def ensure_open(self) -> None:
        if not self.state.is_open:
            raise SessionClosed(f"session is {self.state.value}")

    def with_video_room(self, room_id: str, now: datetime) -> AssistanceSession:
        return replace(self, video_room_id=room_id, updated_at=now)

    def started(self, now: datetime) -> AssistanceSession:
        """The first join makes a created session active; later joins change nothing."""
        if self.state is SessionState.ACTIVE:
            return self
        return replace(self, state=SessionState.ACTIVE, updated_at=now)


@dataclass(frozen=True, slots=True)
class Participant:
    id: UUID
    session_id: UUID
    user_id: UUID | None
    role: ParticipantRole
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Invitation:
    id: UUID
    session_id: UUID
    email: str
    display_name: str
    locale: str
    invited_by: UUID
    notification_id: UUID
    created_at: datetime


def validate_reference(reference: str) -> str:
    """Free text (a ticket number, a customer name) shown to everyone in the call."""
    cleaned = " ".join(reference.split())
    if len(cleaned) > MAX_REFERENCE:
        raise InvalidInput(
            f"reference must be at most {MAX_REFERENCE} characters", field="reference"
        )
    return cleaned
