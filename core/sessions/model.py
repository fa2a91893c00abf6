"""Assistance sessions, their participants and guest invitations.

A session's life: ``created`` (opened by its host) or ``ringing`` (a call waiting for the
callee) -> ``active`` (someone joined or the callee accepted) -> ``ended``; a ringing
call may instead be ``declined`` by the callee, ``cancelled`` by the caller, or
``missed`` when nobody answers in time. Every allowed move is listed in ``TRANSITIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from core.errors import Conflict, InvalidInput
from core.recordings.model import RecordingMode

MAX_REFERENCE = 200
MAX_NOTES = 5000
MAX_OUTCOME = 500
MAX_TAGS = 20
MAX_TAG = 40


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


TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    SessionState.CREATED: frozenset({SessionState.ACTIVE, SessionState.CANCELLED}),
    SessionState.RINGING: frozenset(
        {
            SessionState.ACTIVE,
            SessionState.DECLINED,
            SessionState.MISSED,
            SessionState.CANCELLED,
        }
    ),
    SessionState.ACTIVE: frozenset({SessionState.ENDED}),
    SessionState.ENDED: frozenset(),
    SessionState.DECLINED: frozenset(),
    SessionState.MISSED: frozenset(),
    SessionState.CANCELLED: frozenset(),
}


class ParticipantRole(StrEnum):
    HOST = "host"
    FIELD_ENGINEER = "field_engineer"
    GUEST = "guest"
    OBSERVER = "observer"


class CalleeKind(StrEnum):
    """A call rings a person (all their apps) or one device (a pair of glasses)."""

    USER = "user"
    DEVICE = "device"


class SessionClosed(Conflict):
    code = "session_closed"


class InvalidSessionTransition(Conflict):
    code = "invalid_session_transition"


@dataclass(frozen=True, slots=True)
class Callee:
    kind: CalleeKind
    id: UUID
    user_id: UUID
    """The person answering: the callee itself, or the owner of the device called."""


@dataclass(frozen=True, slots=True)
class AssistanceSession:
    id: UUID
    host_id: UUID
    reference: str
    state: SessionState
    video_room_id: str | None
    created_at: datetime
    updated_at: datetime
    callee: Callee | None = None
    ring_deadline: datetime | None = None
    last_activity_at: datetime | None = None
    ended_at: datetime | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    outcome: str = ""
    room_recording_mode: RecordingMode | None = None
    """The tenant's recording mode when the video room was created: the provider records
    the room by itself (mode ``always``) for its whole life, whatever the tenant chooses
    since. None without a room, and for rooms created before the mode was kept."""

    def ensure_open(self) -> None:
        if not self.state.is_open:
            raise SessionClosed(f"session is {self.state.value}")

    def moved_to(self, state: SessionState, now: datetime) -> AssistanceSession:
        """The one gate every state change passes: refuses moves ``TRANSITIONS`` lacks."""
        if state not in TRANSITIONS[self.state]:
            raise InvalidSessionTransition(
                f"a {self.state.value} session cannot become {state.value}", field="state"
            )
        ended = now if not state.is_open else None
        return replace(self, state=state, updated_at=now, last_activity_at=now, ended_at=ended)

    def with_video_room(
        self, room_id: str, recording_mode: RecordingMode, now: datetime
    ) -> AssistanceSession:
        return replace(
            self, video_room_id=room_id, room_recording_mode=recording_mode, updated_at=now
        )

    def started(self, now: datetime) -> AssistanceSession:
        """The first join makes a session active; later joins only count as activity."""
        if self.state is SessionState.ACTIVE:
            return replace(self, last_activity_at=now)
        return self.moved_to(SessionState.ACTIVE, now)

    def is_idle(self, now: datetime, idle: timedelta) -> bool:
        last = self.last_activity_at or self.updated_at
        return self.state is SessionState.ACTIVE and last + idle <= now

    def ring_expired(self, now: datetime) -> bool:
        deadline = self.ring_deadline
        return self.state is SessionState.RINGING and deadline is not None and deadline <= now

    def described(self, details: SessionDetails, now: datetime) -> AssistanceSession:
        return replace(
            self,
            reference=details.reference,
            tags=details.tags,
            notes=details.notes,
            outcome=details.outcome,
            updated_at=now,
        )


@dataclass(frozen=True, slots=True)
class SessionDetails:
    """What the host writes about a session: reference, tags, notes, outcome."""

    reference: str
    tags: tuple[str, ...]
    notes: str
    outcome: str

    @classmethod
    def validated(
        cls, reference: str, tags: list[str] | tuple[str, ...], notes: str, outcome: str
    ) -> SessionDetails:
        return cls(
            reference=validate_reference(reference),
            tags=validate_tags(tags),
            notes=_bounded(notes.strip(), MAX_NOTES, "notes"),
            outcome=_bounded(" ".join(outcome.split()), MAX_OUTCOME, "outcome"),
        )


@dataclass(frozen=True, slots=True)
class Participant:
    id: UUID
    session_id: UUID
    user_id: UUID | None
    role: ParticipantRole
    joined_at: datetime
    left_at: datetime | None = None
    invitation_id: UUID | None = None
    display_name: str = ""

    @property
    def present(self) -> bool:
        return self.left_at is None

    def left(self, now: datetime) -> Participant:
        return self if self.left_at is not None else replace(self, left_at=now)

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Time present within [start, end): a participant still present counts until end."""
        begin = max(self.joined_at, start)
        finish = min(self.left_at or end, end)
        return max((finish - begin).total_seconds(), 0.0)


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
    phone: str | None = None
    token_hash: str | None = None
    expires_at: datetime | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None


def validate_reference(reference: str) -> str:
    """Free text (a ticket number, a customer name) shown to everyone in the call."""
    return _bounded(" ".join(reference.split()), MAX_REFERENCE, "reference")


def validate_tags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Short labels for finding sessions again; duplicates collapse, order is kept."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field="tags", code="too_many_tags")
    cleaned: list[str] = []
    for index, tag in enumerate(tags):
        value = " ".join(tag.split())
        if not value or len(value) > MAX_TAG:
            raise InvalidInput(
                f"a tag must be 1-{MAX_TAG} characters", field=f"tags[{index}]", code="invalid_tag"
            )
        value = value.lower()
        if value not in cleaned:
            cleaned.append(value)
    return tuple(cleaned)


def _bounded(value: str, limit: int, field: str) -> str:
    if len(value) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters", field=field)
    return value
