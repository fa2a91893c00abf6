"""The tenant catalog in the control database."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from core.tenants.model import Tenant
from ports.pagination import Page, PageRequest


class TenantCatalog(Protocol):
    async def add(self, tenant: Tenant) -> None:
        """Record a new tenant; raises core.errors.Conflict(field='slug') if the slug is taken."""
        ...

    async def save(self, tenant: Tenant) -> None: ...

    async def get(self, tenant_id: UUID) -> Tenant | None: ...

    async def find_by_slug(self, slug: str) -> Tenant | None: ...

    async def list(self, page: PageRequest) -> Page[Tenant]: ...
