"""Use cases on assistance sessions: create, read, join, invite a guest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from core.errors import Forbidden, NotFound, Unavailable
from core.identity.model import Actor, Role, normalize_email, validate_person_name
from core.notifications.kinds import validate_locale
from core.notifications.model import Channel, OutboxMessage
from core.notifications.routing import DEFAULT_CHAINS, Chains, queued_message, route
from core.notifications.sms_text import validate_phone
from core.sessions.model import (
    AssistanceSession,
    Invitation,
    Participant,
    ParticipantRole,
    SessionState,
    validate_reference,
)
from ports.clock import Clock
from ports.pagination import Page, PageRequest
from ports.unit_of_work import TenantUnitOfWork, TenantUnitOfWorkFactory
from ports.video import VideoGrant, VideoProvider, VideoRole, VideoUnavailable

JOIN_TOKEN_TTL = timedelta(hours=2)
INVITATION_KIND = "session_invitation"


@dataclass(frozen=True, slots=True)
class SessionDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    video: VideoProvider
    clock: Clock
    channel_chains: Chains = field(default_factory=lambda: dict(DEFAULT_CHAINS))


@dataclass(frozen=True, slots=True)
class JoinResult:
    participant: Participant
    video: VideoGrant


async def create_session(
    actor: Actor, reference: str, deps: SessionDependencies
) -> AssistanceSession:
    """Open a session hosted by the caller. Only admins and experts may host."""
    if not actor.role.may_host:
        raise Forbidden("only admins and experts may host sessions", code="may_not_host")
    now = deps.clock.now()
    session = AssistanceSession(
        id=uuid.uuid4(),
        host_id=actor.user_id,
        reference=validate_reference(reference),
        state=SessionState.CREATED,
        video_room_id=None,
        created_at=now,
        updated_at=now,
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.sessions.add(session)
        await uow.commit()
    return session


async def get_session(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _existing(uow, session_id)


async def list_sessions(
    actor: Actor, page: PageRequest, deps: SessionDependencies
) -> Page[AssistanceSession]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.sessions.list(page)


async def join_session(actor: Actor, session_id: UUID, deps: SessionDependencies) -> JoinResult:
    """Let the host (or an admin) into the session's video room.

    Rules: the session must be open; the video room is created at the first join, so
    sessions that nobody joins cost nothing at the provider; a provider outage answers
    ``Unavailable`` and writes nothing.
    """
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await _existing(uow, session_id, for_update=True)
        _ensure_manages(actor, session)
        session.ensure_open()
        now = deps.clock.now()
        if session.video_room_id is None:
            session = session.with_video_room(await _create_room(deps.video, session.id), now)
        participant = Participant(
            id=uuid.uuid4(),
            session_id=session.id,
            user_id=actor.user_id,
            role=ParticipantRole.HOST,
            joined_at=now,
        )
        grant = deps.video.grant(
            session.video_room_id or "", participant.id, VideoRole.MODERATOR, JOIN_TOKEN_TTL
        )
        await uow.sessions.save(session.started(now))
        await uow.participants.add(participant)
        await uow.commit()
    return JoinResult(participant=participant, video=grant)


@dataclass(frozen=True, slots=True)
class InviteGuest:
    session_id: UUID
    email: str
    display_name: str
    locale: str = "en"
    phone: str | None = None


async def invite_guest(
    actor: Actor, request: InviteGuest, deps: SessionDependencies
) -> tuple[Invitation, OutboxMessage]:
    """Invite a guest: the invitation and its outbox message commit together.

    The message goes by the first channel of the invitation's chain the guest can be
    reached by (e-mail, or SMS when a phone number is given), the others as fallbacks.
    """
    email = normalize_email(request.email)
    display_name = validate_person_name(request.display_name)
    locale = validate_locale(request.locale)
    recipients = {Channel.EMAIL: email}
    if request.phone:
        recipients[Channel.SMS] = validate_phone(request.phone)
    to = route(INVITATION_KIND, recipients, deps.channel_chains)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await _existing(uow, request.session_id)
        _ensure_manages(actor, session)
        session.ensure_open()
        inviter = await uow.users.get(actor.user_id)
        now = deps.clock.now()
        payload = {
            "guest_name": display_name,
            "inviter_name": inviter.display_name if inviter else "",
            "session_id": str(session.id),
            "session_reference": session.reference,
            "locale": locale,
        }
        message = queued_message(INVITATION_KIND, to, payload, now, session_id=session.id)
        invitation = Invitation(
            id=uuid.uuid4(),
            session_id=session.id,
            email=email,
            display_name=display_name,
            locale=locale,
            invited_by=actor.user_id,
            notification_id=message.id,
            created_at=now,
        )
        await uow.outbox.add(message)
        await uow.invitations.add(invitation)
        await uow.commit()
    return invitation, message


async def list_invitations(
    actor: Actor, session_id: UUID, page: PageRequest, deps: SessionDependencies
) -> Page[Invitation]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _existing(uow, session_id)
        return await uow.invitations.list_for_session(session_id, page)


async def list_session_notifications(
    actor: Actor, session_id: UUID, page: PageRequest, deps: SessionDependencies
) -> Page[OutboxMessage]:
    """Every message sent about a session (invitations, their fallbacks), with its status."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _existing(uow, session_id)
        return await uow.outbox.list_for_session(session_id, page)


async def _existing(
    uow: TenantUnitOfWork, session_id: UUID, *, for_update: bool = False
) -> AssistanceSession:
    session = await uow.sessions.get(session_id, for_update=for_update)
    if session is None:
        raise NotFound("no such session", field="session_id", code="session_not_found")
    return session


def _ensure_manages(actor: Actor, session: AssistanceSession) -> None:
    if actor.role is not Role.ADMIN and session.host_id != actor.user_id:
        raise Forbidden("only the host or an admin may do this", code="not_session_host")


async def _create_room(video: VideoProvider, session_id: UUID) -> str:
    try:
        return await video.create_room(session_id)
    except VideoUnavailable as exc:
        raise Unavailable(f"video provider '{video.name}' is unavailable: {exc}") from exc
