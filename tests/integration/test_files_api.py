"""The files API end to end on the local store: uploads (form, raw body, signed URL), limits,
quota, content types, names, download, attach, delete, and a client gone mid-upload."""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from dependency_injector import providers

from adapters.localfs.blob_store import LocalBlobStore
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.sql.file_repository import SqlFileRepository
from apps.api.app import create_app
from ports.blob_store import BlobPageRequest
from ports.events import EventType, session_channel
from tests.integration.conftest import ADMIN_PASSWORD, Api

PDF = b"%PDF-1.7 pump manual " * 100


async def _tenant(api: Api, slug: str = "acme", **limits: int) -> tuple[dict[str, str], uuid.UUID]:
    response = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": slug,
            "display_name": "Acme",
            "admin_email": "admin@acme.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "Ada Admin",
            **({"limits": limits} if limits else {}),
        },
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert response.status_code == 201, response.text
    return await api.login(slug), uuid.UUID(response.json()["tenant"]["id"])


def _limit_files(api: Api, **rules: Any) -> None:
    deps = api.container.file_dependencies()
    changed = replace(deps, rules=replace(deps.rules, **rules))
    api.container.file_dependencies.override(providers.Object(changed))


async def _stored(api: Api, tenant_id: uuid.UUID) -> tuple[list[str], list[Path], int]:
    """Blob keys, every file on disk under the tenant's directory, and file rows."""
    store = api.container.storage()
    assert isinstance(store, LocalBlobStore)
    page = await store.list(tenant_id, "", BlobPageRequest(limit=100))
    on_disk = [p for p in store.directory(tenant_id).rglob("*") if p.is_file()]
    async with api.container.tenant_uow()(tenant_id) as uow:
        rows = len(await uow.files.every())
    return [b.key for b in page.items], on_disk, rows


async def _form(api: Api, headers: dict[str, str], **fields: str) -> Any:
    return await api.client.post(
        "/api/v1/files",
        data=fields,
        files={"file": ("manual.pdf", PDF, "application/pdf")},
        headers=headers,
    )


async def test_a_form_upload_is_recorded_with_its_digest_and_downloads_both_ways(
    api: Api,
) -> None:
    admin, tenant_id = await _tenant(api)
    uploaded = await _form(api, admin, kind="document")
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["name"], body["status"], body["kind"]) == ("manual.pdf", "available", "document")
    assert (await _stored(api, tenant_id))[0] == [f"files/{body['id']}"]

    streamed = await api.client.get(
        f"/api/v1/files/{body['id']}/content", params={"stream": "true"}, headers=admin
    )
    assert streamed.status_code == 200
    assert streamed.content == PDF
    assert "manual.pdf" in streamed.headers["content-disposition"]
    redirected = await api.client.get(f"/api/v1/files/{body['id']}/content", headers=admin)
    assert redirected.status_code == 307
    signed = await api.client.get(urlsplit(redirected.headers["location"]).path)
    assert signed.content == PDF


async def test_a_raw_body_upload_streams_and_is_listed_by_session_and_kind(api: Api) -> None:
    admin, _ = await _tenant(api)
    session_id = await api.create_session(admin)
    raw = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "shot.jpg", "kind": "snapshot", "session_id": session_id},
        content=b"\xff\xd8jpeg",
        headers={**admin, "Content-Type": "image/jpeg"},
    )
    assert raw.status_code == 201, raw.text
    assert (await _form(api, admin)).status_code == 201
    by_session = await api.client.get(
        "/api/v1/files", params={"session_id": session_id}, headers=admin
    )
    assert [f["id"] for f in by_session.json()["items"]] == [raw.json()["id"]]
    snapshots = await api.client.get("/api/v1/files", params={"kind": "snapshot"}, headers=admin)
    assert len(snapshots.json()["items"]) == 1
    first = await api.client.get("/api/v1/files", params={"limit": 1}, headers=admin)
    rest = await api.client.get(
        "/api/v1/files", params={"cursor": first.json()["next_cursor"]}, headers=admin
    )
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None


async def test_an_oversize_upload_declared_up_front_gets_413_and_stores_nothing(
    api: Api,
) -> None:
    admin, tenant_id = await _tenant(api)
    _limit_files(api, max_file_bytes=1000)
    response = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "big.bin"},
        content=b"x" * 5000,
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "file_too_large"
    assert await _stored(api, tenant_id) == ([], [], 0)


async def test_the_tenants_plan_sets_a_smaller_file_limit_than_the_deployment(api: Api) -> None:
    admin, tenant_id = await _tenant(api, max_file_bytes=2048)
    upload = {"headers": {**admin, "Content-Type": "application/octet-stream"}}
    fits = await api.client.post(
        "/api/v1/files/raw", params={"name": "ok.bin"}, content=b"x" * 2048, **upload
    )
    assert fits.status_code == 201, fits.text
    refused = await api.client.post(
        "/api/v1/files/raw", params={"name": "big.bin"}, content=b"x" * 2049, **upload
    )
    assert refused.status_code == 413, refused.text
    assert refused.json()["detail"] == "a file may hold at most 2048 bytes"
    keys, _files, rows = await _stored(api, tenant_id)
    assert (len(keys), rows) == (1, 1)


async def test_an_oversize_upload_without_a_length_stops_at_the_limit(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    _limit_files(api, max_file_bytes=1000)

    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    for path, params in [("/api/v1/files/raw", {"name": "big.bin"})]:
        response = await api.client.post(
            path,
            params=params,
            content=chunked(),
            headers={**admin, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 413, response.text
    form = await api.client.post(
        "/api/v1/files",
        files={"file": ("big.bin", b"y" * 5000, "application/octet-stream")},
        headers=admin,
    )
    assert form.status_code == 413, form.text
    assert await _stored(api, tenant_id) == ([], [], 0)


async def test_the_storage_quota_refuses_an_upload_with_its_own_code(api: Api) -> None:
    admin, tenant_id = await _tenant(api, storage_quota_bytes=len(PDF) + 10)
    assert (await _form(api, admin)).status_code == 201
    second = await _form(api, admin)
    assert second.status_code == 413
    assert second.json()["code"] == "storage_quota_exceeded"
    keys, _, rows = await _stored(api, tenant_id)
    assert (len(keys), rows) == (1, 1)


async def test_a_content_type_off_the_allowlist_gets_415(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    response = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "run.sh"},
        content=b"#!/bin/sh",
        headers={**admin, "Content-Type": "application/x-sh"},
    )
    assert response.status_code == 415
    assert response.json()["code"] == "content_type_not_allowed"
    assert await _stored(api, tenant_id) == ([], [], 0)


NOT_CONCRETE = [
    "image/*",
    "*/*",
    "*/png",
    "image/",
    "image",
    "/png",
    "image/png/x",
    "image /png",
    "image/png; charset",
    'text/plain; charset="utf-8',
]
"""Media ranges (what `Accept` and a schema's `image/*` mean: any image type) and strings
that are no media type at all: none can be a stored file's type."""


@pytest.mark.parametrize("content_type", NOT_CONCRETE)
async def test_a_raw_upload_must_carry_a_concrete_media_type(api: Api, content_type: str) -> None:
    admin, tenant_id = await _tenant(api)
    response = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "shot.png"},
        content=b"\x89PNG",
        headers={**admin, "Content-Type": content_type},
    )
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_content_type"
    assert [error["field"] for error in problem["errors"]] == ["Content-Type"]
    assert await _stored(api, tenant_id) == ([], [], 0)


async def test_a_form_upload_and_a_signed_upload_must_carry_a_concrete_media_type(
    api: Api,
) -> None:
    admin, tenant_id = await _tenant(api)
    form = await api.client.post(
        "/api/v1/files", files={"file": ("shot.png", b"\x89PNG", "image/*")}, headers=admin
    )
    assert form.status_code == 415, form.text
    assert (form.json()["code"], form.json()["errors"][0]["field"]) == (
        "invalid_content_type",
        "file",
    )
    signed = await api.client.post(
        "/api/v1/files/uploads",
        json={"name": "shot.png", "content_type": "image/*", "size": 4},
        headers=admin,
    )
    assert signed.status_code == 415, signed.text
    assert (signed.json()["code"], signed.json()["errors"][0]["field"]) == (
        "invalid_content_type",
        "content_type",
    )
    assert await _stored(api, tenant_id) == ([], [], 0)


async def test_a_file_stored_under_a_media_range_is_streamed_as_octet_stream(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    uploaded = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "shot.png"},
        content=b"\x89PNG",
        headers={**admin, "Content-Type": "image/png"},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uuid.UUID(uploaded.json()["id"])
    async with api.container.tenant_uow()(tenant_id) as uow:  # a row from before the rule
        stored = await uow.files.get(file_id)
        assert stored is not None
        await uow.files.save(replace(stored, content_type="image/*"))
        await uow.commit()
    streamed = await api.client.get(
        f"/api/v1/files/{file_id}/content", params={"stream": "true"}, headers=admin
    )
    assert streamed.status_code == 200
    assert streamed.headers["content-type"] == "application/octet-stream"
    assert streamed.content == b"\x89PNG"


async def test_the_download_is_documented_as_a_redirect_or_the_files_own_bytes(
    api: Api,
) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    responses = document["paths"]["/api/v1/files/{file_id}/content"]["get"]["responses"]
    assert "location" in {name.lower() for name in responses["307"]["headers"]}
    assert "content" not in responses["307"]
    assert list(responses["200"]["content"]) == ["*/*"]
    assert responses["200"]["content"]["*/*"]["schema"] == {"type": "string", "format": "binary"}
    assert {"content-disposition", "x-content-sha256"} <= {
        name.lower() for name in responses["200"]["headers"]
    }
    assert responses["409"]["content"]["application/problem+json"]


async def test_the_signed_upload_documents_concrete_types_only(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    schema = document["components"]["schemas"]["StartUploadBody"]["properties"]["content_type"]
    listed = [value for option in schema.get("anyOf", [schema]) for value in option.get("enum", [])]
    patterns = [option["pattern"] for option in schema.get("anyOf", []) if "pattern" in option]
    assert "application/pdf" in listed
    assert not [value for value in listed if "*" in value]

    def documented(value: str) -> bool:
        return value in listed or any(re.search(pattern, value) for pattern in patterns)

    assert documented("image/png")
    assert documented("image/svg+xml")
    assert not documented("image/*")
    assert not documented("image/")
    assert not documented("text/html")


async def test_a_declared_digest_that_does_not_match_stores_nothing(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    response = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "a.txt"},
        content=b"hello",
        headers={**admin, "Content-Type": "text/plain", "X-Content-SHA256": "0" * 64},
    )
    assert response.status_code == 412, response.text
    assert response.json()["code"] == "checksum_mismatch"
    assert await _stored(api, tenant_id) == ([], [], 0)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/olute.txt", "olute.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("\uff0e\uff0e\uff0fup.txt", "up.txt"),
        ("..", "file"),
        ("a" * 500 + ".txt", "a" * 196 + ".txt"),
    ],
)
async def test_traversal_names_are_only_display_names(api: Api, name: str, shown: str) -> None:
    admin, tenant_id = await _tenant(api)
    response = await api.client.post(
        "/api/v1/files/raw",
        params={"name": name},
        content=b"data",
        headers={**admin, "Content-Type": "text/plain"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == shown
    store = api.container.storage()
    assert isinstance(store, LocalBlobStore)
    (path,) = [p for p in store.directory(tenant_id).rglob("*") if p.is_file()]
    assert path == store.directory(tenant_id) / "files" / response.json()["id"]


async def test_a_signed_upload_is_confirmed_once_the_bytes_arrived(api: Api) -> None:
    admin, _ = await _tenant(api)
    started = await api.client.post(
        "/api/v1/files/uploads",
        json={"name": "m.pdf", "content_type": "application/pdf", "size": len(PDF)},
        headers=admin,
    )
    assert started.status_code == 201, started.text
    file_id = started.json()["file"]["id"]
    early = await api.client.post(f"/api/v1/files/{file_id}/confirm", headers=admin)
    assert early.status_code == 409
    assert early.json()["code"] == "upload_missing"
    upload = started.json()["upload"]
    put = await api.client.put(urlsplit(upload["url"]).path, content=PDF, headers=upload["headers"])
    assert put.status_code == 200, put.text
    confirmed = await api.client.post(f"/api/v1/files/{file_id}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "available"
    assert confirmed.json()["sha256"] == hashlib.sha256(PDF).hexdigest()


async def test_attaching_to_a_session_tells_its_participants(
    api: Api, events: InProcessEventPublisher
) -> None:
    admin, tenant_id = await _tenant(api)
    session_id = await api.create_session(admin)
    file_id = (await _form(api, admin)).json()["id"]
    heard = events.subscribe(session_channel(tenant_id, uuid.UUID(session_id)))
    unknown = await api.client.patch(
        f"/api/v1/files/{file_id}", json={"session_id": str(uuid.uuid4())}, headers=admin
    )
    assert unknown.status_code == 404
    attached = await api.client.patch(
        f"/api/v1/files/{file_id}", json={"session_id": session_id}, headers=admin
    )
    assert attached.status_code == 200, attached.text
    event = heard.get_nowait()
    assert event.type is EventType.FILE_SHARED
    assert event.data["file_id"] == file_id


async def test_deleting_a_file_removes_row_and_blob(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    file_id = (await _form(api, admin)).json()["id"]
    deleted = await api.client.delete(f"/api/v1/files/{file_id}", headers=admin)
    assert deleted.status_code == 204
    assert (await api.client.get(f"/api/v1/files/{file_id}", headers=admin)).status_code == 404
    assert await _stored(api, tenant_id) == ([], [], 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_client_gone_mid_upload_leaves_no_row_and_no_blob(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, tenant_id = await _tenant(api)
    store = api.container.blob_store()
    discarded: list[str] = []
    delete = store.delete

    async def recorded_delete(tenant: uuid.UUID, key: str) -> None:
        discarded.append(key)
        await delete(tenant, key)

    monkeypatch.setattr(store, "delete", recorded_delete)
    port = _free_port()
    config = uvicorn.Config(
        create_app(api.container, close=False), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            "POST /api/v1/files/raw?name=half.bin HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            f"Authorization: {admin['Authorization']}\r\n"
            "X-Passerelle-Tenant: acme\r\n"
            "Content-Type: application/octet-stream\r\n"
            f"Content-Length: {4 * 1024 * 1024}\r\n\r\n"
        )
        writer.write(head.encode() + b"z" * (1024 * 1024))
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        for _ in range(500):
            await asyncio.sleep(0.02)
            if not server.server_state.connections and not server.server_state.tasks:
                break
        assert not server.server_state.connections
    finally:
        server.should_exit = True
        await serving
    assert [key.split("/")[0] for key in discarded] == ["files"]
    assert await _stored(api, tenant_id) == ([], [], 0)


async def test_concurrent_uploads_near_the_quota_are_refused_before_any_byte_is_stored(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 4000
    admin, tenant_id = await _tenant(api, storage_quota_bytes=3 * size + size // 2)
    store = api.container.blob_store()
    put = store.put
    stored_keys: list[str] = []

    async def recorded_put(tenant: uuid.UUID, key: str, *args: Any, **kwargs: Any) -> Any:
        stored_keys.append(key)
        return await put(tenant, key, *args, **kwargs)

    monkeypatch.setattr(store, "put", recorded_put)
    total_size = SqlFileRepository.total_size

    async def slow_total_size(self: SqlFileRepository) -> int:
        """Widens the window between reading the usage and reserving, where races live."""
        used = await total_size(self)
        await asyncio.sleep(0.05)
        return used

    monkeypatch.setattr(SqlFileRepository, "total_size", slow_total_size)

    async def slow_body() -> AsyncIterator[bytes]:
        for _ in range(4):
            await asyncio.sleep(0.02)
            yield b"q" * (size // 4)

    async def upload(n: int) -> int:
        answer = await api.client.post(
            "/api/v1/files/raw",
            params={"name": f"{n}.bin"},
            content=slow_body(),
            headers={
                **admin,
                "Content-Type": "application/octet-stream",
                "Content-Length": str(size),
            },
        )
        return answer.status_code

    statuses = await asyncio.gather(*(upload(n) for n in range(6)))
    assert sorted(statuses) == [201, 201, 201, 413, 413, 413]
    assert len(stored_keys) == 3
    keys, _, rows = await _stored(api, tenant_id)
    assert (len(keys), rows) == (3, 3)
    async with api.container.tenant_uow()(tenant_id) as uow:
        assert await uow.files.total_size() == 3 * size


async def test_a_body_upload_retried_with_its_idempotency_key_is_stored_once(api: Api) -> None:
    admin, tenant_id = await _tenant(api)
    raw = {**admin, "Content-Type": "application/pdf", "Idempotency-Key": "raw-1"}
    first = await api.client.post(
        "/api/v1/files/raw", params={"name": "m.pdf"}, content=PDF, headers=raw
    )
    assert first.status_code == 201, first.text
    again = await api.client.post(
        "/api/v1/files/raw", params={"name": "m.pdf"}, content=PDF, headers=raw
    )
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert again.json() == first.json()
    other = await api.client.post(
        "/api/v1/files/raw", params={"name": "m.pdf"}, content=PDF + b"!", headers=raw
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")

    form = api.client.build_request(
        "POST",
        "/api/v1/files",
        files={"file": ("manual.pdf", PDF, "application/pdf")},
        headers={**admin, "Idempotency-Key": "form-1"},
    )
    assert (await api.client.send(form)).status_code == 201
    assert (await api.client.send(form)).headers["idempotent-replayed"] == "true"
    keys, _, rows = await _stored(api, tenant_id)
    assert (len(keys), rows) == (2, 2)


async def test_an_upload_refused_before_its_body_frees_its_idempotency_key(api: Api) -> None:
    admin, _ = await _tenant(api)
    raw = {**admin, "Content-Type": "application/pdf", "Idempotency-Key": "raw-2"}
    _limit_files(api, max_file_bytes=10)
    refused = await api.client.post("/api/v1/files/raw", content=PDF, headers=raw)
    assert refused.status_code == 413
    api.container.file_dependencies.reset_override()
    retried = await api.client.post("/api/v1/files/raw", content=PDF, headers=raw)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
