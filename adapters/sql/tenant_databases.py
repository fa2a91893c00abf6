"""Creating, migrating and dropping tenant databases: one per tenant on PostgreSQL (on the
shared instance, or at a dedicated tenant's own URL), a file on SQLite. Every failure
leaves as a ProvisioningError, whatever the driver raised."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.engines import TenantEngines
from adapters.sql.locator import DatabaseLocator
from adapters.sql.migrator import History, current_revision, head_revision, upgrade
from adapters.sql.placements import TenantPlacements
from adapters.sql.tenant_templates import (
    DUPLICATE_DATABASE,
    PostgresTemplates,
    SqliteTemplates,
    sqlstate,
)
from ports.tenant_databases import ProvisioningError

_EXISTS = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")


class SqlTenantDatabases:
    def __init__(
        self,
        locator: DatabaseLocator,
        placements: TenantPlacements,
        control_engine: AsyncEngine,
        engines: TenantEngines,
        *,
        postgres_templates: PostgresTemplates | None = None,
        sqlite_templates: SqliteTemplates | None = None,
    ) -> None:
        """Without templates, each new database replays every tenant migration; with them,
        a new database on the shared instance (or a new SQLite file) starts as a copy of a
        migrated template and the migration run only checks it is at head."""
        self._locator = locator
        self._placements = placements
        self._control = control_engine
        self._engines = engines
        self._postgres_templates = postgres_templates
        self._sqlite_templates = sqlite_templates

    async def ensure(self, tenant_id: UUID, *, schema_version: str | None = None) -> None:
        async with _as_provisioning_error(f"preparing the database of tenant {tenant_id}"):
            url = await self._url(tenant_id)
            copy = schema_version in (None, "head") and not self._placements.is_dedicated(tenant_id)
            if _is_sqlite(url):
                if copy and self._sqlite_templates is not None:
                    await self._sqlite_templates.create_from_template(url)
                await asyncio.to_thread(_sqlite_file(url).parent.mkdir, parents=True, exist_ok=True)
            elif not await self._exists(tenant_id, url):
                async with self._server(tenant_id, url) as server:
                    if copy and self._postgres_templates is not None:
                        await self._postgres_templates.create_from_template(server, url)
                    else:
                        await _create_database(server, url.database or "")
            engine = await self._engines.engine_for(tenant_id)
            await upgrade(engine, History.TENANT, schema_version or "head")

    async def exists(self, tenant_id: UUID) -> bool:
        async with _as_provisioning_error(f"looking for the database of tenant {tenant_id}"):
            return await self._exists(tenant_id, await self._url(tenant_id))

    async def at_head(self, tenant_id: UUID) -> bool:
        async with _as_provisioning_error(f"reading the schema version of tenant {tenant_id}"):
            if not await self.exists(tenant_id):
                return False
            engine = await self._engines.engine_for(tenant_id)
            return await current_revision(engine) == head_revision(History.TENANT)

    async def drop(self, tenant_id: UUID) -> None:
        async with _as_provisioning_error(f"dropping the database of tenant {tenant_id}"):
            url = await self._url(tenant_id)
            await self._engines.forget(tenant_id)
            if _is_sqlite(url):
                path = _sqlite_file(url)
                for suffix in ("", "-wal", "-shm"):
                    extra = path.with_name(path.name + suffix)
                    await asyncio.to_thread(extra.unlink, missing_ok=True)
                return
            async with self._server(tenant_id, url) as server:
                quoted = server.dialect.identifier_preparer.quote(url.database or "")
                await server.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")

    async def tenant_ids(self) -> set[UUID]:
        """Databases on the shared instance (dedicated ones live elsewhere, by design)."""
        if self._locator.is_sqlite:
            folder = self._locator.sqlite_path(uuid.UUID(int=0)).parent
            names = await asyncio.to_thread(lambda: [p.stem for p in folder.glob("*.db")])
            return {tenant_id for tenant_id in map(_uuid_or_none, names) if tenant_id}
        prefix = self._locator.prefix
        query = sa.text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)")
        async with self._control.connect() as connection:
            found = (await connection.execute(query, {"prefix": prefix})).scalars().all()
        return {t for t in (_uuid_or_none(str(n).removeprefix(prefix)) for n in found) if t}

    async def _url(self, tenant_id: UUID) -> URL:
        await self._placements.learn(tenant_id)
        return self._placements.url_for(tenant_id)

    async def _exists(self, tenant_id: UUID, url: URL) -> bool:
        if _is_sqlite(url):
            return await asyncio.to_thread(_sqlite_file(url).exists)
        async with self._server(tenant_id, url) as server:
            return (await server.execute(_EXISTS, {"name": url.database})).first() is not None

    @contextlib.asynccontextmanager
    async def _server(self, tenant_id: UUID, url: URL) -> AsyncIterator[AsyncConnection]:
        """An autocommit connection to the server holding the tenant's database.

        The shared instance is reached through the control engine; a dedicated server
        through its own maintenance database, ``postgres``.
        """
        if not self._placements.is_dedicated(tenant_id):
            engine = self._control.execution_options(isolation_level="AUTOCOMMIT")
            async with engine.connect() as connection:
                yield connection
            return
        admin = self._engines.open_uncached(url.set(database="postgres"))
        try:
            autocommit = admin.execution_options(isolation_level="AUTOCOMMIT")
            async with autocommit.connect() as connection:
                yield connection
        finally:
            await admin.dispose()


async def _create_database(server: AsyncConnection, name: str) -> None:
    """CREATE DATABASE cannot run in a transaction; a concurrent creator is not an error."""
    try:
        await server.exec_driver_sql(
            f"CREATE DATABASE {server.dialect.identifier_preparer.quote(name)}"
        )
    except DBAPIError as exc:
        if sqlstate(exc) != DUPLICATE_DATABASE:
            raise


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path:
    return Path(url.database or "")


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(hex=text)
    except ValueError:
        return None


_DRIVER_FAILURES = (
    SQLAlchemyError,
    OSError,
    ValueError,
    TypeError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
"""What reaching a database may raise besides SQLAlchemy's own errors: OSError for a server
that does not answer (refused, unknown name, timeout); ValueError, UnicodeError among them,
for a URL SQLAlchemy or the resolver cannot read (a host IDNA cannot encode, a broken IPv6
bracket); TypeError for a URL parameter the driver's connect call does not take. A
dedicated tenant's URL is checked when it is given (core.tenants.model), but a row written
before those checks still holds whatever it was given."""


@contextlib.asynccontextmanager
async def _as_provisioning_error(what: str) -> AsyncIterator[None]:
    try:
        yield
    except _DRIVER_FAILURES as exc:
        raise ProvisioningError(f"{what}: {type(exc).__name__}: {exc}") from exc
