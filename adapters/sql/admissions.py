"""A join's read (one statement, two for a session without a meter) and its three writes
(one statement on PostgreSQL, one after the other on SQLite).

The read locks the session and its meter, with the month's minutes beside them:

    SELECT assistance_sessions.*, meter.*, <the month's minutes> AS used
    FROM assistance_sessions JOIN session_meters AS meter ON ...
    WHERE assistance_sessions.id = $1 FOR UPDATE OF assistance_sessions, meter

Both rows are locked because a statement that waited for a row lock (READ COMMITTED) goes
on with the newest version of each row it locked, but reads every other row as its
snapshot, taken before the wait, had it. Had only the session been locked, the meter beside
it would be the one from before the concurrent join that held the lock, and joins arriving
together would all see the same number present and all get in past the limit
(``tests/integration/test_concurrent_joins.py``). The month's minutes are such other rows:
they are checked as they stood a lock wait ago, which a limit on a month's total, moved
concurrently by the tenant's other sessions anyway, allows.

Every session gets its meter when it is created. One created before that has none until
its first join; it is read as before: the session locked, then its meter in a second
statement, whose new snapshot is taken once the lock is held.

A join saves the session (started, its activity time moved on), adds the participant and
moves the session's meter on; each was its own round trip, three of the join's eight.
PostgreSQL runs data-modifying CTEs as one statement, atomically like the three:

    WITH saved_session AS (UPDATE assistance_sessions ...),
         added_participant AS (INSERT INTO participants ...)
    INSERT INTO session_meters ... ON CONFLICT (session_id) DO UPDATE ...

The meter's upsert also replaces the update-then-insert of the first join. The statement
is built once, its parameters named per table, so it is compiled once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver_statements import DriverStatement
from adapters.sql.session_repository import (
    SqlParticipantRepository,
    SqlSessionRepository,
    participant_row,
    session_from_row,
    session_row,
)
from adapters.sql.tenant_tables import assistance_sessions, participants, session_meters
from adapters.sql.usage_ledger import (
    SqlUsageLedger,
    meter_from_row,
    meter_values,
    minutes_so_far_expression,
    moment_parameters,
)
from core.sessions.model import AssistanceSession, Participant
from core.usage.meter import SessionMeter
from ports.session_store import JoinSnapshot


class SqlAdmissions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def read_for_join(self, session_id: UUID, now: datetime) -> JoinSnapshot | None:
        parameters = moment_parameters(now) | {"b_id": session_id}
        rows = await _LOCKED_WITH_METER.rows(self._connection, parameters)
        if rows:
            (row,) = rows
            return JoinSnapshot(session_from_row(row), meter_from_row(row), int(row.used))
        session = await SqlSessionRepository(self._connection).get(session_id, for_update=True)
        if session is None:
            return None
        (row,) = await _METER_AND_MINUTES.rows(self._connection, parameters)
        meter = meter_from_row(row) if row.session_id is not None else None
        return JoinSnapshot(session, meter, int(row.used))

    async def record(
        self, session: AssistanceSession, participant: Participant, meter: SessionMeter
    ) -> None:
        if self._connection.dialect.name == "postgresql":
            await _RECORD_JOIN.run(self._connection, _parameters(session, participant, meter))
            return
        await SqlSessionRepository(self._connection).save(session)
        await SqlParticipantRepository(self._connection).add(participant)
        await SqlUsageLedger(self._connection).save_meter(meter)


def _locked_with_meter() -> sa.Select[Any]:
    """The meters of the month's minutes are the whole table, so the session's own is an
    alias: SQLAlchemy would otherwise correlate the sum with the joined row."""
    sessions, meter = assistance_sessions, session_meters.alias("meter")
    return (
        sa.select(sessions, meter, minutes_so_far_expression().label("used"))
        .select_from(sessions.join(meter, meter.c.session_id == sessions.c.id))
        .where(sessions.c.id == sa.bindparam("b_id", type_=sessions.c.id.type))
        .with_for_update(of=[sessions, meter])
    )


def _meter_and_minutes() -> sa.Select[Any]:
    """One row: the session's meter (absent before the first join, hence the outer join on
    a constant) beside the month's minutes. The meter is a subquery: SQLAlchemy would
    otherwise correlate the month's sum over every meter with it."""
    mine = (
        sa.select(session_meters)
        .where(session_meters.c.session_id == sa.bindparam("b_id", type_=sa.Uuid()))
        .subquery()
    )
    anchor = sa.select(sa.literal(1).label("one")).subquery()
    return sa.select(mine, minutes_so_far_expression().label("used")).select_from(
        anchor.outerjoin(mine, sa.true())
    )


def _named(table: sa.Table, prefix: str) -> dict[str, Any]:
    return {c.name: sa.bindparam(prefix + c.name, type_=c.type) for c in table.c}


def _parameters(
    session: AssistanceSession, participant: Participant, meter: SessionMeter
) -> dict[str, Any]:
    found = {"s_key": session.id}
    found |= {f"s_{k}": v for k, v in session_row(session).items()}
    found |= {f"p_{k}": v for k, v in participant_row(participant).items()}
    found |= {f"m_{k}": v for k, v in meter_values(meter).items()}
    return found | {"m_session_id": meter.session_id}


def _record_join() -> sa.Insert:
    sessions = assistance_sessions
    saved = (
        sessions.update()
        .where(sessions.c.id == sa.bindparam("s_key", type_=sessions.c.id.type))
        .values(_named(sessions, "s_"))
        .cte("saved_session")
    )
    added = participants.insert().values(_named(participants, "p_")).cte("added_participant")
    meter = postgresql.insert(session_meters).values(_named(session_meters, "m_"))
    moved = {c.name: meter.excluded[c.name] for c in session_meters.c if not c.primary_key}
    upsert = meter.on_conflict_do_update(index_elements=[session_meters.c.session_id], set_=moved)
    return upsert.add_cte(saved, added)


_LOCKED_WITH_METER = DriverStatement(_locked_with_meter())
_METER_AND_MINUTES = DriverStatement(_meter_and_minutes())
_RECORD_JOIN = DriverStatement(_record_join())
