"""Request rate limits of the API (per tenant, user and IP), shared by every API replica.

Not to be confused with ``ports.rate_limiter``, which paces workers' calls to a provider:
this one answers at once whether a request may pass, and never waits.

The algorithm is GCRA (generic cell rate algorithm): each key keeps one timestamp, the
theoretical arrival time (TAT) of its next request. ``limit`` requests may come at once
after a quiet spell; after that one more every ``period / limit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Quota:
    """``limit`` requests per ``period_seconds``."""

    limit: int
    period_seconds: float

    @property
    def interval_ms(self) -> float:
        return self.period_seconds * 1000 / self.limit

    @property
    def period_ms(self) -> float:
        return self.period_seconds * 1000


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one request passes, and what the RateLimit headers tell the client."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    @classmethod
    def of(cls, quota: Quota, *, allowed: bool, ahead_ms: float, wait_ms: float) -> Verdict:
        """From GCRA state: ``ahead_ms`` is how far the TAT is past now after this request,
        ``wait_ms`` how long a refused request must wait."""
        used = max(ahead_ms, 0.0)
        remaining = math.floor((quota.period_ms - used) / quota.interval_ms)
        return cls(
            allowed=allowed,
            limit=quota.limit,
            remaining=max(0, min(quota.limit, remaining)),
            reset_seconds=math.ceil(used / 1000),
            retry_after_seconds=max(1, math.ceil(wait_ms / 1000)) if not allowed else 0,
        )


class RequestLimiter(Protocol):
    async def hit(self, key: str, quota: Quota) -> Verdict:
        """Count one request for ``key`` if ``quota`` lets it pass, atomically for all
        replicas sharing the limiter; a refused request is not counted."""
        ...
