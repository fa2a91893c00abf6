"""Running the two alembic histories (control, tenant) on an async engine."""

from __future__ import annotations

import asyncio
import weakref
from enum import StrEnum
from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


class History(StrEnum):
    CONTROL = "control"
    TENANT = "tenant"


def alembic_config(history: History) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("migrations") / history.value))
    return config


def head_revision(history: History) -> str | None:
    return ScriptDirectory.from_config(alembic_config(history)).get_current_head()


async def upgrade(engine: AsyncEngine, history: History, revision: str = "head") -> None:
    await _run(engine, history, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, history: History, revision: str) -> None:
    await _run(engine, history, command.downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _one_at_a_time() -> asyncio.Lock:
    """alembic keeps the run in progress in module globals (``alembic.op``, ``context``): two
    runs interleaving on one event loop (tenants migrated or provisioned concurrently) would
    send one's DDL to the other's database. Runs on one loop take turns."""
    loop = asyncio.get_running_loop()
    lock = _turns.get(loop)
    if lock is None:
        lock = _turns[loop] = asyncio.Lock()
    return lock


async def _run(engine: AsyncEngine, history: History, action: Any, revision: str) -> None:
    config = alembic_config(history)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config, revision)

    async with _one_at_a_time(), engine.begin() as connection:
        await connection.run_sync(run)
