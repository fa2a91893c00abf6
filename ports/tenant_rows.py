"""Reading and writing a tenant database's rows portably, table by table.

Rows travel as plain dicts of JSON-safe values (ids and timestamps as text), so rows read
from one database engine can be written into another. Tables come in dependency order:
a table's rows may refer only to rows of tables before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeAlias
from uuid import UUID

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
Row: TypeAlias = dict[str, JsonValue]


class TenantRowsError(Exception):
    """Rows could not be read or written (database error, a value of the wrong shape)."""


class RowReader(Protocol):
    def rows(self, table: str, batch_size: int = 500) -> AsyncIterator[list[Row]]:
        """Every row of ``table`` in primary-key order, ``batch_size`` at a time."""
        ...


class RowWriter(Protocol):
    async def write(self, table: str, rows: Sequence[Mapping[str, JsonValue]]) -> None:
        """Insert a batch into ``table``; the table held no rows before this load."""
        ...


class TenantRows(Protocol):
    def schema_versions(self) -> Sequence[str]:
        """Every schema version this deployment knows, oldest first; the last is the newest."""
        ...

    def tables(self) -> Sequence[str]:
        """Tables of the newest schema, in dependency order."""
        ...

    async def schema_version(self, tenant_id: UUID) -> str | None:
        """The schema version of the tenant's database; None when it has none yet."""
        ...

    def snapshot(self, tenant_id: UUID) -> AbstractAsyncContextManager[RowReader]:
        """Read every table as of one moment (one read transaction)."""
        ...

    def loader(self, tenant_id: UUID) -> AbstractAsyncContextManager[RowWriter]:
        """Write into an empty tenant database in one transaction.

        Committed when the block ends normally, rolled back when it raises; writing into a
        table that already holds rows raises TenantRowsError.
        """
        ...
