"""`passerelle secrets new-key` and `secrets reseal`: rotating the key sealing webhook secrets."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from adapters.aesgcm.sealer import AesGcmSealer, key_id, new_key, parse_keys
from adapters.sql.tenant_tables import webhook_endpoints
from adapters.sql.unit_of_work import SqlTenantUnitOfWorkFactory
from apps.cli.main import app
from apps.config.loading import load_settings
from apps.container import build_container, close_container
from core.webhooks.model import WebhookEndpoint
from tests.integration.conftest import TEST_ENCRYPTION_KEY

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def _migrated_with_acme() -> uuid.UUID:
    assert _run("migrate")[0] == 0
    code, out = _run(
        "tenants", "create", "--slug", "acme", "--name", "ACME",
        "--admin-email", "ops@acme.example", "--admin-name", "Ada", "--json",
    )  # fmt: skip
    assert code == 0, out
    return uuid.UUID(json.loads(out)["id"])


def _endpoints(tenant_id: uuid.UUID, clear: str) -> dict[uuid.UUID, str]:
    """Two endpoints: one sealed as written today, one left as written before sealing."""

    async def write() -> dict[uuid.UUID, str]:
        container = build_container(load_settings())
        try:
            now = datetime.now(UTC)
            sealed = WebhookEndpoint.new("https://a.example/h", "", ("session.created",), True, now)
            old = WebhookEndpoint.new("https://b.example/h", "", ("session.ended",), True, now)
            async with container.tenant_uow()(tenant_id) as uow:
                await uow.webhook_endpoints.add(sealed)
                await uow.webhook_endpoints.add(old)
                await uow.commit()
            engine = await container.tenant_engines().engine_for(tenant_id)
            async with engine.begin() as connection:
                query = webhook_endpoints.update().where(webhook_endpoints.c.id == old.id)
                await connection.execute(query.values(secret=clear))
            return {sealed.id: sealed.secret, old.id: clear}
        finally:
            await close_container(container)

    return asyncio.run(write())


def _read(
    tenant_id: uuid.UUID, ids: list[uuid.UUID], keys: str
) -> tuple[dict[uuid.UUID, str], list[str]]:
    """The secrets as a deployment with only ``keys`` opens them, and the stored values."""

    async def read() -> tuple[dict[uuid.UUID, str], list[str]]:
        container = build_container(load_settings())
        try:
            sealer = AesGcmSealer(parse_keys(keys))
            factory = SqlTenantUnitOfWorkFactory(container.tenant_engines(), sealer)
            async with factory(tenant_id) as uow:
                found = [await uow.webhook_endpoints.get(endpoint_id) for endpoint_id in ids]
            engine = await container.tenant_engines().engine_for(tenant_id)
            async with engine.connect() as connection:
                stored = (await connection.execute(webhook_endpoints.select())).all()
            return {e.id: e.secret for e in found if e}, [row.secret for row in stored]
        finally:
            await close_container(container)

    return asyncio.run(read())


def test_new_key_prints_a_key_the_settings_accept() -> None:
    code, out = _run("secrets", "new-key")

    assert code == 0, out
    assert len(parse_keys(out.strip())) == 1


@pytest.mark.usefixtures("environment")
def test_reseal_seals_clear_and_older_secrets_with_the_newest_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant_id = _migrated_with_acme()
    written = _endpoints(tenant_id, clear="whsec_" + "A" * 32)
    newest = new_key()
    monkeypatch.setenv("PASSERELLE_ENCRYPTION__KEYS", f"{newest},{TEST_ENCRYPTION_KEY}")

    first = _run("secrets", "reseal", "--json")
    again = _run("secrets", "reseal", "--json")
    monkeypatch.setenv("PASSERELLE_ENCRYPTION__KEYS", newest)
    opened, stored = _read(tenant_id, list(written), newest)

    assert first[0] == 0, first[1]
    acme = {"tenant": "acme", "tenant_id": str(tenant_id), "error": None}
    assert json.loads(first[1]) == [acme | {"resealed": 2}]
    assert json.loads(again[1]) == [acme | {"resealed": 0}]
    assert opened == written
    newest_id = key_id(parse_keys(newest)[0])
    assert all(value.startswith(f"v1:{newest_id}:") for value in stored)


@pytest.mark.usefixtures("environment")
def test_reseal_fails_naming_the_tenant_when_a_secret_does_not_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _endpoints(_migrated_with_acme(), clear="whsec_" + "A" * 32)
    monkeypatch.setenv("PASSERELLE_ENCRYPTION__KEYS", new_key())

    code, out = _run("secrets", "reseal")

    assert code == 1
    assert "acme" in out
    assert "not configured" in out
