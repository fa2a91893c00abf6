"""Device rules: pairing by user code (RFC 8628), polling answers, ownership, revocation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.devices.model import (
    DEVICE_CODE_GRANT,
    DeviceGrantError,
    DeviceKind,
    DeviceStatus,
    display_user_code,
    normalize_user_code,
)
from core.devices.pairing import (
    Decision,
    IssuedCredential,
    PairingRequest,
    StartedPairing,
    decide,
    exchange_device_code,
    start_pairing,
)
from core.devices.registry import (
    DeviceDependencies,
    authenticate_device,
    device_to_ring,
    get_device,
    list_devices,
    rename_device,
    revoke_device,
)
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from core.identity.model import Actor, PrincipalKind, Role, User, UserStatus
from ports.pagination import PageRequest

TENANT = uuid.UUID("00000000-0000-4000-8000-00000000000d")
GLASSES = PairingRequest(serial="RW-0042", model="RealWear Navigator 520", kind=DeviceKind.GLASSES)


@pytest.fixture
def deps(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> DeviceDependencies:
    return DeviceDependencies(tenant_uow=uow, clock=clock)


@pytest.fixture
def people(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> Callable[..., Actor]:
    """Signed-in users of the tenant: devices act for their owner, who must exist."""

    def make(role: Role = Role.FIELD_ENGINEER, status: UserStatus = UserStatus.ACTIVE) -> Actor:
        user = User(
            id=uuid.uuid4(),
            email=f"{uuid.uuid4().hex[:8]}@acme.example",
            display_name="Someone",
            role=role,
            password_hash="x",
            created_at=clock.now(),
            status=status,
        )
        uow.data(TENANT).users[user.id] = user
        return Actor.for_user(TENANT, user)

    return make


async def _poll(started: StartedPairing, deps: DeviceDependencies) -> IssuedCredential:
    return await exchange_device_code(TENANT, DEVICE_CODE_GRANT, started.device_code, deps)


async def _paired(
    deps: DeviceDependencies, clock: FixedClock, owner: Actor, request: PairingRequest = GLASSES
) -> IssuedCredential:
    started = await start_pairing(TENANT, request, deps)
    await decide(owner, Decision(user_code=started.authorization.user_code, approve=True), deps)
    clock.advance(timedelta(seconds=5))
    return await _poll(started, deps)


async def _poll_error(started: StartedPairing, deps: DeviceDependencies) -> str:
    with pytest.raises(DeviceGrantError) as raised:
        await _poll(started, deps)
    return raised.value.code


def test_user_code_is_read_in_any_case_with_or_without_dashes() -> None:
    assert normalize_user_code(" bcdf-ghjk ") == "BCDFGHJK"
    assert normalize_user_code("BCDF GHJK") == "BCDFGHJK"
    assert display_user_code("BCDFGHJK") == "BCDF-GHJK"


@pytest.mark.parametrize("typed", ["BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF-GHJ0"])
def test_user_code_outside_the_alphabet_or_length_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_user_code(typed)
    assert raised.value.field == "user_code"


async def test_pairing_shows_a_short_code_and_keeps_only_hashes(
    deps: DeviceDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    started = await start_pairing(TENANT, GLASSES, deps)
    code = started.authorization.user_code
    assert len(code) == 8
    assert set(code) <= set("BCDFGHJKLMNPQRSTVWXZ")
    assert len(started.device_code) >= 43
    stored = next(iter(uow.data(TENANT).device_authorizations.values()))
    assert started.device_code not in repr(stored)
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    assert stored.interval_seconds == 5


async def test_polling_before_approval_is_pending_then_faster_polls_slow_down(
    deps: DeviceDependencies, clock: FixedClock
) -> None:
    started = await start_pairing(TENANT, GLASSES, deps)
    assert await _poll_error(started, deps) == "authorization_pending"
    clock.advance(timedelta(seconds=2))
    assert await _poll_error(started, deps) == "slow_down"
    clock.advance(timedelta(seconds=6))
    assert await _poll_error(started, deps) == "slow_down", "the interval grew to 10 s"
    clock.advance(timedelta(seconds=15))
    assert await _poll_error(started, deps) == "authorization_pending"


async def test_approved_device_gets_a_credential_once_and_belongs_to_the_approver(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner = people()
    started = await start_pairing(TENANT, GLASSES, deps)
    await decide(
        owner,
        Decision(
            user_code=display_user_code(started.authorization.user_code).lower(),
            approve=True,
            display_name="Ada's glasses",
        ),
        deps,
    )
    issued = await _poll(started, deps)
    assert issued.credential.startswith("pxd_")
    assert issued.device.owner_id == owner.user_id
    assert issued.device.display_name == "Ada's glasses"
    assert issued.device.credential_hash != issued.credential
    clock.advance(timedelta(seconds=30))
    assert await _poll_error(started, deps) == "invalid_grant"
    device = await authenticate_device(TENANT, issued.credential, deps)
    assert device.kind is PrincipalKind.DEVICE
    assert (device.device_id, device.user_id, device.role) == (
        issued.device.id,
        owner.user_id,
        owner.role,
    )


async def test_denied_pairing_answers_access_denied(
    people: Callable[..., Actor], deps: DeviceDependencies
) -> None:
    started = await start_pairing(TENANT, GLASSES, deps)
    await decide(people(), Decision(user_code=started.authorization.user_code, approve=False), deps)
    assert await _poll_error(started, deps) == "access_denied"


async def test_a_code_is_decided_once(
    people: Callable[..., Actor], deps: DeviceDependencies
) -> None:
    started = await start_pairing(TENANT, GLASSES, deps)
    decision = Decision(user_code=started.authorization.user_code, approve=True)
    await decide(people(), decision, deps)
    with pytest.raises(NotFound) as raised:
        await decide(people(), decision, deps)
    assert raised.value.code == "user_code_not_found"


async def test_codes_expire_after_ten_minutes_for_the_approver_and_the_device(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    started = await start_pairing(TENANT, GLASSES, deps)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(Conflict) as raised:
        await decide(
            people(), Decision(user_code=started.authorization.user_code, approve=True), deps
        )
    assert raised.value.code == "user_code_expired"
    assert await _poll_error(started, deps) == "expired_token"


async def test_unknown_device_code_and_wrong_grant_type_are_refused(
    deps: DeviceDependencies,
) -> None:
    with pytest.raises(DeviceGrantError) as unknown:
        await exchange_device_code(TENANT, DEVICE_CODE_GRANT, "made-up", deps)
    assert unknown.value.code == "invalid_grant"
    started = await start_pairing(TENANT, GLASSES, deps)
    with pytest.raises(DeviceGrantError) as wrong:
        await exchange_device_code(TENANT, "password", started.device_code, deps)
    assert wrong.value.code == "unsupported_grant_type"


async def test_revoked_credential_stops_working_at_once(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner = people()
    issued = await _paired(deps, clock, owner)
    await revoke_device(owner, issued.device.id, deps)
    with pytest.raises(Unauthenticated):
        await authenticate_device(TENANT, issued.credential, deps)
    with pytest.raises(Conflict) as raised:
        await device_to_ring(TENANT, issued.device.id, deps)
    assert raised.value.code == "device_revoked"


async def test_last_seen_is_written_at_most_once_a_minute(
    people: Callable[..., Actor],
    deps: DeviceDependencies,
    clock: FixedClock,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    issued = await _paired(deps, clock, people())
    paired_at = clock.now()
    clock.advance(timedelta(seconds=30))
    await authenticate_device(TENANT, issued.credential, deps)
    assert uow.data(TENANT).devices[issued.device.id].last_seen_at == paired_at
    clock.advance(timedelta(seconds=31))
    await authenticate_device(TENANT, issued.credential, deps)
    assert uow.data(TENANT).devices[issued.device.id].last_seen_at == clock.now()


async def test_owners_manage_their_devices_and_admins_all(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner, other, admin = people(), people(), people(Role.ADMIN)
    issued = await _paired(deps, clock, owner)
    with pytest.raises(Forbidden):
        await get_device(other, issued.device.id, deps)
    with pytest.raises(Forbidden):
        await rename_device(other, issued.device.id, "mine now", deps)
    with pytest.raises(Forbidden):
        await list_devices(other, PageRequest(limit=10), deps, owner_id=owner.user_id)
    assert (await list_devices(other, PageRequest(limit=10), deps)).items == []
    renamed = await rename_device(admin, issued.device.id, "  Site  B glasses ", deps)
    assert renamed.display_name == "Site B glasses"
    assert (await get_device(owner, issued.device.id, deps)).display_name == "Site B glasses"
    listed = await list_devices(admin, PageRequest(limit=10), deps, owner_id=owner.user_id)
    assert [d.id for d in listed.items] == [issued.device.id]


async def test_list_pages_by_cursor(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner = people()
    for serial in ("A-1", "A-2", "A-3"):
        clock.advance(timedelta(minutes=1))
        await _paired(deps, clock, owner, PairingRequest(serial, "Pixel 9", DeviceKind.PHONE))
    first = await list_devices(owner, PageRequest(limit=2), deps)
    second = await list_devices(owner, PageRequest(limit=2, after=first.next), deps)
    assert [d.serial for d in first.items + second.items] == ["A-1", "A-2", "A-3"]
    assert second.next is None


async def test_pairing_the_same_serial_again_keeps_the_device_and_replaces_its_credential(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner = people()
    first = await _paired(deps, clock, owner)
    await revoke_device(owner, first.device.id, deps)
    second = await _paired(deps, clock, owner)
    assert second.device.id == first.device.id
    assert second.device.status is DeviceStatus.ACTIVE
    with pytest.raises(Unauthenticated):
        await authenticate_device(TENANT, first.credential, deps)
    await authenticate_device(TENANT, second.credential, deps)


async def test_another_users_active_device_cannot_be_taken_over(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    await _paired(deps, clock, people())
    started = await start_pairing(TENANT, GLASSES, deps)
    with pytest.raises(Forbidden) as raised:
        await decide(
            people(), Decision(user_code=started.authorization.user_code, approve=True), deps
        )
    assert raised.value.code == "device_owned_by_another_user"


async def test_device_to_ring_names_its_owner(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    owner = people()
    issued = await _paired(deps, clock, owner)
    assert (await device_to_ring(TENANT, issued.device.id, deps)).owner_id == owner.user_id
    with pytest.raises(NotFound):
        await device_to_ring(TENANT, uuid.uuid4(), deps)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (PairingRequest(" ", "Pixel", DeviceKind.PHONE), "serial"),
        (PairingRequest("S-1", "", DeviceKind.PHONE), "model"),
        (PairingRequest("S\x00-1", "Pixel", DeviceKind.PHONE), "serial"),
    ],
)
async def test_bad_pairing_requests_name_the_field_and_store_nothing(
    deps: DeviceDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    request_: PairingRequest,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await start_pairing(TENANT, request_, deps)
    assert raised.value.field == field
    assert uow.data(TENANT).device_authorizations == {}


async def test_a_device_of_a_deactivated_owner_is_refused(
    people: Callable[..., Actor],
    deps: DeviceDependencies,
    clock: FixedClock,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    owner = people()
    issued = await _paired(deps, clock, owner)
    users = uow.data(TENANT).users
    users[owner.user_id] = replace(users[owner.user_id], status=UserStatus.DEACTIVATED)
    with pytest.raises(Unauthenticated) as raised:
        await authenticate_device(TENANT, issued.credential, deps)
    assert raised.value.code == "owner_inactive"


async def test_a_device_cannot_approve_another_device(
    people: Callable[..., Actor], deps: DeviceDependencies, clock: FixedClock
) -> None:
    issued = await _paired(deps, clock, people(Role.ADMIN))
    device = await authenticate_device(TENANT, issued.credential, deps)
    started = await start_pairing(TENANT, PairingRequest("X-9", "Pixel", DeviceKind.PHONE), deps)
    with pytest.raises(Forbidden) as raised:
        await decide(
            device, Decision(user_code=started.authorization.user_code, approve=True), deps
        )
    assert raised.value.code == "user_required"
