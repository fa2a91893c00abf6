"""The tenant catalog, operator keys, tenant databases and directories (with files) in memory."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from adapters.memory.tenant_store import keyset_page
from core.identity.model import User
from core.tenants.model import SlugTaken, Tenant, TenantEvent, TenantStatus
from ports.operator_keys import OperatorKey
from ports.pagination import Page, PageRequest, Position
from ports.tenant_databases import ProvisioningError
from ports.tenant_storage import checked_file_key


def _position(item: Tenant | TenantEvent) -> Position:
    return Position(created_at=item.created_at, id=item.id)


class MemoryTenantCatalog:
    def __init__(self) -> None:
        self.tenants: dict[UUID, Tenant] = {}
        self.pending_admins: dict[UUID, User] = {}
        self.audit: list[TenantEvent] = []

    async def add(self, tenant: Tenant, pending_admin: User | None = None) -> None:
        if any(t.slug == tenant.slug for t in self.tenants.values()):
            raise SlugTaken(f"slug '{tenant.slug}' is already taken", field="slug")
        self.tenants[tenant.id] = tenant
        if pending_admin is not None:
            self.pending_admins[tenant.id] = pending_admin

    async def save(self, tenant: Tenant) -> None:
        self.tenants[tenant.id] = tenant
        if tenant.status is not TenantStatus.PROVISIONING:
            self.pending_admins.pop(tenant.id, None)

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return self.tenants.get(tenant_id)

    async def find_by_slug(self, slug: str) -> Tenant | None:
        return next((t for t in self.tenants.values() if t.slug == slug), None)

    async def pending_admin(self, tenant_id: UUID) -> User | None:
        return self.pending_admins.get(tenant_id)

    async def browse(
        self, page: PageRequest, *, status: TenantStatus | None = None
    ) -> Page[Tenant]:
        chosen = [t for t in self.tenants.values() if status is None or t.status is status]
        return keyset_page(chosen, page, _position)

    async def purge_due(self, now: datetime, limit: int) -> list[Tenant]:
        due = [
            t
            for t in self.tenants.values()
            if t.status is TenantStatus.DELETING and t.purge_after and t.purge_after <= now
        ]
        return due[:limit]

    async def record(self, event: TenantEvent) -> None:
        self.audit.append(event)

    async def events(self, tenant_id: UUID, page: PageRequest) -> Page[TenantEvent]:
        return keyset_page([e for e in self.audit if e.tenant_id == tenant_id], page, _position)


class MemoryOperatorKeys:
    def __init__(self) -> None:
        self.keys: dict[str, OperatorKey] = {}

    async def add(self, key: OperatorKey) -> None:
        self.keys[key.key_hash] = key

    async def find_by_hash(self, key_hash: str) -> OperatorKey | None:
        return self.keys.get(key_hash)

    async def count(self) -> int:
        return len(self.keys)


class MemoryTenantResources:
    """Stands for tenant databases or directories; ``fail_next`` simulates a crash mid-way.

    As databases it records each one's schema version (``schema_versions`` lists the known
    ones, oldest first); as directories it holds each tenant's files by key, read back in
    tiny chunks so that a caller assuming one chunk per file fails in unit tests.
    """

    def __init__(self, schema_versions: Sequence[str] = ("0001",)) -> None:
        self.created: set[UUID] = set()
        self.fail_next: str | None = None
        self.schema_versions = tuple(schema_versions)
        self.versions: dict[UUID, str] = {}
        self.files: dict[UUID, dict[str, bytes]] = {}

    async def ensure(self, tenant_id: UUID, *, schema_version: str | None = None) -> None:
        self._maybe_fail()
        self.created.add(tenant_id)
        self.versions[tenant_id] = schema_version or self.schema_versions[-1]

    async def exists(self, tenant_id: UUID) -> bool:
        return tenant_id in self.created

    async def at_head(self, tenant_id: UUID) -> bool:
        return self.versions.get(tenant_id) == self.schema_versions[-1]

    async def drop(self, tenant_id: UUID) -> None:
        self._maybe_fail()
        self.created.discard(tenant_id)
        self.versions.pop(tenant_id, None)
        self.files.pop(tenant_id, None)

    async def purge(self, tenant_id: UUID) -> None:
        await self.drop(tenant_id)

    async def tenant_ids(self) -> set[UUID]:
        return set(self.created)

    async def keys(self, tenant_id: UUID) -> AsyncIterator[str]:
        for key in sorted(self.files.get(tenant_id, {})):
            yield key

    async def read(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        content = self.files.get(tenant_id, {}).get(checked_file_key(key))
        if content is None:
            raise ProvisioningError(f"no file {key!r} for tenant {tenant_id}")
        for start in range(0, len(content), 4):
            yield content[start : start + 4]

    async def write(self, tenant_id: UUID, key: str, chunks: AsyncIterable[bytes]) -> int:
        checked_file_key(key)
        if tenant_id not in self.created:
            raise ProvisioningError(f"tenant {tenant_id} has no directory")
        self._maybe_fail()
        content = b"".join([chunk async for chunk in chunks])
        self.files.setdefault(tenant_id, {})[key] = content
        return len(content)

    def _maybe_fail(self) -> None:
        if self.fail_next is not None:
            reason, self.fail_next = self.fail_next, None
            raise ProvisioningError(reason)
