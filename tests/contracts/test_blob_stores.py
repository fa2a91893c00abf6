"""The blob-store contract: Cloud Storage, S3 and the local store behave alike.

Cloud Storage runs against gcp-storage-emulator, S3 against moto's server, the local store
on a temporary folder, all on 127.0.0.1. Signed URLs are fetched over plain HTTP; the
local store's links are served by the API, so here they are opened by a small ASGI app
that routes them to the real controller (see test_blob_links for expiry and tampering).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.signed_links import SignedLinks
from adapters.system.clock import SystemClock
from core.errors import InvalidInput
from plugins.manager import build_plugins
from plugins.registry import AdapterContext, AdapterSettingsError
from ports.blob_store import (
    BlobChanged,
    BlobNotFound,
    BlobPageRequest,
    BlobStore,
    ChecksumMismatch,
)
from ports.tenant_storage import UnsafeFileKey
from tests.support.gcs_server import DEDICATED_BUCKET, GcsPeer
from tests.support.s3_server import S3Peer

LINK_SECRET = b"k" * 32
PIECE = 5 * 1024 * 1024


@dataclass
class Subject:
    """A store under test, and how to reach what its signed URLs point at."""

    store: BlobStore
    kind: str
    http: httpx.AsyncClient


@pytest.fixture(params=["local", "gcs", "s3"])
async def subject(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Subject]:
    kind = request.param
    if kind == "local":
        links = SignedLinks(LINK_SECRET, "http://blobs.test/api/v1/blobs", SystemClock())
        store: Any = LocalBlobStore(tmp_path / "files", links)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=_links_app(store)))
        yield Subject(store, kind, http)
        await http.aclose()
        return
    if kind == "gcs":
        peer: GcsPeer = request.getfixturevalue("gcs_server")
        store = peer.store(chunk_bytes=256 * 1024)
    else:
        s3: S3Peer = request.getfixturevalue("s3_server")
        store = s3.store(part_bytes=PIECE)
    async with httpx.AsyncClient() as http:
        yield Subject(store, kind, http)
    await store.close()


def _links_app(store: LocalBlobStore) -> Any:
    """The API's link controller on a bare app, its container reduced to the store."""
    from litestar import Litestar

    from apps.api.blobs.controller import BlobLinkController
    from apps.api.errors import EXCEPTION_HANDLERS

    class Catalog:
        async def get(self, tenant_id: uuid.UUID) -> Any:
            return _ActiveTenant()

    class Container:
        def storage(self) -> LocalBlobStore:
            return store

        def catalog(self) -> Catalog:
            return Catalog()

    app = Litestar(
        route_handlers=[BlobLinkController],
        exception_handlers=EXCEPTION_HANDLERS,
        path="/api/v1",
    )
    app.state.container = Container()
    return app


class _ActiveTenant:
    def ensure_serving(self) -> None:
        return None


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _read(store: BlobStore, tenant: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.get(tenant, key)])


async def _tenant(store: BlobStore) -> uuid.UUID:
    tenant = uuid.uuid4()
    await store.ensure(tenant)  # type: ignore[attr-defined]
    return tenant


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_streamed_blob_reads_back_whole_and_is_described(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    before = datetime.now(UTC) - timedelta(seconds=5)

    stored = await store.put(
        tenant,
        "sessions/4711/photo é.jpg",
        _chunks(b"\xff\xd8", b"jpeg"),
        content_type="image/jpeg",
    )
    described = await store.stat(tenant, "sessions/4711/photo é.jpg")

    assert stored.sha256 == _sha(b"\xff\xd8jpeg")
    assert (described.key, described.size, described.content_type) == (
        "sessions/4711/photo é.jpg",
        6,
        "image/jpeg",
    )
    assert described.version == stored.version
    assert described.updated >= before
    assert await _read(store, tenant, "sessions/4711/photo é.jpg") == b"\xff\xd8jpeg"


async def test_a_blob_larger_than_one_piece_streams_through(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    data = bytes(range(256)) * (PIECE // 256) + b"tail"

    stored = await store.put(
        tenant,
        "big.bin",
        _chunks(*(data[i : i + 65536] for i in range(0, len(data), 65536))),
        content_type="application/octet-stream",
        sha256=_sha(data),
    )

    assert stored.size == len(data)
    assert _sha(await _read(store, tenant, "big.bin")) == _sha(data)


async def test_a_declared_sha256_is_kept_as_metadata(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    await store.put(
        tenant, "a.txt", _chunks(b"abc"), content_type="text/plain", sha256=_sha(b"abc")
    )

    assert (await store.stat(tenant, "a.txt")).sha256 == _sha(b"abc")


async def test_content_that_does_not_match_its_declared_sha256_is_not_stored(
    subject: Subject,
) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    with pytest.raises(ChecksumMismatch):
        await store.put(
            tenant, "a.txt", _chunks(b"abc"), content_type="text/plain", sha256="0" * 64
        )

    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "a.txt")


async def test_a_source_that_fails_half_way_stores_nothing(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    async def broken() -> AsyncIterator[bytes]:
        yield b"x" * (PIECE + 1)
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError):
        await store.put(tenant, "half.bin", broken(), content_type="application/octet-stream")

    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "half.bin")


async def test_if_absent_creates_a_blob_only_once(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    await store.put(
        tenant, "once.txt", _chunks(b"first"), content_type="text/plain", if_absent=True
    )

    with pytest.raises(BlobChanged):
        await store.put(
            tenant, "once.txt", _chunks(b"second"), content_type="text/plain", if_absent=True
        )

    assert await _read(store, tenant, "once.txt") == b"first"


async def test_if_version_replaces_only_the_version_named(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    first = await store.put(tenant, "doc.txt", _chunks(b"v1"), content_type="text/plain")
    second = await store.put(
        tenant, "doc.txt", _chunks(b"v2"), content_type="text/plain", if_version=first.version
    )

    with pytest.raises(BlobChanged):
        await store.put(
            tenant, "doc.txt", _chunks(b"v3"), content_type="text/plain", if_version=first.version
        )

    assert second.version != first.version
    assert await _read(store, tenant, "doc.txt") == b"v2"


async def test_a_missing_blob_is_not_found(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "nothing.txt")
    with pytest.raises(BlobNotFound):
        await _read(store, tenant, "nothing.txt")
    with pytest.raises(BlobNotFound):
        await store.copy(tenant, "nothing.txt", "copy.txt")


async def test_delete_removes_a_blob_and_deleting_again_is_harmless(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    await store.put(tenant, "gone.txt", _chunks(b"x"), content_type="text/plain")

    await store.delete(tenant, "gone.txt")
    await store.delete(tenant, "gone.txt")

    with pytest.raises(BlobNotFound):
        await store.stat(tenant, "gone.txt")


async def test_list_pages_through_a_prefix_in_key_order(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    for key in ["s/1/c.txt", "s/1/a.txt", "s/2/z.txt", "s/1/b.txt", "other.txt"]:
        await store.put(tenant, key, _chunks(key.encode()), content_type="text/plain")

    first = await store.list(tenant, "s/1/", BlobPageRequest(limit=2))
    second = await store.list(tenant, "s/1/", BlobPageRequest(limit=2, after=first.next))
    everything = await store.list(tenant, "", BlobPageRequest(limit=10))

    assert [item.key for item in first.items] == ["s/1/a.txt", "s/1/b.txt"]
    assert first.next == "s/1/b.txt"
    assert [item.key for item in second.items] == ["s/1/c.txt"]
    assert second.next is None
    assert second.items[0].content_type == "text/plain"
    assert [item.key for item in everything.items] == [
        "other.txt",
        "s/1/a.txt",
        "s/1/b.txt",
        "s/1/c.txt",
        "s/2/z.txt",
    ]


async def test_copy_keeps_content_type_and_declared_checksum(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    await store.put(
        tenant, "a.pdf", _chunks(b"%PDF"), content_type="application/pdf", sha256=_sha(b"%PDF")
    )

    copied = await store.copy(tenant, "a.pdf", "archive/a.pdf")

    assert (copied.key, copied.content_type, copied.size) == ("archive/a.pdf", "application/pdf", 4)
    assert (await store.stat(tenant, "archive/a.pdf")).sha256 == _sha(b"%PDF")
    assert await _read(store, tenant, "archive/a.pdf") == b"%PDF"


async def test_blobs_of_one_tenant_are_not_anothers(subject: Subject) -> None:
    store = subject.store
    first, second = await _tenant(store), await _tenant(store)
    await store.put(first, "secret.txt", _chunks(b"first's"), content_type="text/plain")

    assert (await store.list(second, "", BlobPageRequest(limit=10))).items == []
    with pytest.raises(BlobNotFound):
        await store.stat(second, "secret.txt")


@pytest.mark.parametrize(
    "key", ["../escape.txt", "/etc/passwd", "a\\b", "a\uff0fb", "a/\u2024\u2024/b"]
)
async def test_every_operation_refuses_keys_that_could_leave_the_tenant_directory(
    subject: Subject, key: str
) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    with pytest.raises(UnsafeFileKey):
        await store.put(tenant, key, _chunks(b"x"), content_type="text/plain")
    with pytest.raises(UnsafeFileKey):
        await store.stat(tenant, key)
    with pytest.raises(UnsafeFileKey):
        await _read(store, tenant, key)
    with pytest.raises(UnsafeFileKey):
        await store.delete(tenant, key)
    with pytest.raises(UnsafeFileKey):
        await store.list(tenant, key, BlobPageRequest(limit=1))
    with pytest.raises(UnsafeFileKey):
        await store.upload_url(
            tenant, key, content_type="text/plain", expires_in=timedelta(minutes=1)
        )


async def test_a_signed_upload_url_stores_what_a_signed_download_url_returns(
    subject: Subject,
) -> None:
    store, tenant = subject.store, await _tenant(subject.store)
    upload = await store.upload_url(
        tenant, "inbox/scan.pdf", content_type="application/pdf", expires_in=timedelta(minutes=5)
    )

    sent = await subject.http.put(
        upload.url, content=b"%PDF-1.7 signed", headers=dict(upload.headers)
    )
    download = await store.download_url(tenant, "inbox/scan.pdf", expires_in=timedelta(minutes=5))
    fetched = await subject.http.get(download.url)

    assert sent.status_code == 200, sent.text
    assert upload.method == "PUT"
    assert download.method == "GET"
    assert fetched.status_code == 200
    assert fetched.content == b"%PDF-1.7 signed"
    assert (await store.stat(tenant, "inbox/scan.pdf")).content_type == "application/pdf"
    assert download.expires_at - datetime.now(UTC) <= timedelta(minutes=5)


async def test_a_signed_url_may_not_outlive_seven_days(subject: Subject) -> None:
    store, tenant = subject.store, await _tenant(subject.store)

    with pytest.raises(InvalidInput) as refused:
        await store.download_url(tenant, "a.txt", expires_in=timedelta(days=8))

    assert refused.value.code == "lifetime_out_of_range"


@pytest.mark.parametrize("kind", ["gcs", "s3"])
async def test_a_dedicated_bucket_holds_its_tenants_files(
    kind: str, request: pytest.FixtureRequest
) -> None:
    tenant = uuid.uuid4()
    peer: Any = request.getfixturevalue(f"{kind}_server")
    store: Any = peer.store(dedicated_buckets={tenant: DEDICATED_BUCKET})
    await store.ensure(tenant)
    await store.put(tenant, "own.txt", _chunks(b"mine"), content_type="text/plain")

    assert f"tenants/{tenant}/own.txt" in peer.object_names(DEDICATED_BUCKET)
    assert not any(str(tenant) in name for name in peer.object_names())
    assert tenant in await store.tenant_ids()
    await store.close()


@pytest.mark.parametrize("kind", ["gcs", "s3"])
async def test_the_registry_builds_each_storage_backend_from_its_settings_block(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    peer: Any = request.getfixturevalue(f"{kind}_server")
    registry = build_plugins().adapters()
    context = AdapterContext(blocks={kind: peer.settings()}, clock=SystemClock(), data_dir=tmp_path)

    store: Any = registry.get("storage", kind).factory(context)
    tenant = await _tenant(store)
    await store.put(tenant, "a.txt", _chunks(b"x"), content_type="text/plain")

    assert [key async for key in store.keys(tenant)] == ["a.txt"]
    await store.close()
    with pytest.raises(AdapterSettingsError, match=rf"{kind}\.bucket"):
        registry.get("storage", kind).factory(
            AdapterContext(blocks={}, clock=SystemClock(), data_dir=tmp_path)
        )
