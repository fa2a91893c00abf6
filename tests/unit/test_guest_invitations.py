"""Guest links: single use, expiring, revocable, hashed at rest, in the guest's language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.jinja.renderer import JinjaTemplateRenderer
from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.model import Actor, Role
from core.notifications.model import Channel
from core.sessions.guests import (
    InvitationUnusable,
    InviteGuest,
    IssuedInvitation,
    hash_token,
    invite_guest,
    join_as_guest,
    revoke_invitation,
)
from core.sessions.model import ParticipantRole
from core.sessions.rules import SessionFull, SessionRules
from core.sessions.services import SessionDependencies, create_session, join_session
from core.tenants.model import PlanLimits
from ports.events import EventType
from ports.video import VideoRole
from tests.unit.session_support import TENANT, person, recorded_deps

LIMITS = PlanLimits()


@pytest.fixture
def events() -> InProcessEventPublisher:
    return InProcessEventPublisher()


@pytest.fixture
def deps(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    video: DevelopmentVideoProvider,
    events: InProcessEventPublisher,
) -> SessionDependencies:
    rules = SessionRules(invitation_ttl=timedelta(hours=24), max_participants=2)
    return recorded_deps(uow, clock, video, events, rules)


@pytest.fixture
def host(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> Actor:
    return person(uow, clock, Role.EXPERT, "Ada Expert")


async def _invite(host: Actor, deps: SessionDependencies, **fields: str) -> IssuedInvitation:
    session = await create_session(host, "Pump P-12", LIMITS, deps)
    request = InviteGuest(session.id, display_name="Gus Guest", **fields)
    return await invite_guest(host, request, deps)


def _token(issued: IssuedInvitation) -> str:
    return issued.link.rsplit("#", 1)[1]


async def test_the_link_is_sent_but_only_its_hash_is_stored(
    host: Actor, deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example", locale="fr")
    token = _token(issued)
    stored = uow.data(TENANT).invitations[issued.invitation.id]
    assert issued.link.startswith(f"https://acme.passerelle.test/join/{stored.session_id}#")
    assert stored.token_hash == hash_token(token)
    assert token not in repr(stored)
    assert issued.message.payload["join_token"] == token
    assert issued.message.payload["locale"] == "fr"
    assert stored.expires_at == stored.created_at + timedelta(hours=24)


async def test_a_phone_only_guest_is_invited_by_sms(host: Actor, deps: SessionDependencies) -> None:
    issued = await _invite(host, deps, phone="+32 470 12 34 56")
    assert (issued.message.channel, issued.message.recipient) == (Channel.SMS, "+32470123456")


async def test_an_invitation_needs_an_address(host: Actor, deps: SessionDependencies) -> None:
    with pytest.raises(InvalidInput) as raised:
        await _invite(host, deps)
    assert raised.value.field == "email"


async def test_a_guest_joins_once_without_an_account(
    host: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    video: DevelopmentVideoProvider,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example")
    joined = await join_as_guest(TENANT, _token(issued), LIMITS, deps)

    assert joined.participant.role is ParticipantRole.GUEST
    assert joined.participant.user_id is None
    assert joined.participant.display_name == "Gus Guest"
    assert joined.participant.invitation_id == issued.invitation.id
    claims = video.verify(joined.video.token)
    assert claims is not None
    assert claims["role"] == VideoRole.PUBLISHER.value
    assert events.published[-1].type is EventType.PARTICIPANT_JOINED
    assert uow.data(TENANT).invitations[issued.invitation.id].used_at is not None
    with pytest.raises(InvitationUnusable, match="already used"):
        await join_as_guest(TENANT, _token(issued), LIMITS, deps)


async def test_an_expired_link_is_refused(
    host: Actor, deps: SessionDependencies, clock: FixedClock
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example")
    clock.advance(timedelta(hours=24))
    with pytest.raises(InvitationUnusable, match="expired"):
        await join_as_guest(TENANT, _token(issued), LIMITS, deps)


async def test_a_revoked_link_is_refused_and_revoking_again_changes_nothing(
    host: Actor, deps: SessionDependencies, clock: FixedClock
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example")
    session_id = issued.invitation.session_id
    first = await revoke_invitation(host, session_id, issued.invitation.id, deps)
    clock.advance(timedelta(minutes=1))
    again = await revoke_invitation(host, session_id, issued.invitation.id, deps)
    assert first.revoked_at == again.revoked_at
    with pytest.raises(InvitationUnusable, match="revoked"):
        await join_as_guest(TENANT, _token(issued), LIMITS, deps)


async def test_unknown_or_malformed_tokens_are_refused_on_the_token_field(
    deps: SessionDependencies,
) -> None:
    with pytest.raises(NotFound) as unknown:
        await join_as_guest(TENANT, "no-such-token", LIMITS, deps)
    assert unknown.value.field == "token"
    with pytest.raises(InvalidInput) as malformed:
        await join_as_guest(TENANT, "x" * 201, LIMITS, deps)
    assert malformed.value.field == "token"


async def test_a_full_session_takes_no_guest_and_keeps_the_link_usable(
    host: Actor,
    deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example")
    session_id = issued.invitation.session_id
    await join_session(host, session_id, LIMITS, deps)
    await join_session(person(uow, clock, Role.OBSERVER), session_id, LIMITS, deps)
    with pytest.raises(SessionFull):
        await join_as_guest(TENANT, _token(issued), LIMITS, deps)
    assert uow.data(TENANT).invitations[issued.invitation.id].used_at is None


async def test_only_the_host_or_an_admin_revokes(
    host: Actor, deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example")
    other = person(uow, clock, Role.EXPERT)
    with pytest.raises(Forbidden):
        await revoke_invitation(other, issued.invitation.session_id, issued.invitation.id, deps)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
async def test_the_message_carries_the_same_link_as_the_qr_code(
    host: Actor, deps: SessionDependencies, channel: Channel
) -> None:
    issued = await _invite(host, deps, email="gus@supplier.example", locale="nl")
    values = {
        **issued.message.payload,
        "tenant_name": "ACME",
        "public_url": "https://acme.passerelle.test",
    }
    rendered = JinjaTemplateRenderer().render("session_invitation", channel, "nl", values)
    assert issued.link in rendered.text
