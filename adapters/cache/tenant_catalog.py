"""Remembers recently resolved tenants for a few seconds, in front of the control database.

Every API request resolves its tenant by slug; without a cache each one costs a round trip
to the control database and a connection of its small pool. Entries live ``ttl`` (a few
seconds) and at most ``max_entries`` are kept, least recently used out first. Changes made
through this process's catalog drop the entries at once; a change made by another process
(an operator suspending a tenant from another replica or the CLI) is seen within ``ttl``.
Unknown slugs are remembered too, so a flood of random subdomains does not reach the
database either.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Generic, TypeVar
from uuid import UUID

from core.identity.model import User
from core.tenants.model import Tenant, TenantEvent, TenantStatus
from ports.clock import Clock
from ports.pagination import Page, PageRequest
from ports.tenant_catalog import TenantCatalog

K = TypeVar("K")


class _Entries(Generic[K]):
    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._items: OrderedDict[K, tuple[datetime, Tenant | None]] = OrderedDict()

    def fresh(self, key: K, now: datetime) -> tuple[bool, Tenant | None]:
        item = self._items.get(key)
        if item is None or item[0] <= now:
            return False, None
        self._items.move_to_end(key)
        return True, item[1]

    def put(self, key: K, tenant: Tenant | None, until: datetime) -> None:
        self._items[key] = (until, tenant)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def drop(self, key: K) -> None:
        self._items.pop(key, None)


class CachedTenantCatalog:
    def __init__(
        self, inner: TenantCatalog, clock: Clock, *, ttl: timedelta, max_entries: int = 10_000
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._ttl = ttl
        self._by_id: _Entries[UUID] = _Entries(max_entries)
        self._by_slug: _Entries[str] = _Entries(max_entries)

    async def get(self, tenant_id: UUID) -> Tenant | None:
        now = self._clock.now()
        hit, tenant = self._by_id.fresh(tenant_id, now)
        if hit:
            return tenant
        tenant = await self._inner.get(tenant_id)
        self._by_id.put(tenant_id, tenant, now + self._ttl)
        return tenant

    async def find_by_slug(self, slug: str) -> Tenant | None:
        now = self._clock.now()
        hit, tenant = self._by_slug.fresh(slug, now)
        if hit:
            return tenant
        tenant = await self._inner.find_by_slug(slug)
        self._by_slug.put(slug, tenant, now + self._ttl)
        return tenant

    async def add(self, tenant: Tenant, pending_admin: User | None = None) -> None:
        self._forget(tenant)
        await self._inner.add(tenant, pending_admin)
        self._forget(tenant)

    async def save(self, tenant: Tenant) -> None:
        self._forget(tenant)
        await self._inner.save(tenant)
        self._forget(tenant)

    async def pending_admin(self, tenant_id: UUID) -> User | None:
        return await self._inner.pending_admin(tenant_id)

    async def browse(
        self, page: PageRequest, *, status: TenantStatus | None = None
    ) -> Page[Tenant]:
        return await self._inner.browse(page, status=status)

    async def purge_due(self, now: datetime, limit: int) -> list[Tenant]:
        return await self._inner.purge_due(now, limit)

    async def record(self, event: TenantEvent) -> None:
        await self._inner.record(event)

    async def events(self, tenant_id: UUID, page: PageRequest) -> Page[TenantEvent]:
        return await self._inner.events(tenant_id, page)

    def _forget(self, tenant: Tenant) -> None:
        """Before the write, so no reader keeps the old state; after, so no reader that
        raced the write put the old state back."""
        self._by_id.drop(tenant.id)
        self._by_slug.drop(tenant.slug)
