"""New tenant databases copied from a migrated template: at head, one template per set of
migrations, and no template that reconciling would take for an orphan tenant."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from dependency_injector import providers

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.sql import tenant_templates
from apps.container import Container, build_container, close_container
from apps.maintenance import migrate_control
from core.tenants.services import CreateTenant, create_tenant
from tests.conftest import Database
from tests.integration.conftest import ADMIN_PASSWORD, settings_for


async def _container(database: Database, folder: Path, *, templates: bool) -> Container:
    """Templates under this test's own prefix and folder, dropped with its databases."""
    settings = settings_for(database, folder)
    settings = settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={
                    "tenant_templates": templates,
                    "tenant_template_prefix": database.tenant_prefix,
                    "tenant_template_dir": folder / "templates",
                }
            )
        }
    )
    container = build_container(settings)
    container.hasher.override(
        providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
    )
    await migrate_control(container)
    return container


@pytest.fixture
async def templated(database: Database, tmp_path: Path) -> AsyncIterator[Container]:
    container = await _container(database, tmp_path, templates=True)
    yield container
    await close_container(container)


async def _templates(container: Container, database: Database, folder: Path) -> list[str]:
    """Names of the templates there are, with whether a client may connect to each."""
    if database.backend == "sqlite":
        return sorted(p.name for p in (folder / "templates").glob("*.db"))
    query = sa.text(
        "SELECT datname || ':' || datallowconn FROM pg_database "
        "WHERE starts_with(datname, :prefix) ORDER BY datname"
    )
    async with container.control_engine().connect() as connection:
        found = await connection.execute(query, {"prefix": database.tenant_prefix + "template_"})
        return list(found.scalars().all())


def _expected(database: Database, key: str) -> list[str]:
    if database.backend == "sqlite":
        return [f"tenant_{key}.db"]
    return [f"{database.tenant_prefix}template_{key}:false"]


async def test_new_tenants_are_copies_of_one_template_at_head_and_no_orphans(
    templated: Container, database: Database, tmp_path: Path
) -> None:
    first, _ = await create_tenant(
        CreateTenant("acme", "ACME", "a@acme.example", ADMIN_PASSWORD, "Ada"),
        templated.tenant_dependencies(),
        actor="test",
    )
    second = uuid.uuid4()
    databases = templated.tenant_databases()
    await databases.ensure(second)

    assert await databases.at_head(first.id)
    assert await databases.at_head(second)
    async with templated.tenant_uow()(first.id) as uow:
        assert await uow.users.find_by_email("a@acme.example") is not None
    async with templated.tenant_uow()(second) as uow:
        assert await uow.users.find_by_email("a@acme.example") is None
    assert await _templates(templated, database, tmp_path) == _expected(
        database, tenant_templates.template_key()
    )
    assert await databases.tenant_ids() == {first.id, second}


async def test_new_migrations_build_a_new_template_and_only_the_newest_few_are_kept(
    templated: Container, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    databases = templated.tenant_databases()
    keys = [f"0001_{str(n) * 12}" for n in range(1, tenant_templates.KEPT_TEMPLATES + 2)]
    for key in keys:
        monkeypatch.setattr(tenant_templates, "template_key", lambda key=key: key)
        tenant = uuid.uuid4()
        await databases.ensure(tenant)
        assert await databases.at_head(tenant)

    kept = sorted(name for key in keys[1:] for name in _expected(database, key))
    assert await _templates(templated, database, tmp_path) == kept


async def test_tenants_provisioned_at_once_all_get_a_database_and_one_template_is_kept(
    templated: Container, database: Database, tmp_path: Path
) -> None:
    databases = templated.tenant_databases()
    tenants = [uuid.uuid4() for _ in range(4)]
    await asyncio.gather(*(databases.ensure(tenant) for tenant in tenants))

    for tenant in tenants:
        assert await databases.at_head(tenant)
    assert await _templates(templated, database, tmp_path) == _expected(
        database, tenant_templates.template_key()
    )


async def test_with_templates_off_a_tenant_database_is_migrated_in_place(
    database: Database, tmp_path: Path
) -> None:
    container = await _container(database, tmp_path, templates=False)
    try:
        tenant = uuid.uuid4()
        await container.tenant_databases().ensure(tenant)
        assert await container.tenant_databases().at_head(tenant)
        assert await _templates(container, database, tmp_path) == []
    finally:
        await close_container(container)
