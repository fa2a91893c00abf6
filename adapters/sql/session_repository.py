"""Assistance sessions, participants, invitations and call preferences in a tenant database."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver_statements import DriverStatement
from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import (
    assistance_sessions,
    call_preferences,
    invitations,
    participants,
)
from core.notifications.model import Channel
from core.recordings.model import RecordingMode
from core.sessions.model import (
    AssistanceSession,
    Callee,
    CalleeKind,
    Invitation,
    Participant,
    ParticipantRole,
    SessionState,
)
from core.sessions.preferences import CallPreference
from ports.pagination import Page, PageRequest

# Statements of every join, built once with bound parameters: building and keying one
# per call costs more CPU than the database spends running it.
_ADD_SESSION = DriverStatement(assistance_sessions.insert())
_SAVE_SESSION = assistance_sessions.update().where(assistance_sessions.c.id == sa.bindparam("b_id"))
_SELECT_SESSION = assistance_sessions.select().where(
    assistance_sessions.c.id == sa.bindparam("b_id")
)
_GET_SESSION = DriverStatement(_SELECT_SESSION)
_LOCK_SESSION = DriverStatement(_SELECT_SESSION.with_for_update())
_ADD_PARTICIPANT = participants.insert()


class SqlSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, session: AssistanceSession) -> None:
        await _ADD_SESSION.run(self._connection, session_row(session))

    async def save(self, session: AssistanceSession) -> None:
        await self._connection.execute(_SAVE_SESSION, {"b_id": session.id} | session_row(session))

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AssistanceSession | None:
        query = _LOCK_SESSION if for_update else _GET_SESSION
        rows = await query.rows(self._connection, {"b_id": session_id})
        return session_from_row(rows[0]) if rows else None

    async def list(self, page: PageRequest) -> Page[AssistanceSession]:
        query = paginate(assistance_sessions.select(), assistance_sessions, page)
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, session_from_row)

    async def count_open(self) -> int:
        open_states = [s.value for s in SessionState if s.is_open]
        query = (
            sa.select(sa.func.count())
            .select_from(assistance_sessions)
            .where(assistance_sessions.c.state.in_(open_states))
        )
        return int((await self._connection.execute(query)).scalar_one())

    async def due_for_sweep(
        self, now: datetime, idle_since: datetime
    ) -> builtins.list[AssistanceSession]:
        """Locked and skipped when another worker holds them, so two sweeps never race."""
        table = assistance_sessions
        state = table.c.state
        quiet = sa.func.coalesce(table.c.last_activity_at, table.c.updated_at)
        query = (
            table.select()
            .where(
                sa.or_(
                    sa.and_(state == SessionState.RINGING.value, table.c.ring_deadline <= now),
                    sa.and_(
                        state.in_([SessionState.ACTIVE.value, SessionState.CREATED.value]),
                        quiet <= idle_since,
                    ),
                )
            )
            .order_by(table.c.created_at, table.c.id)
            .with_for_update(skip_locked=True)
        )
        return [session_from_row(row) for row in (await self._connection.execute(query)).all()]


class SqlParticipantRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, participant: Participant) -> None:
        await self._connection.execute(_ADD_PARTICIPANT, participant_row(participant))

    async def list_for_session(self, session_id: UUID) -> list[Participant]:
        return await self._select(participants.c.session_id == session_id)

    async def get(self, participant_id: UUID) -> Participant | None:
        found = await self._select(participants.c.id == participant_id)
        return found[0] if found else None

    async def save(self, participant: Participant) -> None:
        await self._connection.execute(
            participants.update()
            .where(participants.c.id == participant.id)
            .values(left_at=participant.left_at)
        )

    async def present_between(self, start: datetime, end: datetime) -> list[Participant]:
        left = participants.c.left_at
        return await self._select(
            participants.c.joined_at < end, sa.or_(left.is_(None), left > start)
        )

    async def _select(self, *where: sa.ColumnElement[bool]) -> list[Participant]:
        query = (
            participants.select()
            .where(*where)
            .order_by(participants.c.joined_at, participants.c.id)
        )
        return [
            Participant(
                id=row.id,
                session_id=row.session_id,
                user_id=row.user_id,
                role=ParticipantRole(row.role),
                joined_at=row.joined_at,
                left_at=row.left_at,
                invitation_id=row.invitation_id,
                display_name=row.display_name,
            )
            for row in (await self._connection.execute(query)).all()
        ]


class SqlInvitationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, invitation: Invitation) -> None:
        await self._connection.execute(invitations.insert().values(**_invitation_row(invitation)))

    async def save(self, invitation: Invitation) -> None:
        await self._connection.execute(
            invitations.update()
            .where(invitations.c.id == invitation.id)
            .values(**_invitation_row(invitation))
        )

    async def get(self, invitation_id: UUID) -> Invitation | None:
        query = invitations.select().where(invitations.c.id == invitation_id)
        row = (await self._connection.execute(query)).first()
        return _invitation(row) if row else None

    async def find_by_token_hash(self, token_hash: str) -> Invitation | None:
        """Locks the row where the database can: two clicks on one link admit one guest."""
        query = invitations.select().where(invitations.c.token_hash == token_hash).with_for_update()
        row = (await self._connection.execute(query)).first()
        return _invitation(row) if row else None

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[Invitation]:
        query = paginate(
            invitations.select().where(invitations.c.session_id == session_id), invitations, page
        )
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, _invitation)


class SqlCallPreferenceRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: UUID) -> CallPreference | None:
        query = call_preferences.select().where(call_preferences.c.user_id == user_id)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return CallPreference(
            user_id=row.user_id,
            missed_call_channel=Channel(row.missed_call_channel),
            phone=row.phone,
            push_token=row.push_token,
            locale=row.locale,
            updated_at=row.updated_at,
        )

    async def save(self, preference: CallPreference) -> None:
        values = {
            "missed_call_channel": preference.missed_call_channel.value,
            "phone": preference.phone,
            "push_token": preference.push_token,
            "locale": preference.locale,
            "updated_at": preference.updated_at,
        }
        updated = await self._connection.execute(
            call_preferences.update()
            .where(call_preferences.c.user_id == preference.user_id)
            .values(**values)
        )
        if updated.rowcount == 0:
            await self._connection.execute(
                call_preferences.insert().values(user_id=preference.user_id, **values)
            )


def participant_row(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.id,
        "session_id": participant.session_id,
        "user_id": participant.user_id,
        "role": participant.role.value,
        "joined_at": participant.joined_at,
        "left_at": participant.left_at,
        "invitation_id": participant.invitation_id,
        "display_name": participant.display_name,
    }


def session_row(session: AssistanceSession) -> dict[str, Any]:
    callee = session.callee
    return {
        "id": session.id,
        "host_id": session.host_id,
        "reference": session.reference,
        "state": session.state.value,
        "video_room_id": session.video_room_id,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "callee_kind": callee.kind.value if callee else None,
        "callee_id": callee.id if callee else None,
        "callee_user_id": callee.user_id if callee else None,
        "ring_deadline": session.ring_deadline,
        "last_activity_at": session.last_activity_at,
        "ended_at": session.ended_at,
        "tags": list(session.tags),
        "notes": session.notes,
        "outcome": session.outcome,
        "room_recording_mode": mode.value if (mode := session.room_recording_mode) else None,
    }


def session_from_row(row: Any) -> AssistanceSession:
    callee = None
    if row.callee_kind is not None:
        callee = Callee(CalleeKind(row.callee_kind), row.callee_id, row.callee_user_id)
    return AssistanceSession(
        id=row.id,
        host_id=row.host_id,
        reference=row.reference,
        state=SessionState(row.state),
        video_room_id=row.video_room_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        callee=callee,
        ring_deadline=row.ring_deadline,
        last_activity_at=row.last_activity_at,
        ended_at=row.ended_at,
        tags=tuple(row.tags or ()),
        notes=row.notes,
        outcome=row.outcome,
        room_recording_mode=RecordingMode(mode) if (mode := row.room_recording_mode) else None,
    )


def _invitation_row(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "session_id": invitation.session_id,
        "email": invitation.email,
        "display_name": invitation.display_name,
        "locale": invitation.locale,
        "invited_by": invitation.invited_by,
        "notification_id": invitation.notification_id,
        "created_at": invitation.created_at,
        "phone": invitation.phone,
        "token_hash": invitation.token_hash,
        "expires_at": invitation.expires_at,
        "used_at": invitation.used_at,
        "revoked_at": invitation.revoked_at,
    }


def _invitation(row: Any) -> Invitation:
    return Invitation(
        id=row.id,
        session_id=row.session_id,
        email=row.email,
        display_name=row.display_name,
        locale=row.locale,
        invited_by=row.invited_by,
        notification_id=row.notification_id,
        created_at=row.created_at,
        phone=row.phone,
        token_hash=row.token_hash,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )
