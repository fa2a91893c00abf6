"""Rate-limit slots in the control database, so every worker process shares one budget.

A reservation reads the key's next free slot with the row locked (``FOR UPDATE`` on
PostgreSQL; SQLite transactions here take the write lock up front), moves it forward by
one interval and commits: two workers can never take the same slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import rate_limit_slots
from ports.clock import Clock


class SqlRateLimiter:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert

    async def reserve(self, key: str, per_second: float, *, burst: int = 1) -> timedelta:
        interval = timedelta(seconds=1 / per_second)
        row = rate_limit_slots.c
        async with self._engine.begin() as connection:
            now = self._clock.now()
            earliest = now - interval * (burst - 1)
            await connection.execute(
                self._insert(rate_limit_slots)
                .values(key=key, next_slot=earliest)
                .on_conflict_do_nothing(index_elements=[row.key])
            )
            locked = sa.select(row.next_slot).where(row.key == key).with_for_update()
            stored: datetime = (await connection.execute(locked)).scalar_one()
            slot = max(stored, earliest)
            await connection.execute(
                rate_limit_slots.update().where(row.key == key).values(next_slot=slot + interval)
            )
        return max(slot - now, timedelta(0))
