"""Devices and pairing requests in dictionaries, for unit tests and the contract suite."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from core.devices.model import Device, DeviceAuthorization, PairingStatus
from core.errors import Conflict
from ports.pagination import Page, PageRequest, Position

Paginate = Callable[[list[Device], PageRequest, Callable[[Device], Position]], Page[Device]]


class MemoryDevices:
    """``paginate`` is the in-memory store's keyset pager, which imports this module."""

    def __init__(self, devices: dict[UUID, Device], paginate: Paginate) -> None:
        self._devices = devices
        self._paginate = paginate

    async def add(self, device: Device) -> None:
        if any(d.serial == device.serial for d in self._devices.values()):
            raise Conflict("serial already registered", field="serial", code="serial_taken")
        self._devices[device.id] = device

    async def save(self, device: Device) -> None:
        self._devices[device.id] = device

    async def get(self, device_id: UUID) -> Device | None:
        return self._devices.get(device_id)

    async def find_by_serial(self, serial: str) -> Device | None:
        return next((d for d in self._devices.values() if d.serial == serial), None)

    async def find_by_credential(self, credential_hash: str) -> Device | None:
        found = (d for d in self._devices.values() if d.credential_hash == credential_hash)
        return next(found, None)

    async def list(self, page: PageRequest, *, owner_id: UUID | None = None) -> Page[Device]:
        found = [d for d in self._devices.values() if owner_id in (None, d.owner_id)]
        return self._paginate(found, page, lambda d: Position(created_at=d.created_at, id=d.id))


class MemoryDeviceAuthorizations:
    def __init__(self, requests: dict[UUID, DeviceAuthorization]) -> None:
        self._requests = requests

    async def add(self, authorization: DeviceAuthorization) -> None:
        self._requests[authorization.id] = authorization

    async def save(self, authorization: DeviceAuthorization) -> None:
        self._requests[authorization.id] = authorization

    async def transition(
        self, authorization: DeviceAuthorization, *, from_status: PairingStatus
    ) -> bool:
        stored = self._requests.get(authorization.id)
        if stored is None or stored.status is not from_status:
            return False
        self._requests[authorization.id] = authorization
        return True

    async def find_by_device_code(self, device_code_hash: str) -> DeviceAuthorization | None:
        found = (r for r in self._requests.values() if r.device_code_hash == device_code_hash)
        return next(found, None)

    async def find_pending_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        found = (
            r
            for r in self._requests.values()
            if r.user_code == user_code and r.status is PairingStatus.PENDING
        )
        return next(found, None)
