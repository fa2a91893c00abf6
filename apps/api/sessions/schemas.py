"""Request and response bodies of the session endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.sessions.model import AssistanceSession, Invitation
from core.sessions.services import JoinResult


class CreateSessionBody(RequestBody):
    reference: Annotated[
        str,
        msgspec.Meta(
            max_length=200,
            description="Free text shown to participants: a ticket number, a customer name.",
            examples=["Ticket 4711 - pump P-12 vibrates"],
        ),
    ] = ""


class SessionOut(ResponseBody):
    id: UUID
    host_id: UUID
    reference: str
    state: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, session: AssistanceSession) -> SessionOut:
        return cls(
            id=session.id,
            host_id=session.host_id,
            reference=session.reference,
            state=session.state.value,
            created_at=session.created_at,
            updated_at=session.updated_at,
        )


class SessionPage(ResponseBody):
    items: list[SessionOut]
    next_cursor: str | None


class VideoGrantOut(ResponseBody):
    provider: str
    room_id: str
    token: str
    expires_at: datetime


class JoinOut(ResponseBody):
    participant_id: UUID
    role: str
    video: VideoGrantOut

    @classmethod
    def of(cls, result: JoinResult) -> JoinOut:
        grant = result.video
        return cls(
            participant_id=result.participant.id,
            role=result.participant.role.value,
            video=VideoGrantOut(
                provider=grant.provider,
                room_id=grant.room_id,
                token=grant.token,
                expires_at=grant.expires_at,
            ),
        )


class InviteGuestBody(RequestBody):
    email: Annotated[str, msgspec.Meta(max_length=254, examples=["guest@supplier.example"])]
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Gus Guest"])]
    locale: Annotated[str, msgspec.Meta(description="en, fr or nl", examples=["en"])] = "en"
    phone: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=32,
                description="Optional mobile number (E.164): the invitation can go by SMS.",
                examples=["+32470123456"],
            ),
        ]
        | None
    ) = None


class InvitationOut(ResponseBody):
    id: UUID
    session_id: UUID
    email: str
    display_name: str
    locale: str
    notification_id: UUID
    created_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls(
            id=invitation.id,
            session_id=invitation.session_id,
            email=invitation.email,
            display_name=invitation.display_name,
            locale=invitation.locale,
            notification_id=invitation.notification_id,
            created_at=invitation.created_at,
        )


class InvitationPage(ResponseBody):
    items: list[InvitationOut]
    next_cursor: str | None
