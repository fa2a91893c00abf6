"""Shared test set-up: where PostgreSQL is, and what a missing service means.

Locally a missing PostgreSQL skips its tests; with PASSERELLE_REQUIRE_SERVICES=1 (set by
.ci/run) it fails them, so CI can never pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "PASSERELLE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def services_required() -> bool:
    return os.environ.get("PASSERELLE_REQUIRE_SERVICES") == "1"


def service_missing(message: str) -> None:
    if services_required():
        pytest.fail(f"{message} (PASSERELLE_REQUIRE_SERVICES=1: a missing service is a failure)")
    pytest.skip(message)


_postgres_answer: list[str | None] = []


async def _postgres_error() -> str | None:
    """Asked once per run: does the PostgreSQL server answer?"""
    if not _postgres_answer:
        import asyncpg

        url = make_url(POSTGRES_URL)
        try:
            connection = await asyncpg.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                database=url.database,
                password=url.password,
                timeout=5,
            )
            await connection.close()
            _postgres_answer.append(None)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            _postgres_answer.append(f"PostgreSQL at {url.render_as_string()} unreachable: {exc}")
    return _postgres_answer[0]


@dataclass(frozen=True)
class Database:
    """A control database URL and the prefix its tenant databases get, unique to one test."""

    backend: str
    url: str
    tenant_prefix: str


async def _drop_postgres_databases(prefixes: tuple[str, ...]) -> None:
    import asyncpg

    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        database=url.database,
        password=url.password,
    )
    try:
        for prefix in prefixes:
            names = await connection.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
            )
            for row in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Database]:
    """Each test that takes this fixture runs once on SQLite and once on PostgreSQL."""
    tag = uuid.uuid4().hex[:10]
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite+aiosqlite:///{tmp_path}/control.db", "pxr_tenant_")
        return
    error = await _postgres_error()
    if error:
        service_missing(error)
    control = f"pxt_{tag}_control"
    prefix = f"pxt_{tag}_t_"
    import asyncpg

    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        database=url.database,
        password=url.password,
    )
    await connection.execute(f'CREATE DATABASE "{control}"')
    await connection.close()
    try:
        yield Database("postgresql", url.set(database=control).render_as_string(False), prefix)
    finally:
        await asyncio.sleep(0)
        await _drop_postgres_databases((control, prefix))
