"""The contract every BlobStore passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``BlobStoreContract`` and give it a ``harness`` fixture: the store
under test (with an ``ensure(tenant_id)`` that prepares a tenant's directory) and an
``httpx.AsyncClient`` that can open its signed URLs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.errors import InvalidInput
from ports.blob_store import (
    BlobChanged,
    BlobNotFound,
    BlobPageRequest,
    BlobStore,
    ChecksumMismatch,
)
from ports.tenant_storage import UnsafeFileKey

PIECE = 5 * 1024 * 1024
"""A blob of more than one piece: larger than any adapter's upload part."""


@dataclass
class Harness:
    """A store under test, and a client that reaches what its signed URLs point at."""

    store: BlobStore
    http: httpx.AsyncClient


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_blob(store: BlobStore, tenant: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.get(tenant, key)])


async def new_tenant(store: BlobStore) -> uuid.UUID:
    tenant = uuid.uuid4()
    await store.ensure(tenant)  # type: ignore[attr-defined]
    return tenant


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStoreContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_a_streamed_blob_reads_back_whole_and_is_described(
        self, harness: Harness
    ) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        before = datetime.now(UTC) - timedelta(seconds=5)

        stored = await store.put(
            tenant,
            "sessions/4711/photo é.jpg",
            chunks(b"\xff\xd8", b"jpeg"),
            content_type="image/jpeg",
        )
        described = await store.stat(tenant, "sessions/4711/photo é.jpg")

        assert stored.sha256 == sha256_of(b"\xff\xd8jpeg")
        assert (described.key, described.size, described.content_type) == (
            "sessions/4711/photo é.jpg",
            6,
            "image/jpeg",
        )
        assert described.version == stored.version
        assert described.updated >= before
        assert await read_blob(store, tenant, "sessions/4711/photo é.jpg") == b"\xff\xd8jpeg"

    async def test_a_blob_larger_than_one_piece_streams_through(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        data = bytes(range(256)) * (PIECE // 256) + b"tail"

        stored = await store.put(
            tenant,
            "big.bin",
            chunks(*(data[i : i + 65536] for i in range(0, len(data), 65536))),
            content_type="application/octet-stream",
            sha256=sha256_of(data),
        )

        assert stored.size == len(data)
        assert sha256_of(await read_blob(store, tenant, "big.bin")) == sha256_of(data)

    async def test_a_declared_sha256_is_kept_as_metadata(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        await store.put(
            tenant, "a.txt", chunks(b"abc"), content_type="text/plain", sha256=sha256_of(b"abc")
        )

        assert (await store.stat(tenant, "a.txt")).sha256 == sha256_of(b"abc")

    async def test_content_that_does_not_match_its_declared_sha256_is_not_stored(
        self,
        harness: Harness,
    ) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        with pytest.raises(ChecksumMismatch):
            await store.put(
                tenant, "a.txt", chunks(b"abc"), content_type="text/plain", sha256="0" * 64
            )

        with pytest.raises(BlobNotFound):
            await store.stat(tenant, "a.txt")

    async def test_a_source_that_fails_half_way_stores_nothing(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        async def broken() -> AsyncIterator[bytes]:
            yield b"x" * (PIECE + 1)
            raise RuntimeError("client went away")

        with pytest.raises(RuntimeError):
            await store.put(tenant, "half.bin", broken(), content_type="application/octet-stream")

        with pytest.raises(BlobNotFound):
            await store.stat(tenant, "half.bin")

    async def test_if_absent_creates_a_blob_only_once(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        await store.put(
            tenant, "once.txt", chunks(b"first"), content_type="text/plain", if_absent=True
        )

        with pytest.raises(BlobChanged):
            await store.put(
                tenant, "once.txt", chunks(b"second"), content_type="text/plain", if_absent=True
            )

        assert await read_blob(store, tenant, "once.txt") == b"first"

    async def test_if_version_replaces_only_the_version_named(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        first = await store.put(tenant, "doc.txt", chunks(b"v1"), content_type="text/plain")
        second = await store.put(
            tenant, "doc.txt", chunks(b"v2"), content_type="text/plain", if_version=first.version
        )

        with pytest.raises(BlobChanged):
            await store.put(
                tenant,
                "doc.txt",
                chunks(b"v3"),
                content_type="text/plain",
                if_version=first.version,
            )

        assert second.version != first.version
        assert await read_blob(store, tenant, "doc.txt") == b"v2"

    async def test_a_missing_blob_is_not_found(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        with pytest.raises(BlobNotFound):
            await store.stat(tenant, "nothing.txt")
        with pytest.raises(BlobNotFound):
            await read_blob(store, tenant, "nothing.txt")
        with pytest.raises(BlobNotFound):
            await store.copy(tenant, "nothing.txt", "copy.txt")

    async def test_delete_removes_a_blob_and_deleting_again_is_harmless(
        self, harness: Harness
    ) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        await store.put(tenant, "gone.txt", chunks(b"x"), content_type="text/plain")

        await store.delete(tenant, "gone.txt")
        await store.delete(tenant, "gone.txt")

        with pytest.raises(BlobNotFound):
            await store.stat(tenant, "gone.txt")

    async def test_list_pages_through_a_prefix_in_key_order(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        for key in ["s/1/c.txt", "s/1/a.txt", "s/2/z.txt", "s/1/b.txt", "other.txt"]:
            await store.put(tenant, key, chunks(key.encode()), content_type="text/plain")

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

    async def test_copy_keeps_content_type_and_declared_checksum(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        await store.put(
            tenant,
            "a.pdf",
            chunks(b"%PDF"),
            content_type="application/pdf",
            sha256=sha256_of(b"%PDF"),
        )

        copied = await store.copy(tenant, "a.pdf", "archive/a.pdf")

        assert (copied.key, copied.content_type, copied.size) == (
            "archive/a.pdf",
            "application/pdf",
            4,
        )
        assert (await store.stat(tenant, "archive/a.pdf")).sha256 == sha256_of(b"%PDF")
        assert await read_blob(store, tenant, "archive/a.pdf") == b"%PDF"

    async def test_a_tenant_without_a_directory_lists_no_blobs(self, harness: Harness) -> None:
        """Not yet provisioned, or already purged: an empty page, as for an empty prefix."""
        store, tenant = harness.store, uuid.uuid4()

        page = await store.list(tenant, "backups/", BlobPageRequest(limit=10))

        assert (page.items, page.next) == ([], None)
        assert (await store.list(tenant, "", BlobPageRequest(limit=10))).items == []

    async def test_blobs_of_one_tenant_are_not_anothers(self, harness: Harness) -> None:
        store = harness.store
        first, second = await new_tenant(store), await new_tenant(store)
        await store.put(first, "secret.txt", chunks(b"first's"), content_type="text/plain")

        assert (await store.list(second, "", BlobPageRequest(limit=10))).items == []
        with pytest.raises(BlobNotFound):
            await store.stat(second, "secret.txt")

    @pytest.mark.parametrize(
        "key", ["../escape.txt", "/etc/passwd", "a\\b", "a\uff0fb", "a/\u2024\u2024/b"]
    )
    async def test_every_operation_refuses_keys_that_could_leave_the_tenant_directory(
        self, harness: Harness, key: str
    ) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        with pytest.raises(UnsafeFileKey):
            await store.put(tenant, key, chunks(b"x"), content_type="text/plain")
        with pytest.raises(UnsafeFileKey):
            await store.stat(tenant, key)
        with pytest.raises(UnsafeFileKey):
            await read_blob(store, tenant, key)
        with pytest.raises(UnsafeFileKey):
            await store.delete(tenant, key)
        with pytest.raises(UnsafeFileKey):
            await store.list(tenant, key, BlobPageRequest(limit=1))
        with pytest.raises(UnsafeFileKey):
            await store.upload_url(
                tenant, key, content_type="text/plain", expires_in=timedelta(minutes=1)
            )

    async def test_a_signed_upload_url_stores_what_a_signed_download_url_returns(
        self,
        harness: Harness,
    ) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)
        upload = await store.upload_url(
            tenant,
            "inbox/scan.pdf",
            content_type="application/pdf",
            expires_in=timedelta(minutes=5),
        )

        sent = await harness.http.put(
            upload.url, content=b"%PDF-1.7 signed", headers=dict(upload.headers)
        )
        download = await store.download_url(
            tenant, "inbox/scan.pdf", expires_in=timedelta(minutes=5)
        )
        fetched = await harness.http.get(download.url)

        assert sent.status_code == 200, sent.text
        assert upload.method == "PUT"
        assert download.method == "GET"
        assert fetched.status_code == 200
        assert fetched.content == b"%PDF-1.7 signed"
        assert (await store.stat(tenant, "inbox/scan.pdf")).content_type == "application/pdf"
        assert download.expires_at - datetime.now(UTC) <= timedelta(minutes=5)

    async def test_a_signed_url_may_not_outlive_seven_days(self, harness: Harness) -> None:
        store, tenant = harness.store, await new_tenant(harness.store)

        with pytest.raises(InvalidInput) as refused:
            await store.download_url(tenant, "a.txt", expires_in=timedelta(days=8))

        assert refused.value.code == "lifetime_out_of_range"
