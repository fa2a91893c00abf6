"""Creating, migrating and dropping the database that holds one tenant's data."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class ProvisioningError(Exception):
    """A tenant's database or storage could not be prepared or removed; retrying may help."""


class TenantDatabases(Protocol):
    async def ensure(self, tenant_id: UUID, *, schema_version: str | None = None) -> None:
        """Create the tenant's database if missing and migrate it to the newest schema.

        With ``schema_version``, migrate a new database only up to that version (an import
        of older rows does that, then calls ``ensure`` again to reach the newest).
        Idempotent: calling it again after a crash half-way finishes the job.
        Raises ProvisioningError.
        """
        ...

    async def exists(self, tenant_id: UUID) -> bool: ...

    async def at_head(self, tenant_id: UUID) -> bool:
        """True when the database exists and has every migration; raises ProvisioningError."""
        ...

    async def drop(self, tenant_id: UUID) -> None:
        """Remove the tenant's database; nothing to remove is not an error."""
        ...

    async def tenant_ids(self) -> set[UUID]:
        """Ids of every tenant database that exists, catalogued or not (for reconciling)."""
        ...
