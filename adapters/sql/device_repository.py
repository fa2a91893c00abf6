"""Devices and their pairing requests in a tenant database."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import device_authorizations, devices
from core.devices.model import Device, DeviceAuthorization, DeviceKind, DeviceStatus, PairingStatus
from core.errors import Conflict
from ports.pagination import Page, PageRequest


class SqlDeviceRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, device: Device) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(devices.insert().values(**_device_row(device)))
        except IntegrityError as exc:
            raise Conflict(
                "serial already registered", field="serial", code="serial_taken"
            ) from exc

    async def save(self, device: Device) -> None:
        await self._connection.execute(
            devices.update().where(devices.c.id == device.id).values(**_device_row(device))
        )

    async def get(self, device_id: UUID) -> Device | None:
        return await self._one(devices.c.id == device_id)

    async def find_by_serial(self, serial: str) -> Device | None:
        return await self._one(devices.c.serial == serial)

    async def find_by_credential(self, credential_hash: str) -> Device | None:
        return await self._one(devices.c.credential_hash == credential_hash)

    async def list(self, page: PageRequest, *, owner_id: UUID | None = None) -> Page[Device]:
        query = devices.select()
        if owner_id is not None:
            query = query.where(devices.c.owner_id == owner_id)
        rows = (await self._connection.execute(paginate(query, devices, page))).all()
        return to_page(rows, page, _device)

    async def _one(self, condition: Any) -> Device | None:
        row = (await self._connection.execute(devices.select().where(condition))).first()
        return _device(row) if row else None


class SqlDeviceAuthorizationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, authorization: DeviceAuthorization) -> None:
        await self._connection.execute(
            device_authorizations.insert().values(**_authorization_row(authorization))
        )

    async def save(self, authorization: DeviceAuthorization) -> None:
        await self._connection.execute(
            device_authorizations.update()
            .where(device_authorizations.c.id == authorization.id)
            .values(**_authorization_row(authorization))
        )

    async def transition(
        self, authorization: DeviceAuthorization, *, from_status: PairingStatus
    ) -> bool:
        """A conditional UPDATE: of two racing requests, exactly one matches the old status."""
        result = await self._connection.execute(
            device_authorizations.update()
            .where(
                device_authorizations.c.id == authorization.id,
                device_authorizations.c.status == from_status.value,
            )
            .values(**_authorization_row(authorization))
        )
        return result.rowcount == 1

    async def find_by_device_code(self, device_code_hash: str) -> DeviceAuthorization | None:
        query = device_authorizations.select().where(
            device_authorizations.c.device_code_hash == device_code_hash
        )
        row = (await self._connection.execute(query)).first()
        return _authorization(row) if row else None

    async def find_pending_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        query = device_authorizations.select().where(
            device_authorizations.c.user_code == user_code,
            device_authorizations.c.status == PairingStatus.PENDING.value,
        )
        row = (await self._connection.execute(query)).first()
        return _authorization(row) if row else None


def _device_row(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "serial": device.serial,
        "model": device.model,
        "kind": device.kind.value,
        "display_name": device.display_name,
        "owner_id": device.owner_id,
        "status": device.status.value,
        "credential_hash": device.credential_hash,
        "created_at": device.created_at,
        "paired_at": device.paired_at,
        "last_seen_at": device.last_seen_at,
        "revoked_at": device.revoked_at,
    }


def _device(row: Any) -> Device:
    return Device(
        id=row.id,
        serial=row.serial,
        model=row.model,
        kind=DeviceKind(row.kind),
        display_name=row.display_name,
        owner_id=row.owner_id,
        status=DeviceStatus(row.status),
        credential_hash=row.credential_hash,
        created_at=row.created_at,
        paired_at=row.paired_at,
        last_seen_at=row.last_seen_at,
        revoked_at=row.revoked_at,
    )


def _authorization_row(authorization: DeviceAuthorization) -> dict[str, Any]:
    return {
        "id": authorization.id,
        "device_code_hash": authorization.device_code_hash,
        "user_code": authorization.user_code,
        "serial": authorization.serial,
        "model": authorization.model,
        "kind": authorization.kind.value,
        "status": authorization.status.value,
        "created_at": authorization.created_at,
        "expires_at": authorization.expires_at,
        "interval_seconds": authorization.interval_seconds,
        "last_polled_at": authorization.last_polled_at,
        "decided_by": authorization.decided_by,
        "display_name": authorization.display_name,
        "device_id": authorization.device_id,
    }


def _authorization(row: Any) -> DeviceAuthorization:
    return DeviceAuthorization(
        id=row.id,
        device_code_hash=row.device_code_hash,
        user_code=row.user_code,
        serial=row.serial,
        model=row.model,
        kind=DeviceKind(row.kind),
        status=PairingStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        interval_seconds=row.interval_seconds,
        last_polled_at=row.last_polled_at,
        decided_by=row.decided_by,
        display_name=row.display_name,
        device_id=row.device_id,
    )
