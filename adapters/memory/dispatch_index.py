"""The outbox dispatch index in memory."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ports.dispatch_index import DueTenant


class MemoryDispatchIndex:
    def __init__(self) -> None:
        self.entries: dict[UUID, tuple[datetime, int]] = {}

    async def mark(self, tenant_id: UUID, due_at: datetime) -> None:
        current = self.entries.get(tenant_id)
        if current is None:
            self.entries[tenant_id] = (due_at, 1)
        else:
            self.entries[tenant_id] = (min(current[0], due_at), current[1] + 1)

    async def due(self, now: datetime, limit: int) -> list[DueTenant]:
        ready = sorted((due, t, v) for t, (due, v) in self.entries.items() if due <= now)
        return [DueTenant(tenant_id=t, version=v) for _, t, v in ready[:limit]]

    async def settle(self, entry: DueTenant, next_due: datetime | None) -> bool:
        current = self.entries.get(entry.tenant_id)
        if current is None or current[1] != entry.version:
            return False
        if next_due is None:
            del self.entries[entry.tenant_id]
        else:
            self.entries[entry.tenant_id] = (next_due, entry.version)
        return True
