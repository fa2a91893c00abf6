"""Idempotency records in the control database, shared by every API replica.

A claim inserts the row; the primary key (scope, key) makes exactly one of two concurrent
inserts win. An expired or abandoned row is taken over with a compare-and-set on its
``started_at``, so two replicas taking over one row cannot both succeed either.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import idempotency_keys
from ports.idempotency import IdempotencyRecord, StoredResponse

_TAKEOVER_ATTEMPTS = 3


class SqlIdempotencyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self, record: IdempotencyRecord, *, now: datetime, lease: timedelta
    ) -> IdempotencyRecord | None:
        for _ in range(_TAKEOVER_ATTEMPTS):
            if await self._insert(record):
                return None
            found = await self._get(record.scope, record.key)
            if found is None:
                continue
            if not found.reusable(now, lease):
                return found
            if await self._take_over(found, record):
                return None
        raise RuntimeError(f"idempotency key {record.key!r} kept changing under a claim")

    async def complete(
        self, scope: str, key: str, response: StoredResponse, *, fingerprint: str | None = None
    ) -> None:
        changed: dict[str, Any] = {"fingerprint": fingerprint} if fingerprint else {}
        async with self._engine.begin() as connection:
            await connection.execute(
                idempotency_keys.update()
                .where(_ref(scope, key))
                .values(
                    status=response.status,
                    headers=[list(pair) for pair in response.headers],
                    body=response.body,
                    **changed,
                )
            )

    async def release(self, scope: str, key: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(idempotency_keys.delete().where(_ref(scope, key)))

    async def purge(self, now: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                idempotency_keys.delete().where(idempotency_keys.c.expires_at <= now)
            )
        return int(result.rowcount)

    async def _insert(self, record: IdempotencyRecord) -> bool:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(idempotency_keys.insert().values(**_row(record)))
        except IntegrityError:
            return False
        return True

    async def _take_over(self, found: IdempotencyRecord, record: IdempotencyRecord) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                idempotency_keys.update()
                .where(
                    _ref(found.scope, found.key),
                    idempotency_keys.c.started_at == found.started_at,
                )
                .values(**_row(record))
            )
        return bool(result.rowcount == 1)

    async def _get(self, scope: str, key: str) -> IdempotencyRecord | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(idempotency_keys.select().where(_ref(scope, key)))
            ).first()
        return _record(row) if row else None


def _ref(scope: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)


def _row(record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "scope": record.scope,
        "key": record.key,
        "fingerprint": record.fingerprint,
        "started_at": record.started_at,
        "expires_at": record.expires_at,
        "status": None,
        "headers": None,
        "body": None,
    }


def _record(row: Any) -> IdempotencyRecord:
    response = None
    if row.status is not None:
        headers = tuple((str(name), str(value)) for name, value in row.headers or ())
        response = StoredResponse(status=row.status, headers=headers, body=bytes(row.body or b""))
    return IdempotencyRecord(
        scope=row.scope,
        key=row.key,
        fingerprint=row.fingerprint,
        started_at=row.started_at,
        expires_at=row.expires_at,
        response=response,
    )
