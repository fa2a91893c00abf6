"""The contract every RateLimiter passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``RateLimiterContract`` and give it a ``harness`` fixture: one
or more limiters that share one store (as the worker processes of one deployment do; a
single limiter for an in-process one) and the ``FixedClock`` they all read.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.memory.clock import FixedClock
from ports.rate_limiter import RateLimiter

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
"""Where a harness's clock should start (any time works; this one is readable)."""


@dataclass(frozen=True)
class Harness:
    """``limiters`` share their slots; ``clock`` is the one they read, moved by the tests."""

    limiters: list[RateLimiter]
    clock: FixedClock


async def _waits(harness: Harness, count: int, **options: int) -> list[timedelta]:
    limiters = harness.limiters
    calls = [
        limiters[n % len(limiters)].reserve("vonage-sms:key", 30, **options) for n in range(count)
    ]
    return sorted(await asyncio.gather(*calls))


class RateLimiterContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_reservations_are_spaced_at_the_rate_across_limiters(
        self, harness: Harness
    ) -> None:
        waits = await _waits(harness, 90)

        assert waits[0] == timedelta(0)
        gaps = {round((b - a).total_seconds(), 6) for a, b in itertools.pairwise(waits)}
        assert gaps == {round(1 / 30, 6)}
        assert waits[-1] >= timedelta(seconds=89 / 30) - timedelta(milliseconds=1)

    async def test_a_burst_goes_at_once_then_the_rate_applies(self, harness: Harness) -> None:
        waits = await _waits(harness, 12, burst=10)

        assert waits[:10] == [timedelta(0)] * 10
        assert waits[10] > timedelta(0)

    async def test_quiet_time_is_not_saved_up_beyond_the_burst(self, harness: Harness) -> None:
        await _waits(harness, 5)
        harness.clock.advance(timedelta(minutes=5))

        waits = await _waits(harness, 3)

        assert waits[0] == timedelta(0)
        assert waits[1] > timedelta(0)

    async def test_keys_do_not_share_slots(self, harness: Harness) -> None:
        first, last = harness.limiters[0], harness.limiters[-1]

        a = await first.reserve("vonage-sms:a", 1)
        b = await last.reserve("vonage-sms:b", 1)
        again = await first.reserve("vonage-sms:a", 1)

        assert (a, b) == (timedelta(0), timedelta(0))
        assert again == timedelta(seconds=1)
