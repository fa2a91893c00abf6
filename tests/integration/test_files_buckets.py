"""The files API on the bucket stores: Cloud Storage (gcp-storage-emulator) and S3 (moto's
server), both on 127.0.0.1. The same cases run on each: uploads land under the tenant's
directory and refused ones leave no object; downloads stream back and redirect to a
signed URL fetched over plain HTTP; a signed upload is confirmed, then deleted with its
object; reconciliation finds and repairs orphans in the bucket."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.memory.mail_sender import RecordingMailSender
from apps.container import Container, build_container, close_container
from apps.maintenance import migrate_control
from core.files.reconcile import reconcile
from tests.conftest import Database, fresh_database
from tests.integration.conftest import Api, settings_for
from tests.support.gcs_server import gcs_server  # noqa: F401 - fixture
from tests.support.s3_server import moto_server, s3_server  # noqa: F401 - fixtures

BODY = b"bucket bytes " * 5000


@dataclass(frozen=True)
class Bucket:
    """A running bucket peer: the settings pointing at it, and its object names."""

    backend: str
    settings: Any
    object_names: Callable[[], list[str]]

    def files(self) -> list[str]:
        """Objects of files (provisioning also writes the tenant directory's marker)."""
        return [name for name in self.object_names() if "/files/" in name]


@pytest.fixture(params=["gcs", "s3"])
def bucket(request: pytest.FixtureRequest) -> Bucket:
    peer = request.getfixturevalue(f"{request.param}_server")
    return Bucket(request.param, peer.settings(), peer.object_names)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only: these tests are about the buckets; the files table runs on both
    databases in test_files_api."""
    async with fresh_database("sqlite", tmp_path) as created:
        yield created


@pytest.fixture
async def container(database: Database, tmp_path: Path, bucket: Bucket) -> AsyncIterator[Container]:
    base = settings_for(database, tmp_path)
    settings = base.model_copy(
        update={
            "storage": base.storage.model_copy(update={"backend": bucket.backend}),
            bucket.backend: bucket.settings,
        }
    )
    built = build_container(settings)
    built.hasher.override(providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192)))
    built.mail.override(providers.Object(RecordingMailSender()))
    await migrate_control(built)
    try:
        yield built
    finally:
        await close_container(built)


async def _tenant(api: Api) -> tuple[dict[str, str], str]:
    created = await api.create_tenant("acme")
    return await api.login("acme"), created["tenant"]["id"]


async def test_uploads_land_in_the_tenants_directory_and_come_back_both_ways(
    api: Api, bucket: Bucket
) -> None:
    admin, tenant_id = await _tenant(api)
    uploaded = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "../../x.bin"},
        content=BODY,
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert uploaded.json()["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert bucket.files() == [f"tenants/{tenant_id}/files/{file_id}"]

    deps = api.container.file_dependencies()
    smaller = replace(deps, rules=replace(deps.rules, max_file_bytes=len(BODY) - 1))
    api.container.file_dependencies.override(providers.Object(smaller))
    refused = await api.client.post(
        "/api/v1/files",
        files={"file": ("big.bin", BODY, "application/octet-stream")},
        headers=admin,
    )
    assert refused.status_code == 413, refused.text
    assert len(bucket.files()) == 1

    streamed = await api.client.get(
        f"/api/v1/files/{file_id}/content", params={"stream": "true"}, headers=admin
    )
    assert streamed.content == BODY
    redirected = await api.client.get(f"/api/v1/files/{file_id}/content", headers=admin)
    assert redirected.status_code == 307
    async with httpx.AsyncClient() as plain:
        assert (await plain.get(redirected.headers["location"])).content == BODY


async def test_a_signed_upload_is_confirmed_then_deleted_with_its_object(
    api: Api, bucket: Bucket
) -> None:
    admin, tenant_id = await _tenant(api)
    started = await api.client.post(
        "/api/v1/files/uploads",
        json={"name": "m.pdf", "content_type": "application/pdf", "size": len(BODY)},
        headers=admin,
    )
    assert started.status_code == 201, started.text
    file_id, upload = started.json()["file"]["id"], started.json()["upload"]
    async with httpx.AsyncClient() as plain:
        put = await plain.put(upload["url"], content=BODY, headers=upload["headers"])
    assert put.status_code == 200, put.text
    confirmed = await api.client.post(f"/api/v1/files/{file_id}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["size"]) == ("available", len(BODY))
    assert confirmed.json()["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert bucket.files() == [f"tenants/{tenant_id}/files/{file_id}"]

    deleted = await api.client.delete(f"/api/v1/files/{file_id}", headers=admin)
    assert deleted.status_code == 204
    assert bucket.files() == []


async def test_reconciliation_finds_then_repairs_orphans_in_the_bucket(
    api: Api, bucket: Bucket
) -> None:
    admin, tenant_id = await _tenant(api)
    tenant = uuid.UUID(tenant_id)
    kept, lost = [
        (
            await api.client.post(
                "/api/v1/files/raw",
                params={"name": name},
                content=BODY,
                headers={**admin, "Content-Type": "text/plain"},
            )
        ).json()["id"]
        for name in ("kept.txt", "lost.txt")
    ]
    deps = api.container.file_dependencies()
    await deps.blobs.delete(tenant, f"files/{lost}")

    async def left_behind() -> AsyncIterator[bytes]:
        yield b"an upload cut short"

    orphan = f"files/{uuid.uuid4()}"
    await deps.blobs.put(tenant, orphan, left_behind(), content_type="text/plain")

    now = datetime.now(UTC)
    found = await reconcile(tenant, deps.tenant_uow, deps.blobs, now)
    assert [b.key for b in found.orphan_blobs] == [orphan]
    assert [str(f.id) for f in found.missing_blobs] == [lost]
    repaired = await reconcile(
        tenant,
        deps.tenant_uow,
        deps.blobs,
        now + timedelta(minutes=1),
        repair=True,
        grace=timedelta(0),
    )
    assert repaired.repaired == 2
    assert (await reconcile(tenant, deps.tenant_uow, deps.blobs, now)).clean
    assert bucket.files() == [f"tenants/{tenant_id}/files/{kept}"]
