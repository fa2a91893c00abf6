"""Where a tenant's devices and their pairing requests are kept."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from core.devices.model import Device, DeviceAuthorization, PairingStatus
from ports.pagination import Page, PageRequest


class DeviceRepository(Protocol):
    async def add(self, device: Device) -> None:
        """Raise Conflict (code ``serial_taken``) when the serial is already registered."""
        ...

    async def save(self, device: Device) -> None: ...

    async def get(self, device_id: UUID) -> Device | None:
        """The device whatever its status: callers ringing it check ``owner_id`` and ``active``."""
        ...

    async def find_by_serial(self, serial: str) -> Device | None: ...

    async def find_by_credential(self, credential_hash: str) -> Device | None: ...

    async def list(self, page: PageRequest, *, owner_id: UUID | None = None) -> Page[Device]: ...


class DeviceAuthorizationRepository(Protocol):
    async def add(self, authorization: DeviceAuthorization) -> None: ...

    async def save(self, authorization: DeviceAuthorization) -> None:
        """Store the polling state (last poll, interval) whatever the status."""
        ...

    async def transition(
        self, authorization: DeviceAuthorization, *, from_status: PairingStatus
    ) -> bool:
        """Store ``authorization`` only if the stored one still has ``from_status``.

        False means a concurrent request decided or completed it first, so a code is
        approved once and a credential issued once, even under races.
        """
        ...

    async def find_by_device_code(self, device_code_hash: str) -> DeviceAuthorization | None: ...

    async def find_pending_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        """The pending request showing this code (expired ones included, so that is told)."""
        ...
