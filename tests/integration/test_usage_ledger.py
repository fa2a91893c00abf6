"""The running usage totals in a tenant database: the month's total computed by the
database equals the core's rule (also as a join reads it, beside the session), and tenant
revision 0012 fills the totals from the participants already recorded, so the limit check
counts on the first join after the upgrade what the usage report counts."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import tenant_tables as t
from adapters.sql.admissions import SqlAdmissions
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from adapters.sql.usage_ledger import SqlUsageLedger
from core.usage.meter import SessionMeter, minutes_so_far
from core.usage.model import Month
from tests.conftest import Database


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url)
    yield engine
    await engine.dispose()


def _session(host: uuid.UUID, state: str, at: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "host_id": host,
        "reference": "",
        "state": state,
        "created_at": at,
        "updated_at": at,
        "tags": [],
        "notes": "",
        "outcome": "",
    }


def _participant(session: uuid.UUID, joined: datetime, left: datetime | None) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "session_id": session,
        "role": "guest",
        "joined_at": joined,
        "left_at": left,
        "display_name": "",
    }


async def test_upgrade_settles_ended_sessions_and_meters_open_ones(engine: AsyncEngine) -> None:
    await upgrade(engine, History.TENANT, "0011_webhook_endpoints")
    now = datetime.now(UTC).replace(microsecond=0)
    month = Month.of(now)
    last_month = Month.of(month.start - timedelta(days=1))
    host = uuid.uuid4()
    ended = _session(host, "ended", last_month.start)
    active = _session(host, "active", now)
    async with engine.begin() as connection:
        await connection.execute(
            t.users.insert().values(
                id=host,
                email="host@acme.example",
                display_name="Host",
                role="expert",
                password_hash="x",
                created_at=last_month.start,
            )
        )
        await connection.execute(t.assistance_sessions.insert(), [ended, active])
        straddling = month.start - timedelta(minutes=10)
        await connection.execute(
            t.participants.insert(),
            [
                _participant(ended["id"], straddling, month.start + timedelta(seconds=4)),
                _participant(ended["id"], straddling, straddling + timedelta(seconds=30)),
                _participant(active["id"], now - timedelta(seconds=90), None),
                _participant(active["id"], now - timedelta(seconds=30), now),
            ],
        )

    await upgrade(engine, History.TENANT, "0012_usage_totals")

    async with engine.connect() as connection:
        ledger = SqlUsageLedger(connection)
        meter = await ledger.meter(active["id"])
        assert meter is not None
        assert meter.present == 1
        assert await ledger.meter(ended["id"]) is None
        assert await ledger.minutes_so_far(last_month.end - timedelta(microseconds=1)) == 10
        assert await ledger.minutes_so_far(now + timedelta(seconds=1)) == 1 + 2


async def test_the_databases_month_total_follows_the_core_rule(engine: AsyncEngine) -> None:
    await upgrade(engine, History.TENANT)
    rng = random.Random(12)
    now = datetime(2026, 12, 1, 0, 30, 0, 7, tzinfo=UTC)
    meters = []
    for _ in range(25):
        since = now - timedelta(seconds=rng.randint(0, 7200), microseconds=rng.randint(0, 10**6))
        meters.append(
            SessionMeter(
                session_id=uuid.uuid4(),
                month=rng.choice([Month(2026, 11), Month(2026, 12)]),
                settled_us=rng.randint(0, 10**10),
                present=rng.choice([0, 0, 1, 3]),
                since=since,
            )
        )
    host = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            t.users.insert().values(
                id=host,
                email="host@acme.example",
                display_name="Host",
                role="expert",
                password_hash="x",
                created_at=now,
            )
        )
        ledger = SqlUsageLedger(connection)
        for meter in meters:
            row = _session(host, "active", now) | {"id": meter.session_id}
            await connection.execute(t.assistance_sessions.insert().values(**row))
            await ledger.save_meter(meter)
        ended = _session(host, "ended", now)
        await connection.execute(t.assistance_sessions.insert().values(**ended))
        await ledger.settle(ended["id"], {Month(2026, 12): 7, Month(2026, 11): 5})

        total = await ledger.minutes_so_far(now)
        admissions = SqlAdmissions(connection)
        admitted = await admissions.read_for_join(meters[0].session_id, now)
        unmetered = await admissions.read_for_join(ended["id"], now)
        stranger = await admissions.read_for_join(uuid.uuid4(), now)

    assert total == minutes_so_far(7, meters, now)
    assert admitted is not None
    assert (admitted.session.id, admitted.meter, admitted.used_minutes) == (
        meters[0].session_id,
        meters[0],
        total,
    )
    assert unmetered is not None
    assert (unmetered.meter, unmetered.used_minutes) == (None, total)
    assert stranger is None
