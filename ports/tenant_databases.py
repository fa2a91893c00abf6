"""Creating and migrating the database that holds one tenant's data."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class TenantDatabases(Protocol):
    async def ensure(self, tenant_id: UUID) -> None:
        """Create the tenant's database if missing and migrate it to the newest schema.

        Idempotent: calling it again after a crash half-way finishes the job.
        """
        ...

    async def exists(self, tenant_id: UUID) -> bool: ...
