"""Creating tenants: validation before any write, provisioning that can be resumed."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from adapters.memory.tenant_catalog import MemoryTenantCatalog, MemoryTenantDatabases
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Conflict, Forbidden, InvalidInput
from core.identity.model import Role, User
from core.tenants.model import TenantStatus, TenantSuspended, validate_slug
from core.tenants.services import CreateTenant, TenantDependencies, create_tenant, provision_tenant

REQUEST = CreateTenant(
    slug="acme",
    display_name="ACME  Industries",
    admin_email="Ops@ACME.example",
    admin_password="a long enough password",
    admin_name="Ada",
)


def _catalog(deps: TenantDependencies) -> MemoryTenantCatalog:
    assert isinstance(deps.catalog, MemoryTenantCatalog)
    return deps.catalog


async def test_new_tenant_is_active_with_its_database_and_admin(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    tenant, admin = await create_tenant(REQUEST, tenant_deps)

    assert tenant.status is TenantStatus.ACTIVE
    assert tenant.display_name == "ACME Industries"
    assert await tenant_deps.databases.exists(tenant.id)
    stored = uow.data(tenant.id).users[admin.id]
    assert stored.email == "ops@acme.example"
    assert stored.role.value == "admin"
    assert stored.password_hash != REQUEST.admin_password


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Not_A_Label"}, "slug"),
        ({"slug": "-acme"}, "slug"),
        ({"slug": "a" * 64}, "slug"),
        ({"slug": "api"}, "slug"),
        ({"display_name": "   "}, "display_name"),
        ({"admin_email": "not-an-address"}, "admin_email"),
        ({"admin_password": "short"}, "admin_password"),
        ({"admin_name": ""}, "admin_name"),
    ],
)
async def test_invalid_input_names_the_field_and_writes_nothing(
    tenant_deps: TenantDependencies, change: dict[str, str], field: str
) -> None:
    request = _with(change)
    with pytest.raises(InvalidInput) as raised:
        await create_tenant(request, tenant_deps)

    assert raised.value.field == field
    assert _catalog(tenant_deps).tenants == {}


def _with(change: dict[str, str]) -> CreateTenant:
    values = {
        "slug": REQUEST.slug,
        "display_name": REQUEST.display_name,
        "admin_email": REQUEST.admin_email,
        "admin_password": REQUEST.admin_password,
        "admin_name": REQUEST.admin_name,
    }
    values.update(change)
    return CreateTenant(**values)


async def test_taken_slug_is_a_conflict_on_the_slug(tenant_deps: TenantDependencies) -> None:
    await create_tenant(REQUEST, tenant_deps)
    with pytest.raises(Conflict) as raised:
        await create_tenant(_with({"admin_email": "other@acme.example"}), tenant_deps)
    assert raised.value.field == "slug"
    assert len(_catalog(tenant_deps).tenants) == 1


async def test_provisioning_interrupted_halfway_is_finished_by_a_retry(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    databases = tenant_deps.databases
    assert isinstance(databases, MemoryTenantDatabases)
    databases.fail_next = ConnectionError("instance restarted")

    with pytest.raises(ConnectionError):
        await create_tenant(REQUEST, tenant_deps)
    (stuck,) = _catalog(tenant_deps).tenants.values()
    assert stuck.status is TenantStatus.PROVISIONING

    admin = next(iter(uow.data(stuck.id).users.values()), None)
    assert admin is None
    retry_admin = User(
        id=uuid.uuid4(),
        email="ops@acme.example",
        display_name="Ada",
        role=Role.ADMIN,
        password_hash="plain:x",
        created_at=stuck.created_at,
    )
    finished = await provision_tenant(stuck, retry_admin, tenant_deps)
    again = await provision_tenant(stuck, retry_admin, tenant_deps)

    assert finished.status is TenantStatus.ACTIVE
    assert again.status is TenantStatus.ACTIVE
    assert len(uow.data(stuck.id).users) == 1


def test_slugs_follow_dns_label_rules() -> None:
    assert validate_slug("acme-2") == "acme-2"
    assert validate_slug("a") == "a"
    for bad in ("", "acme-", "ac me", "acmé", "ACME", "a.b"):
        with pytest.raises(InvalidInput):
            validate_slug(bad)


async def test_suspended_tenant_refuses_service_with_its_own_code(
    tenant_deps: TenantDependencies,
) -> None:
    tenant, _ = await create_tenant(REQUEST, tenant_deps)
    tenant.ensure_serving()
    with pytest.raises(TenantSuspended) as raised:
        replace(tenant, status=TenantStatus.SUSPENDED).ensure_serving()
    assert raised.value.code == "tenant_suspended"
    with pytest.raises(Forbidden):
        replace(tenant, status=TenantStatus.PROVISIONING).ensure_serving()
