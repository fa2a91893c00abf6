"""Use cases on paired devices: list, read, rename, revoke, authenticate, find one to ring.

Owners see and manage their own devices; admins every device of the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from core.devices.model import (
    DEVICE_CREDENTIAL_PREFIX,
    Device,
    DeviceStatus,
    hash_secret,
    validate_device_name,
)
from core.errors import Conflict, Forbidden, NotFound, Unauthenticated
from core.identity.model import Actor, PrincipalKind, Role, UserStatus
from ports.clock import Clock
from ports.pagination import Page, PageRequest
from ports.unit_of_work import TenantUnitOfWork, TenantUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class DeviceDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    clock: Clock


async def list_devices(
    actor: Actor, page: PageRequest, deps: DeviceDependencies, *, owner_id: UUID | None = None
) -> Page[Device]:
    """Admins list every device or one owner's; anyone else only their own."""
    if actor.role is not Role.ADMIN:
        if owner_id not in (None, actor.user_id):
            raise Forbidden(
                "only admins may list another user's devices", field="owner_id", code="not_owner"
            )
        owner_id = actor.user_id
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.devices.list(page, owner_id=owner_id)


async def get_device(actor: Actor, device_id: UUID, deps: DeviceDependencies) -> Device:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _managed(uow, actor, device_id)


async def rename_device(
    actor: Actor, device_id: UUID, display_name: str, deps: DeviceDependencies
) -> Device:
    name = validate_device_name(display_name)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        device = replace(await _managed(uow, actor, device_id), display_name=name)
        await uow.devices.save(device)
        await uow.commit()
    return device


async def revoke_device(actor: Actor, device_id: UUID, deps: DeviceDependencies) -> Device:
    """The credential stops working at the next request: every request checks the status."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        device = await _managed(uow, actor, device_id)
        if not device.active:
            return device
        device = replace(device, status=DeviceStatus.REVOKED, revoked_at=deps.clock.now())
        await uow.devices.save(device)
        await uow.commit()
    return device


async def authenticate_device(tenant_id: UUID, credential: str, deps: DeviceDependencies) -> Actor:
    """The device a credential belongs to, acting for its owner; revoked devices and
    devices of deactivated owners are refused. last_seen_at is refreshed sparingly."""
    if not credential.startswith(DEVICE_CREDENTIAL_PREFIX):
        raise Unauthenticated("invalid device credential")
    async with deps.tenant_uow(tenant_id) as uow:
        device = await uow.devices.find_by_credential(hash_secret(credential))
        owner = await uow.users.get(device.owner_id) if device is not None else None
        if device is None or not device.active or owner is None:
            raise Unauthenticated("invalid device credential")
        if owner.status is not UserStatus.ACTIVE:
            raise Unauthenticated("the device's owner is not active", code="owner_inactive")
        seen = device.seen(deps.clock.now())
        if seen is not None:
            await uow.devices.save(seen)
            await uow.commit()
    return Actor.for_device(tenant_id, device_id=device.id, owner=owner)


async def own_device(actor: Actor, deps: DeviceDependencies) -> Device:
    """A device reading its own record; people and integrations have no "own device"."""
    if actor.kind is not PrincipalKind.DEVICE or actor.device_id is None:
        raise Forbidden("only a device credential may do this", code="device_credential_required")
    async with deps.tenant_uow(actor.tenant_id) as uow:
        device = await uow.devices.get(actor.device_id)
    if device is None or not device.active:
        raise Unauthenticated("invalid device credential")
    return device


async def device_to_ring(tenant_id: UUID, device_id: UUID, deps: DeviceDependencies) -> Device:
    """A device a session may call directly: it exists and is not revoked (owner_id is on it)."""
    async with deps.tenant_uow(tenant_id) as uow:
        device = await uow.devices.get(device_id)
    if device is None:
        raise NotFound("no such device", field="device_id", code="device_not_found")
    if not device.active:
        raise Conflict("the device was revoked", field="device_id", code="device_revoked")
    return device


async def _managed(uow: TenantUnitOfWork, actor: Actor, device_id: UUID) -> Device:
    device = await uow.devices.get(device_id)
    if device is None:
        raise NotFound("no such device", code="device_not_found")
    if actor.role is not Role.ADMIN and device.owner_id != actor.user_id:
        raise Forbidden("the device belongs to another user", code="not_device_owner")
    return device
