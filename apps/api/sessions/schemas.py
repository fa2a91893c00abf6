"""Request and response bodies of the session endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema

from apps.api.auth.tokens import IssuedToken
from apps.api.fields import Email, Locale, PersonName, Phone, text
from apps.api.schemas import RequestBody, ResponseBody
from apps.api.sessions.qr import qr_data_uri
from core.sessions.guests import IssuedInvitation
from core.sessions.model import AssistanceSession, Invitation
from core.sessions.services import JoinResult
from ports.multiplayer import MultiplayerJoin


class CreateSessionBody(RequestBody):
    reference: Annotated[
        str,
        msgspec.Meta(
            max_length=200,
            description="Free text shown to participants: a ticket number, a customer name.",
            examples=["Ticket 4711 - pump P-12 vibrates"],
        ),
    ] = ""


class DescribeSessionBody(RequestBody):
    reference: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    tags: (
        Annotated[
            list[Annotated[str, text(40, example="pump")]],
            msgspec.Meta(max_length=20, description="Labels to find the session again."),
        ]
        | None
    ) = None
    notes: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    outcome: (
        Annotated[str, msgspec.Meta(max_length=500, examples=["Seal replaced, pump restarted"])]
        | None
    ) = None


class SessionOut(ResponseBody):
    id: UUID
    host_id: UUID
    reference: str
    state: str
    created_at: datetime
    updated_at: datetime
    callee_kind: str | None
    callee_id: UUID | None
    ring_deadline: datetime | None
    ended_at: datetime | None
    tags: list[str]
    notes: str
    outcome: str

    @classmethod
    def of(cls, session: AssistanceSession) -> SessionOut:
        callee = session.callee
        return cls(
            id=session.id,
            host_id=session.host_id,
            reference=session.reference,
            state=session.state.value,
            created_at=session.created_at,
            updated_at=session.updated_at,
            callee_kind=callee.kind.value if callee else None,
            callee_id=callee.id if callee else None,
            ring_deadline=session.ring_deadline,
            ended_at=session.ended_at,
            tags=list(session.tags),
            notes=session.notes,
            outcome=session.outcome,
        )


class SessionPage(ResponseBody):
    items: list[SessionOut]
    next_cursor: str | None


class VideoGrantOut(ResponseBody):
    provider: str
    room_id: str
    token: str
    expires_at: datetime


class RealtimeOut(ResponseBody):
    provider: Annotated[str, msgspec.Meta(description="The realtime adapter in use.")]
    channels: Annotated[
        list[str],
        msgspec.Meta(description="Event channels to subscribe to: the caller's, the session's."),
    ]
    guest_pass: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "Guests only (users send their access token): the credential of the "
                "WebSocket's subscribe message or SSE's Authorization header, for the "
                "session's channel, while the guest is in it."
            )
        ),
    ] = None
    guest_pass_expires_at: datetime | None = None


class MultiplayerOut(ResponseBody):
    provider: str
    app_id: str
    region: str
    room_name: str
    ticket: Annotated[str, msgspec.Meta(description="Short-lived; Photon sends it back to us.")]
    expires_at: datetime


class JoinOut(ResponseBody):
    """Everything a client needs to take part, in one answer."""

    participant_id: UUID
    session_id: UUID
    role: str
    video: VideoGrantOut
    realtime: RealtimeOut
    multiplayer: Annotated[
        MultiplayerOut | None,
        msgspec.Meta(description="The session's shared AR room (Photon), when one is configured."),
    ] = None

    @classmethod
    def of(
        cls, result: JoinResult, realtime_provider: str, guest_pass: IssuedToken | None = None
    ) -> JoinOut:
        grant = result.video
        return cls(
            participant_id=result.participant.id,
            session_id=result.participant.session_id,
            role=result.participant.role.value,
            video=VideoGrantOut(
                provider=grant.provider,
                room_id=grant.room_id,
                token=grant.token,
                expires_at=grant.expires_at,
            ),
            realtime=RealtimeOut(
                provider=realtime_provider,
                channels=list(result.channels),
                guest_pass=guest_pass.token if guest_pass else None,
                guest_pass_expires_at=guest_pass.expires_at if guest_pass else None,
            ),
            multiplayer=_multiplayer(result.multiplayer),
        )


def _multiplayer(room: MultiplayerJoin | None) -> MultiplayerOut | None:
    if room is None:
        return None
    return MultiplayerOut(
        provider=room.provider,
        app_id=room.app_id,
        region=room.region,
        room_name=room.room_name,
        ticket=room.ticket,
        expires_at=room.expires_at,
    )


class InviteGuestBody(RequestBody):
    """An e-mail address, a phone number (the invitation can then go by SMS), or both."""

    display_name: PersonName
    email: Email | None = None
    locale: Locale = Locale.EN
    phone: Phone | None = None

    @classmethod
    def openapi_extra(cls) -> dict[str, Any]:
        return {
            "any_of": [
                Schema(required=["email"], properties={"email": Schema(type=OpenAPIType.STRING)}),
                Schema(required=["phone"], properties={"phone": Schema(type=OpenAPIType.STRING)}),
            ]
        }


class InvitationOut(ResponseBody):
    id: UUID
    session_id: UUID
    email: str
    phone: str | None
    display_name: str
    locale: str
    notification_id: UUID
    created_at: datetime
    expires_at: datetime | None
    used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls(
            id=invitation.id,
            session_id=invitation.session_id,
            email=invitation.email,
            phone=invitation.phone,
            display_name=invitation.display_name,
            locale=invitation.locale,
            notification_id=invitation.notification_id,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            used_at=invitation.used_at,
            revoked_at=invitation.revoked_at,
        )


class IssuedInvitationOut(InvitationOut):
    """The invitation with its link, shown this once: only the link's hash is kept."""

    link: str
    qr_code: Annotated[
        str, msgspec.Meta(description="The link as a QR code: a PNG image in a data: URI.")
    ]

    @classmethod
    def issued(cls, issued: IssuedInvitation) -> IssuedInvitationOut:
        fields = msgspec.structs.asdict(InvitationOut.of(issued.invitation))
        return cls(**fields, link=issued.link, qr_code=qr_data_uri(issued.link))


class InvitationPage(ResponseBody):
    items: list[InvitationOut]
    next_cursor: str | None
