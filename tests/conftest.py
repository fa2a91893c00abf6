"""Shared test set-up: where PostgreSQL is, and what a missing service means.

Locally a missing PostgreSQL skips its tests; with PASSERELLE_REQUIRE_SERVICES=1 (set by
.ci/run) it fails them, so CI can never pass by skipping.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.support.database_reaper import DatabaseReaper

POSTGRES_URL = os.environ.get(
    "PASSERELLE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


# Tenant databases are copied from migrated templates shared by every test (and kept between
# runs): the templates are keyed by the migrations' contents, so sharing never goes stale.
TEMPLATE_PREFIX = "pxt_template_"
TEMPLATE_DIR = Path(tempfile.gettempdir()) / "passerelle-test-templates"


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


async def _admin_connection() -> Any:
    import asyncpg

    url = make_url(POSTGRES_URL)
    return await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        database=url.database,
        password=url.password,
    )


async def _drop_postgres_databases(prefixes: tuple[str, ...]) -> None:
    connection = await _admin_connection()
    try:
        for prefix in prefixes:
            names = await connection.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
            )
            for row in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def fresh_database(backend: str, folder: Path) -> AsyncIterator[Database]:
    """An empty control database on ``backend``, dropped (with its tenants) afterwards."""
    if backend == "sqlite":
        yield Database("sqlite", f"sqlite+aiosqlite:///{folder}/control.db", "pxr_tenant_")
        return
    error = await _postgres_error()
    if error:
        service_missing(error)
    tag = uuid.uuid4().hex[:10]
    control, prefix = f"pxt_{tag}_control", f"pxt_{tag}_t_"
    connection = await _admin_connection()
    await connection.execute(f'CREATE DATABASE "{control}"')
    await connection.close()
    try:
        url = make_url(POSTGRES_URL).set(database=control)
        yield Database("postgresql", url.render_as_string(False), prefix)
    finally:
        _reaper().drop_later((control, prefix))


_reapers: list[DatabaseReaper] = []


def _reaper() -> DatabaseReaper:
    if not _reapers:
        _reapers.append(DatabaseReaper(_admin_connection))
    return _reapers[0]


def pytest_sessionfinish() -> None:
    """The session ends once every test database is dropped."""
    while _reapers:
        _reapers.pop().close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """Each test that takes this fixture runs once on SQLite and once on PostgreSQL."""
    async with fresh_database(request.param, tmp_path) as created:
        yield created
