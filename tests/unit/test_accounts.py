"""Invitations, password resets, roles and capabilities, the last admin, password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from core.identity import accounts
from core.identity.model import Actor, Capability, Role, User, UserStatus
from core.identity.passwords import check_password
from core.identity.signin import refresh, sign_in
from ports.pagination import PageRequest
from tests.unit.identity_support import PASSWORD, TENANT, World, make_world

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
async def world(clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory) -> World:
    return await make_world(clock, uow)


def _link_token(world: World, kind: str) -> str:
    message = next(m for m in world.uow.data(TENANT).outbox.values() if m.kind == kind)
    url = message.payload["setup_url" if kind == "account_invitation" else "reset_url"]
    return url.split("#", 1)[1]


async def _invite(world: World, role: Role = Role.FIELD_ENGINEER) -> User:
    request = accounts.InviteUser("fred@acme.example", "Fred Field", role)
    user, _ = await accounts.invite_user(world.admin, request, world.deps)
    return user


async def test_invitation_creates_a_user_without_password_and_queues_the_email(
    world: World,
) -> None:
    user = await _invite(world)
    data = world.uow.data(TENANT)
    assert user.status is UserStatus.INVITED
    (message,) = [m for m in data.outbox.values() if m.kind == "account_invitation"]
    assert message.recipient == "fred@acme.example"
    token = _link_token(world, "account_invitation")
    assert token not in {t.token_hash for t in data.one_time_tokens.values()}
    with pytest.raises(Unauthenticated):
        await sign_in(TENANT, "fred@acme.example", "", world.deps)


async def test_accepting_an_invitation_sets_the_password_once(world: World) -> None:
    await _invite(world)
    token = _link_token(world, "account_invitation")
    user = await accounts.accept_invitation(TENANT, token, NEW_PASSWORD, world.deps)
    assert user.status is UserStatus.ACTIVE
    assert (await sign_in(TENANT, "fred@acme.example", NEW_PASSWORD, world.deps)).user
    with pytest.raises(Unauthenticated) as raised:
        await accounts.accept_invitation(TENANT, token, "yet another passphrase", world.deps)
    assert (raised.value.code, raised.value.field) == ("token_unusable", "token")


async def test_invitation_link_expires(world: World) -> None:
    await _invite(world)
    world.clock.advance(timedelta(hours=72))
    with pytest.raises(Unauthenticated) as raised:
        await accounts.accept_invitation(
            TENANT, _link_token(world, "account_invitation"), NEW_PASSWORD, world.deps
        )
    assert raised.value.code == "token_unusable"


async def test_only_admins_invite(world: World) -> None:
    expert = Actor.for_user(TENANT, await world.add_user("eve@acme.example", Role.EXPERT))
    with pytest.raises(Forbidden) as raised:
        await accounts.invite_user(
            expert, accounts.InviteUser("x@acme.example", "X", Role.OBSERVER), world.deps
        )
    assert raised.value.code == "role_not_allowed"


async def test_reset_request_for_an_unknown_address_sends_nothing(world: World) -> None:
    await accounts.request_password_reset(TENANT, "nobody@acme.example", world.deps)
    await accounts.request_password_reset(TENANT, "not an address", world.deps)
    assert world.uow.data(TENANT).outbox == {}


async def test_password_reset_sets_the_password_and_signs_out_everywhere(world: World) -> None:
    signed_in = await sign_in(TENANT, "ada@acme.example", PASSWORD, world.deps)
    await accounts.request_password_reset(TENANT, "ada@acme.example", world.deps)
    token = _link_token(world, "password_reset")
    await accounts.confirm_password_reset(TENANT, token, NEW_PASSWORD, world.deps)
    with pytest.raises(Unauthenticated):
        await refresh(TENANT, signed_in.refresh_token, world.deps)
    assert (await sign_in(TENANT, "ada@acme.example", NEW_PASSWORD, world.deps)).user
    with pytest.raises(Unauthenticated):
        await accounts.confirm_password_reset(TENANT, token, "third long passphrase", world.deps)


async def test_reset_link_expires_after_thirty_minutes(world: World) -> None:
    await accounts.request_password_reset(TENANT, "ada@acme.example", world.deps)
    world.clock.advance(timedelta(minutes=30))
    with pytest.raises(Unauthenticated):
        await accounts.confirm_password_reset(
            TENANT, _link_token(world, "password_reset"), NEW_PASSWORD, world.deps
        )


async def test_the_last_admin_cannot_be_demoted_or_deactivated(world: World) -> None:
    demote = accounts.UserChanges(role=Role.EXPERT)
    with pytest.raises(Conflict) as raised:
        await accounts.update_user(world.admin, world.admin.user_id, demote, world.deps)
    assert (raised.value.code, raised.value.field) == ("last_admin", "role")
    with pytest.raises(Conflict):
        await accounts.set_active(world.admin, world.admin.user_id, False, world.deps)

    await world.add_user("bob@acme.example", Role.ADMIN)
    demoted = await accounts.update_user(world.admin, world.admin.user_id, demote, world.deps)
    assert demoted.role is Role.EXPERT


async def test_capabilities_default_by_role_and_admins_change_them(world: World) -> None:
    fred = await world.add_user("fred@acme.example", Role.FIELD_ENGINEER)
    assert fred.effective_capabilities == {Capability.INVITE_GUESTS}
    changes = accounts.UserChanges(flags={Capability.HOST: True, Capability.INVITE_GUESTS: False})
    changed = await accounts.update_user(world.admin, fred.id, changes, world.deps)
    assert changed.effective_capabilities == {Capability.HOST}


async def test_users_list_by_role(world: World) -> None:
    await world.add_user("fred@acme.example", Role.FIELD_ENGINEER)
    await world.add_user("olga@acme.example", Role.OBSERVER)
    page = await accounts.list_users(
        world.admin, PageRequest(limit=10), world.deps, role=Role.OBSERVER
    )
    assert [u.email for u in page.items] == ["olga@acme.example"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "weak_password"),
        ("Password1234", "common_password"),
        ("my name is fred.field!", "password_contains_email"),
    ],
)
def test_password_policy_refuses_with_a_stable_code(password: str, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password(password, email="fred.field@acme.example")
    assert (raised.value.code, raised.value.field) == (code, "password")


def test_password_policy_accepts_a_long_unusual_passphrase() -> None:
    assert check_password(NEW_PASSWORD, email="fred@acme.example") == NEW_PASSWORD
