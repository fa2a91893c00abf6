"""A tenant's running minute totals: one row per open session someone joined
(``session_meters``) and one per month (``usage_months``).

Times in a meter are kept as microseconds since the epoch, so the month's total is one
integer statement on both PostgreSQL and SQLite (no date arithmetic dialects disagree on),
computed by the database whatever the number of open sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver_statements import DriverStatement
from adapters.sql.tenant_tables import session_meters, usage_months
from core.usage.meter import MICROSECOND, MINUTE_US, SessionMeter
from core.usage.model import Month

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


class SqlUsageLedger:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def meter(self, session_id: UUID) -> SessionMeter | None:
        query = session_meters.select().where(session_meters.c.session_id == session_id)
        row = (await self._connection.execute(query)).first()
        return meter_from_row(row) if row else None

    async def add_meter(self, meter: SessionMeter) -> None:
        values = {"session_id": meter.session_id} | meter_values(meter)
        await _ADD_METER.run(self._connection, values)

    async def save_meter(self, meter: SessionMeter) -> None:
        values = meter_values(meter)
        updated = await self._connection.execute(
            _UPDATE_METER, {"b_session_id": meter.session_id} | values
        )
        if updated.rowcount == 0:
            await self.add_meter(meter)

    async def settle(self, session_id: UUID, minutes: Mapping[Month, int]) -> None:
        await self._connection.execute(
            session_meters.delete().where(session_meters.c.session_id == session_id)
        )
        for month, spent in sorted(minutes.items()):
            insert = self._insert().values(month=str(month), settled_minutes=spent)
            await self._connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[usage_months.c.month],
                    set_={
                        "settled_minutes": usage_months.c.settled_minutes
                        + insert.excluded.settled_minutes
                    },
                )
            )

    async def minutes_so_far(self, now: datetime) -> int:
        result = await self._connection.execute(_MINUTES_SO_FAR, moment_parameters(now))
        return int(result.scalar_one())

    def _insert(self) -> Any:
        dialect = self._connection.dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(usage_months)


def meter_values(meter: SessionMeter) -> dict[str, Any]:
    """A meter's columns but its key."""
    return {
        "month": str(meter.month),
        "settled_us": meter.settled_us,
        "present": meter.present,
        "since_us": epoch_us(meter.since) if meter.since else None,
    }


def moment_parameters(now: datetime) -> dict[str, Any]:
    month = Month.of(now)
    return {"month": str(month), "month_start_us": epoch_us(month.start), "now_us": epoch_us(now)}


def minutes_so_far_expression() -> sa.ColumnElement[int]:
    """``core.usage.meter.minutes_so_far`` as one expression: each open session's covered
    microseconds of the month, rounded up to minutes, summed, plus the settled minutes.
    Built once, with bound parameters (``moment_parameters``), so it is compiled once."""
    month = sa.bindparam("month", type_=sa.String())
    start = sa.bindparam("month_start_us", type_=sa.BigInteger())
    now = sa.bindparam("now_us", type_=sa.BigInteger())
    meters = session_meters.c
    running_since = sa.case((meters.since_us > start, meters.since_us), else_=start)
    running = sa.case(
        (sa.and_(meters.present > 0, meters.since_us.is_not(None)), now - running_since),
        else_=0,
    )
    settled = sa.case((meters.month == month, meters.settled_us), else_=0)
    covered = settled + sa.case((running > 0, running), else_=0)
    open_minutes = (
        sa.select(sa.func.coalesce(sa.func.sum((covered + (MINUTE_US - 1)) // MINUTE_US), 0))
        .where(meters.month <= month)
        .scalar_subquery()
    )
    ended_minutes = (
        sa.select(usage_months.c.settled_minutes)
        .where(usage_months.c.month == month)
        .scalar_subquery()
    )
    return sa.func.coalesce(ended_minutes, 0) + open_minutes


_MINUTES_SO_FAR = sa.select(minutes_so_far_expression())
_UPDATE_METER = session_meters.update().where(
    session_meters.c.session_id == sa.bindparam("b_session_id")
)
_ADD_METER = DriverStatement(session_meters.insert())


def meter_from_row(row: Any) -> SessionMeter:
    since = None if row.since_us is None else EPOCH + row.since_us * MICROSECOND
    return SessionMeter(
        session_id=row.session_id,
        month=Month.parse(row.month),
        settled_us=int(row.settled_us),
        present=int(row.present),
        since=since,
    )
