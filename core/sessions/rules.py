"""Who may join a session and as what; the limits a join or a new session must respect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from core.errors import Conflict, Forbidden
from core.identity.model import Actor, Role
from core.sessions.model import AssistanceSession, ParticipantRole, SessionState
from ports.video import VideoRole

VIDEO_ROLES: dict[ParticipantRole, VideoRole] = {
    ParticipantRole.HOST: VideoRole.MODERATOR,
    ParticipantRole.FIELD_ENGINEER: VideoRole.PUBLISHER,
    ParticipantRole.GUEST: VideoRole.PUBLISHER,
    ParticipantRole.OBSERVER: VideoRole.SUBSCRIBER,
}


@dataclass(frozen=True, slots=True)
class SessionRules:
    """Deployment-wide timing and size rules (settings ``sessions.*``)."""

    ring_timeout: timedelta = timedelta(seconds=45)
    idle_timeout: timedelta = timedelta(minutes=30)
    max_participants: int = 10
    invitation_ttl: timedelta = timedelta(hours=24)
    join_token_ttl: timedelta = timedelta(hours=2)
    room_ticket_ttl: timedelta = timedelta(minutes=5)
    """Only to authenticate with the multiplayer service: it keeps the connection itself."""


class SessionFull(Conflict):
    code = "session_full"


class TooManySessions(Conflict):
    code = "concurrent_sessions_limit"


def participant_role(actor: Actor, session: AssistanceSession) -> ParticipantRole:
    """The host hosts; the callee and field engineers work on site; everyone else watches.

    A ringing call is for its callee: nobody else but the host may take it.
    """
    callee = session.callee.user_id if session.callee else None
    if session.host_id == actor.user_id:
        return ParticipantRole.HOST
    if callee == actor.user_id:
        return ParticipantRole.FIELD_ENGINEER
    if callee is not None and session.state is SessionState.RINGING:
        raise Forbidden("this call rings someone else", code="not_the_callee")
    if actor.role is Role.FIELD_ENGINEER:
        return ParticipantRole.FIELD_ENGINEER
    return ParticipantRole.OBSERVER


def ensure_room_for_one_more(present: int, rules: SessionRules) -> None:
    if present >= rules.max_participants:
        raise SessionFull(
            f"the session already has its {rules.max_participants} participants",
            field="session_id",
        )


def ensure_may_open_another(open_sessions: int, limit: int) -> None:
    if open_sessions >= limit:
        raise TooManySessions(
            f"the plan allows {limit} sessions at once; end one first",
            field="limits.max_concurrent_sessions",
        )


def is_host_or_admin(actor: Actor, session: AssistanceSession) -> bool:
    return actor.role is Role.ADMIN or session.host_id == actor.user_id


def callee_user(session: AssistanceSession) -> UUID | None:
    return session.callee.user_id if session.callee else None
