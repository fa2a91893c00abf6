"""The tenant catalog in the control database, with each tenant's audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.identity.model import User
from core.tenants.model import Tenant, TenantEvent, TenantStatus
from ports.pagination import Page, PageRequest


class TenantCatalog(Protocol):
    async def add(self, tenant: Tenant, pending_admin: User | None = None) -> None:
        """Record a new tenant and the admin to seed; raises SlugTaken if the slug is used.

        The pending admin (with its password hash) waits in the catalog until provisioning
        has seeded it, so a provisioning retry after a crash needs nothing from the caller.
        """
        ...

    async def save(self, tenant: Tenant) -> None:
        """Store the tenant's new state; the pending admin is forgotten once it is active."""
        ...

    async def get(self, tenant_id: UUID) -> Tenant | None: ...

    async def find_by_slug(self, slug: str) -> Tenant | None: ...

    async def pending_admin(self, tenant_id: UUID) -> User | None: ...

    async def browse(
        self, page: PageRequest, *, status: TenantStatus | None = None
    ) -> Page[Tenant]: ...

    async def purge_due(self, now: datetime, limit: int) -> list[Tenant]:
        """Tenants being deleted whose grace period has ended."""
        ...

    async def record(self, event: TenantEvent) -> None: ...

    async def events(self, tenant_id: UUID, page: PageRequest) -> Page[TenantEvent]: ...
