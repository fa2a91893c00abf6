"""Idempotency keys of the API: the first answer to a create request, kept for replays.

A client that did not hear the answer to a ``POST`` sends it again with the same
``Idempotency-Key``; the platform answers with what it answered the first time instead of
creating a second session or tenant. Records are scoped (tenant or operator, and a hash
of the caller's credential) so two callers using the same key never meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What the first attempt answered: enough to answer a replay byte for byte."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A key in use: in flight while ``response`` is None, else answered."""

    scope: str
    key: str
    fingerprint: str
    started_at: datetime
    expires_at: datetime
    response: StoredResponse | None = None

    def reusable(self, now: datetime, lease: timedelta) -> bool:
        """A new attempt may take the key: expired, or in flight long after its attempt died."""
        abandoned = self.response is None and self.started_at + lease <= now
        return self.expires_at <= now or abandoned


class IdempotencyStore(Protocol):
    async def claim(
        self, record: IdempotencyRecord, *, now: datetime, lease: timedelta
    ) -> IdempotencyRecord | None:
        """Take ``record.scope``/``record.key`` for a new attempt, atomically.

        Returns None when the caller now holds the key (new, expired, or left in flight
        for longer than ``lease`` by an attempt that died); otherwise the record already
        there, unchanged. Of two concurrent claims of one key, exactly one gets None.
        """
        ...

    async def complete(
        self, scope: str, key: str, response: StoredResponse, *, fingerprint: str | None = None
    ) -> None:
        """Keep the answer of the attempt holding the key, for replays until it expires.

        ``fingerprint`` replaces the claimed one: a streamed body's digest is only known
        once the attempt has read it.
        """
        ...

    async def release(self, scope: str, key: str) -> None:
        """Forget an attempt that failed (5xx or crash) so that a retry may run."""
        ...

    async def purge(self, now: datetime) -> int:
        """Delete the records expired at ``now``; returns how many went."""
        ...
