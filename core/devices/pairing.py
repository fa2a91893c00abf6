"""Pairing a device without typing on it (RFC 8628 device authorization grant).

1. The device, not yet authenticated, asks to pair: it gets a secret device code and a
   short user code to show (also as a QR code of the approval link).
2. A signed-in user enters or scans the user code and approves (or denies) it; the
   device will belong to that user.
3. The device polls with its device code; once approved it receives its credential,
   exactly once. Codes expire after ten minutes and are never reusable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from uuid import UUID

from core.devices.model import (
    DEVICE_CODE_GRANT,
    PAIRING_TTL,
    POLL_INTERVAL,
    Device,
    DeviceAuthorization,
    DeviceGrantError,
    DeviceKind,
    DeviceStatus,
    PairingStatus,
    hash_secret,
    new_device_code,
    new_device_credential,
    new_user_code,
    normalize_user_code,
    validate_device_name,
    validate_model,
    validate_serial,
)
from core.devices.registry import DeviceDependencies
from core.errors import Conflict, Forbidden, NotFound
from core.identity.model import Actor, PrincipalKind, Role
from ports.devices import DeviceAuthorizationRepository
from ports.unit_of_work import TenantUnitOfWork

_USER_CODE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class PairingRequest:
    serial: str
    model: str
    kind: DeviceKind


@dataclass(frozen=True, slots=True)
class StartedPairing:
    """What the device needs; ``device_code`` is shown here once and only its hash is kept."""

    device_code: str
    authorization: DeviceAuthorization


@dataclass(frozen=True, slots=True)
class Decision:
    user_code: str
    approve: bool
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """The device's credential, returned once to the device and only stored hashed."""

    credential: str
    device: Device


async def start_pairing(
    tenant_id: UUID, request: PairingRequest, deps: DeviceDependencies
) -> StartedPairing:
    serial, model = validate_serial(request.serial), validate_model(request.model)
    device_code = new_device_code()
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        authorization = DeviceAuthorization(
            id=uuid.uuid4(),
            device_code_hash=hash_secret(device_code),
            user_code=await _unused_user_code(uow.device_authorizations),
            serial=serial,
            model=model,
            kind=request.kind,
            status=PairingStatus.PENDING,
            created_at=now,
            expires_at=now + PAIRING_TTL,
            interval_seconds=int(POLL_INTERVAL.total_seconds()),
        )
        await uow.device_authorizations.add(authorization)
        await uow.commit()
    return StartedPairing(device_code=device_code, authorization=authorization)


async def decide(actor: Actor, decision: Decision, deps: DeviceDependencies) -> DeviceAuthorization:
    """Approve or deny the request showing this code; an approved device will be the caller's.

    A device already registered under the serial keeps its id and is paired again; if it
    is another user's active device, only an admin may take it over.
    """
    if actor.kind is not PrincipalKind.USER:
        raise Forbidden("only a signed-in person may approve a device", code="user_required")
    user_code = normalize_user_code(decision.user_code)
    name = None if decision.display_name is None else validate_device_name(decision.display_name)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        pending = await uow.device_authorizations.find_pending_by_user_code(user_code)
        if pending is None:
            raise NotFound(
                "no device is waiting with this code", field="user_code", code="user_code_not_found"
            )
        if pending.expired(deps.clock.now()):
            raise Conflict(
                "this code has expired: restart pairing on the device",
                field="user_code",
                code="user_code_expired",
            )
        decided = replace(
            pending,
            status=PairingStatus.APPROVED if decision.approve else PairingStatus.DENIED,
            decided_by=actor.user_id,
            display_name=name,
            device_id=await _device_id_for(uow, actor, pending) if decision.approve else None,
        )
        if not await uow.device_authorizations.transition(
            decided, from_status=PairingStatus.PENDING
        ):
            raise Conflict("this code was already used", field="user_code", code="user_code_used")
        await uow.commit()
    return decided


async def exchange_device_code(
    tenant_id: UUID, grant_type: str, device_code: str, deps: DeviceDependencies
) -> IssuedCredential:
    """One poll of the token endpoint: the credential once approved, else an RFC 8628 error."""
    if grant_type != DEVICE_CODE_GRANT:
        raise DeviceGrantError(
            f"grant_type must be {DEVICE_CODE_GRANT}",
            field="grant_type",
            code="unsupported_grant_type",
        )
    now = deps.clock.now()
    async with deps.tenant_uow(tenant_id) as uow:
        found = await uow.device_authorizations.find_by_device_code(hash_secret(device_code))
        if found is None or found.status is PairingStatus.COMPLETED:
            raise DeviceGrantError(
                "unknown or already used device code", field="device_code", code="invalid_grant"
            )
        if found.expired(now):
            raise DeviceGrantError("the device code has expired", code="expired_token")
        polled = found.polled(now)
        if found.status is PairingStatus.APPROVED:
            issued = await _issue(uow, polled, deps)
            await uow.commit()
            return issued
        await uow.device_authorizations.save(polled)
        await uow.commit()
    if found.status is PairingStatus.DENIED:
        raise DeviceGrantError("the user denied the pairing", code="access_denied")
    if polled.interval_seconds > found.interval_seconds:
        raise DeviceGrantError(f"poll at most every {polled.interval_seconds} s", code="slow_down")
    raise DeviceGrantError("waiting for a user to approve the code", code="authorization_pending")


async def _issue(
    uow: TenantUnitOfWork, approved: DeviceAuthorization, deps: DeviceDependencies
) -> IssuedCredential:
    completed = replace(approved, status=PairingStatus.COMPLETED)
    if approved.device_id is None or approved.decided_by is None:
        raise RuntimeError("an approved pairing names its device and approver")
    if not await uow.device_authorizations.transition(
        completed, from_status=PairingStatus.APPROVED
    ):
        raise DeviceGrantError(
            "unknown or already used device code", field="device_code", code="invalid_grant"
        )
    credential = new_device_credential()
    now = deps.clock.now()
    existing = await uow.devices.get(approved.device_id)
    device = Device(
        id=approved.device_id,
        serial=approved.serial,
        model=approved.model,
        kind=approved.kind,
        display_name=approved.display_name or _default_name(approved, existing),
        owner_id=approved.decided_by,
        status=DeviceStatus.ACTIVE,
        credential_hash=hash_secret(credential),
        created_at=existing.created_at if existing else now,
        paired_at=now,
        last_seen_at=now,
    )
    if existing is None:
        await uow.devices.add(device)
    else:
        await uow.devices.save(device)
    return IssuedCredential(credential=credential, device=device)


def _default_name(pairing: DeviceAuthorization, existing: Device | None) -> str:
    if existing is not None:
        return existing.display_name
    return validate_device_name(f"{pairing.model} {pairing.serial}"[:100])


async def _device_id_for(uow: TenantUnitOfWork, actor: Actor, pairing: DeviceAuthorization) -> UUID:
    existing = await uow.devices.find_by_serial(pairing.serial)
    if existing is None:
        return uuid.uuid4()
    taken = existing.active and existing.owner_id != actor.user_id
    if taken and actor.role is not Role.ADMIN:
        raise Forbidden(
            "this device is paired to another user: ask them or an admin to revoke it",
            field="user_code",
            code="device_owned_by_another_user",
        )
    return existing.id


async def _unused_user_code(requests: DeviceAuthorizationRepository) -> str:
    """A user code no pending request shows; a clash among 2.6e10 codes is rare, not impossible."""
    for _ in range(_USER_CODE_ATTEMPTS):
        candidate = new_user_code()
        if await requests.find_pending_by_user_code(candidate) is None:
            return candidate
    raise Conflict("no free pairing code, try again", code="user_code_exhausted")
