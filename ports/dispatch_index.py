"""The dispatch index in the control database: which tenants have outbox work, and when.

Workers read it instead of opening every tenant database on every tick. Entries carry a
version so a worker settling a tenant never erases work marked while it was busy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DueTenant:
    tenant_id: UUID
    version: int


class DispatchIndex(Protocol):
    async def mark(self, tenant_id: UUID, due_at: datetime) -> None:
        """The tenant has work due at ``due_at``; the earliest mark wins."""
        ...

    async def due(self, now: datetime, limit: int) -> list[DueTenant]:
        """Tenants with work due by ``now``, earliest first."""
        ...

    async def settle(self, entry: DueTenant, next_due: datetime | None) -> bool:
        """Record the tenant's next due time (None: nothing left) unless marked meanwhile.

        Returns False when the entry changed since it was read; it is then left as is,
        due, and the next pass takes it again.
        """
        ...
