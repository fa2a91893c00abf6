"""The contract every RequestLimiter passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``RequestLimiterContract`` and give it a ``harness`` fixture:
two limiters that share one state, as two API replicas have them (the same limiter twice
for an in-process one), and the ``FixedClock`` they read, or None for a store that keeps
real time (a Redis server's own clock): the tests then wait briefly instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.memory.clock import FixedClock
from ports.request_limiter import Quota, RequestLimiter

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
"""Where a harness's clock should start."""


@dataclass(frozen=True)
class Harness:
    """Two limiters over one state: what ``first`` counts, ``second`` sees."""

    first: RequestLimiter
    second: RequestLimiter
    clock: FixedClock | None


class RequestLimiterContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_limit_requests_pass_then_the_next_is_refused_with_a_wait(
        self, harness: Harness
    ) -> None:
        pair, quota = (harness.first, harness.second), Quota(5, 60)

        verdicts = [await pair[n % 2].hit("ip:1", quota) for n in range(6)]

        assert [v.allowed for v in verdicts] == [True] * 5 + [False]
        assert [v.remaining for v in verdicts] == [4, 3, 2, 1, 0, 0]
        refused = verdicts[-1]
        assert 1 <= refused.retry_after_seconds <= 12
        assert refused.limit == 5
        assert 48 <= refused.reset_seconds <= 60

    async def test_concurrent_hits_never_let_more_than_the_limit_through(
        self, harness: Harness
    ) -> None:
        pair, quota = (harness.first, harness.second), Quota(10, 60)

        verdicts = await asyncio.gather(*(pair[n % 2].hit("user:x", quota) for n in range(40)))

        assert sum(v.allowed for v in verdicts) == 10

    async def test_keys_are_counted_apart(self, harness: Harness) -> None:
        quota = Quota(1, 60)

        assert (await harness.first.hit("tenant:a", quota)).allowed
        assert (await harness.second.hit("tenant:b", quota)).allowed
        assert not (await harness.second.hit("tenant:a", quota)).allowed

    async def test_a_refused_request_is_not_counted_and_time_frees_a_slot(
        self, harness: Harness
    ) -> None:
        clock = harness.clock
        quota = Quota(2, 0.2) if clock is None else Quota(2, 60)
        for _ in range(2):
            assert (await harness.first.hit("ip:2", quota)).allowed
        for _ in range(3):
            assert not (await harness.second.hit("ip:2", quota)).allowed

        if clock is None:
            await asyncio.sleep(0.12)
        else:
            clock.advance(timedelta(seconds=31))

        assert (await harness.first.hit("ip:2", quota)).allowed
        assert not (await harness.second.hit("ip:2", quota)).allowed
