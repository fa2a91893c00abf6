"""A dedicated tenant: its database at its own URL, everything else the same."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engines import create_engine
from adapters.sql.tenant_tables import assistance_sessions
from core.tenants.lifecycle import delete_tenant, purge_tenant, reconcile_tenants
from core.tenants.model import Placement
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


async def _create_dedicated(api: Api, url: str) -> httpx.Response:
    """The operator's request for tenant ``acme`` (admin password ADMIN_PASSWORD) at ``url``."""
    body = {
        "slug": "acme",
        "display_name": "ACME",
        "admin_email": "admin@acme.example",
        "admin_password": ADMIN_PASSWORD,
        "admin_name": "Ada",
        "database_url": url,
    }
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    return await api.client.post("/api/v1/tenants", json=body, headers=operator)


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
    response = await _create_dedicated(api, url)
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


async def test_a_dedicated_server_is_managed_with_the_deployments_database_tls(
    api: Api, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating the database goes through the server's maintenance database on an engine
    made as every tenant engine is, TLS settings included (verify-ca, verify-full)."""
    engines = api.container.tenant_engines()
    opened: list[URL] = []
    made = engines.open_uncached

    def recording(url: URL) -> AsyncEngine:
        opened.append(url)
        return made(url)

    monkeypatch.setattr(engines, "open_uncached", recording)
    url, _ = _dedicated_url(database, tmp_path)
    response = await _create_dedicated(api, url)

    assert response.status_code == 201, response.text
    expected = {"postgres"} if database.backend == "postgresql" else set()
    assert {u.database for u in opened} == expected


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
    response = await _create_dedicated(api, url)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "database_url"
    listed = await api.client.get(
        "/api/v1/tenants", headers={"Authorization": f"Bearer {api.operator_key}"}
    )
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://u@\u0087/db",
        "postgresql+asyncpg://u@[::1/db",
        "postgresql+asyncpg://u@db..example/db",
        "postgresql+asyncpg://u@db.example:70000/db",
        "postgresql+asyncpg://u@db.example/db?host=elsewhere",
    ],
)
async def test_database_url_whose_host_or_port_no_driver_can_use_is_refused_before_any_write(
    api: Api, url: str
) -> None:
    operator = {"Authorization": f"Bearer {api.operator_key}"}

    response = await _create_dedicated(api, url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_database_url"
    assert [e["field"] for e in response.json()["errors"]] == ["database_url"]
    listed = await api.client.get("/api/v1/tenants", headers=operator)
    assert listed.json()["items"] == []


async def test_a_dedicated_server_that_does_not_answer_leaves_the_tenant_provisioning_with_503(
    api: Api,
) -> None:
    operator = {"Authorization": f"Bearer {api.operator_key}"}

    created = await _create_dedicated(api, "postgresql+asyncpg://u@127.0.0.1:9/acme")

    assert created.status_code == 503, created.text
    assert created.json()["code"] == "provisioning_failed"
    (stuck,) = (await api.client.get("/api/v1/tenants", headers=operator)).json()["items"]
    assert stuck["status"] == "provisioning"
    assert stuck["provisioning_error"]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://u@\u0087/db",
        "postgresql+asyncpg://u@[::1/db",
        "postgresql+asyncpg://u@db.example/db?statement_cache_size=x",
        "postgresql+asyncpg://u@db.example/db?no_such_argument=1",
    ],
)
async def test_provisioning_a_tenant_whose_url_the_driver_refuses_answers_503_not_500(
    api: Api, url: str
) -> None:
    """A catalog row written before its URL was checked this closely: whatever the driver
    raises on it ends as the documented provisioning failure, the error kept."""
    tenant = await api.add_provisioning_tenant(
        "legacy", placement=Placement.DEDICATED, database_url=url
    )
    operator = {"Authorization": f"Bearer {api.operator_key}"}

    response = await api.client.post(f"/api/v1/tenants/{tenant.id}/provision", headers=operator)

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "provisioning_failed"
    stuck = (await api.client.get(f"/api/v1/tenants/{tenant.id}", headers=operator)).json()
    assert stuck["status"] == "provisioning"
    assert stuck["provisioning_error"]
