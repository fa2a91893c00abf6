"""Tenant engines on one PostgreSQL server initialise SQLAlchemy's dialect once, not once each."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import make_url

from adapters.sql.engines import TenantEngines
from adapters.sql.shared_dialect import SharedInitAsyncpgDialect
from tests.conftest import _admin_connection, fresh_database


async def test_engines_of_one_server_share_one_dialect_initialisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    initialised: list[str] = []
    real = PGDialect_asyncpg.initialize

    def counting(dialect: Any, connection: Any) -> None:
        initialised.append(connection.engine.url.database)
        real(dialect, connection)

    monkeypatch.setattr(SharedInitAsyncpgDialect, "_learnt", {})
    monkeypatch.setattr(PGDialect_asyncpg, "initialize", counting)
    async with fresh_database("postgresql", tmp_path) as database:
        tenants = [uuid.uuid4() for _ in range(3)]
        names = {tenant: f"{database.tenant_prefix}{tenant.hex}" for tenant in tenants}
        admin = await _admin_connection()
        try:
            for name in names.values():
                await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        control = make_url(database.url)
        engines = TenantEngines(lambda tenant: control.set(database=names[tenant]))
        try:
            for tenant in tenants:
                async with engines.get(tenant).connect() as connection:
                    query = sa.text("SELECT current_database()")
                    assert (await connection.execute(query)).scalar_one() == names[tenant]
            dialects = [engines.get(tenant).dialect for tenant in tenants]
        finally:
            await engines.dispose()

    assert initialised == [names[tenants[0]]]
    assert all(isinstance(d, SharedInitAsyncpgDialect) for d in dialects)
    assert {(d.server_version_info, d.default_schema_name) for d in dialects} == {
        (dialects[0].server_version_info, "public")
    }
