"""Minutes per participant, per session and per month, and the plan's limits on them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Forbidden, InvalidInput
from core.identity.model import Role
from core.sessions.calls import (
    PlaceCall,
    cancel_call,
    decline_call,
    leave_session,
    place_call,
)
from core.sessions.model import Participant, ParticipantRole
from core.sessions.rules import TooManySessions
from core.sessions.services import SessionDependencies, create_session, join_session
from core.tenants.model import PlanLimits
from core.usage.meter import SessionMeter
from core.usage.model import MinutesExhausted, Month, covered_seconds, session_usage
from core.usage.services import UsageDependencies, monthly_usage, usage_for_admin
from tests.unit.session_support import TENANT, person, recorded_deps

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _presence(session: uuid.UUID, start: int, end: int | None) -> Participant:
    return Participant(
        id=uuid.uuid4(),
        session_id=session,
        user_id=None,
        role=ParticipantRole.GUEST,
        joined_at=T0 + timedelta(minutes=start),
        left_at=T0 + timedelta(minutes=end) if end is not None else None,
    )


def test_overlapping_presences_count_once_for_the_session() -> None:
    session = uuid.uuid4()
    people = [_presence(session, 0, 10), _presence(session, 5, 20), _presence(session, 30, 31)]
    assert covered_seconds(people, T0, T0 + timedelta(hours=1)) == 21 * 60
    [usage] = session_usage(people, T0, T0 + timedelta(hours=1))
    assert usage.minutes == 21
    assert [p.minutes for p in usage.participants] == [10, 15, 1]


def test_a_few_seconds_cost_a_minute_and_a_session_spanning_months_counts_in_each() -> None:
    assert (
        session_usage([_presence(uuid.uuid4(), 0, None)], T0, T0 + timedelta(seconds=10))[0].minutes
        == 1
    )
    late = Participant(
        id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        user_id=None,
        role=ParticipantRole.HOST,
        joined_at=datetime(2026, 11, 30, 23, 50, tzinfo=UTC),
        left_at=datetime(2026, 12, 1, 0, 20, tzinfo=UTC),
    )
    november, december = Month(2026, 11), Month(2026, 12)
    assert session_usage([late], november.start, november.end)[0].minutes == 10
    assert session_usage([late], december.start, december.end)[0].minutes == 20


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-1", "26-11", "november", "", "0000-01", "9999-12"]
)
def test_months_are_written_yyyy_mm(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Month.parse(text)
    assert raised.value.field == "month"
    assert str(Month.parse("2026-02")) == "2026-02"


@pytest.fixture
def deps(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, video: DevelopmentVideoProvider
) -> SessionDependencies:
    return recorded_deps(uow, clock, video, InProcessEventPublisher())


@pytest.fixture
def usage_deps(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> UsageDependencies:
    return UsageDependencies(tenant_uow=uow, clock=clock)


async def test_monthly_report_adds_up_join_and_leave_times(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    deps: SessionDependencies,
    usage_deps: UsageDependencies,
) -> None:
    admin = person(uow, clock, Role.ADMIN)
    host = person(uow, clock, Role.EXPERT)
    session = await create_session(host, "", PlanLimits(), deps)
    joined = await join_session(host, session.id, PlanLimits(), deps)
    clock.advance(timedelta(minutes=12))
    await leave_session(host, session.id, joined.participant.id, deps)

    report = await usage_for_admin(admin, Month.of(clock.now()), PlanLimits(), usage_deps)

    assert report.minutes == 12
    assert report.remaining == PlanLimits().monthly_session_minutes - 12
    assert report.sessions[0].participants[0].user_id == host.user_id
    with pytest.raises(Forbidden):
        await usage_for_admin(host, Month.of(clock.now()), PlanLimits(), usage_deps)
    assert (await monthly_usage(TENANT, Month(2026, 10), PlanLimits(), usage_deps)).minutes == 0


async def test_a_session_has_its_meter_from_creation_until_cancelled_or_declined(
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    deps: SessionDependencies,
    usage_deps: UsageDependencies,
) -> None:
    host = person(uow, clock, Role.EXPERT)
    callee = person(uow, clock, Role.FIELD_ENGINEER)
    created = await create_session(host, "", PlanLimits(), deps)
    called = await place_call(host, PlaceCall("user", callee.user_id), PlanLimits(), deps)
    meters = uow.data(TENANT).meters
    assert meters[created.id] == SessionMeter.new(created.id, T0)
    assert meters[called.id] == SessionMeter.new(called.id, T0)

    await cancel_call(host, created.id, deps)
    await decline_call(callee, called.id, deps)

    assert uow.data(TENANT).meters == {}
    assert (await monthly_usage(TENANT, Month.of(T0), PlanLimits(), usage_deps)).minutes == 0


async def test_exhausted_minutes_stop_new_sessions_and_joins(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, deps: SessionDependencies
) -> None:
    host = person(uow, clock, Role.EXPERT)
    limits = replace(PlanLimits(), monthly_session_minutes=5)
    session = await create_session(host, "", limits, deps)
    await join_session(host, session.id, limits, deps)
    clock.advance(timedelta(minutes=5))

    with pytest.raises(MinutesExhausted) as on_create:
        await create_session(host, "", limits, deps)
    with pytest.raises(MinutesExhausted):
        await join_session(person(uow, clock, Role.OBSERVER), session.id, limits, deps)
    callee = person(uow, clock, Role.FIELD_ENGINEER)
    with pytest.raises(MinutesExhausted):
        await place_call(host, PlaceCall("user", callee.user_id), limits, deps)
    assert on_create.value.code == "session_minutes_exhausted"
    assert on_create.value.field == "limits.monthly_session_minutes"
    assert len(uow.data(TENANT).sessions) == 1


async def test_the_plan_caps_sessions_open_at_once(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, deps: SessionDependencies
) -> None:
    host = person(uow, clock, Role.EXPERT)
    limits = replace(PlanLimits(), max_concurrent_sessions=2)
    await create_session(host, "", limits, deps)
    await create_session(host, "", limits, deps)
    with pytest.raises(TooManySessions) as raised:
        await create_session(host, "", limits, deps)
    assert raised.value.field == "limits.max_concurrent_sessions"
