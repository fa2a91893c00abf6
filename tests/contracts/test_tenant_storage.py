"""Tenant storage: the kit's contract on the in-memory store, the local folder, Cloud
Storage (emulator) and S3 (moto); then the local folder's own defence against links."""

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
from plugins.testing.blobs import chunks
from plugins.testing.tenant_storage import Harness, TenantStorageContract, keys_of, read_file
from ports.tenant_storage import UnsafeFileKey


@pytest.fixture(params=["memory", "localfs", "gcs", "s3"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "memory":
        yield Harness(MemoryTenantResources())
    elif request.param == "localfs":
        yield Harness(_local(tmp_path))
    else:
        peer = request.getfixturevalue(f"{request.param}_server")
        store = peer.store()
        yield Harness(store)
        await store.close()


def _local(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(
        tmp_path / "files", SignedLinks(b"k" * 32, "http://127.0.0.1/blobs", SystemClock())
    )


class TestEveryTenantStorage(TenantStorageContract):
    """The kit's contract (plugins.testing.tenant_storage), against each built-in storage."""


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

    assert await keys_of(storage, tenant) == []
    with pytest.raises(UnsafeFileKey):
        await read_file(storage, tenant, "linked/secret.txt")
    with pytest.raises(UnsafeFileKey):
        await storage.write(tenant, "linked/planted.txt", chunks(b"x"))
    assert not (outside / "planted.txt").exists()
