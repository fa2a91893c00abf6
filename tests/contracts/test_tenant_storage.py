"""The tenant storage contract, for files: every adapter lists, reads and writes alike.

Provisioning, purge, reconciling and archives use this face of storage, so it runs on the
in-memory store, the local folder, Cloud Storage (emulator) and S3 (moto).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.signed_links import SignedLinks
from adapters.memory.tenant_catalog import MemoryTenantResources
from adapters.system.clock import SystemClock
from ports.tenant_databases import ProvisioningError
from ports.tenant_storage import TenantStorage, UnsafeFileKey

UNSAFE_KEYS = [
    "",
    "../escape.txt",
    "a/../../escape.txt",
    "/etc/passwd",
    "a\\b.txt",
    "a\x00b",
    "a//b",
    "./a",
    "a/",
]


@pytest.fixture(params=["memory", "localfs", "gcs", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TenantStorage]:
    if request.param == "memory":
        yield MemoryTenantResources()
    elif request.param == "localfs":
        yield _local(tmp_path)
    else:
        peer = request.getfixturevalue(f"{request.param}_server")
        store = peer.store()
        yield store
        await store.close()


def _local(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(
        tmp_path / "files", SignedLinks(b"k" * 32, "http://127.0.0.1/blobs", SystemClock())
    )


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _read(storage: TenantStorage, tenant_id: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.read(tenant_id, key)])


async def test_written_files_are_listed_sorted_and_read_back_whole(storage: TenantStorage) -> None:
    tenant = uuid.uuid4()
    await storage.ensure(tenant)

    size = await storage.write(tenant, "sessions/4711/photo.jpg", _chunks(b"\xff\xd8", b"jpeg"))
    await storage.write(tenant, "a.txt", _chunks("héllo".encode()))
    await storage.write(tenant, "a.txt", _chunks(b"replaced"))

    assert size == 6
    assert [key async for key in storage.keys(tenant)] == ["a.txt", "sessions/4711/photo.jpg"]
    assert await _read(storage, tenant, "sessions/4711/photo.jpg") == b"\xff\xd8jpeg"
    assert await _read(storage, tenant, "a.txt") == b"replaced"


async def test_files_of_one_tenant_are_not_anothers(storage: TenantStorage) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await storage.ensure(first)
    await storage.ensure(second)
    await storage.write(first, "secret.txt", _chunks(b"first's"))

    assert [key async for key in storage.keys(second)] == []
    with pytest.raises(ProvisioningError):
        await _read(storage, second, "secret.txt")


async def test_purge_removes_the_files(storage: TenantStorage) -> None:
    tenant = uuid.uuid4()
    await storage.ensure(tenant)
    await storage.write(tenant, "a.txt", _chunks(b"x"))

    await storage.purge(tenant)
    await storage.ensure(tenant)

    assert [key async for key in storage.keys(tenant)] == []


async def test_directories_are_found_until_purged(storage: TenantStorage) -> None:
    kept, purged = uuid.uuid4(), uuid.uuid4()
    await storage.ensure(kept)
    await storage.ensure(purged)
    await storage.write(purged, "a.txt", _chunks(b"x"))

    await storage.purge(purged)

    assert await storage.exists(kept)
    assert not await storage.exists(purged)
    assert {kept, purged} & await storage.tenant_ids() == {kept}


async def test_a_tenant_without_a_directory_cannot_be_written_to(storage: TenantStorage) -> None:
    tenant = uuid.uuid4()

    with pytest.raises(ProvisioningError):
        await storage.write(tenant, "late.txt", _chunks(b"x"))

    assert not await storage.exists(tenant)


@pytest.mark.parametrize("key", UNSAFE_KEYS)
async def test_keys_that_could_leave_the_tenant_directory_are_refused(
    storage: TenantStorage, key: str
) -> None:
    tenant = uuid.uuid4()
    await storage.ensure(tenant)

    with pytest.raises(UnsafeFileKey):
        await storage.write(tenant, key, _chunks(b"x"))
    with pytest.raises(UnsafeFileKey):
        await _read(storage, tenant, key)


async def test_a_write_that_fails_half_way_leaves_no_file(storage: TenantStorage) -> None:
    tenant = uuid.uuid4()
    await storage.ensure(tenant)

    async def broken() -> AsyncIterator[bytes]:
        yield b"half"
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError):
        await storage.write(tenant, "half.bin", broken())

    assert [key async for key in storage.keys(tenant)] == []


async def test_local_storage_does_not_follow_links_out_of_the_tenant_directory(
    tmp_path: Path,
) -> None:
    storage = _local(tmp_path)
    tenant = uuid.uuid4()
    await storage.ensure(tenant)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    os.symlink(outside, storage.directory(tenant) / "linked")

    assert [key async for key in storage.keys(tenant)] == []
    with pytest.raises(UnsafeFileKey):
        await _read(storage, tenant, "linked/secret.txt")
    with pytest.raises(UnsafeFileKey):
        await storage.write(tenant, "linked/planted.txt", _chunks(b"x"))
    assert not (outside / "planted.txt").exists()
