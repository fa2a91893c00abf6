"""Rate-limit slots in one process (embedded profile and unit tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ports.clock import Clock


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._next: dict[str, datetime] = {}

    async def reserve(self, key: str, per_second: float, *, burst: int = 1) -> timedelta:
        now = self._clock.now()
        interval = timedelta(seconds=1 / per_second)
        earliest = now - interval * (burst - 1)
        slot = max(self._next.get(key, earliest), earliest)
        self._next[key] = slot + interval
        return max(slot - now, timedelta(0))
