"""The contract every TenantStorage passes, for the platform's adapters and plugins' alike.

Provisioning, purge, reconciling and archives use this face of storage. A plugin's tests
subclass ``TenantStorageContract`` and give it a ``harness`` fixture holding the storage
under test, empty.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from plugins.testing.blobs import chunks
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


@dataclass(frozen=True)
class Harness:
    storage: TenantStorage


async def read_file(storage: TenantStorage, tenant_id: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.read(tenant_id, key)])


async def keys_of(storage: TenantStorage, tenant_id: uuid.UUID) -> list[str]:
    return [key async for key in storage.keys(tenant_id)]


class TenantStorageContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_written_files_are_listed_sorted_and_read_back_whole(
        self, harness: Harness
    ) -> None:
        storage, tenant = harness.storage, uuid.uuid4()
        await storage.ensure(tenant)

        size = await storage.write(tenant, "sessions/4711/photo.jpg", chunks(b"\xff\xd8", b"jpeg"))
        await storage.write(tenant, "a.txt", chunks("héllo".encode()))
        await storage.write(tenant, "a.txt", chunks(b"replaced"))

        assert size == 6
        assert await keys_of(storage, tenant) == ["a.txt", "sessions/4711/photo.jpg"]
        assert await read_file(storage, tenant, "sessions/4711/photo.jpg") == b"\xff\xd8jpeg"
        assert await read_file(storage, tenant, "a.txt") == b"replaced"

    async def test_files_of_one_tenant_are_not_anothers(self, harness: Harness) -> None:
        storage, first, second = harness.storage, uuid.uuid4(), uuid.uuid4()
        await storage.ensure(first)
        await storage.ensure(second)
        await storage.write(first, "secret.txt", chunks(b"first's"))

        assert await keys_of(storage, second) == []
        with pytest.raises(ProvisioningError):
            await read_file(storage, second, "secret.txt")

    async def test_purge_removes_the_files(self, harness: Harness) -> None:
        storage, tenant = harness.storage, uuid.uuid4()
        await storage.ensure(tenant)
        await storage.write(tenant, "a.txt", chunks(b"x"))

        await storage.purge(tenant)
        await storage.ensure(tenant)

        assert await keys_of(storage, tenant) == []

    async def test_directories_are_found_until_purged(self, harness: Harness) -> None:
        storage, kept, purged = harness.storage, uuid.uuid4(), uuid.uuid4()
        await storage.ensure(kept)
        await storage.ensure(purged)
        await storage.write(purged, "a.txt", chunks(b"x"))

        await storage.purge(purged)

        assert await storage.exists(kept)
        assert not await storage.exists(purged)
        assert {kept, purged} & await storage.tenant_ids() == {kept}

    async def test_a_tenant_without_a_directory_cannot_be_written_to(
        self, harness: Harness
    ) -> None:
        storage, tenant = harness.storage, uuid.uuid4()

        with pytest.raises(ProvisioningError):
            await storage.write(tenant, "late.txt", chunks(b"x"))

        assert not await storage.exists(tenant)

    async def test_a_tenant_without_a_directory_has_no_files(self, harness: Harness) -> None:
        """Not yet provisioned, or already purged: nothing to list, as an empty prefix has."""
        storage, tenant = harness.storage, uuid.uuid4()

        assert await keys_of(storage, tenant) == []
        assert not await storage.exists(tenant), "listing a tenant's files created its directory"

    @pytest.mark.parametrize("key", UNSAFE_KEYS)
    async def test_keys_that_could_leave_the_tenant_directory_are_refused(
        self, harness: Harness, key: str
    ) -> None:
        storage, tenant = harness.storage, uuid.uuid4()
        await storage.ensure(tenant)

        with pytest.raises(UnsafeFileKey):
            await storage.write(tenant, key, chunks(b"x"))
        with pytest.raises(UnsafeFileKey):
            await read_file(storage, tenant, key)

    async def test_a_write_that_fails_half_way_leaves_no_file(self, harness: Harness) -> None:
        storage, tenant = harness.storage, uuid.uuid4()
        await storage.ensure(tenant)

        async def broken() -> AsyncIterator[bytes]:
            yield b"half"
            raise RuntimeError("source went away")

        with pytest.raises(RuntimeError):
            await storage.write(tenant, "half.bin", broken())

        assert await keys_of(storage, tenant) == []
