"""Webhook signing secrets rest sealed in the tenant database, and still sign every delivery.

Covers rows written before sealing existed (clear text: still signing, sealed by their next
write) and tenant archives moved to a deployment with another key (the archive carries the
opened secret; the importing deployment seals it for the tenant's new id with its own key).
"""

from __future__ import annotations

import tarfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from dependency_injector import providers

from adapters.aesgcm.sealer import AesGcmSealer, key_id, parse_keys
from adapters.memory.clock import FixedClock
from adapters.sql.sealed_columns import sealed_context
from adapters.sql.tenant_tables import outbox, webhook_endpoints
from apps.api.app import create_app
from apps.container import Container, build_container, close_container
from apps.worker.outbox_worker import OutboxWorker
from core.tenants.portability import export_tenant, import_tenant
from core.webhooks.model import WebhookRules
from core.webhooks.signing import new_secret, verify
from tests.conftest import Database
from tests.integration.conftest import TEST_ENCRYPTION_KEY, Api, settings_for
from tests.support.webhook_receiver import WebhookReceiver

HOOKS = "/api/v1/webhook-endpoints"
OTHER_KEY = "b3RoZXItZGVwbG95bWVudC1rZXktMDEyMzQ1Njc4OWE"


def _allow_loopback(container: Container) -> None:
    rules = WebhookRules(allow_http=True, allow_private_targets=True)
    container.webhook_rules.override(providers.Object(rules))
    container.clock.override(providers.Object(FixedClock(datetime.now(UTC))))


async def _endpoint(api: Api, url: str) -> tuple[dict[str, str], str, str]:
    """A signed-in admin of a new tenant ``acme``, and its endpoint's id and secret."""
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await api.client.post(
        HOOKS, json={"url": url, "event_types": ["session.created"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return admin, body["endpoint"]["id"], body["secret"]


async def _tenant_id(container: Container, slug: str) -> uuid.UUID:
    tenant = await container.catalog().find_by_slug(slug)
    assert tenant is not None
    return tenant.id


async def _stored(container: Container, slug: str, endpoint_id: str) -> str:
    """The secret column as the database holds it."""
    engine = await container.tenant_engines().engine_for(await _tenant_id(container, slug))
    query = sa.select(webhook_endpoints.c.secret).where(
        webhook_endpoints.c.id == uuid.UUID(endpoint_id)
    )
    async with engine.connect() as connection:
        return str((await connection.execute(query)).scalar_one())


async def _store_in_the_clear(container: Container, endpoint_id: str, secret: str) -> None:
    """The row as it was written before sealing existed."""
    engine = await container.tenant_engines().engine_for(await _tenant_id(container, "acme"))
    async with engine.begin() as connection:
        await connection.execute(
            webhook_endpoints.update()
            .where(webhook_endpoints.c.id == uuid.UUID(endpoint_id))
            .values(secret=secret)
        )


async def test_the_row_holds_no_clear_secret_and_deliveries_are_signed_with_it(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api.container)
    admin, endpoint_id, secret = await _endpoint(api, webhook_receiver.url)

    stored = await _stored(api.container, "acme", endpoint_id)
    queued = await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await OutboxWorker(api.container).run_once()

    assert queued.status_code == 202, queued.text
    assert stored.startswith(f"v1:{key_id(parse_keys(TEST_ENCRYPTION_KEY)[0])}:")
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    (hook,) = webhook_receiver.hooks()
    assert verify(secret, hook.headers, hook.body)


async def test_a_clear_text_row_still_signs_and_is_sealed_by_its_next_write(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api.container)
    admin, endpoint_id, secret = await _endpoint(api, webhook_receiver.url)
    await _store_in_the_clear(api.container, endpoint_id, secret)

    await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await OutboxWorker(api.container).run_once()
    changed = await api.client.patch(
        f"{HOOKS}/{endpoint_id}", json={"description": "pumps"}, headers=admin
    )
    stored = await _stored(api.container, "acme", endpoint_id)
    await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await OutboxWorker(api.container).run_once()

    assert changed.status_code == 200, changed.text
    assert stored.startswith("v1:")
    assert secret not in stored
    before, after = webhook_receiver.hooks()
    assert verify(secret, before.headers, before.body)
    assert verify(secret, after.headers, after.body)


async def test_an_archive_moved_to_a_deployment_with_another_key_still_signs(
    api: Api, database: Database, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    _allow_loopback(api.container)
    _, endpoint_id, secret = await _endpoint(api, webhook_receiver.url)
    archive = tmp_path / "acme.tar.gz"
    await export_tenant(
        "acme",
        api.container.portability_dependencies(),
        api.container.tenant_archives().create(archive),
        actor="test",
    )
    other = build_container(
        settings_for(database, tmp_path / "other", encryption={"keys": OTHER_KEY})
    )
    _allow_loopback(other)
    try:
        await import_tenant(
            other.tenant_archives().open(archive),
            other.portability_dependencies(),
            slug="acme-moved",
            actor="test",
        )
        stored = await _stored(other, "acme-moved", endpoint_id)
        app = create_app(other, close=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            moved = Api(client=client, operator_key="", container=other)
            admin = await moved.login("acme-moved")
            queued = await client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
            await OutboxWorker(other).run_once()
    finally:
        await close_container(other)

    assert queued.status_code == 202, queued.text
    assert stored.startswith(f"v1:{key_id(parse_keys(OTHER_KEY)[0])}:")
    (hook,) = webhook_receiver.hooks()
    assert verify(secret, hook.headers, hook.body)
    with tarfile.open(archive) as tar:
        member = tar.extractfile("rows/webhook_endpoints.jsonl")
        assert member is not None
        assert secret in member.read().decode()


async def test_a_secret_the_keys_do_not_open_stops_only_its_own_deliveries_until_rotated(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api.container)
    admin, endpoint_id, _ = await _endpoint(api, webhook_receiver.url)
    tenant_id = await _tenant_id(api.container, "acme")
    context = sealed_context(webhook_endpoints.name, tenant_id, uuid.UUID(endpoint_id))
    foreign = AesGcmSealer(parse_keys(OTHER_KEY)).seal(new_secret(), context)
    queued = await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await _store_in_the_clear(api.container, endpoint_id, foreign)

    listed = await api.client.get(HOOKS, headers=admin)
    await OutboxWorker(api.container).run_once()
    unsent = webhook_receiver.hooks()
    engine = await api.container.tenant_engines().engine_for(tenant_id)
    async with engine.connect() as connection:
        query = sa.select(outbox.c.status, outbox.c.last_error)
        status, error = (await connection.execute(query)).one()
    rotated = await api.client.post(f"{HOOKS}/{endpoint_id}/rotate-secret", headers=admin)
    await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await OutboxWorker(api.container).run_once()

    assert queued.status_code == 202, queued.text
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [endpoint_id]
    assert unsent == []
    assert status == "failed"
    assert "encryption.keys" in error
    assert rotated.status_code == 200, rotated.text
    (signed,) = webhook_receiver.hooks()
    assert verify(rotated.json()["secret"], signed.headers, signed.body)
