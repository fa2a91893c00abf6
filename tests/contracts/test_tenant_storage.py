"""The tenant storage contract, for files: every adapter lists, reads and writes alike."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.localfs.tenant_storage import LocalTenantStorage
from adapters.memory.tenant_catalog import MemoryTenantResources
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


@pytest.fixture(params=["memory", "localfs"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> TenantStorage:
    if request.param == "memory":
        return MemoryTenantResources()
    return LocalTenantStorage(tmp_path / "files")


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
    storage = LocalTenantStorage(tmp_path / "files")
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
