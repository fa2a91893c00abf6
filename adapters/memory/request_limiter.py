"""API request limits in one process: the default when no Redis is configured.

Good for one API replica (the embedded profile, a single on-prem pod); with several
replicas each counts alone, so configure ``redis.url`` to make the limits global.
"""

from __future__ import annotations

import asyncio

from ports.clock import Clock
from ports.request_limiter import Quota, Verdict

MAX_KEYS = 100_000


class MemoryRequestLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tat_ms: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, quota: Quota) -> Verdict:
        now = self._clock.now().timestamp() * 1000
        async with self._lock:
            tat = max(self._tat_ms.get(key, now), now)
            after = tat + quota.interval_ms
            if after - now > quota.period_ms:
                wait = after - now - quota.period_ms
                return Verdict.of(quota, allowed=False, ahead_ms=tat - now, wait_ms=wait)
            if len(self._tat_ms) >= MAX_KEYS:
                self._forget_idle(now)
            self._tat_ms[key] = after
            return Verdict.of(quota, allowed=True, ahead_ms=after - now, wait_ms=0)

    def _forget_idle(self, now: float) -> None:
        """Keys whose TAT has passed hold no information: a new hit starts from now anyway."""
        for key in [key for key, tat in self._tat_ms.items() if tat <= now]:
            del self._tat_ms[key]
