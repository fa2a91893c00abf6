"""The storage directory of one tenant (a prefix in the shared bucket, or a folder)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class TenantStorage(Protocol):
    async def ensure(self, tenant_id: UUID) -> None:
        """Create the tenant's directory if missing; raises ProvisioningError."""
        ...

    async def exists(self, tenant_id: UUID) -> bool: ...

    async def purge(self, tenant_id: UUID) -> None:
        """Delete the directory and everything in it; nothing to delete is not an error."""
        ...

    async def tenant_ids(self) -> set[UUID]:
        """Ids of every tenant directory that exists, catalogued or not (for reconciling)."""
        ...
