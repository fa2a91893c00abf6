"""Creating and migrating tenant databases: one per tenant on PostgreSQL, a file on SQLite."""

from __future__ import annotations

import asyncio
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engines import TenantEngines
from adapters.sql.locator import DatabaseLocator
from adapters.sql.migrator import History, upgrade

_DUPLICATE_DATABASE = "42P04"


class SqlTenantDatabases:
    def __init__(
        self, locator: DatabaseLocator, control_engine: AsyncEngine, engines: TenantEngines
    ) -> None:
        self._locator = locator
        self._control = control_engine
        self._engines = engines

    async def ensure(self, tenant_id: UUID) -> None:
        if self._locator.is_sqlite:
            path = self._locator.sqlite_path(tenant_id)
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        elif not await self.exists(tenant_id):
            await self._create_postgres_database(self._locator.database_name(tenant_id))
        await upgrade(self._engines.get(tenant_id), History.TENANT)

    async def exists(self, tenant_id: UUID) -> bool:
        if self._locator.is_sqlite:
            return await asyncio.to_thread(self._locator.sqlite_path(tenant_id).exists)
        query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
        async with self._control.connect() as connection:
            found = await connection.execute(
                query, {"name": self._locator.database_name(tenant_id)}
            )
            return found.first() is not None

    async def _create_postgres_database(self, name: str) -> None:
        """CREATE DATABASE cannot run in a transaction; a concurrent creator is not an error."""
        autocommit = self._control.execution_options(isolation_level="AUTOCOMMIT")
        quoted = autocommit.dialect.identifier_preparer.quote(name)
        try:
            async with autocommit.connect() as connection:
                await connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
        except (ProgrammingError, DBAPIError) as exc:
            if getattr(exc.orig, "sqlstate", None) != _DUPLICATE_DATABASE:
                raise
