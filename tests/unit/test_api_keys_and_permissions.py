"""API keys (shown once, hashed, scoped, expiring, revocable) and the one policy table."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Forbidden, InvalidInput, Unauthenticated
from core.identity import api_keys
from core.identity.credentials import ApiScope, hash_secret
from core.identity.model import Actor, Capability, PrincipalKind, Role
from core.identity.permissions import POLICY, Action, allows, authorize
from tests.unit.identity_support import TENANT, World, make_world

READ = frozenset({ApiScope.SESSIONS_READ})


@pytest.fixture
async def world(clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory) -> World:
    return await make_world(clock, uow)


async def test_api_key_is_shown_once_and_stored_only_as_a_hash(world: World) -> None:
    created = await api_keys.create_api_key(
        world.admin, api_keys.NewApiKey("ERP", READ), world.deps
    )
    assert created.plaintext.startswith("pxk_")
    stored = world.uow.data(TENANT).api_keys[created.key.id]
    assert stored.key_hash == hash_secret(created.plaintext)
    assert created.plaintext not in repr(stored)
    actor = await api_keys.authenticate_api_key(TENANT, created.plaintext, world.deps)
    assert actor.kind is PrincipalKind.API_KEY
    assert actor.scopes == frozenset({"sessions:read"})


async def test_revoked_or_expired_keys_are_refused(world: World) -> None:
    expiring = api_keys.NewApiKey("ERP", READ, expires_at=world.clock.now() + timedelta(days=1))
    short = await api_keys.create_api_key(world.admin, expiring, world.deps)
    revoked = await api_keys.create_api_key(
        world.admin, api_keys.NewApiKey("Old", READ), world.deps
    )
    await api_keys.revoke_api_key(world.admin, revoked.key.id, world.deps)
    world.clock.advance(timedelta(days=1))
    for plaintext in (short.plaintext, revoked.plaintext):
        with pytest.raises(Unauthenticated) as raised:
            await api_keys.authenticate_api_key(TENANT, plaintext, world.deps)
        assert raised.value.code == "invalid_api_key"


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [(" ", READ, "name"), ("ERP", frozenset(), "scopes")],
)
async def test_api_key_needs_a_name_and_a_scope(
    world: World, name: str, scopes: frozenset[ApiScope], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await api_keys.create_api_key(world.admin, api_keys.NewApiKey(name, scopes), world.deps)
    assert raised.value.field == field


def _user(role: Role, capabilities: frozenset[Capability] | None = None) -> Actor:
    return Actor(TENANT, uuid.uuid4(), role, capabilities=capabilities)


def _key(*scopes: str) -> Actor:
    return Actor.for_api_key(
        TENANT, key_id=uuid.uuid4(), creator_id=uuid.uuid4(), scopes=frozenset(scopes)
    )


@pytest.mark.parametrize(
    ("actor", "action", "allowed"),
    [
        (_user(Role.EXPERT), Action.SESSIONS_CREATE, True),
        (_user(Role.FIELD_ENGINEER), Action.SESSIONS_CREATE, False),
        (_user(Role.FIELD_ENGINEER, frozenset({Capability.HOST})), Action.SESSIONS_CREATE, True),
        (_user(Role.EXPERT, frozenset()), Action.SESSIONS_CREATE, False),
        (_user(Role.OBSERVER), Action.SESSIONS_LIST, True),
        (_user(Role.EXPERT), Action.USERS_INVITE, False),
        (_user(Role.ADMIN), Action.USERS_INVITE, True),
        (_key("sessions:read"), Action.SESSIONS_LIST, True),
        (_key("sessions:read"), Action.SESSIONS_CREATE, False),
        (_key(*[s.value for s in ApiScope]), Action.API_KEYS_MANAGE, False),
        (_key(*[s.value for s in ApiScope]), Action.USAGE_READ, False),
    ],
)
def test_policy_decides_by_role_capability_and_scope(
    actor: Actor, action: Action, allowed: bool
) -> None:
    assert allows(actor, action) is allowed


def test_a_user_may_sign_themself_out_but_not_someone_else() -> None:
    fred = _user(Role.FIELD_ENGINEER)
    assert allows(fred, Action.USERS_REVOKE_TOKENS, owner_id=fred.user_id)
    with pytest.raises(Forbidden) as raised:
        authorize(fred, Action.USERS_REVOKE_TOKENS, owner_id=uuid.uuid4())
    assert raised.value.code == "role_not_allowed"


def test_every_action_has_a_rule() -> None:
    assert set(POLICY) == set(Action)
