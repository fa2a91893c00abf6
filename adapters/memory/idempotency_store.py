"""Idempotency records in one process (unit tests, a single embedded process)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from ports.idempotency import IdempotencyRecord, StoredResponse


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._records: dict[tuple[str, str], IdempotencyRecord] = {}

    async def claim(
        self, record: IdempotencyRecord, *, now: datetime, lease: timedelta
    ) -> IdempotencyRecord | None:
        found = self._records.get((record.scope, record.key))
        if found is not None and not found.reusable(now, lease):
            return found
        self._records[(record.scope, record.key)] = record
        return None

    async def complete(
        self, scope: str, key: str, response: StoredResponse, *, fingerprint: str | None = None
    ) -> None:
        found = self._records.get((scope, key))
        if found is not None:
            self._records[(scope, key)] = replace(
                found, response=response, fingerprint=fingerprint or found.fingerprint
            )

    async def release(self, scope: str, key: str) -> None:
        self._records.pop((scope, key), None)

    async def purge(self, now: datetime) -> int:
        expired = [ref for ref, record in self._records.items() if record.expires_at <= now]
        for ref in expired:
            del self._records[ref]
        return len(expired)
