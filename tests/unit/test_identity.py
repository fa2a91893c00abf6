"""Signing in: one uniform refusal whatever was wrong; operator keys shown once, stored hashed."""

from __future__ import annotations

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_catalog import MemoryOperatorKeys
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import InvalidInput, Unauthenticated
from core.identity.services import (
    authenticate,
    authenticate_operator,
    create_operator_key,
    hash_operator_key,
)
from core.tenants.services import CreateTenant, TenantDependencies, create_tenant
from tests.unit.conftest import PlainHasher

REQUEST = CreateTenant("acme", "ACME", "ops@acme.example", "a long enough password", "Ada")


async def test_admin_signs_in_with_any_case_of_their_address(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    tenant, admin = await create_tenant(REQUEST, tenant_deps, actor="test")
    user = await authenticate(
        tenant.id, " OPS@acme.example", REQUEST.admin_password, tenant_uow=uow, hasher=PlainHasher()
    )
    assert user.id == admin.id


@pytest.mark.parametrize(
    ("email", "password"),
    [("ops@acme.example", "wrong password!!"), ("nobody@acme.example", "a long enough password")],
)
async def test_wrong_address_or_password_get_the_same_refusal(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory, email: str, password: str
) -> None:
    tenant, _ = await create_tenant(REQUEST, tenant_deps, actor="test")
    with pytest.raises(Unauthenticated) as raised:
        await authenticate(tenant.id, email, password, tenant_uow=uow, hasher=PlainHasher())
    assert raised.value.detail == "invalid e-mail address or password"


async def test_operator_key_is_returned_once_and_stored_only_as_a_hash(clock: FixedClock) -> None:
    keys = MemoryOperatorKeys()
    plaintext, key = await create_operator_key("ci", keys=keys, clock=clock)

    assert plaintext.startswith("pxo_")
    assert plaintext not in {k.key_hash for k in keys.keys.values()}
    assert key.key_hash == hash_operator_key(plaintext)
    assert (await authenticate_operator(plaintext, keys=keys)).id == key.id
    with pytest.raises(Unauthenticated):
        await authenticate_operator(plaintext + "x", keys=keys)


async def test_operator_key_needs_a_name(clock: FixedClock) -> None:
    with pytest.raises(InvalidInput) as raised:
        await create_operator_key("  ", keys=MemoryOperatorKeys(), clock=clock)
    assert raised.value.field == "name"
