"""Tenant databases: named from the id only, created idempotently, engines kept within a bound."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.sql.engines import TenantEngines
from adapters.sql.locator import DatabaseLocator
from apps.config.loading import SettingsError, load_settings
from apps.container import Container
from core.tenants.lifecycle import reconcile_tenants
from core.tenants.services import CreateTenant, create_tenant
from tests.conftest import Database
from tests.integration.conftest import ADMIN_PASSWORD


async def test_tenant_database_name_comes_from_the_id_never_the_slug(
    container: Container, database: Database
) -> None:
    tenant, _ = await create_tenant(
        CreateTenant("robert-drop-table", "Bobby Tables", "a@b.example", ADMIN_PASSWORD, "Bob"),
        container.tenant_dependencies(),
        actor="test",
    )
    locator = container.locator()
    if database.backend == "postgresql":
        async with container.control_engine().connect() as connection:
            names = (
                (
                    await connection.execute(
                        sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                        {"p": database.tenant_prefix + "%"},
                    )
                )
                .scalars()
                .all()
            )
        assert names == [database.tenant_prefix + tenant.id.hex]
    else:
        assert locator.sqlite_path(tenant.id).name == f"{tenant.id}.db"
        assert locator.sqlite_path(tenant.id).exists()
    assert "robert" not in str(locator.url_for(tenant.id))


async def test_ensuring_a_tenant_database_twice_changes_nothing(container: Container) -> None:
    tenant, _ = await create_tenant(
        CreateTenant("acme", "ACME", "a@b.example", ADMIN_PASSWORD, "Ada"),
        container.tenant_dependencies(),
        actor="test",
    )
    databases = container.tenant_databases()
    await databases.ensure(tenant.id)
    await databases.ensure(tenant.id)
    assert await databases.exists(tenant.id)
    assert not await databases.exists(uuid.uuid4())
    async with container.tenant_uow()(tenant.id) as uow:
        assert await uow.users.find_by_email("a@b.example") is not None


async def test_engine_cache_keeps_at_most_its_bound_and_evicts_the_least_recent(
    tmp_path: Path,
) -> None:
    locator = DatabaseLocator(f"sqlite+aiosqlite:///{tmp_path}/control.db")
    engines = TenantEngines(locator.url_for, max_engines=2)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine_first = engines.get(first)
    engines.get(second)
    assert engines.get(first) is engine_first
    engines.get(third)

    assert len(engines) == 2
    assert engines.get(first) is engine_first
    assert len(engines) == 2
    await engines.dispose()
    assert len(engines) == 0


async def test_reconcile_finds_an_uncatalogued_database_and_drops_it(container: Container) -> None:
    tenant, _ = await create_tenant(
        CreateTenant("acme", "ACME", "a@b.example", ADMIN_PASSWORD, "Ada"),
        container.tenant_dependencies(),
        actor="test",
    )
    stray = uuid.uuid4()
    await container.tenant_databases().ensure(stray)

    report = await reconcile_tenants(container.tenant_dependencies(), actor="test")
    assert report.orphan_databases == {stray}
    assert report.missing_databases == set()

    await reconcile_tenants(container.tenant_dependencies(), actor="test", remove_orphans=True)
    assert await container.tenant_databases().tenant_ids() == {tenant.id}


async def test_dropping_a_tenant_database_twice_is_not_an_error(container: Container) -> None:
    tenant_id = uuid.uuid4()
    databases = container.tenant_databases()
    await databases.ensure(tenant_id)
    await databases.drop(tenant_id)
    await databases.drop(tenant_id)
    assert not await databases.exists(tenant_id)


async def test_engines_unused_for_their_idle_time_are_closed(tmp_path: Path) -> None:
    now = [0.0]
    locator = DatabaseLocator(f"sqlite+aiosqlite:///{tmp_path}/control.db")
    engines = TenantEngines(
        locator.url_for, max_engines=10, idle_seconds=60, monotonic=lambda: now[0]
    )
    quiet, busy = uuid.uuid4(), uuid.uuid4()
    engines.get(quiet)
    now[0] = 50
    engines.get(busy)
    now[0] = 70

    assert engines.sweep() == 1
    assert len(engines) == 1
    now[0] = 200
    engines.get(quiet)
    assert len(engines) == 1
    await engines.dispose()


def test_pool_settings_that_could_exceed_the_connection_bound_stop_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="max_connections"):
        load_settings(
            profile="embedded",
            data_dir=tmp_path,
            database={"max_tenant_engines": 100, "tenant_pool_size": 5, "max_connections": 100},
        )
