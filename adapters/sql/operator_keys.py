"""Operator API keys (hashes only) in the control database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import operator_keys
from ports.operator_keys import OperatorKey


class SqlOperatorKeys:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, key: OperatorKey) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                operator_keys.insert().values(
                    id=key.id, name=key.name, key_hash=key.key_hash, created_at=key.created_at
                )
            )

    async def find_by_hash(self, key_hash: str) -> OperatorKey | None:
        query = operator_keys.select().where(operator_keys.c.key_hash == key_hash)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return None
        return OperatorKey(
            id=row.id, name=row.name, key_hash=row.key_hash, created_at=row.created_at
        )

    async def count(self) -> int:
        async with self._engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(operator_keys)
            return int((await connection.execute(query)).scalar_one())
