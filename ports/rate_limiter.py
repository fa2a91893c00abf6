"""Provider rate limits shared by every worker process: a slot per request, spaced evenly.

Each caller reserves the next free slot for a key (e.g. one Vonage API key) and waits
until it comes; the reservation is atomic wherever the limiter keeps its state, so the
whole fleet together stays under the rate.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class RateLimiter(Protocol):
    async def reserve(self, key: str, per_second: float, *, burst: int = 1) -> timedelta:
        """Reserve the next slot for ``key``; returns how long to wait before using it.

        ``burst`` requests may go at once after a quiet spell; after that they are spaced
        ``1 / per_second`` apart.
        """
        ...
