"""A ``DriverStatement`` reads and writes what SQLAlchemy's execution of the same statement
would, in the same transaction; on PostgreSQL it skips SQLAlchemy's execution, and a
connection it finds broken is invalidated rather than handed out again."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.driver_statements import DriverStatement
from adapters.sql.engines import create_engine
from adapters.sql.types import UtcDateTime
from tests.conftest import POSTGRES_URL, Database, fresh_database

metadata = sa.MetaData()
things = sa.Table(
    "driver_things",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("count", sa.BigInteger(), nullable=True),
    sa.Column("name", sa.String(50), nullable=False),
)
ADD = DriverStatement(things.insert())
BY_ID = sa.select(things).where(things.c.id == sa.bindparam("key"))
GET = DriverStatement(BY_ID)
LOCK = DriverStatement(BY_ID.with_for_update())
PARIS = timezone(timedelta(hours=1))
BROKEN = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)
"""What a statement on a connection the server ended raises, depending on when it notices."""


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    async with _engine_on(database) as engine:
        yield engine


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """For what only PostgreSQL has: the driver path, AUTOCOMMIT, a server ending a
    connection."""
    async with fresh_database("postgresql", tmp_path) as database, _engine_on(database) as engine:
        yield engine


@contextlib.asynccontextmanager
async def _engine_on(database: Database) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()


def _thing(**changes: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "at": datetime(2026, 11, 29, 10, 30, 15, 123456, tzinfo=PARIS),
        "tags": ["urgent", {"site": "Lyon"}],
        "count": 2**40,
        "name": "pump",
    } | changes


async def test_rows_read_back_as_sqlalchemy_reads_them(engine: AsyncEngine) -> None:
    written = _thing()
    async with engine.begin() as connection:
        await ADD.run(connection, written)
    async with engine.connect() as connection:
        (row,) = await GET.rows(connection, {"key": written["id"]})
        expected = (await connection.execute(BY_ID, {"key": written["id"]})).one()
    assert (row.id, row.at, row.tags, row.count, row.name) == tuple(expected)
    assert row.at == written["at"]
    assert row.at.tzinfo is UTC
    assert isinstance(row.id, uuid.UUID)
    assert row.tags == ["urgent", {"site": "Lyon"}]


async def test_null_values_and_missing_rows(engine: AsyncEngine) -> None:
    written = _thing(count=None)
    async with engine.begin() as connection:
        await ADD.run(connection, written)
        (row,) = await GET.rows(connection, {"key": written["id"]})
        assert row.count is None
        assert await GET.rows(connection, {"key": uuid.uuid4()}) == []


async def test_writes_belong_to_the_transaction_they_run_in(engine: AsyncEngine) -> None:
    undone, also_undone, kept = _thing(), _thing(), _thing()
    async with engine.connect() as connection:
        await connection.begin()
        await ADD.run(connection, undone)  # the first statement: SQLAlchemy sends BEGIN
        await ADD.run(connection, also_undone)
        await connection.rollback()
        await connection.begin()
        await ADD.run(connection, kept)
        await connection.commit()
    async with engine.connect() as connection:
        for gone in (undone, also_undone):
            assert await GET.rows(connection, {"key": gone["id"]}) == []
        assert len(await GET.rows(connection, {"key": kept["id"]})) == 1


async def test_many_rows_in_one_call(engine: AsyncEngine) -> None:
    batch = [_thing(name=f"part {n}") for n in range(5)]
    async with engine.begin() as connection:
        await ADD.run_many(connection, batch)
    async with engine.connect() as connection:
        count = (await connection.execute(sa.select(sa.func.count()).select_from(things))).one()
    assert count == (5,)


async def test_a_missing_parameter_is_named_as_sqlalchemy_names_it(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await ADD.run(connection, _thing())
        with pytest.raises(sa.exc.SQLAlchemyError, match="required for bind parameter 'key'"):
            await GET.rows(connection, {})


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        (sa.select(things).where(things.c.name.in_(["a", "b"])), "IN lists"),
        (sa.select(things.c.count + 1), "label it"),
        (sa.select((things.c.count / 3).label("third")), "'third' .* SQLAlchemy's execution"),
    ],
)
def test_what_it_cannot_run_is_refused_where_it_is_compiled(
    statement: sa.Select[Any], refusal: str
) -> None:
    dialect = create_engine(POSTGRES_URL).dialect
    with pytest.raises(ValueError, match=refusal):
        DriverStatement(statement)._for(dialect)


async def test_sqlalchemy_executes_only_the_statement_that_opens_the_transaction(
    postgres: AsyncEngine,
) -> None:
    executed: list[str] = []
    event.listen(postgres.sync_engine, "before_cursor_execute", lambda *a: executed.append(a[2]))
    async with postgres.begin() as connection:
        await ADD.run(connection, _thing())
        await ADD.run(connection, _thing())
        await LOCK.rows(connection, {"key": uuid.uuid4()})
    assert len(executed) == 1
    assert executed[0].startswith("INSERT")


async def test_in_autocommit_mode_each_write_commits_alone(postgres: AsyncEngine) -> None:
    written = _thing()
    async with postgres.connect() as connection:
        alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await ADD.run(alone, written)
        await alone.rollback()
    async with postgres.connect() as connection:
        assert len(await GET.rows(connection, {"key": written["id"]})) == 1


async def test_a_connection_the_server_ended_is_invalidated(postgres: AsyncEngine) -> None:
    async with postgres.connect() as connection:
        await connection.begin()
        await ADD.run(connection, _thing())
        pid = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        async with postgres.connect() as other:
            await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(BROKEN):
            await GET.rows(connection, {"key": uuid.uuid4()})
        assert connection.invalidated
    async with postgres.connect() as connection:  # the pool opens a new one
        assert await GET.rows(connection, {"key": uuid.uuid4()}) == []


@pytest.mark.parametrize(("cache", "expected"), [("100", 1), ("0", 0)])
async def test_the_url_sets_asyncpg_statement_cache_for_transaction_pooling(
    postgres: AsyncEngine, cache: str, expected: int
) -> None:
    """Behind PgBouncer in transaction mode, ``statement_cache_size=0`` in the URL keeps
    the driver's statements unnamed, so none outlives its transaction."""
    url = postgres.url.update_query_dict({"statement_cache_size": cache})
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            alone = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for _ in range(2):
                await GET.rows(alone, {"key": uuid.uuid4()})
            named = await alone.execute(
                sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :text"),
                {"text": "%FROM driver_things%"},
            )
            assert named.scalar_one() == expected
    finally:
        await engine.dispose()
