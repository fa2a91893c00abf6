"""Creating, migrating and dropping tenant databases: one per tenant on PostgreSQL, a file on
SQLite. Every failure leaves as a ProvisioningError."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.engines import TenantEngines
from adapters.sql.locator import DatabaseLocator
from adapters.sql.migrator import History, current_revision, head_revision, upgrade
from ports.tenant_databases import ProvisioningError

_DUPLICATE_DATABASE = "42P04"


class SqlTenantDatabases:
    def __init__(
        self, locator: DatabaseLocator, control_engine: AsyncEngine, engines: TenantEngines
    ) -> None:
        self._locator = locator
        self._control = control_engine
        self._engines = engines

    async def ensure(self, tenant_id: UUID) -> None:
        async with _as_provisioning_error(f"preparing the database of tenant {tenant_id}"):
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

    async def at_head(self, tenant_id: UUID) -> bool:
        async with _as_provisioning_error(f"reading the schema version of tenant {tenant_id}"):
            if not await self.exists(tenant_id):
                return False
            engine = self._engines.get(tenant_id)
            return await current_revision(engine) == head_revision(History.TENANT)

    async def drop(self, tenant_id: UUID) -> None:
        async with _as_provisioning_error(f"dropping the database of tenant {tenant_id}"):
            await self._engines.forget(tenant_id)
            if self._locator.is_sqlite:
                path = self._locator.sqlite_path(tenant_id)
                for suffix in ("", "-wal", "-shm"):
                    await asyncio.to_thread(
                        path.with_name(path.name + suffix).unlink, missing_ok=True
                    )
                return
            quoted = self._quote(self._locator.database_name(tenant_id))
            async with self._autocommit() as connection:
                await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")

    async def tenant_ids(self) -> set[UUID]:
        if self._locator.is_sqlite:
            folder = self._locator.sqlite_path(uuid.UUID(int=0)).parent
            names = await asyncio.to_thread(lambda: [p.stem for p in folder.glob("*.db")])
            return {tenant_id for tenant_id in map(_uuid_or_none, names) if tenant_id}
        prefix = self._locator.prefix
        query = sa.text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)")
        async with self._control.connect() as connection:
            found = (await connection.execute(query, {"prefix": prefix})).scalars().all()
        return {t for t in (_uuid_or_none(str(n).removeprefix(prefix)) for n in found) if t}

    async def _create_postgres_database(self, name: str) -> None:
        """CREATE DATABASE cannot run in a transaction; a concurrent creator is not an error."""
        try:
            async with self._autocommit() as connection:
                await connection.exec_driver_sql(f"CREATE DATABASE {self._quote(name)}")
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _DUPLICATE_DATABASE:
                raise

    def _quote(self, name: str) -> str:
        return self._control.dialect.identifier_preparer.quote(name)

    @contextlib.asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[AsyncConnection]:
        engine = self._control.execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            yield connection


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(hex=text)
    except ValueError:
        return None


@contextlib.asynccontextmanager
async def _as_provisioning_error(what: str) -> AsyncIterator[None]:
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        raise ProvisioningError(f"{what}: {type(exc).__name__}: {exc}") from exc
