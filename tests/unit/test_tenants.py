"""Tenants: validation before any write, provisioning that can be resumed, the life cycle."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import PurePath

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_catalog import MemoryTenantCatalog, MemoryTenantResources
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Forbidden, InvalidInput, Unavailable
from core.tenants.lifecycle import (
    delete_tenant,
    purge_due_tenants,
    reconcile_tenants,
    resume_tenant,
    suspend_tenant,
    update_tenant,
)
from core.tenants.model import (
    InvalidTransition,
    PlanLimits,
    SlugTaken,
    TenantStatus,
    TenantSuspended,
    validate_database_url,
    validate_slug,
)
from core.tenants.services import CreateTenant, TenantDependencies, create_tenant, provision_tenant

REQUEST = CreateTenant(
    slug="acme",
    display_name="ACME  Industries",
    admin_email="Ops@ACME.example",
    admin_password="a long enough password",
    admin_name="Ada",
)
GRACE = timedelta(days=30)


def _catalog(deps: TenantDependencies) -> MemoryTenantCatalog:
    assert isinstance(deps.catalog, MemoryTenantCatalog)
    return deps.catalog


def _resources(deps: TenantDependencies) -> tuple[MemoryTenantResources, MemoryTenantResources]:
    assert isinstance(deps.databases, MemoryTenantResources)
    assert isinstance(deps.storage, MemoryTenantResources)
    return deps.databases, deps.storage


async def test_new_tenant_is_active_with_database_directory_and_admin(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    tenant, admin = await create_tenant(REQUEST, tenant_deps, actor="op")

    assert tenant.status is TenantStatus.ACTIVE
    assert tenant.display_name == "ACME Industries"
    assert tenant.limits == PlanLimits()
    assert await tenant_deps.databases.exists(tenant.id)
    assert await tenant_deps.storage.exists(tenant.id)
    stored = uow.data(tenant.id).users[admin.id]
    assert stored.email == "ops@acme.example"
    assert stored.role.value == "admin"
    assert stored.password_hash != REQUEST.admin_password
    assert await tenant_deps.catalog.pending_admin(tenant.id) is None
    assert [e.action for e in _catalog(tenant_deps).audit] == ["created", "provisioned"]


def _with(**change: object) -> CreateTenant:
    return replace(REQUEST, **change)


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
        ({"limits": PlanLimits(max_users=0)}, "limits.max_users"),
        ({"limits": PlanLimits(storage_quota_bytes=-1)}, "limits.storage_quota_bytes"),
        ({"limits": PlanLimits(max_file_bytes=0)}, "limits.max_file_bytes"),
    ],
)
async def test_invalid_input_names_the_field_and_writes_nothing(
    tenant_deps: TenantDependencies, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await create_tenant(_with(**change), tenant_deps, actor="op")

    assert raised.value.field == field
    assert _catalog(tenant_deps).tenants == {}
    assert _catalog(tenant_deps).audit == []


async def test_taken_slug_is_refused_on_the_slug(tenant_deps: TenantDependencies) -> None:
    await create_tenant(REQUEST, tenant_deps, actor="op")
    with pytest.raises(SlugTaken) as raised:
        await create_tenant(_with(admin_email="other@acme.example"), tenant_deps, actor="op")
    assert raised.value.field == "slug"
    assert raised.value.code == "slug_taken"
    assert len(_catalog(tenant_deps).tenants) == 1


async def test_failed_provisioning_stays_provisioning_with_the_error_then_a_retry_finishes(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    databases, _ = _resources(tenant_deps)
    databases.fail_next = "instance restarted"

    with pytest.raises(Unavailable) as raised:
        await create_tenant(REQUEST, tenant_deps, actor="op")
    (stuck,) = _catalog(tenant_deps).tenants.values()

    assert raised.value.code == "provisioning_failed"
    assert stuck.status is TenantStatus.PROVISIONING
    assert stuck.provisioning_error == "instance restarted"
    assert uow.data(stuck.id).users == {}

    finished = await provision_tenant(stuck.id, tenant_deps, actor="op")
    assert finished.status is TenantStatus.ACTIVE
    assert finished.provisioning_error is None
    assert [u.email for u in uow.data(stuck.id).users.values()] == ["ops@acme.example"]
    with pytest.raises(InvalidTransition):
        await provision_tenant(stuck.id, tenant_deps, actor="op")
    actions = [e.action for e in _catalog(tenant_deps).audit]
    assert actions == ["created", "provisioning_failed", "provisioned"]


def test_slugs_follow_dns_label_rules() -> None:
    assert validate_slug("acme-2") == "acme-2"
    assert validate_slug("a") == "a"
    for bad in ("", "acme-", "ac me", "acmé", "ACME", "a.b", "www"):
        with pytest.raises(InvalidInput):
            validate_slug(bad)


async def test_suspended_tenant_refuses_service_and_resumes_untouched(
    tenant_deps: TenantDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    tenant, admin = await create_tenant(REQUEST, tenant_deps, actor="op")
    suspended = await suspend_tenant("acme", tenant_deps, actor="op")

    with pytest.raises(TenantSuspended) as raised:
        suspended.ensure_serving()
    assert raised.value.code == "tenant_suspended"
    with pytest.raises(InvalidTransition):
        await suspend_tenant(tenant.id, tenant_deps, actor="op")

    resumed = await resume_tenant(tenant.id, tenant_deps, actor="op")
    resumed.ensure_serving()
    assert admin.id in uow.data(tenant.id).users


async def test_deleted_tenant_is_purged_only_after_the_grace_period(
    tenant_deps: TenantDependencies, clock: FixedClock
) -> None:
    tenant, _ = await create_tenant(REQUEST, tenant_deps, actor="op")
    deleting = await delete_tenant("acme", tenant_deps, actor="op", grace=GRACE)
    again = await delete_tenant("acme", tenant_deps, actor="op", grace=GRACE)

    assert deleting.status is TenantStatus.DELETING
    assert again.purge_after == deleting.purge_after == clock.now() + GRACE
    with pytest.raises(Forbidden):
        deleting.ensure_serving()

    clock.advance(GRACE - timedelta(seconds=1))
    assert (await purge_due_tenants(tenant_deps, actor="worker")).purged == []
    assert await tenant_deps.databases.exists(tenant.id)

    clock.advance(timedelta(seconds=1))
    report = await purge_due_tenants(tenant_deps, actor="worker")
    assert [t.slug for t in report.purged] == ["acme"]
    assert not await tenant_deps.databases.exists(tenant.id)
    assert not await tenant_deps.storage.exists(tenant.id)
    assert _catalog(tenant_deps).tenants[tenant.id].status is TenantStatus.DELETED
    actions = [e.action for e in _catalog(tenant_deps).audit]
    assert actions[-2:] == ["deletion_requested", "purged"]


async def test_purge_that_fails_is_reported_and_retried_on_the_next_pass(
    tenant_deps: TenantDependencies, clock: FixedClock
) -> None:
    await create_tenant(REQUEST, tenant_deps, actor="op")
    await delete_tenant("acme", tenant_deps, actor="op", grace=timedelta(0))
    databases, _ = _resources(tenant_deps)
    databases.fail_next = "connection reset"

    first = await purge_due_tenants(tenant_deps, actor="worker")
    second = await purge_due_tenants(tenant_deps, actor="worker")

    assert first.failed == {"acme": "connection reset"}
    assert [t.slug for t in second.purged] == ["acme"]


async def test_limits_are_updated_within_range_and_audited(tenant_deps: TenantDependencies) -> None:
    await create_tenant(REQUEST, tenant_deps, actor="op")
    changes = {"max_users": 100, "max_concurrent_sessions": 10}
    updated = await update_tenant("acme", tenant_deps, actor="op", limits=changes)
    assert updated.limits == PlanLimits(max_users=100, max_concurrent_sessions=10)
    assert _catalog(tenant_deps).audit[-1].detail["max_users"] == "100"
    with pytest.raises(InvalidInput) as raised:
        await update_tenant("acme", tenant_deps, actor="op", limits={"max_concurrent_sessions": 0})
    assert raised.value.field == "limits.max_concurrent_sessions"


async def test_reconcile_finds_orphans_and_gaps_and_cleans_only_orphans(
    tenant_deps: TenantDependencies,
) -> None:
    tenant, _ = await create_tenant(REQUEST, tenant_deps, actor="op")
    databases, storage = _resources(tenant_deps)
    stray = uuid.uuid4()
    databases.created.add(stray)
    storage.created.discard(tenant.id)

    report = await reconcile_tenants(tenant_deps, actor="op")
    assert report.orphan_databases == {stray}
    assert report.missing_directories == {tenant.id}
    assert not report.clean

    await reconcile_tenants(tenant_deps, actor="op", remove_orphans=True)
    assert databases.created == {tenant.id}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///../outside.db",
        "sqlite+aiosqlite:///acme/../../outside.db",
        "sqlite+aiosqlite:////etc/acme.db",
        "sqlite+aiosqlite:///acme\\..\\outside.db",
        "sqlite+aiosqlite:///acme.db?mode=memory",
        "sqlite+aiosqlite:///.hidden.db",
        "postgresql+asyncpg://",
    ],
)
def test_dedicated_database_url_may_not_leave_the_data_directory(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_database_url(url, sqlite_folder=PurePath("/srv/passerelle"))
    assert refused.value.field == "database_url"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+asyncpg://u@\u0087/db", "a host IDNA cannot encode"),
        ("postgresql+asyncpg://u@[::1/db", "an IPv6 address without its closing bracket"),
        ("postgresql+asyncpg://u@[db.example]/db", "brackets around something not IPv6"),
        ("postgresql+asyncpg://u@db..example/db", "an empty label"),
        (f"postgresql+asyncpg://u@{'a' * 64}.example/db", "a label of 64 characters"),
        (f"postgresql+asyncpg://u@{'a.' * 127}example/db", "a name of 255 characters"),
        ("postgresql+asyncpg://u@db!.example/db", "a character no host name holds"),
        ("postgresql+asyncpg://u@-db.example/db", "a label starting with a hyphen"),
        ("postgresql+asyncpg://u@/db", "no host"),
        ("postgresql+asyncpg://u@db.example:99999/db", "a port past 65535"),
        ("postgresql+asyncpg://u@db.example:0/db", "port 0"),
        ("postgresql+asyncpg://u@db.example:5432x/db", "a port that is not a number"),
        ("postgresql+asyncpg://u@db.example:/db", "an empty port"),
        ("postgresql+asyncpg://u@db.example:+5432/db", "a signed port"),
        ("postgresql+asyncpg://u@h1:5432,h2:5432/db", "several hosts"),
        ("postgresql+asyncpg://u:p@ss@db.example/db", "an unescaped @ in the password"),
        ("postgresql+asyncpg://u@db.example", "no database name"),
        ("postgresql+asyncpg://u@db.example/", "an empty database name"),
        ("postgresql+asyncpg://u@db.example/db#frag", "a fragment"),
        ("postgresql+asyncpg://u@db.example/d\u0087b", "a control character"),
        ("postgresql+asyncpg://u@db.example/db?host=%C2%87", "a host in the query"),
        ("postgresql+asyncpg://u@db.example/db?passfile=/etc/shadow", "an unknown parameter"),
        ("postgresql+asyncpg://u@db.example/db?statement_cache_size=x", "a parameter not a count"),
        ("postgresql+asyncpg://u@db.example/db?statement_cache_size", "a parameter without value"),
        ("postgres://u@db.example/db", "another driver's scheme"),
        ("POSTGRESQL+ASYNCPG://u@db.example/db", "the scheme in capitals"),
        ("postgresql+asyncpg:/u@db.example/db", "a scheme without //"),
    ],
)
def test_dedicated_postgres_url_is_refused_unless_its_host_port_and_database_can_be_used(
    url: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_database_url(url, sqlite_folder=PurePath("/srv/passerelle"))
    assert (refused.value.field, refused.value.code) == ("database_url", "invalid_database_url")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://acme@db.acme.example:5432/passerelle",
        "postgresql+asyncpg://acme:s3cr%2Ft%40x@db.acme.example/passerelle",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres_dedicated",
        "postgresql+asyncpg://acme@[::1]:5432/acme",
        "postgresql+asyncpg://acme@DB.Acme.Example./acme",
        "postgresql+asyncpg://acme@db_1/acme",
        "postgresql+asyncpg://acme@bücher.example/acme",
        "postgresql+asyncpg://u@pgbouncer:6432/acme?prepared_statement_cache_size=0&statement_cache_size=0",
    ],
)
def test_dedicated_postgres_url_with_a_usable_host_is_kept_as_given(url: str) -> None:
    assert validate_database_url(url, sqlite_folder=PurePath("/srv")) == url


def test_dedicated_sqlite_path_is_kept_absolute_inside_the_data_directory() -> None:
    url = validate_database_url("sqlite+aiosqlite:///acme/acme.db", sqlite_folder=PurePath("/srv"))
    assert url == "sqlite+aiosqlite:////srv/acme/acme.db"


async def test_first_admin_password_may_not_contain_the_address_name_part(
    tenant_deps: TenantDependencies,
) -> None:
    request = replace(REQUEST, admin_password="ops-and-more-words")
    with pytest.raises(InvalidInput) as refused:
        await create_tenant(request, tenant_deps, actor="op")
    assert (refused.value.field, refused.value.code) == (
        "admin_password",
        "password_contains_email",
    )
    assert await _catalog(tenant_deps).find_by_slug("acme") is None
