"""The running minute totals agree with the report's recount, through joins, leaves, ends
and month boundaries, and a backfill rebuilds the meters the live path would have."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.identity.model import Actor, Role
from core.sessions.calls import end_session, leave_session
from core.sessions.model import Participant, ParticipantRole
from core.sessions.services import SessionDependencies, create_session, join_session
from core.tenants.model import PlanLimits
from core.usage.meter import SessionMeter, replayed_meter, settled_minutes
from core.usage.model import Month, covered_seconds, minutes
from core.usage.services import UsageDependencies, monthly_usage
from tests.unit.session_support import TENANT, person

LATE_NOVEMBER = datetime(2026, 11, 30, 22, 0, 0, 500, tzinfo=UTC)


async def _running_total(uow: MemoryTenantUnitOfWorkFactory, now: datetime) -> int:
    async with uow(TENANT) as work:
        return await work.usage.minutes_so_far(now)


async def test_running_total_equals_the_recount_across_a_month_boundary(
    uow: MemoryTenantUnitOfWorkFactory, session_deps: SessionDependencies
) -> None:
    clock = session_deps.clock
    assert isinstance(clock, FixedClock)
    clock.current = LATE_NOVEMBER
    usage = UsageDependencies(tenant_uow=uow, clock=clock)
    rng = random.Random(6)
    host = person(uow, clock, Role.EXPERT)
    people: list[Actor] = [person(uow, clock, Role.OBSERVER) for _ in range(4)]
    sessions = [(await create_session(host, "", PlanLimits(), session_deps)).id for _ in range(3)]
    inside: dict[uuid.UUID, list[tuple[Actor, uuid.UUID]]] = {s: [] for s in sessions}
    for _ in range(60):
        clock.advance(timedelta(seconds=rng.randint(1, 400), microseconds=rng.randint(0, 999)))
        session = rng.choice(sessions)
        if inside[session] and rng.random() < 0.45:
            actor, participant = inside[session].pop(rng.randrange(len(inside[session])))
            await leave_session(actor, session, participant, session_deps)
        else:
            actor = rng.choice(people)
            joined = await join_session(actor, session, PlanLimits(), session_deps)
            inside[session].append((actor, joined.participant.id))
        recount = await monthly_usage(TENANT, Month.of(clock.now()), PlanLimits(), usage)
        assert await _running_total(uow, clock.now()) == recount.minutes
    assert Month.of(clock.now()) == Month(2026, 12)
    await end_session(host, sessions[0], session_deps)
    clock.advance(timedelta(minutes=3))
    recount = await monthly_usage(TENANT, Month(2026, 12), PlanLimits(), usage)
    assert await _running_total(uow, clock.now()) == recount.minutes
    november = await monthly_usage(TENANT, Month(2026, 11), PlanLimits(), usage)
    ended = next(s.minutes for s in november.sessions if s.session_id == sessions[0])
    assert uow.data(TENANT).usage_months[Month(2026, 11)] == ended


def _random_presences(rng: random.Random, session: uuid.UUID, count: int) -> list[Participant]:
    found = []
    for _ in range(count):
        joined = LATE_NOVEMBER + timedelta(seconds=rng.randint(0, 10_000))
        stay = timedelta(seconds=rng.randint(0, 3_000), microseconds=rng.randint(0, 999_999))
        found.append(
            Participant(
                id=uuid.uuid4(),
                session_id=session,
                user_id=None,
                role=ParticipantRole.GUEST,
                joined_at=joined,
                left_at=None if rng.random() < 0.2 else joined + stay,
            )
        )
    return found


@pytest.mark.parametrize("seed", range(5))
def test_a_replayed_meter_counts_what_the_recount_counts(seed: int) -> None:
    rng = random.Random(seed)
    session = uuid.uuid4()
    presences = _random_presences(rng, session, 12)
    now = LATE_NOVEMBER + timedelta(hours=4)
    month = Month.of(now)

    meter = replayed_meter(session, presences, now)

    assert meter.present == sum(1 for p in presences if p.present)
    assert meter.minutes_in(month, now) == minutes(covered_seconds(presences, month.start, now))


def test_an_ended_session_settles_its_minutes_in_each_month_it_touched() -> None:
    session = uuid.uuid4()
    late = Participant(
        id=uuid.uuid4(),
        session_id=session,
        user_id=None,
        role=ParticipantRole.HOST,
        joined_at=datetime(2026, 11, 30, 23, 50, tzinfo=UTC),
        left_at=datetime(2026, 12, 1, 0, 20, 1, tzinfo=UTC),
    )
    assert settled_minutes([late], late.left_at or LATE_NOVEMBER) == {
        Month(2026, 11): 10,
        Month(2026, 12): 21,
    }


def test_overlapping_presences_count_once_and_a_gap_does_not_count() -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    meter = SessionMeter.new(uuid.uuid4(), start).joined(start)
    meter = meter.joined(start + timedelta(minutes=2)).left(start + timedelta(minutes=5))
    meter = meter.left(start + timedelta(minutes=7))
    meter = meter.joined(start + timedelta(minutes=30))
    assert meter.present == 1
    assert meter.minutes_in(Month(2026, 11), start + timedelta(minutes=30, seconds=1)) == 8
