"""Presence kept in this process: the default without Redis (one API process sees its own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from ports.presence import DevicePresence


class MemoryPresenceStore:
    def __init__(self) -> None:
        self._entries: dict[tuple[UUID, UUID, str], DevicePresence] = {}

    async def put(self, entry: DevicePresence) -> None:
        self._entries[(entry.tenant_id, entry.user_id, entry.device)] = entry

    async def remove(self, tenant_id: UUID, user_id: UUID, device: str) -> None:
        self._entries.pop((tenant_id, user_id, device), None)

    async def of_users(
        self, tenant_id: UUID, user_ids: Sequence[UUID], now: datetime
    ) -> list[DevicePresence]:
        wanted = set(user_ids)
        return [
            entry
            for (tenant, user, _), entry in self._entries.items()
            if tenant == tenant_id and user in wanted and entry.expires_at > now
        ]

    async def take_expired(self, now: datetime) -> list[DevicePresence]:
        expired = [key for key, entry in self._entries.items() if entry.expires_at <= now]
        return [self._entries.pop(key) for key in expired]
