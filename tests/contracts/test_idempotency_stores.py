"""Idempotency stores: one claim wins, answers are kept until expiry, failures free the key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.idempotency_store import MemoryIdempotencyStore
from adapters.sql.engines import create_engine
from adapters.sql.idempotency_store import SqlIdempotencyStore
from adapters.sql.migrator import History, upgrade
from ports.idempotency import IdempotencyRecord, IdempotencyStore, StoredResponse
from tests.conftest import fresh_database

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
ANSWER = StoredResponse(201, (("content-type", "application/json"),), b'{"id": 1}')


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[list[IdempotencyStore]]:
    """For SQL, two stores as two API replicas have them: two engines, one database."""
    if request.param == "memory":
        store = MemoryIdempotencyStore()
        yield [store, store]
        return
    async with fresh_database(request.param, tmp_path) as database:
        engines = [create_engine(database.url), create_engine(database.url)]
        await upgrade(engines[0], History.CONTROL)
        try:
            yield [SqlIdempotencyStore(engine) for engine in engines]
        finally:
            for engine in engines:
                await engine.dispose()


def _record(key: str = "k1", fingerprint: str = "f1", *, at: datetime = NOW) -> IdempotencyRecord:
    return IdempotencyRecord("tenant:abc", key, fingerprint, at, at + timedelta(hours=24))


async def test_first_claim_wins_and_the_next_sees_it_in_flight(
    stores: list[IdempotencyStore],
) -> None:
    assert await stores[0].claim(_record(), now=NOW, lease=LEASE) is None
    found = await stores[1].claim(_record(fingerprint="f2"), now=NOW, lease=LEASE)
    assert found is not None
    assert found.fingerprint == "f1"
    assert found.response is None


async def test_of_concurrent_claims_exactly_one_wins(stores: list[IdempotencyStore]) -> None:
    results = await asyncio.gather(
        *(stores[n % 2].claim(_record(), now=NOW, lease=LEASE) for n in range(8))
    )
    assert sum(result is None for result in results) == 1


async def test_a_completed_answer_is_replayed_until_it_expires(
    stores: list[IdempotencyStore],
) -> None:
    await stores[0].claim(_record(), now=NOW, lease=LEASE)
    await stores[0].complete("tenant:abc", "k1", ANSWER)
    later = NOW + timedelta(hours=23)
    found = await stores[1].claim(_record(at=later), now=later, lease=LEASE)
    assert found is not None
    assert found.response == ANSWER
    expired = NOW + timedelta(hours=24, seconds=1)
    assert await stores[1].claim(_record(at=expired), now=expired, lease=LEASE) is None


async def test_completing_may_replace_the_fingerprint_of_a_streamed_body(
    stores: list[IdempotencyStore],
) -> None:
    await stores[0].claim(_record(fingerprint="head"), now=NOW, lease=LEASE)
    await stores[0].complete("tenant:abc", "k1", ANSWER, fingerprint="f" * 64)
    found = await stores[1].claim(_record(), now=NOW, lease=LEASE)
    assert found is not None
    assert (found.fingerprint, found.response) == ("f" * 64, ANSWER)


async def test_a_released_key_may_be_claimed_again(stores: list[IdempotencyStore]) -> None:
    await stores[0].claim(_record(), now=NOW, lease=LEASE)
    await stores[0].release("tenant:abc", "k1")
    assert await stores[1].claim(_record(fingerprint="f2"), now=NOW, lease=LEASE) is None


async def test_an_attempt_in_flight_past_its_lease_is_taken_over(
    stores: list[IdempotencyStore],
) -> None:
    await stores[0].claim(_record(), now=NOW, lease=LEASE)
    still = NOW + LEASE - timedelta(seconds=1)
    assert await stores[1].claim(_record(at=still), now=still, lease=LEASE) is not None
    dead = NOW + LEASE
    assert await stores[1].claim(_record(at=dead), now=dead, lease=LEASE) is None


async def test_scopes_keep_equal_keys_apart(stores: list[IdempotencyStore]) -> None:
    await stores[0].claim(_record(), now=NOW, lease=LEASE)
    other = IdempotencyRecord("tenant:xyz", "k1", "f9", NOW, NOW + timedelta(hours=24))
    assert await stores[1].claim(other, now=NOW, lease=LEASE) is None


async def test_purge_removes_only_expired_records(stores: list[IdempotencyStore]) -> None:
    await stores[0].claim(_record("old"), now=NOW, lease=LEASE)
    fresh_at = NOW + timedelta(hours=12)
    await stores[0].claim(_record("new", at=fresh_at), now=fresh_at, lease=LEASE)
    assert await stores[0].purge(NOW + timedelta(hours=25)) == 1
    found = await stores[1].claim(_record("new"), now=fresh_at, lease=LEASE)
    assert found is not None
