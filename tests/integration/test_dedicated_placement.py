"""A dedicated tenant: its database at its own URL, everything else the same."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.sql.engines import create_engine
from adapters.sql.tenant_tables import assistance_sessions
from core.tenants.lifecycle import delete_tenant, purge_tenant, reconcile_tenants
from tests.conftest import Database
from tests.integration.conftest import ADMIN_PASSWORD, Api


def _dedicated_url(database: Database, data_dir: Path) -> tuple[str, str]:
    """The URL an operator gives and the one it stands for (SQLite: in the data directory)."""
    if database.backend == "sqlite":
        return (
            "sqlite+aiosqlite:///customer-server/acme.db",
            f"sqlite+aiosqlite:///{data_dir}/customer-server/acme.db",
        )
    control = make_url(database.url)
    url = control.set(database=f"{control.database}_dedicated").render_as_string(False)
    return url, url


async def _sessions_in(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(assistance_sessions)
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_dedicated_tenant_keeps_its_data_at_its_own_url_until_purged(
    api: Api, database: Database, tmp_path: Path
) -> None:
    url, actual = _dedicated_url(database, tmp_path)
    response = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": "acme",
            "display_name": "ACME",
            "admin_email": "admin@acme.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "Ada",
            "database_url": url,
        },
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert response.status_code == 201, response.text
    tenant = response.json()["tenant"]
    assert tenant["placement"] == "dedicated"
    assert url not in response.text
    assert actual not in response.text

    headers = await api.login("acme")
    await api.create_session(headers, "on the customer's own server")

    assert await _sessions_in(actual) == 1
    deps = api.container.tenant_dependencies()
    assert uuid.UUID(tenant["id"]) not in await deps.databases.tenant_ids()
    assert (await reconcile_tenants(deps, actor="test")).clean

    deleting = await delete_tenant("acme", deps, actor="test", grace=timedelta(0))
    await purge_tenant(deleting, deps, actor="test")
    assert not await deps.databases.exists(uuid.UUID(tenant["id"]))


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@db/acme",
        "sqlite+aiosqlite:///../outside.db",
        "sqlite+aiosqlite:////etc/acme.db",
        "sqlite+aiosqlite:///customer/./acme.db",
    ],
)
async def test_database_url_that_is_not_a_supported_url_is_refused_on_its_field(
    api: Api, url: str
) -> None:
    response = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": "acme",
            "display_name": "ACME",
            "admin_email": "admin@acme.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "Ada",
            "database_url": url,
        },
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "database_url"
    listed = await api.client.get(
        "/api/v1/tenants", headers={"Authorization": f"Bearer {api.operator_key}"}
    )
    assert listed.json()["items"] == []
