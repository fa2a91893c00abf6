"""Hot statements run on asyncpg itself, built and compiled once by SQLAlchemy.

SQLAlchemy's work around each execution (execution context, parameter construction,
result proxy, the greenlet hop) costs about as much CPU as asyncpg's own: the four
statements of a join took 0.85 ms of CPU through SQLAlchemy and 0.37 ms on asyncpg
directly. A ``DriverStatement`` is still a Core statement, compiled once per dialect, its
parameters and rows passed through the same type processors SQLAlchemy would apply
(``UtcDateTime``, JSON, UUID), so it reads and writes exactly what the SQLAlchemy path
does. On other drivers (aiosqlite) it simply runs through SQLAlchemy.

It runs on the connection's current transaction. SQLAlchemy's asyncpg adapter sends BEGIN
only with the first statement it executes, so while a connection has begun but sent no
statement yet, the statement goes through SQLAlchemy (which opens the transaction); every
later one goes to the driver; on a connection in AUTOCOMMIT mode, each runs alone.
asyncpg's errors are raised as they are; one that broke the connection also invalidates
it, as SQLAlchemy does on a disconnect, so the pool never hands out a broken one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
Statement = sa.Select[Any] | sa.Insert | sa.Update
_T = TypeVar("_T")
_REQUIRED = object()


class DriverStatement:
    """A Core statement without expanding (``IN``) parameters, run on asyncpg when it can."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, Any], _Compiled] = {}

    async def rows(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> list[Any]:
        """The rows, each with its columns as attributes (as SQLAlchemy's rows have them)."""
        driver = _driver_in_step(connection)
        if driver is None:
            return list((await connection.execute(self.statement, parameters)).all())
        compiled = self._for(connection.dialect)
        records = await driver_call(
            connection, driver.fetch(compiled.sql, *compiled.bind(parameters))
        )
        return [compiled.row(record) for record in records]

    async def run(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> None:
        driver = _driver_in_step(connection)
        if driver is None:
            await connection.execute(self.statement, parameters)
            return
        compiled = self._for(connection.dialect)
        await driver_call(connection, driver.execute(compiled.sql, *compiled.bind(parameters)))

    async def run_many(
        self, connection: AsyncConnection, parameters: Sequence[Mapping[str, Any]]
    ) -> None:
        """One statement per parameter set, pipelined by asyncpg in one round trip."""
        driver = _driver_in_step(connection)
        if driver is None:
            await connection.execute(self.statement, list(parameters))
            return
        compiled = self._for(connection.dialect)
        arguments = [compiled.bind(one) for one in parameters]
        await driver_call(connection, driver.executemany(compiled.sql, arguments))

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.server_version_info)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.statement, dialect)
        return compiled


class _Compiled:
    """The statement's SQL for one dialect, its positional binds and its row shape."""

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("expanding parameters (IN lists) need SQLAlchemy's execution")
        self.sql = compiled.string
        names = compiled.positiontup or ()
        self._binds = [_bind(compiled.binds[name], dialect) for name in names]
        columns = list(statement.selected_columns) if isinstance(statement, sa.Select) else []
        if any(getattr(c, "name", None) is None for c in columns):
            raise ValueError("every selected expression needs a name: label it")
        self._results = {c.name: _result_processor(c, dialect) for c in columns}

    def bind(self, parameters: Mapping[str, Any]) -> list[Any]:
        values = []
        for key, fixed, processor in self._binds:
            value = parameters.get(key, fixed)
            if value is _REQUIRED:
                raise sa.exc.InvalidRequestError(f"A value is required for bind parameter {key!r}")
            values.append(value if processor is None or value is None else processor(value))
        return values

    def row(self, record: asyncpg.Record) -> Any:
        values = {}
        for name, processor in self._results.items():
            value = record[name]
            values[name] = value if processor is None or value is None else processor(value)
        return SimpleNamespace(**values)


def _bind(bind: sa.BindParameter[Any], dialect: Dialect) -> tuple[str, Any, Processor]:
    """The parameter's key, its value when the caller gives none, and its type's processor."""
    processor: Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
    return bind.key, _REQUIRED if bind.required else bind.effective_value, processor


def _result_processor(column: sa.ColumnElement[Any], dialect: Dialect) -> Processor:
    """The processor SQLAlchemy applies to the column's values. A type whose processor
    depends on the type the server reports (Numeric) is refused: the driver's rows do not
    carry it."""
    try:
        processor: Processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
    except (TypeError, sa.exc.InvalidRequestError) as error:
        raise ValueError(
            f"column {column.name!r} ({column.type}) needs SQLAlchemy's execution"
        ) from error
    return processor


def driver_of(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under a started asyncpg ``connection``."""
    driver: asyncpg.Connection = _started(connection).connection.driver_connection
    return driver


def _started(connection: AsyncConnection) -> Connection:
    if connection.sync_connection is None:
        raise RuntimeError("the connection is not started")
    return connection.sync_connection


def _driver_in_step(connection: AsyncConnection) -> asyncpg.Connection | None:
    """The asyncpg connection under ``connection`` when a statement sent to it directly
    runs where SQLAlchemy would run it: in the transaction open on the server, or alone on
    a connection in AUTOCOMMIT mode. None otherwise (another driver; no transaction sent
    yet, which SQLAlchemy will begin)."""
    if connection.dialect.driver != "asyncpg":
        return None
    driver = driver_of(connection)
    options = _started(connection).get_execution_options()
    autocommits = options.get("isolation_level") == "AUTOCOMMIT"
    return driver if driver.is_in_transaction() or autocommits else None


async def driver_call(connection: AsyncConnection, call: Awaitable[_T]) -> _T:
    """A call to the driver under ``connection``. One that broke the connection (the server
    ended it, the network failed, the call was cancelled midway) invalidates it, as
    SQLAlchemy does on a disconnect; the server's refusal of a statement leaves it in
    service."""
    driver = driver_of(connection)
    try:
        return await call
    except BaseException as error:
        if driver.is_closed() or not isinstance(error, asyncpg.PostgresError):
            await connection.invalidate()
        raise
