"""Migrated templates that new tenant databases are copied from, instead of replaying every
tenant migration for each new tenant.

A template is keyed by the tenant head revision and a hash of the migration files'
contents, so a changed migration (even one edited in place, keeping its revision id)
never reuses a stale schema: a new key builds a new template and the stale ones are
dropped. Building and copying are lock-free and safe between processes: a template is
built under a throwaway name and renamed into place in one step, and a new tenant
database appears in one step (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a rename of
a finished copy on SQLite), so a crash leaves nothing that looks finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.migrator import History, head_revision, upgrade

DUPLICATE_DATABASE = "42P04"
_UNIQUE_VIOLATION = "23505"  # two renames to one name at once: the catalog index decides
_UNDEFINED_DATABASE = "3D000"
# Templates of other keys are kept a while: during a rolling upgrade (or test runs of two
# working trees on one server) processes of both versions provision at once, and dropping
# each other's template on every build would make them rebuild it in turns.
KEPT_TEMPLATES = 4
_STALE = sa.text(
    "SELECT datname FROM pg_database WHERE starts_with(datname, :prefix) AND datname <> :keep "
    "ORDER BY oid DESC OFFSET :kept"
)


def template_key() -> str:
    """``<head>_<hash>``: the tenant head revision (cut to fit a database name) and a hash of
    every tenant migration file, read afresh so an edited migration changes the key."""
    folder = files("migrations") / History.TENANT.value
    digest = hashlib.sha256()
    versions = [f for f in (folder / "versions").iterdir() if f.name.endswith(".py")]
    for source in [folder / "env.py", *sorted(versions, key=lambda f: f.name)]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    head = re.sub(r"[^a-z0-9]+", "_", (head_revision(History.TENANT) or "base").lower())
    return f"{head[:20].strip('_')}_{digest.hexdigest()[:12]}"


def sqlstate(exc: DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


class PostgresTemplates:
    """Template databases ``<prefix>template_<key>`` on the shared instance.

    Nobody may connect to a finished template (``ALLOW_CONNECTIONS false``), since
    PostgreSQL refuses to copy a database that has other sessions.
    """

    def __init__(self, prefix: str, open_engine: Callable[[URL], AsyncEngine]) -> None:
        self._prefix = prefix
        self._open_engine = open_engine

    def name(self, key: str) -> str:
        return f"{self._prefix}template_{key}"

    async def create_from_template(self, server: AsyncConnection, url: URL) -> None:
        """Create ``url.database`` as a copy of the current template, building that first
        when missing; a database that already exists is left as it is."""
        template = self.name(template_key())
        quote = server.dialect.identifier_preparer.quote
        statement = f"CREATE DATABASE {quote(url.database or '')} TEMPLATE {quote(template)}"
        for attempt in range(3):
            try:
                await server.exec_driver_sql(statement)
                return
            except DBAPIError as exc:
                if sqlstate(exc) == DUPLICATE_DATABASE:
                    return
                if sqlstate(exc) != _UNDEFINED_DATABASE or attempt == 2:
                    raise
            await self._build(server, url, template)

    async def _build(self, server: AsyncConnection, url: URL, template: str) -> None:
        """Migrate a throwaway database, then rename it to ``template``; a concurrent builder
        that renamed first wins and ours is dropped."""
        quote = server.dialect.identifier_preparer.quote
        building = f"{self._prefix}tbuild_{uuid.uuid4().hex[:12]}"
        await server.exec_driver_sql(f"CREATE DATABASE {quote(building)}")
        renamed = False
        try:
            engine = self._open_engine(url.set(database=building))
            try:
                await upgrade(engine, History.TENANT)
            finally:
                await engine.dispose()
            await server.exec_driver_sql(
                f"ALTER DATABASE {quote(building)} ALLOW_CONNECTIONS false"
            )
            await self._drop_stale(server, template)
            await server.exec_driver_sql(
                f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}"
            )
            renamed = True
        except DBAPIError as exc:
            if sqlstate(exc) not in (DUPLICATE_DATABASE, _UNIQUE_VIOLATION):
                raise
        finally:
            if not renamed:
                await server.exec_driver_sql(
                    f"DROP DATABASE IF EXISTS {quote(building)} WITH (FORCE)"
                )

    async def _drop_stale(self, server: AsyncConnection, template: str) -> None:
        """Drop templates of other keys but the newest few (database oids grow with time).
        Best effort: one that cannot go now goes next time."""
        quote = server.dialect.identifier_preparer.quote
        found = await server.execute(
            _STALE, {"prefix": self.name(""), "keep": template, "kept": KEPT_TEMPLATES - 1}
        )
        for name in found.scalars().all():
            try:
                await server.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote(name)}")
            except DBAPIError:
                continue


class SqliteTemplates:
    """Template files ``tenant_<key>.db`` in ``folder``, copied whole for each new tenant."""

    def __init__(self, folder: Path, open_engine: Callable[[URL], AsyncEngine]) -> None:
        self._folder = folder
        self._open_engine = open_engine

    async def create_from_template(self, url: URL) -> None:
        """Copy the current template to ``url.database`` unless that file exists."""
        target = Path(url.database or "")
        if await asyncio.to_thread(target.exists):
            return
        template = self._folder / f"tenant_{template_key()}.db"
        for attempt in range(3):
            if not await asyncio.to_thread(template.exists):
                await self._build(url, template)
            try:
                await asyncio.to_thread(_copy, template, target)
                return
            except FileNotFoundError:
                if attempt == 2:
                    raise

    async def _build(self, url: URL, final: Path) -> None:
        await asyncio.to_thread(self._folder.mkdir, parents=True, exist_ok=True)
        building = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.partial")
        engine = self._open_engine(url.set(database=str(building)))
        try:
            await upgrade(engine, History.TENANT)
        finally:
            await engine.dispose()
        await asyncio.to_thread(_seal, building, final)


def _seal(building: Path, final: Path) -> None:
    """Leave WAL mode (so the template is one self-contained file), rename it into place,
    then remove templates of other keys but the newest few."""
    connection = sqlite3.connect(building)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    building.replace(final)
    others = [p for p in final.parent.glob("tenant_*.db") if p != final]
    for stale in sorted(others, key=_modified, reverse=True)[KEPT_TEMPLATES - 1 :]:
        stale.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _copy(template: Path, target: Path) -> None:
    """A finished template is never written again, so a plain file copy is consistent. The
    copy is hard-linked into place: the tenant file appears whole or not at all, and one
    that appeared meanwhile (a concurrent ``ensure``) is never overwritten."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        shutil.copyfile(template, partial)
        with contextlib.suppress(FileExistsError):
            os.link(partial, target)
    finally:
        partial.unlink(missing_ok=True)
