"""The files API on Cloud Storage (gcp-storage-emulator on 127.0.0.1): uploads stream to
the bucket under the tenant's directory, refused ones leave no object, downloads stream
back and redirect to a signed URL of the bucket."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.memory.mail_sender import RecordingMailSender
from apps.container import Container, build_container, close_container
from apps.maintenance import migrate_control
from tests.conftest import Database
from tests.integration.conftest import Api, settings_for
from tests.support.gcs_server import GcsPeer, gcs_server  # noqa: F401 - fixture

BODY = b"gcs bytes " * 5000


def _files(peer: GcsPeer) -> list[str]:
    """Objects of files (provisioning also writes the tenant directory's marker)."""
    return [name for name in peer.object_names() if "/files/" in name]


@pytest.fixture
async def container(
    database: Database,
    tmp_path: Path,
    gcs_server: GcsPeer,  # noqa: F811
) -> AsyncIterator[Container]:
    base = settings_for(database, tmp_path)
    settings = base.model_copy(
        update={
            "storage": base.storage.model_copy(update={"backend": "gcs"}),
            "gcs": gcs_server.settings(),
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


async def test_uploads_land_in_the_tenants_directory_and_refusals_leave_nothing(
    api: Api,
    gcs_server: GcsPeer,  # noqa: F811
) -> None:
    created = await api.create_tenant("acme")
    admin = await api.login("acme")
    tenant_id = created["tenant"]["id"]
    uploaded = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "../../x.bin"},
        content=BODY,
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert uploaded.json()["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert _files(gcs_server) == [f"tenants/{tenant_id}/files/{file_id}"]

    deps = api.container.file_dependencies()
    smaller = replace(deps, rules=replace(deps.rules, max_file_bytes=len(BODY) - 1))
    api.container.file_dependencies.override(providers.Object(smaller))
    refused = await api.client.post(
        "/api/v1/files",
        files={"file": ("big.bin", BODY, "application/octet-stream")},
        headers=admin,
    )
    assert refused.status_code == 413, refused.text
    assert len(_files(gcs_server)) == 1

    streamed = await api.client.get(
        f"/api/v1/files/{file_id}/content", params={"stream": "true"}, headers=admin
    )
    assert streamed.content == BODY
    redirected = await api.client.get(f"/api/v1/files/{file_id}/content", headers=admin)
    assert redirected.status_code == 307
    async with httpx.AsyncClient() as plain:
        assert (await plain.get(redirected.headers["location"])).content == BODY
