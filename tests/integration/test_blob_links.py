"""The local store's signed links, served by the API: what they open, and what they refuse.

Cloud Storage and S3 check their own signatures; the local store's links are checked
here, so forged, altered, expired and misused links are tested on this route.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.signed_links import LinkGrant, SignedLinks, link_key
from adapters.memory.clock import FixedClock
from ports.blob_store import BlobNotFound, SignedUrl
from tests.integration.conftest import Api

FIVE_MINUTES = timedelta(minutes=5)


async def _tenant(api: Api, slug: str = "acme") -> tuple[LocalBlobStore, uuid.UUID]:
    created = await api.create_tenant(slug)
    store = api.container.storage()
    assert isinstance(store, LocalBlobStore)
    return store, uuid.UUID(created["tenant"]["id"])


def _path(link: SignedUrl) -> str:
    return urlsplit(link.url).path


async def test_a_signed_upload_link_stores_a_file_a_download_link_returns(
    api: Api, tmp_path: Path
) -> None:
    store, tenant = await _tenant(api)
    upload = await store.upload_url(
        tenant, "inbox/report.pdf", content_type="application/pdf", expires_in=FIVE_MINUTES
    )

    sent = await api.client.put(_path(upload), content=b"%PDF-1.7", headers=dict(upload.headers))
    download = await store.download_url(tenant, "inbox/report.pdf", expires_in=FIVE_MINUTES)
    fetched = await api.client.get(_path(download))

    assert sent.status_code == 200, sent.text
    assert sent.json()["size"] == 8
    assert fetched.status_code == 200
    assert fetched.content == b"%PDF-1.7"
    assert fetched.headers["content-type"] == "application/pdf"
    stored = tmp_path / "files" / "tenants" / str(tenant) / "inbox" / "report.pdf"
    assert stored.read_bytes() == b"%PDF-1.7"


@pytest.mark.parametrize("part", ["payload", "signature"])
async def test_a_link_changed_in_any_part_is_refused(api: Api, part: str) -> None:
    store, tenant = await _tenant(api)
    await store.put(tenant, "a.txt", _chunks(b"secret"), content_type="text/plain")
    link = await store.download_url(tenant, "a.txt", expires_in=FIVE_MINUTES)
    payload, signature = _path(link).rsplit("/", 1)[1].split(".")
    if part == "payload":
        payload = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    else:
        signature = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    answer = await api.client.get(f"/api/v1/blobs/{payload}.{signature}")

    assert answer.status_code == 403
    assert answer.json()["code"] == "signed_link_invalid"
    assert "secret" not in answer.text


async def test_an_expired_link_is_refused(api: Api, tmp_path: Path) -> None:
    store, tenant = await _tenant(api)
    await store.put(tenant, "a.txt", _chunks(b"old"), content_type="text/plain")
    an_hour_ago = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    same_key = SignedLinks(
        link_key(tmp_path / "files" / ".link-key"), "http://x/api/v1/blobs", an_hour_ago
    )
    stale = same_key.sign(LinkGrant("GET", tenant, "a.txt", None, None), FIVE_MINUTES)
    fresh = same_key.sign(LinkGrant("GET", tenant, "a.txt", None, None), timedelta(hours=2))

    refused = await api.client.get(_path(stale))
    accepted = await api.client.get(_path(fresh))

    assert refused.status_code == 403
    assert refused.json()["code"] == "signed_link_expired"
    assert accepted.status_code == 200


async def test_a_download_link_cannot_upload(api: Api) -> None:
    store, tenant = await _tenant(api)
    link = await store.download_url(tenant, "planted.txt", expires_in=FIVE_MINUTES)

    answer = await api.client.put(_path(link), content=b"x", headers={"Content-Type": "text/plain"})

    assert answer.status_code == 403
    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "planted.txt")


async def test_an_upload_of_another_content_type_is_refused(api: Api) -> None:
    store, tenant = await _tenant(api)
    link = await store.upload_url(
        tenant, "photo.jpg", content_type="image/jpeg", expires_in=FIVE_MINUTES
    )

    answer = await api.client.put(
        _path(link), content=b"<html>", headers={"Content-Type": "text/html"}
    )

    assert answer.status_code == 403
    assert answer.json()["errors"][0]["field"] == "Content-Type"
    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "photo.jpg")


@pytest.mark.parametrize("declared", [True, False])
async def test_an_upload_past_its_signed_size_stops_with_413_and_stores_nothing(
    api: Api, declared: bool
) -> None:
    store, tenant = await _tenant(api)
    link = await store.upload_url(
        tenant,
        "small.bin",
        content_type="application/octet-stream",
        expires_in=FIVE_MINUTES,
        max_size=1000,
    )
    body: Any = b"x" * 1500 if declared else _chunks(b"x" * 600, b"x" * 600)

    answer = await api.client.put(_path(link), content=body, headers=dict(link.headers))

    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "payload_too_large"
    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "small.bin")


async def test_an_upload_larger_than_the_api_body_limit_streams_through(api: Api) -> None:
    store, tenant = await _tenant(api)
    link = await store.upload_url(
        tenant, "video.mp4", content_type="video/mp4", expires_in=FIVE_MINUTES
    )
    body = _chunks(*[b"v" * (256 * 1024)] * 12)

    answer = await api.client.put(_path(link), content=body, headers=dict(link.headers))

    assert answer.status_code == 200, answer.text
    assert (await store.stat(tenant, "video.mp4")).size == 3 * 1024 * 1024


async def test_a_link_of_a_suspended_tenant_opens_nothing(api: Api) -> None:
    store, tenant = await _tenant(api)
    await store.put(tenant, "a.txt", _chunks(b"kept"), content_type="text/plain")
    link = await store.download_url(tenant, "a.txt", expires_in=FIVE_MINUTES)
    suspended = await api.client.post(
        f"/api/v1/tenants/{tenant}/suspend",
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )

    answer = await api.client.get(_path(link))

    assert suspended.status_code == 200
    assert answer.status_code == 403
    assert answer.json()["code"] == "tenant_suspended"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_the_links_are_documented_as_bytes_in_and_out_not_json(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    link = schema["paths"]["/api/v1/blobs/{token}"]

    downloaded = link["get"]["responses"]["200"]
    assert list(downloaded["content"]) == ["*/*"]
    assert downloaded["content"]["*/*"]["schema"] == {"type": "string", "format": "binary"}
    assert {"Content-Length", "ETag"} <= set(downloaded["headers"])
    assert list(link["put"]["requestBody"]["content"]) == ["*/*"]
