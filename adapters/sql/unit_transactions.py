"""The transaction of a unit of work: on asyncpg, held on the driver; else SQLAlchemy's.

SQLAlchemy's asyncpg adapter sends BEGIN with the first statement it executes, so that
statement, and the COMMIT, go through SQLAlchemy's execution machinery (about 0.1 ms of CPU
each); the statements that follow can be ``DriverStatement``s. On asyncpg the unit of work
instead begins the transaction on the driver and puts SQLAlchemy in AUTOCOMMIT mode, which
only means that SQLAlchemy sends no BEGIN or COMMIT of its own: its statements, savepoints
included, and the driver's all run in the one transaction, which the unit of work commits
or rolls back. The pool puts the connection back in its default mode when it is returned.
"""

from __future__ import annotations

from typing import Protocol

from asyncpg.transaction import Transaction as DriverTransaction
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver_statements import driver_call, driver_of


class UnitTransaction(Protocol):
    async def commit(self) -> None: ...

    async def rollback(self) -> None:
        """Undo what is not committed; nothing when all is."""
        ...


async def begin(connection: AsyncConnection) -> UnitTransaction:
    if connection.dialect.driver != "asyncpg":
        await connection.begin()
        return _SqlAlchemyTransaction(connection)
    await connection.execution_options(isolation_level="AUTOCOMMIT")
    held = driver_of(connection).transaction()
    await driver_call(connection, held.start())
    return _HeldTransaction(connection, held)


class _SqlAlchemyTransaction:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def commit(self) -> None:
        await self._connection.commit()

    async def rollback(self) -> None:
        if self._connection.in_transaction():
            await self._connection.rollback()


class _HeldTransaction:
    def __init__(self, connection: AsyncConnection, held: DriverTransaction) -> None:
        self._connection = connection
        self._held: DriverTransaction | None = held

    async def commit(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await driver_call(self._connection, held.commit())

    async def rollback(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._connection.invalidated:
            await driver_call(self._connection, held.rollback())
