"""Signing in, lockout after repeated failures, rotating refresh tokens with reuse detection."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Unauthenticated
from core.identity import accounts
from core.identity.model import UserStatus
from core.identity.signin import AccountLocked, refresh, sign_in, sign_out
from tests.unit.identity_support import PASSWORD, TENANT, World, make_world


@pytest.fixture
async def world(clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory) -> World:
    return await make_world(clock, uow)


async def test_user_signs_in_with_any_case_of_their_address(world: World) -> None:
    signed_in = await sign_in(TENANT, " ADA@acme.example", PASSWORD, world.deps)
    assert signed_in.user.id == world.admin.user_id
    assert signed_in.refresh_token not in {
        t.token_hash for t in world.uow.data(TENANT).refresh_tokens.values()
    }


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@acme.example", "wrong password!!"), ("nobody@acme.example", PASSWORD)],
)
async def test_wrong_address_or_password_get_the_same_refusal(
    world: World, email: str, password: str
) -> None:
    with pytest.raises(Unauthenticated) as raised:
        await sign_in(TENANT, email, password, world.deps)
    assert raised.value.code == "unauthenticated"
    assert raised.value.detail == "invalid e-mail address or password"


async def test_fifth_wrong_password_locks_the_account_even_for_the_right_one(world: World) -> None:
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await sign_in(TENANT, "ada@acme.example", "wrong password!!", world.deps)
    with pytest.raises(Unauthenticated):
        await sign_in(TENANT, "ada@acme.example", "wrong password!!", world.deps)
    with pytest.raises(AccountLocked) as raised:
        await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    assert raised.value.code == "account_locked"
    assert raised.value.retry_after_seconds == 15 * 60

    world.clock.advance(timedelta(minutes=15))
    assert (await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)).user


async def test_a_successful_sign_in_resets_the_failure_count(world: World) -> None:
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await sign_in(TENANT, "ada@acme.example", "wrong password!!", world.deps)
    await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    assert world.user(world.admin.user_id).failed_logins == 0
    with pytest.raises(Unauthenticated) as raised:
        await sign_in(TENANT, "ada@acme.example", "wrong password!!", world.deps)
    assert raised.value.code == "unauthenticated"


async def test_deactivated_user_cannot_sign_in(world: World) -> None:
    fred = await world.add_user("fred@acme.example", status=UserStatus.DEACTIVATED)
    with pytest.raises(Unauthenticated) as raised:
        await sign_in(TENANT, fred.email, PASSWORD, world.deps)
    assert raised.value.code == "unauthenticated"


async def test_refresh_replaces_the_token_and_the_old_one_stops_working(world: World) -> None:
    first = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    second = await refresh(TENANT, first.refresh_token, world.deps)
    assert second.refresh_token != first.refresh_token
    third = await refresh(TENANT, second.refresh_token, world.deps)
    assert third.user.id == world.admin.user_id


async def test_reusing_a_rotated_token_revokes_the_whole_family(world: World) -> None:
    first = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    second = await refresh(TENANT, first.refresh_token, world.deps)
    with pytest.raises(Unauthenticated) as raised:
        await refresh(TENANT, first.refresh_token, world.deps)
    assert raised.value.code == "refresh_token_reused"
    with pytest.raises(Unauthenticated) as raised:
        await refresh(TENANT, second.refresh_token, world.deps)
    assert raised.value.code == "invalid_refresh_token"


async def test_other_sign_ins_survive_a_reuse_in_one_family(world: World) -> None:
    phone = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    laptop = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    await refresh(TENANT, phone.refresh_token, world.deps)
    with pytest.raises(Unauthenticated):
        await refresh(TENANT, phone.refresh_token, world.deps)
    assert await refresh(TENANT, laptop.refresh_token, world.deps)


async def test_refresh_token_expires(world: World) -> None:
    signed_in = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    world.clock.advance(timedelta(days=30))
    with pytest.raises(Unauthenticated) as raised:
        await refresh(TENANT, signed_in.refresh_token, world.deps)
    assert raised.value.code == "invalid_refresh_token"


async def test_sign_out_ends_the_sign_in(world: World) -> None:
    signed_in = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    await sign_out(TENANT, signed_in.refresh_token, world.deps)
    with pytest.raises(Unauthenticated):
        await refresh(TENANT, signed_in.refresh_token, world.deps)


async def test_deactivation_revokes_refresh_tokens(world: World) -> None:
    fred = await world.add_user("fred@acme.example")
    signed_in = await sign_in(TENANT, fred.email, PASSWORD, world.deps)
    await accounts.set_active(world.admin, fred.id, False, world.deps)
    with pytest.raises(Unauthenticated):
        await refresh(TENANT, signed_in.refresh_token, world.deps)
    await accounts.set_active(world.admin, fred.id, True, world.deps)
    assert (await sign_in(TENANT, fred.email, PASSWORD, world.deps)).user.id == fred.id
