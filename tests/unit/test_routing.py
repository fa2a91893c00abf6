"""Channel chains: the first channel the recipient can be reached by, the rest as fallbacks."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from apps.config.loading import SettingsError, load_settings
from core.errors import InvalidInput
from core.identity.model import Actor, Role, User
from core.notifications.model import Channel, Fallback
from core.notifications.routing import route, validate_chains
from core.sessions.guests import InviteGuest, invite_guest
from core.sessions.services import SessionDependencies, create_session
from core.tenants.model import PlanLimits

TENANT = uuid.uuid4()


def test_first_reachable_channel_leads_and_the_others_follow_in_order() -> None:
    chains = validate_chains({"missed_call": (Channel.PUSH, Channel.SMS, Channel.EMAIL)})
    recipients: dict[str, str] = {Channel.EMAIL: "fred@acme.example", Channel.SMS: "+32470123456"}

    chosen = route("missed_call", recipients, chains)

    assert (chosen.channel, chosen.recipient) == (Channel.SMS, "+32470123456")
    assert chosen.fallbacks == (Fallback(Channel.EMAIL, "fred@acme.example"),)


def test_a_recipient_reachable_by_no_channel_of_the_chain_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        route("password_reset", {Channel.SMS: "+32470123456"}, validate_chains({}))
    assert raised.value.code == "unreachable_recipient"


def test_a_chain_with_a_channel_the_kind_is_not_sent_by_stops_start_up() -> None:
    with pytest.raises(SettingsError, match="password_reset is not sent by sms"):
        load_settings(profile="embedded", notifications={"channels": {"password_reset": ["sms"]}})


async def test_invitation_with_a_phone_goes_by_sms_first_when_the_chain_says_so(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, session_deps: SessionDependencies
) -> None:
    host = User(uuid.uuid4(), "ada@acme.example", "Ada", Role.EXPERT, "x", clock.now())
    uow.data(TENANT).users[host.id] = host
    actor = Actor(TENANT, host.id, Role.EXPERT)
    deps = replace(
        session_deps,
        channel_chains=validate_chains({"session_invitation": (Channel.SMS, Channel.EMAIL)}),
    )
    session = await create_session(actor, "Pump", PlanLimits(), deps)

    by_sms = await invite_guest(
        actor,
        InviteGuest(session.id, "Gus", email="gus@supplier.example", phone="+32 470 12-34-56"),
        deps,
    )
    by_mail = await invite_guest(
        actor, InviteGuest(session.id, "Gus", email="gus@supplier.example"), deps
    )
    message = by_sms.message

    assert (message.channel, message.recipient) == (Channel.SMS, "+32470123456")
    assert message.fallbacks == (Fallback(Channel.EMAIL, "gus@supplier.example"),)
    assert (by_mail.message.channel, by_mail.message.fallbacks) == (Channel.EMAIL, ())


async def test_invitation_with_a_malformed_phone_is_refused_on_the_phone(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, session_deps: SessionDependencies
) -> None:
    host = User(uuid.uuid4(), "ada@acme.example", "Ada", Role.EXPERT, "x", clock.now())
    uow.data(TENANT).users[host.id] = host
    actor = Actor(TENANT, host.id, Role.EXPERT)
    session = await create_session(actor, "Pump", PlanLimits(), session_deps)
    with pytest.raises(InvalidInput) as raised:
        await invite_guest(
            actor,
            InviteGuest(session.id, "G", email="g@x.example", phone="0470 12 34 56"),
            session_deps,
        )
    assert raised.value.field == "phone"
    assert uow.data(TENANT).outbox == {}
