"""The tenant catalog, operator keys and tenant databases in memory."""

from __future__ import annotations

from uuid import UUID

from adapters.memory.tenant_store import keyset_page
from core.errors import Conflict
from core.tenants.model import Tenant
from ports.operator_keys import OperatorKey
from ports.pagination import Page, PageRequest, Position


class MemoryTenantCatalog:
    def __init__(self) -> None:
        self.tenants: dict[UUID, Tenant] = {}

    async def add(self, tenant: Tenant) -> None:
        if any(t.slug == tenant.slug for t in self.tenants.values()):
            raise Conflict(
                f"slug '{tenant.slug}' is already taken", field="slug", code="slug_taken"
            )
        self.tenants[tenant.id] = tenant

    async def save(self, tenant: Tenant) -> None:
        self.tenants[tenant.id] = tenant

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return self.tenants.get(tenant_id)

    async def find_by_slug(self, slug: str) -> Tenant | None:
        return next((t for t in self.tenants.values() if t.slug == slug), None)

    async def list(self, page: PageRequest) -> Page[Tenant]:
        return keyset_page(
            list(self.tenants.values()), page, lambda t: Position(created_at=t.created_at, id=t.id)
        )


class MemoryOperatorKeys:
    def __init__(self) -> None:
        self.keys: dict[str, OperatorKey] = {}

    async def add(self, key: OperatorKey) -> None:
        self.keys[key.key_hash] = key

    async def find_by_hash(self, key_hash: str) -> OperatorKey | None:
        return self.keys.get(key_hash)

    async def count(self) -> int:
        return len(self.keys)


class MemoryTenantDatabases:
    """Remembers which tenants were provisioned; ``fail_next`` simulates a crash mid-way."""

    def __init__(self) -> None:
        self.created: set[UUID] = set()
        self.fail_next: Exception | None = None

    async def ensure(self, tenant_id: UUID) -> None:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        self.created.add(tenant_id)

    async def exists(self, tenant_id: UUID) -> bool:
        return tenant_id in self.created
