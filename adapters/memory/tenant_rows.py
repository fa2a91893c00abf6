"""Tenant rows in memory: tables of plain dicts beside the memory tenant databases."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from adapters.memory.tenant_catalog import MemoryTenantResources
from ports.tenant_rows import JsonValue, Row, TenantRowsError

DEFAULT_TABLES = ("users", "assistance_sessions", "outbox", "invitations")


class MemoryRowReader:
    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self._tables = tables

    async def rows(self, table: str, batch_size: int = 500) -> AsyncIterator[list[Row]]:
        found = sorted(self._tables.get(table, []), key=lambda row: str(row.get("id")))
        for start in range(0, len(found), batch_size):
            yield found[start : start + batch_size]


class MemoryRowWriter:
    def __init__(self, tables: dict[str, list[Row]], known: Sequence[str]) -> None:
        self._tables = tables
        self._known = known
        self._written: set[str] = set()
        self.fail_on: str | None = None

    async def write(self, table: str, rows: Sequence[Mapping[str, JsonValue]]) -> None:
        if table not in self._known:
            raise TenantRowsError(f"no table {table!r}")
        if table not in self._written and self._tables.get(table):
            raise TenantRowsError(f"table {table!r} already holds rows")
        if table == self.fail_on:
            raise TenantRowsError(f"writing {table!r} failed")
        self._written.add(table)
        if rows:
            self._tables.setdefault(table, []).extend(copy.deepcopy(dict(r)) for r in rows)


class MemoryTenantRows:
    """Rows of each memory tenant database; ``fail_on`` makes writing that table fail."""

    def __init__(
        self, databases: MemoryTenantResources, tables: Sequence[str] = DEFAULT_TABLES
    ) -> None:
        self._databases = databases
        self._tables = tuple(tables)
        self.data: dict[UUID, dict[str, list[Row]]] = {}
        self.fail_on: str | None = None

    def schema_versions(self) -> Sequence[str]:
        return self._databases.schema_versions

    def tables(self) -> Sequence[str]:
        return self._tables

    async def schema_version(self, tenant_id: UUID) -> str | None:
        return self._databases.versions.get(tenant_id)

    @asynccontextmanager
    async def snapshot(self, tenant_id: UUID) -> AsyncIterator[MemoryRowReader]:
        self._require(tenant_id)
        yield MemoryRowReader(copy.deepcopy(self.data.get(tenant_id, {})))

    @asynccontextmanager
    async def loader(self, tenant_id: UUID) -> AsyncIterator[MemoryRowWriter]:
        self._require(tenant_id)
        working = copy.deepcopy(self.data.get(tenant_id, {}))
        writer = MemoryRowWriter(working, self._tables)
        writer.fail_on = self.fail_on
        yield writer
        self.data[tenant_id] = working

    def _require(self, tenant_id: UUID) -> None:
        if tenant_id not in self._databases.created:
            raise TenantRowsError(f"tenant {tenant_id} has no database")
