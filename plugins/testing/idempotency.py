"""The contract every IdempotencyStore passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``IdempotencyStoreContract`` and give it a ``harness`` fixture:
two stores that share one state, as two API replicas have them (the same store twice
for an in-process one). Times are passed in, so no clock is needed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ports.idempotency import IdempotencyRecord, IdempotencyStore, StoredResponse

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
ANSWER = StoredResponse(201, (("content-type", "application/json"),), b'{"id": 1}')


@dataclass(frozen=True)
class Harness:
    """Two stores over one state: what ``first`` records, ``second`` sees."""

    first: IdempotencyStore
    second: IdempotencyStore


def _record(key: str = "k1", fingerprint: str = "f1", *, at: datetime = NOW) -> IdempotencyRecord:
    return IdempotencyRecord("tenant:abc", key, fingerprint, at, at + timedelta(hours=24))


class IdempotencyStoreContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_first_claim_wins_and_the_next_sees_it_in_flight(self, harness: Harness) -> None:
        assert await harness.first.claim(_record(), now=NOW, lease=LEASE) is None

        found = await harness.second.claim(_record(fingerprint="f2"), now=NOW, lease=LEASE)

        assert found is not None
        assert found.fingerprint == "f1"
        assert found.response is None

    async def test_of_concurrent_claims_exactly_one_wins(self, harness: Harness) -> None:
        stores = [harness.first, harness.second]

        results = await asyncio.gather(
            *(stores[n % 2].claim(_record(), now=NOW, lease=LEASE) for n in range(8))
        )

        assert sum(result is None for result in results) == 1

    async def test_a_completed_answer_is_replayed_until_it_expires(self, harness: Harness) -> None:
        await harness.first.claim(_record(), now=NOW, lease=LEASE)
        await harness.first.complete("tenant:abc", "k1", ANSWER)
        later = NOW + timedelta(hours=23)
        expired = NOW + timedelta(hours=24, seconds=1)

        found = await harness.second.claim(_record(at=later), now=later, lease=LEASE)

        assert found is not None
        assert found.response == ANSWER
        assert await harness.second.claim(_record(at=expired), now=expired, lease=LEASE) is None

    async def test_completing_may_replace_the_fingerprint_of_a_streamed_body(
        self, harness: Harness
    ) -> None:
        await harness.first.claim(_record(fingerprint="head"), now=NOW, lease=LEASE)
        await harness.first.complete("tenant:abc", "k1", ANSWER, fingerprint="f" * 64)

        found = await harness.second.claim(_record(), now=NOW, lease=LEASE)

        assert found is not None
        assert (found.fingerprint, found.response) == ("f" * 64, ANSWER)

    async def test_a_released_key_may_be_claimed_again(self, harness: Harness) -> None:
        await harness.first.claim(_record(), now=NOW, lease=LEASE)
        await harness.first.release("tenant:abc", "k1")

        assert await harness.second.claim(_record(fingerprint="f2"), now=NOW, lease=LEASE) is None

    async def test_an_attempt_in_flight_past_its_lease_is_taken_over(
        self, harness: Harness
    ) -> None:
        await harness.first.claim(_record(), now=NOW, lease=LEASE)
        still = NOW + LEASE - timedelta(seconds=1)
        dead = NOW + LEASE

        assert await harness.second.claim(_record(at=still), now=still, lease=LEASE) is not None
        assert await harness.second.claim(_record(at=dead), now=dead, lease=LEASE) is None

    async def test_scopes_keep_equal_keys_apart(self, harness: Harness) -> None:
        await harness.first.claim(_record(), now=NOW, lease=LEASE)
        other = IdempotencyRecord("tenant:xyz", "k1", "f9", NOW, NOW + timedelta(hours=24))

        assert await harness.second.claim(other, now=NOW, lease=LEASE) is None

    async def test_purge_removes_only_expired_records(self, harness: Harness) -> None:
        await harness.first.claim(_record("old"), now=NOW, lease=LEASE)
        fresh_at = NOW + timedelta(hours=12)
        await harness.first.claim(_record("new", at=fresh_at), now=fresh_at, lease=LEASE)

        assert await harness.first.purge(NOW + timedelta(hours=25)) == 1
        found = await harness.second.claim(_record("new"), now=fresh_at, lease=LEASE)
        assert found is not None
