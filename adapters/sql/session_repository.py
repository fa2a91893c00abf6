"""Assistance sessions, participants and invitations in a tenant database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import assistance_sessions, invitations, participants
from core.sessions.model import (
    AssistanceSession,
    Invitation,
    Participant,
    ParticipantRole,
    SessionState,
)
from ports.pagination import Page, PageRequest


class SqlSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, session: AssistanceSession) -> None:
        await self._connection.execute(assistance_sessions.insert().values(**_session_row(session)))

    async def save(self, session: AssistanceSession) -> None:
        await self._connection.execute(
            assistance_sessions.update()
            .where(assistance_sessions.c.id == session.id)
            .values(**_session_row(session))
        )

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AssistanceSession | None:
        query = assistance_sessions.select().where(assistance_sessions.c.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        return _session(row) if row else None

    async def list(self, page: PageRequest) -> Page[AssistanceSession]:
        query = paginate(assistance_sessions.select(), assistance_sessions, page)
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, _session)

    async def count_open(self) -> int:
        open_states = [s.value for s in SessionState if s.is_open]
        query = (
            sa.select(sa.func.count())
            .select_from(assistance_sessions)
            .where(assistance_sessions.c.state.in_(open_states))
        )
        return int((await self._connection.execute(query)).scalar_one())


class SqlParticipantRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, participant: Participant) -> None:
        await self._connection.execute(
            participants.insert().values(
                id=participant.id,
                session_id=participant.session_id,
                user_id=participant.user_id,
                role=participant.role.value,
                joined_at=participant.joined_at,
            )
        )

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
            )
            for row in (await self._connection.execute(query)).all()
        ]


class SqlInvitationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, invitation: Invitation) -> None:
        await self._connection.execute(
            invitations.insert().values(
                id=invitation.id,
                session_id=invitation.session_id,
                email=invitation.email,
                display_name=invitation.display_name,
                locale=invitation.locale,
                invited_by=invitation.invited_by,
                notification_id=invitation.notification_id,
                created_at=invitation.created_at,
            )
        )

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[Invitation]:
        query = paginate(
            invitations.select().where(invitations.c.session_id == session_id), invitations, page
        )
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, _invitation)


def _session_row(session: AssistanceSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "host_id": session.host_id,
        "reference": session.reference,
        "state": session.state.value,
        "video_room_id": session.video_room_id,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
    }


def _session(row: Any) -> AssistanceSession:
    return AssistanceSession(
        id=row.id,
        host_id=row.host_id,
        reference=row.reference,
        state=SessionState(row.state),
        video_room_id=row.video_room_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


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
    )
