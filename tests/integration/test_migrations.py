"""Both alembic histories, revision by revision up and down (a stairway), on both databases,
and the migrated schema matches the tables the adapters use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import control_tables, tenant_tables
from adapters.sql.engines import create_engine
from adapters.sql.migrator import History, alembic_config, current_revision, downgrade, upgrade
from tests.conftest import Database

METADATA = {History.CONTROL: control_tables.metadata, History.TENANT: tenant_tables.metadata}


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url)
    yield engine
    await engine.dispose()


def _revisions(history: History) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(history))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
    return set(names) - {"alembic_version"}


@pytest.mark.parametrize("history", list(History))
async def test_every_revision_upgrades_and_downgrades_in_turn(
    engine: AsyncEngine, history: History
) -> None:
    revisions = _revisions(history)
    assert revisions, "a history without revisions"
    for index, revision in enumerate(revisions):
        await upgrade(engine, history, revision)
        assert await current_revision(engine) == revision
        await downgrade(engine, history, revisions[index - 1] if index else "base")
        await upgrade(engine, history, revision)
    await downgrade(engine, history, "base")
    assert await _tables(engine) == set()
    await upgrade(engine, history)
    assert await current_revision(engine) == revisions[-1]


@pytest.mark.parametrize("history", list(History))
async def test_migrated_schema_matches_the_adapters_tables(
    engine: AsyncEngine, history: History
) -> None:
    await upgrade(engine, history)

    def differences(connection: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, METADATA[history]))

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []
