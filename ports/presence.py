"""Presence: which users are reachable now, on which devices, and whether they are in a call.

Entries expire: a device that stops sending heartbeats (or drops its WebSocket without a
word) goes offline by itself when its entry's time is up. Stores compare expiry with the
time the caller passes, never their own clock, so every replica and every test agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class PresenceStatus(StrEnum):
    OFFLINE = "offline"
    ONLINE = "online"
    IN_CALL = "in_call"


@dataclass(frozen=True, slots=True)
class DevicePresence:
    """One device (or browser tab) of a user, as it last reported, until ``expires_at``."""

    tenant_id: UUID
    user_id: UUID
    device: str
    status: PresenceStatus
    expires_at: datetime


class PresenceStore(Protocol):
    async def put(self, entry: DevicePresence) -> None:
        """Record the device's status, replacing what it said before."""
        ...

    async def remove(self, tenant_id: UUID, user_id: UUID, device: str) -> None: ...

    async def of_users(
        self, tenant_id: UUID, user_ids: Sequence[UUID], now: datetime
    ) -> list[DevicePresence]:
        """The unexpired entries of these users."""
        ...

    async def take_expired(self, now: datetime) -> list[DevicePresence]:
        """Remove and return the entries expired by ``now``, across tenants. Each entry is
        returned to one caller only, however many processes sweep at once."""
        ...
