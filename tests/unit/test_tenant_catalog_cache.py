"""The tenant cache spares the control database without hiding this process's changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from adapters.cache.tenant_catalog import CachedTenantCatalog
from adapters.memory.clock import FixedClock
from adapters.memory.tenant_catalog import MemoryTenantCatalog
from core.tenants.model import Tenant, TenantStatus

TTL = timedelta(seconds=2)


class CountingCatalog(MemoryTenantCatalog):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    async def get(self, tenant_id: UUID) -> Tenant | None:
        self.lookups += 1
        return await super().get(tenant_id)

    async def find_by_slug(self, slug: str) -> Tenant | None:
        self.lookups += 1
        return await super().find_by_slug(slug)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))


@pytest.fixture
def inner() -> CountingCatalog:
    return CountingCatalog()


@pytest.fixture
def cache(inner: CountingCatalog, clock: FixedClock) -> CachedTenantCatalog:
    return CachedTenantCatalog(inner, clock, ttl=TTL, max_entries=3)


def _tenant(slug: str, clock: FixedClock) -> Tenant:
    now = clock.now()
    return Tenant(uuid.uuid4(), slug, slug.title(), TenantStatus.ACTIVE, now, now)


async def test_lookups_within_the_ttl_reach_the_database_once(
    cache: CachedTenantCatalog, inner: CountingCatalog, clock: FixedClock
) -> None:
    tenant = _tenant("acme", clock)
    await inner.add(tenant)

    found = [await cache.find_by_slug("acme") for _ in range(5)]
    by_id = [await cache.get(tenant.id) for _ in range(5)]

    assert found == [tenant] * 5
    assert by_id == [tenant] * 5
    assert inner.lookups == 2


async def test_a_change_made_elsewhere_is_seen_once_the_ttl_has_passed(
    cache: CachedTenantCatalog, inner: CountingCatalog, clock: FixedClock
) -> None:
    tenant = _tenant("acme", clock)
    await inner.add(tenant)
    await cache.find_by_slug("acme")
    await inner.save(tenant.suspended(clock.now()))

    clock.advance(TTL - timedelta(milliseconds=1))
    before = await cache.find_by_slug("acme")
    clock.advance(timedelta(milliseconds=1))
    after = await cache.find_by_slug("acme")

    assert before is not None
    assert before.status is TenantStatus.ACTIVE
    assert after is not None
    assert after.status is TenantStatus.SUSPENDED


async def test_a_change_made_through_the_cache_is_seen_at_once(
    cache: CachedTenantCatalog, inner: CountingCatalog, clock: FixedClock
) -> None:
    tenant = _tenant("acme", clock)
    await cache.add(tenant)
    await cache.find_by_slug("acme")
    await cache.get(tenant.id)

    await cache.save(tenant.suspended(clock.now()))

    by_slug = await cache.find_by_slug("acme")
    by_id = await cache.get(tenant.id)
    assert by_slug is not None
    assert by_slug.status is TenantStatus.SUSPENDED
    assert by_id is not None
    assert by_id.status is TenantStatus.SUSPENDED


async def test_an_unknown_slug_is_remembered_until_a_tenant_takes_it_here(
    cache: CachedTenantCatalog, inner: CountingCatalog, clock: FixedClock
) -> None:
    misses = [await cache.find_by_slug("nobody") for _ in range(3)]
    tenant = _tenant("nobody", clock)
    await cache.add(tenant)

    assert misses == [None] * 3
    assert inner.lookups == 1
    assert await cache.find_by_slug("nobody") == tenant


async def test_the_least_recently_used_tenant_leaves_first_when_the_cache_is_full(
    cache: CachedTenantCatalog, inner: CountingCatalog, clock: FixedClock
) -> None:
    for slug in ("a", "b", "c"):
        await inner.add(_tenant(slug, clock))
        await cache.find_by_slug(slug)
    await cache.find_by_slug("a")
    await inner.add(_tenant("d", clock))
    await cache.find_by_slug("d")
    inner.lookups = 0

    await cache.find_by_slug("a")
    await cache.find_by_slug("b")

    assert inner.lookups == 1
