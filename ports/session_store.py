"""What the session use cases need of a tenant's storage beyond the generic unit of work:
calls due for a sweep, presence of participants over time, guest links, call preferences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.recordings.model import RecordingMode
from core.sessions.model import AssistanceSession, Invitation, Participant
from core.sessions.preferences import CallPreference
from core.usage.meter import SessionMeter
from ports.sessions import InvitationRepository, ParticipantRepository, SessionRepository
from ports.unit_of_work import TenantUnitOfWork
from ports.usage_ledger import UsageLedger


class SessionRecords(SessionRepository, Protocol):
    async def count_open(self) -> int:
        """Sessions created, ringing or active: what the concurrent-session limit counts."""
        ...

    async def due_for_sweep(self, now: datetime, idle_since: datetime) -> list[AssistanceSession]:
        """Ringing sessions whose deadline passed and active ones quiet since ``idle_since``."""
        ...


class ParticipantRecords(ParticipantRepository, Protocol):
    async def get(self, participant_id: UUID) -> Participant | None: ...

    async def save(self, participant: Participant) -> None: ...

    async def present_between(self, start: datetime, end: datetime) -> list[Participant]:
        """Everyone who was in a session at some moment of [start, end)."""
        ...


class GuestInvitations(InvitationRepository, Protocol):
    async def get(self, invitation_id: UUID) -> Invitation | None: ...

    async def find_by_token_hash(self, token_hash: str) -> Invitation | None: ...

    async def save(self, invitation: Invitation) -> None: ...


class CallPreferences(Protocol):
    async def get(self, user_id: UUID) -> CallPreference | None: ...

    async def save(self, preference: CallPreference) -> None: ...


class RecordingModes(Protocol):
    async def mode(self) -> RecordingMode:
        """The tenant's recording mode: a video room is created to match it."""
        ...


@dataclass(frozen=True, slots=True)
class JoinSnapshot:
    """What a join decides on: the session and its meter, both locked until the unit of
    work ends (the meter is None for a session created before meters came with sessions,
    until its first join), and the tenant's minutes so far this month."""

    session: AssistanceSession
    meter: SessionMeter | None
    used_minutes: int


class Admissions(Protocol):
    async def read_for_join(self, session_id: UUID, now: datetime) -> JoinSnapshot | None:
        """The session and its meter locked for a join, with
        ``UsageLedger.minutes_so_far(now)``: one statement where the database allows (the
        minutes may then be as they stood before a wait for the lock); None for no such
        session."""
        ...

    async def record(
        self, session: AssistanceSession, participant: Participant, meter: SessionMeter
    ) -> None:
        """A join's writes together: the session as it now is, its new participant, and the
        session's meter (created at the first join). One statement where the database
        allows it: a join's round trips are most of its cost."""
        ...


class SessionUnitOfWork(TenantUnitOfWork, Protocol):
    sessions: SessionRecords
    participants: ParticipantRecords
    invitations: GuestInvitations
    call_preferences: CallPreferences
    usage: UsageLedger

    @property
    def recordings(self) -> RecordingModes: ...

    @property
    def admissions(self) -> Admissions: ...


class SessionUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> SessionUnitOfWork: ...
