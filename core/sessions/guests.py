"""Guests: people without an account, invited to one session by e-mail or SMS.

An invitation carries a secret link. Only the link's hash is stored, so a leaked
database opens no session; the link works once, until it expires or is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from core.errors import Conflict, InvalidInput, NotFound
from core.identity.model import Actor, normalize_email, validate_person_name
from core.notifications.kinds import validate_locale
from core.notifications.model import Channel, OutboxMessage
from core.notifications.routing import queued_message, route
from core.notifications.sms_text import validate_phone
from core.sessions.model import Invitation, ParticipantRole
from core.sessions.services import (
    JoinResult,
    Newcomer,
    SessionDependencies,
    admit,
    ensure_manages,
    existing_session,
    participant_event,
    participant_of,
    publish,
    read_for_join,
    record_leave,
)
from core.tenants.model import PlanLimits
from ports.events import EventType
from ports.pagination import Page, PageRequest

INVITATION_KIND = "session_invitation"
MAX_TOKEN = 200


class InvitationUnusable(Conflict):
    """The link was used, revoked or has expired: the host may send a new one."""

    code = "invitation_unusable"


@dataclass(frozen=True, slots=True)
class InviteGuest:
    session_id: UUID
    display_name: str
    email: str | None = None
    phone: str | None = None
    locale: str = "en"


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """The invitation and, this once, its link (for a QR code on the host's screen)."""

    invitation: Invitation
    message: OutboxMessage
    link: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def guest_link(public_url: str, session_id: UUID, token: str) -> str:
    """The link in the message; the token rides in the fragment, kept out of server logs."""
    return f"{public_url.rstrip('/')}/join/{session_id}#{token}"


async def invite_guest(
    actor: Actor, request: InviteGuest, deps: SessionDependencies
) -> IssuedInvitation:
    """Invite a guest: the invitation and its outbox message commit together.

    The message goes by the first channel of the invitation's chain the guest can be
    reached by (e-mail, or SMS when a phone number is given), the others as fallbacks;
    it is written in the guest's language.
    """
    email = normalize_email(request.email) if request.email else ""
    phone = validate_phone(request.phone) if request.phone else None
    display_name = validate_person_name(request.display_name)
    locale = validate_locale(request.locale)
    recipients: dict[str, str] = {Channel.EMAIL: email, Channel.SMS: phone or ""}
    if not email and phone is None:
        raise InvalidInput("an e-mail address or a phone number is needed", field="email")
    to = route(INVITATION_KIND, recipients, deps.channel_chains)
    token = secrets.token_urlsafe(32)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, request.session_id)
        ensure_manages(actor, session)
        session.ensure_open()
        inviter = await uow.users.get(actor.user_id)
        now = deps.clock.now()
        expires_at = now + deps.rules.invitation_ttl
        payload = {
            "guest_name": display_name,
            "inviter_name": inviter.display_name if inviter else "",
            "session_id": str(session.id),
            "session_reference": session.reference,
            "join_token": token,
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
            phone=phone,
            token_hash=hash_token(token),
            expires_at=expires_at,
        )
        await uow.outbox.add(message)
        await uow.invitations.add(invitation)
        await uow.commit()
    return IssuedInvitation(invitation, message, guest_link(deps.public_url, session.id, token))


async def revoke_invitation(
    actor: Actor, session_id: UUID, invitation_id: UUID, deps: SessionDependencies
) -> Invitation:
    """The link stops working at once; revoking twice changes nothing."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id)
        ensure_manages(actor, session)
        invitation = await uow.invitations.get(invitation_id)
        if invitation is None or invitation.session_id != session_id:
            raise NotFound("no such invitation", field="invitation_id", code="invitation_not_found")
        if invitation.revoked_at is None:
            invitation = replace(invitation, revoked_at=deps.clock.now())
            await uow.invitations.save(invitation)
            await uow.commit()
    return invitation


async def join_as_guest(
    tenant_id: UUID, token: str, limits: PlanLimits, deps: SessionDependencies
) -> JoinResult:
    """Exchange an invitation link for a guest place in its session, once."""
    if not 0 < len(token) <= MAX_TOKEN:
        raise InvalidInput("not an invitation token", field="token", code="invalid_token")
    async with deps.tenant_uow(tenant_id) as uow:
        invitation = await uow.invitations.find_by_token_hash(hash_token(token))
        if invitation is None:
            raise NotFound("no such invitation", field="token", code="invitation_not_found")
        now = deps.clock.now()
        _ensure_usable(invitation, now)
        snapshot = await read_for_join(uow, invitation.session_id, now)
        newcomer = Newcomer(
            tenant_id,
            None,
            ParticipantRole.GUEST,
            display_name=invitation.display_name,
            invitation_id=invitation.id,
        )
        result, events = await admit(uow, snapshot, newcomer, limits, deps, now)
        await uow.invitations.save(replace(invitation, used_at=now))
        await uow.commit()
    await publish(deps, events)
    return result


async def leave_as_guest(
    tenant_id: UUID, session_id: UUID, participant_id: UUID, deps: SessionDependencies
) -> None:
    """The guest a pass names leaves their session: their minutes stop counting and their
    place is free. Leaving twice, or after the session ended, is harmless."""
    async with deps.tenant_uow(tenant_id) as uow:
        await existing_session(uow, session_id, for_update=True)
        participant = await participant_of(uow, session_id, participant_id)
        left = await record_leave(uow, participant, deps.clock.now())
        await uow.commit()
    if left is not None:
        await publish(deps, [participant_event(EventType.PARTICIPANT_LEFT, tenant_id, left)])


def _ensure_usable(invitation: Invitation, now: datetime) -> None:
    if invitation.revoked_at is not None:
        raise InvitationUnusable("this invitation was revoked", field="token")
    if invitation.used_at is not None:
        raise InvitationUnusable("this invitation was already used", field="token")
    if invitation.expires_at is not None and invitation.expires_at <= now:
        raise InvitationUnusable("this invitation has expired", field="token")


async def list_invitations(
    actor: Actor, session_id: UUID, page: PageRequest, deps: SessionDependencies
) -> Page[Invitation]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await existing_session(uow, session_id)
        return await uow.invitations.list_for_session(session_id, page)
