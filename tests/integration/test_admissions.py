"""A join's writes (one statement on PostgreSQL, three on SQLite) leave the same rows as the
session, participant and meter repositories would: the session saved, the participant
added, the meter created at the first join and moved on at the next. The join's read locks
the session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.admissions import SqlAdmissions
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, upgrade
from adapters.sql.session_repository import SqlParticipantRepository, SqlSessionRepository
from adapters.sql.usage_ledger import SqlUsageLedger
from adapters.sql.user_repository import SqlUserRepository
from core.identity.model import Role, User
from core.recordings.model import RecordingMode
from core.sessions.model import AssistanceSession, Participant, ParticipantRole
from core.usage.meter import SessionMeter
from tests.conftest import Database, fresh_database
from tests.support.sessions import created_session

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url)
    await upgrade(engine, History.TENANT)
    yield engine
    await engine.dispose()


async def _created_session(engine: AsyncEngine) -> AssistanceSession:
    host = uuid.uuid4()
    session = created_session(host, NOW)
    expert = User(host, "host@acme.example", "Host", Role.EXPERT, "x", NOW)
    async with engine.begin() as connection:
        await SqlUserRepository(connection).add(expert)
        await SqlSessionRepository(connection).add(session)
    return session


def _participant(session: AssistanceSession, user_id: uuid.UUID, at: datetime) -> Participant:
    return Participant(
        id=uuid.uuid4(),
        session_id=session.id,
        user_id=user_id,
        role=ParticipantRole.HOST,
        joined_at=at,
        display_name="Host",
    )


async def test_a_join_saves_the_session_adds_the_participant_and_moves_the_meter(
    engine: AsyncEngine,
) -> None:
    session = await _created_session(engine)
    later = NOW + timedelta(minutes=3)
    in_room = session.with_video_room("room-1", RecordingMode.ALWAYS, NOW)
    started = replace(in_room.started(NOW), tags=("field",))
    first = _participant(session, session.host_id, NOW)
    second = _participant(session, session.host_id, later)
    meter = SessionMeter.new(session.id, NOW).joined(NOW)

    async with engine.begin() as connection:
        await SqlAdmissions(connection).record(started, first, meter)
    async with engine.begin() as connection:
        moved_on = started.started(later)
        await SqlAdmissions(connection).record(moved_on, second, meter.joined(later))

    async with engine.connect() as connection:
        saved = await SqlSessionRepository(connection).get(session.id)
        present = await SqlParticipantRepository(connection).list_for_session(session.id)
        found = await SqlUsageLedger(connection).meter(session.id)
    assert saved == moved_on
    assert sorted(p.id for p in present) == sorted([first.id, second.id])
    assert found == meter.joined(later)
    assert found is not None
    assert found.present == 2


async def test_a_join_that_fails_half_way_writes_nothing(engine: AsyncEngine) -> None:
    session = await _created_session(engine)
    started = session.started(NOW)
    meter = SessionMeter.new(session.id, NOW).joined(NOW)
    clash = _participant(session, session.host_id, NOW)
    async with engine.begin() as connection:
        await SqlParticipantRepository(connection).add(clash)

    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await SqlAdmissions(connection).record(started, clash, meter)

    async with engine.connect() as connection:
        saved = await SqlSessionRepository(connection).get(session.id)
        assert await SqlUsageLedger(connection).meter(session.id) is None
    assert saved == session


async def test_the_join_read_holds_the_session_until_the_transaction_ends(
    tmp_path: Path,
) -> None:
    """PostgreSQL: a second writer of the session waits; its meter is the session's too."""
    async with fresh_database("postgresql", tmp_path) as database:
        engine = create_engine(database.url)
        try:
            await upgrade(engine, History.TENANT)
            session = await _created_session(engine)
            async with engine.begin() as holder:
                snapshot = await SqlAdmissions(holder).read_for_join(session.id, NOW)
                async with engine.connect() as other:
                    with pytest.raises(DBAPIError, match="could not obtain lock"):
                        await other.execute(_LOCK_NOWAIT, {"id": session.id})
            async with engine.connect() as other:
                await other.execute(_LOCK_NOWAIT, {"id": session.id})
        finally:
            await engine.dispose()
    assert snapshot is not None
    assert (snapshot.session, snapshot.meter, snapshot.used_minutes) == (session, None, 0)


_LOCK_NOWAIT = sa.text("SELECT id FROM assistance_sessions WHERE id = :id FOR UPDATE NOWAIT")
