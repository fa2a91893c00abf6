"""The tenant-storage face of a bucket store: a tenant is the prefix ``tenants/<id>/``.

A bucket has no folders, so a tenant's directory exists while its marker object, named
by the prefix itself (``tenants/<id>/``, an empty key no client can name), does. A tenant
with a dedicated bucket keeps the same layout there, so moving one between the shared
bucket and its own is a copy of names, and reconciling finds it in either.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from typing import cast
from uuid import UUID

from core.errors import DomainError
from ports.blob_store import BlobNotFound, BlobStore, StorageQuotaExceeded, StorageUnavailable
from ports.tenant_databases import ProvisioningError
from ports.tenant_storage import checked_file_key

ROOT = "tenants/"
OCTET_STREAM = "application/octet-stream"


class BucketDirectories(ABC):
    """TenantStorage over a few bucket primitives that each adapter provides."""

    def __init__(self, shared_bucket: str, dedicated: Mapping[UUID, str]) -> None:
        self._shared_bucket = shared_bucket
        self._dedicated = dict(dedicated)

    def bucket_of(self, tenant_id: UUID) -> str:
        return self._dedicated.get(tenant_id, self._shared_bucket)

    def object_name(self, tenant_id: UUID, key: str) -> str:
        """The object's full name; the key is checked (and normalised) first."""
        return f"{prefix_of(tenant_id)}{checked_file_key(key)}"

    async def ensure(self, tenant_id: UUID) -> None:
        try:
            await self._create_marker(self.bucket_of(tenant_id), prefix_of(tenant_id))
        except DomainError as exc:
            raise ProvisioningError(f"cannot create the directory of {tenant_id}: {exc}") from exc

    async def exists(self, tenant_id: UUID) -> bool:
        try:
            async for _ in self._names(self.bucket_of(tenant_id), prefix_of(tenant_id)):
                return True
        except DomainError as exc:
            raise ProvisioningError(f"cannot look for {tenant_id}'s directory: {exc}") from exc
        return False

    async def purge(self, tenant_id: UUID) -> None:
        bucket, prefix = self.bucket_of(tenant_id), prefix_of(tenant_id)
        try:
            names = [name async for name in self._names(bucket, prefix)]
            await self._delete_names(bucket, names)
        except DomainError as exc:
            raise ProvisioningError(f"cannot delete the files of {tenant_id}: {exc}") from exc

    async def tenant_ids(self) -> set[UUID]:
        found: set[UUID] = set()
        try:
            for folder in await self._folders(self._shared_bucket, ROOT):
                try:
                    found.add(UUID(folder.removeprefix(ROOT).rstrip("/")))
                except ValueError:
                    continue
        except DomainError as exc:
            raise ProvisioningError(f"cannot list tenant directories: {exc}") from exc
        for tenant_id in self._dedicated:
            if await self.exists(tenant_id):
                found.add(tenant_id)
        return found

    async def keys(self, tenant_id: UUID) -> AsyncIterator[str]:
        prefix = prefix_of(tenant_id)
        try:
            names = [name async for name in self._names(self.bucket_of(tenant_id), prefix)]
        except DomainError as exc:
            raise ProvisioningError(f"cannot list the files of {tenant_id}: {exc}") from exc
        for name in sorted(names):
            if name != prefix:
                yield name.removeprefix(prefix)

    async def read(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._blobs.get(tenant_id, key):
                yield chunk
        except (BlobNotFound, StorageUnavailable) as exc:
            raise ProvisioningError(f"cannot read {key!r}: {exc.detail}") from exc

    async def write(self, tenant_id: UUID, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Refused while the tenant has no directory, like the local store, so a purged
        tenant cannot be written to by a late upload."""
        checked_file_key(key)
        if not await self.exists(tenant_id):
            raise ProvisioningError(f"tenant {tenant_id} has no directory")
        try:
            stored = await self._blobs.put(tenant_id, key, chunks, content_type=OCTET_STREAM)
            return stored.size
        except (StorageUnavailable, StorageQuotaExceeded) as exc:
            raise ProvisioningError(f"cannot write {key!r}: {exc.detail}") from exc

    @property
    def _blobs(self) -> BlobStore:
        """This store's blob face, which each adapter completes."""
        return cast("BlobStore", self)

    @abstractmethod
    def _names(self, bucket: str, prefix: str) -> AsyncIterator[str]:
        """Every object name starting with ``prefix``; raises port errors."""

    @abstractmethod
    async def _folders(self, bucket: str, prefix: str) -> list[str]:
        """The ``<prefix><name>/`` folders directly under ``prefix``."""

    @abstractmethod
    async def _delete_names(self, bucket: str, names: list[str]) -> None: ...

    @abstractmethod
    async def _create_marker(self, bucket: str, name: str) -> None: ...


def prefix_of(tenant_id: UUID) -> str:
    return f"{ROOT}{tenant_id}/"
