"""Assistance sessions, participants and invitations of one tenant."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from core.sessions.model import AssistanceSession, Invitation, Participant
from ports.pagination import Page, PageRequest


class SessionRepository(Protocol):
    async def add(self, session: AssistanceSession) -> None: ...

    async def save(self, session: AssistanceSession) -> None: ...

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AssistanceSession | None:
        """``for_update`` locks the row until commit where the database can."""
        ...

    async def list(self, page: PageRequest) -> Page[AssistanceSession]: ...


class ParticipantRepository(Protocol):
    async def add(self, participant: Participant) -> None: ...

    async def list_for_session(self, session_id: UUID) -> list[Participant]: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> None: ...

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[Invitation]: ...
