"""A tenant database's rows read and written generically, table by table.

Tables and column types come from the tenant schema (``tenant_tables.metadata``). Values
travel JSON-safe, encoded by type so that rows read from PostgreSQL load into SQLite and
back: ids as canonical UUID text, timestamps as ISO 8601 in UTC, JSON as itself, bytes as
base64, decimals as text. Columns or tables the schema does not know (rows of an older
schema version) are written as they come, for the database to judge.

Sealed columns (``adapters.sql.sealed_columns``) travel opened: a sealed value is bound to
its tenant's id and this deployment's key, and an import gets a new id on a deployment with
another key, so the reader opens each value and the writer seals it for where it lands.
An archive therefore holds those secrets as it holds the rest of the tenant's data.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.type_api import TypeEngine

from adapters.sql.engines import TenantEngines
from adapters.sql.migrator import History, alembic_config, current_revision
from adapters.sql.sealed_columns import SEALED_COLUMNS, sealed_context
from adapters.sql.tenant_tables import metadata
from ports.secret_sealer import SecretSealer, SecretUnreadable
from ports.tenant_rows import JsonValue, Row, TenantRowsError

Reseal = Callable[[Mapping[str, JsonValue], str], Mapping[str, JsonValue]]
"""Turns a row of a table into the row as it travels (opened) or rests (sealed)."""


@cache
def _schema_versions() -> tuple[str, ...]:
    script = ScriptDirectory.from_config(alembic_config(History.TENANT))
    return tuple(reversed([revision.revision for revision in script.walk_revisions()]))


class SqlTenantRows:
    def __init__(self, engines: TenantEngines, sealer: SecretSealer) -> None:
        self._engines = engines
        self._sealer = sealer

    def schema_versions(self) -> Sequence[str]:
        return _schema_versions()

    def tables(self) -> Sequence[str]:
        return [table.name for table in metadata.sorted_tables]

    async def schema_version(self, tenant_id: UUID) -> str | None:
        async with _as_rows_error(f"reading the schema version of tenant {tenant_id}"):
            return await current_revision(await self._engines.engine_for(tenant_id))

    @contextlib.asynccontextmanager
    async def snapshot(self, tenant_id: UUID) -> AsyncIterator[SqlRowReader]:
        """PostgreSQL reads at REPEATABLE READ; SQLite's transaction is a snapshot anyway."""
        async with _as_rows_error(f"reading the rows of tenant {tenant_id}"):
            engine = await self._engines.engine_for(tenant_id)
            async with engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    await connection.execution_options(isolation_level="REPEATABLE READ")
                async with connection.begin():
                    yield SqlRowReader(connection, _resealing(self._sealer.open, tenant_id))

    @contextlib.asynccontextmanager
    async def loader(self, tenant_id: UUID) -> AsyncIterator[SqlRowWriter]:
        async with _as_rows_error(f"writing the rows of tenant {tenant_id}"):
            engine = await self._engines.engine_for(tenant_id)
            async with engine.begin() as connection:
                yield SqlRowWriter(connection, _resealing(self._sealer.seal, tenant_id))


class SqlRowReader:
    def __init__(self, connection: AsyncConnection, opened: Reseal) -> None:
        self._connection = connection
        self._opened = opened

    async def rows(self, table: str, batch_size: int = 500) -> AsyncIterator[list[Row]]:
        known = metadata.tables.get(table)
        if known is None:
            raise TenantRowsError(f"no table {table!r} in the tenant schema")
        query = sa.select(known).order_by(*known.primary_key.columns)
        async with _as_rows_error(f"reading table {table!r}"):
            result = await self._connection.stream(query.execution_options(yield_per=batch_size))
            async for partition in result.partitions(batch_size):
                yield [
                    dict(self._opened(_encoded_row(table, found._mapping), table))
                    for found in partition
                ]


class SqlRowWriter:
    def __init__(self, connection: AsyncConnection, sealed: Reseal) -> None:
        self._connection = connection
        self._sealed = sealed
        self._started: set[str] = set()

    async def write(self, table: str, rows: Sequence[Mapping[str, JsonValue]]) -> None:
        if not rows:
            return
        target = _target(table, list(rows[0]))
        if table not in self._started:
            await self._require_empty(target)
            self._started.add(table)
        decoded = [_decoded_row(target, self._sealed(row, table)) for row in rows]
        async with _as_rows_error(f"writing table {table!r}"):
            await self._connection.execute(sa.insert(target), decoded)

    async def _require_empty(self, target: sa.TableClause) -> None:
        query = sa.select(sa.literal(1)).select_from(target).limit(1)
        async with _as_rows_error(f"reading table {target.name!r}"):
            if (await self._connection.execute(query)).first() is not None:
                raise TenantRowsError(f"table {target.name!r} already holds rows")


def _resealing(change: Callable[[str, str], str], tenant_id: UUID) -> Reseal:
    """Applies ``change`` (open or seal) to the sealed column of a row, bound to its row."""

    def reseal(row: Mapping[str, JsonValue], table: str) -> Mapping[str, JsonValue]:
        column = SEALED_COLUMNS.get(table)
        value = row.get(column) if column else None
        if column is None or not isinstance(value, str):
            return row
        try:
            context = sealed_context(table, tenant_id, uuid.UUID(str(row["id"])))
            return {**row, column: change(value, context)}
        except (KeyError, ValueError, SecretUnreadable) as exc:
            raise TenantRowsError(f"{table}.{column}: {type(exc).__name__}: {exc}") from exc

    return reseal


def _encoded_row(table: str, row: sa.RowMapping) -> Row:
    return {name: _encode(value, f"{table}.{name}") for name, value in row.items()}


def _target(table: str, columns: list[str]) -> sa.TableClause:
    """The table with the columns the rows name, typed as the schema declares them."""
    known = metadata.tables.get(table)
    types = {column.name: column.type for column in known.columns} if known is not None else {}
    return sa.table(table, *(sa.column(name, types.get(name)) for name in columns))


def _decoded_row(target: sa.TableClause, row: Mapping[str, JsonValue]) -> dict[str, Any]:
    if set(row) != set(target.columns.keys()):
        raise TenantRowsError(f"rows of {target.name!r} do not all have the same columns")
    decoded = {}
    for column in target.columns:
        where = f"{target.name}.{column.name}"
        try:
            decoded[column.name] = _decode(row[column.name], column.type, where)
        except (ValueError, TypeError) as exc:
            raise TenantRowsError(f"{where}: {exc}") from exc
    return decoded


def _encode(value: Any, where: str) -> JsonValue:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    raise TenantRowsError(f"{where}: cannot carry a {type(value).__name__} value")


def _decode(value: JsonValue, column_type: TypeEngine[Any], where: str) -> Any:
    base = _base_type(column_type)
    if value is None or isinstance(base, sa.JSON | sa.types.NullType):
        return value
    if not isinstance(value, str):
        if isinstance(base, sa.Uuid | sa.DateTime | sa.Date | sa.Time | sa.LargeBinary):
            raise TypeError(f"expected text, not {type(value).__name__}")
        return value
    if isinstance(base, sa.Uuid):
        return uuid.UUID(value)
    if isinstance(base, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(base, sa.Date):
        return date.fromisoformat(value)
    if isinstance(base, sa.Time):
        return time.fromisoformat(value)
    if isinstance(base, sa.LargeBinary):
        return base64.b64decode(value, validate=True)
    if isinstance(base, sa.Numeric) and not isinstance(base, sa.Float):
        return Decimal(value)
    return value


def _base_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(column_type, sa.TypeDecorator):
        column_type = column_type.impl_instance
    return column_type


@contextlib.asynccontextmanager
async def _as_rows_error(what: str) -> AsyncIterator[None]:
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        raise TenantRowsError(f"{what}: {type(exc).__name__}: {exc}") from exc
