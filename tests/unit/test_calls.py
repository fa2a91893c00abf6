"""The call flow: ringing, answering, declining, cancelling, timing out, idling out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.devices.model import Device, DeviceKind, DeviceStatus
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.model import Actor, Role
from core.notifications.model import Channel
from core.sessions.calls import (
    PlaceCall,
    accept_call,
    cancel_call,
    decline_call,
    end_session,
    leave_session,
    place_call,
    set_call_preference,
    sweep_sessions,
)
from core.sessions.model import InvalidSessionTransition, SessionState
from core.sessions.rules import SessionRules
from core.sessions.services import SessionDependencies, create_session, join_session
from core.tenants.model import PlanLimits
from ports.events import Event, EventsUnavailable, EventType, session_channel, user_channel
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
    rules = SessionRules(ring_timeout=timedelta(seconds=45), idle_timeout=timedelta(minutes=30))
    return recorded_deps(uow, clock, video, events, rules)


@pytest.fixture
def caller(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> Actor:
    return person(uow, clock, Role.EXPERT, "Ada Expert")


@pytest.fixture
def callee(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> Actor:
    return person(uow, clock, Role.FIELD_ENGINEER, "Fred Field")


def _call(callee: Actor, reference: str = "Pump P-12") -> PlaceCall:
    return PlaceCall(callee_kind="user", callee_id=callee.user_id, reference=reference)


async def test_a_call_rings_the_callee_by_event_and_push(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    await set_call_preference(callee, "email", None, "fcm-token-1", "fr", deps)
    inbox = events.subscribe(user_channel(TENANT, callee.user_id))

    session = await place_call(caller, _call(callee), LIMITS, deps)

    assert session.state is SessionState.RINGING
    assert session.ring_deadline == session.created_at + timedelta(seconds=45)
    ringing = inbox.get_nowait()
    assert ringing.type is EventType.SESSION_RINGING
    assert ringing.data["session_id"] == str(session.id)
    assert ringing.to_json()["version"] == 1
    [push] = uow.data(TENANT).outbox.values()
    assert (push.kind, push.channel, push.recipient) == (
        "incoming_call",
        Channel.PUSH,
        "fcm-token-1",
    )
    assert push.payload["caller_name"] == "Ada Expert"


async def test_a_callee_without_a_push_token_still_gets_the_event_and_no_push(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    await place_call(caller, _call(callee), LIMITS, deps)
    assert [e.type for e in events.published] == [EventType.SESSION_RINGING]
    assert uow.data(TENANT).outbox == {}


async def test_accepting_makes_the_call_active_and_tells_the_caller(
    caller: Actor, callee: Actor, deps: SessionDependencies, events: InProcessEventPublisher
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    heard = events.subscribe(user_channel(TENANT, caller.user_id))
    accepted = await accept_call(callee, session.id, deps)
    assert accepted.state is SessionState.ACTIVE
    assert heard.get_nowait().type is EventType.SESSION_ACCEPTED


async def test_only_the_callee_answers_and_only_while_it_rings(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    stranger = person(uow, clock, Role.FIELD_ENGINEER)
    with pytest.raises(Forbidden):
        await accept_call(stranger, session.id, deps)
    with pytest.raises(Forbidden):
        await join_session(stranger, session.id, LIMITS, deps)
    declined = await decline_call(callee, session.id, deps)
    assert declined.state is SessionState.DECLINED
    with pytest.raises(InvalidSessionTransition):
        await accept_call(callee, session.id, deps)


async def test_the_callee_joining_a_ringing_call_accepts_it(
    caller: Actor, callee: Actor, deps: SessionDependencies, events: InProcessEventPublisher
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    joined = await join_session(callee, session.id, LIMITS, deps)
    assert joined.participant.role.value == "field_engineer"
    assert joined.channels == (
        user_channel(TENANT, callee.user_id),
        session_channel(TENANT, session.id),
    )
    kinds = [e.type for e in events.published]
    assert kinds[-2:] == [EventType.SESSION_ACCEPTED, EventType.PARTICIPANT_JOINED]


async def test_the_caller_may_cancel_a_ringing_call_but_the_callee_may_not(
    caller: Actor, callee: Actor, deps: SessionDependencies
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    with pytest.raises(Forbidden):
        await cancel_call(callee, session.id, deps)
    assert (await cancel_call(caller, session.id, deps)).state is SessionState.CANCELLED


async def test_unanswered_call_becomes_missed_and_the_callee_gets_an_sms_as_preferred(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    await set_call_preference(callee, "sms", "+32 470 12 34 56", None, "nl", deps)
    session = await place_call(caller, _call(callee, "Line 3"), LIMITS, deps)

    clock.advance(timedelta(seconds=44))
    assert (await sweep_sessions(TENANT, deps)).missed == 0
    clock.advance(timedelta(seconds=1))
    report = await sweep_sessions(TENANT, deps)

    assert report.missed == 1
    assert uow.data(TENANT).sessions[session.id].state is SessionState.MISSED
    [message] = uow.data(TENANT).outbox.values()
    assert (message.kind, message.channel, message.recipient) == (
        "missed_call",
        Channel.SMS,
        "+32470123456",
    )
    assert [f.channel for f in message.fallbacks] == [Channel.EMAIL]
    assert message.payload["locale"] == "nl"
    assert message.payload["caller_name"] == "Ada Expert"
    assert events.published[-1].type is EventType.SESSION_MISSED


async def test_missed_calls_go_by_email_by_default(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    await place_call(caller, _call(callee), LIMITS, deps)
    clock.advance(timedelta(minutes=1))
    await sweep_sessions(TENANT, deps)
    [message] = uow.data(TENANT).outbox.values()
    callee_user = uow.data(TENANT).users[callee.user_id]
    assert (message.channel, message.recipient) == (Channel.EMAIL, callee_user.email)


async def test_idle_sessions_end_and_everyone_in_them_leaves(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    await join_session(callee, session.id, LIMITS, deps)
    clock.advance(timedelta(minutes=29))
    assert (await sweep_sessions(TENANT, deps)).ended == 0
    clock.advance(timedelta(minutes=1))
    assert (await sweep_sessions(TENANT, deps)).ended == 1
    data = uow.data(TENANT)
    assert data.sessions[session.id].state is SessionState.ENDED
    assert all(p.left_at == clock.now() for p in data.participants.values())


async def test_sessions_opened_and_never_joined_lapse_after_the_idle_time(
    caller: Actor, deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock
) -> None:
    session = await create_session(caller, "", LIMITS, deps)
    clock.advance(timedelta(minutes=30))
    assert (await sweep_sessions(TENANT, deps)).cancelled == 1
    assert uow.data(TENANT).sessions[session.id].state is SessionState.CANCELLED


async def test_ending_closes_presence_and_leaving_stops_one_participant(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    session = await place_call(caller, _call(callee), LIMITS, deps)
    field = await join_session(callee, session.id, LIMITS, deps)
    host = await join_session(caller, session.id, LIMITS, deps)
    clock.advance(timedelta(minutes=3))
    await leave_session(callee, session.id, field.participant.id, deps)
    with pytest.raises(Forbidden):
        await leave_session(callee, session.id, host.participant.id, deps)
    clock.advance(timedelta(minutes=2))
    ended = await end_session(caller, session.id, deps)
    data = uow.data(TENANT)
    assert ended.state is SessionState.ENDED
    assert ended.ended_at == clock.now()
    assert data.participants[field.participant.id].left_at == clock.now() - timedelta(minutes=2)
    assert data.participants[host.participant.id].left_at == clock.now()
    assert events.published[-2].type is EventType.SESSION_ENDED


async def test_bad_calls_are_refused_on_their_field(
    caller: Actor, callee: Actor, deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    with pytest.raises(NotFound) as missing:
        await place_call(caller, PlaceCall("user", uuid.uuid4()), LIMITS, deps)
    assert missing.value.field == "callee_id"
    with pytest.raises(InvalidInput) as kind:
        await place_call(caller, PlaceCall("printer", callee.user_id), LIMITS, deps)
    assert kind.value.field == "callee_kind"
    with pytest.raises(InvalidInput) as self_call:
        await place_call(caller, PlaceCall("user", caller.user_id), LIMITS, deps)
    assert self_call.value.code == "self_call"
    with pytest.raises(Forbidden):
        await place_call(callee, _call(caller), LIMITS, deps)
    assert uow.data(TENANT).sessions == {}


@pytest.mark.parametrize(
    ("channel", "phone", "field"),
    [("pigeon", None, "missed_call_channel"), ("sms", None, "phone"), ("sms", "12", "phone")],
)
async def test_call_preferences_are_validated(
    callee: Actor, deps: SessionDependencies, channel: str, phone: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await set_call_preference(callee, channel, phone, None, "en", deps)
    assert raised.value.field == field


async def test_an_event_outage_loses_events_not_the_call(
    caller: Actor,
    callee: Actor,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    video: DevelopmentVideoProvider,
) -> None:
    class DownEvents:
        name = "down"

        async def publish(self, events: Sequence[Event]) -> None:
            raise EventsUnavailable("connection refused")

    deps = SessionDependencies(tenant_uow=uow, video=video, clock=clock, events=DownEvents())
    session = await place_call(caller, _call(callee), LIMITS, deps)
    assert uow.data(TENANT).sessions[session.id].state is SessionState.RINGING


def _glasses(
    uow: MemoryTenantUnitOfWorkFactory, owner: Actor, clock: FixedClock, status: DeviceStatus
) -> Device:
    device = Device(
        id=uuid.uuid4(),
        serial=uuid.uuid4().hex[:10],
        model="RealWear Navigator 520",
        kind=DeviceKind.GLASSES,
        display_name="Fred's glasses",
        owner_id=owner.user_id,
        status=status,
        credential_hash=uuid.uuid4().hex,
        created_at=clock.now(),
        paired_at=clock.now(),
    )
    uow.data(TENANT).devices[device.id] = device
    return device


async def test_calling_a_device_rings_its_owner_who_answers(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    events: InProcessEventPublisher,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    glasses = _glasses(uow, callee, clock, DeviceStatus.ACTIVE)
    session = await place_call(caller, PlaceCall("device", glasses.id), LIMITS, deps)
    assert session.callee is not None
    assert (session.callee.kind.value, session.callee.id) == ("device", glasses.id)
    assert callee.user_id in events.published[-1].audience.user_ids
    assert events.published[-1].data["callee_kind"] == "device"
    assert (await accept_call(callee, session.id, deps)).state is SessionState.ACTIVE


async def test_a_revoked_or_unknown_device_cannot_be_called(
    caller: Actor,
    callee: Actor,
    deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    revoked = _glasses(uow, callee, clock, DeviceStatus.REVOKED)
    for device_id in (revoked.id, uuid.uuid4()):
        with pytest.raises(NotFound) as raised:
            await place_call(caller, PlaceCall("device", device_id), LIMITS, deps)
        assert raised.value.field == "callee_id"
