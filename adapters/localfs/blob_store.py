"""Blobs in local folders, for the embedded default and single-machine installs.

Content lives at ``<root>/tenants/<tenant id>/<key>``; its content type and declared
SHA-256 in a parallel tree, ``<root>/.meta/tenants/<tenant id>/<key>``, so neither is ever
listed as a file. A blob is written under ``<root>/.incoming/`` and renamed into place
under a per-tenant lock, which also makes ``if_version`` and ``if_absent`` hold between
processes. Its version is the file's inode and modification time: a rename gives a new one.
Signed URLs are links to the API (``signed_links``).
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from adapters.localfs.signed_links import LinkGrant, SignedLinks
from adapters.localfs.tenant_storage import LocalDirectories, stream_file
from ports.blob_store import (
    BlobChanged,
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobPageRequest,
    ChecksumMismatch,
    SignedUrl,
    StorageQuotaExceeded,
    StorageUnavailable,
    checked_prefix,
)
from ports.tenant_databases import ProvisioningError
from ports.tenant_storage import checked_file_key

OCTET_STREAM = "application/octet-stream"
_FULL = (errno.ENOSPC, errno.EDQUOT)


class LocalBlobStore(LocalDirectories):
    def __init__(self, root: Path, links: SignedLinks) -> None:
        super().__init__(root)
        self._meta = root / ".meta" / "tenants"
        self.links = links

    async def purge(self, tenant_id: UUID) -> None:
        await super().purge(tenant_id)
        await asyncio.to_thread(shutil.rmtree, self._meta / str(tenant_id), ignore_errors=True)

    async def write(self, tenant_id: UUID, key: str, chunks: AsyncIterable[bytes]) -> int:
        """The tenant-storage face of ``put``: untyped content, provider errors as provisioning."""
        try:
            return (await self.put(tenant_id, key, chunks, content_type=OCTET_STREAM)).size
        except (StorageUnavailable, StorageQuotaExceeded) as exc:
            raise ProvisioningError(exc.detail) from exc

    async def put(
        self,
        tenant_id: UUID,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        sha256: str | None = None,
        if_version: str | None = None,
        if_absent: bool = False,
    ) -> BlobInfo:
        await self._inside(tenant_id, key)
        key = checked_file_key(key)
        if not await self.exists(tenant_id):
            raise ProvisioningError(f"tenant {tenant_id} has no directory")
        partial = self._incoming / f"{uuid.uuid4().hex}.partial"
        try:
            await asyncio.to_thread(self._incoming.mkdir, parents=True, exist_ok=True)
            handle = await asyncio.to_thread(partial.open, "wb")
            try:
                digest = await _copy(chunks, handle)
            finally:
                await asyncio.to_thread(handle.close)
            if sha256 is not None and sha256.lower() != digest:
                raise ChecksumMismatch(
                    f"{key!r}: the content's SHA-256 is {digest}", field="sha256"
                )
            await self._inside(tenant_id, key)
            meta = {"content_type": content_type, "sha256": sha256.lower() if sha256 else None}
            stamp = await asyncio.to_thread(
                self._commit, tenant_id, key, partial, meta, if_version, if_absent
            )
        except OSError as exc:
            raise _failure(key, exc) from exc
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)
        return _info(key, stamp, meta, sha256=digest)

    async def get(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        path = await self._inside(tenant_id, key)
        async for chunk in stream_file(path, key, failure=_not_found):
            yield chunk

    async def stat(self, tenant_id: UUID, key: str) -> BlobInfo:
        path = await self._inside(tenant_id, key)
        key = checked_file_key(key)
        return await asyncio.to_thread(self._stat, tenant_id, key, path)

    async def delete(self, tenant_id: UUID, key: str) -> None:
        path = await self._inside(tenant_id, key)
        key = checked_file_key(key)

        def remove() -> None:
            with self._locked(tenant_id):
                path.unlink(missing_ok=True)
                self._meta_path(tenant_id, key).unlink(missing_ok=True)

        try:
            await asyncio.to_thread(remove)
        except OSError as exc:
            raise _failure(key, exc) from exc

    async def list(self, tenant_id: UUID, prefix: str, page: BlobPageRequest) -> BlobPage:
        prefix = checked_prefix(prefix)
        chosen: list[str] = []
        async for key in self.keys(tenant_id):
            if key.startswith(prefix) and (page.after is None or key > page.after):
                chosen.append(key)
                if len(chosen) > page.limit:
                    break
        items = [await self.stat(tenant_id, key) for key in chosen[: page.limit]]
        more = len(chosen) > page.limit
        return BlobPage(items=items, next=items[-1].key if more else None)

    async def copy(self, tenant_id: UUID, source: str, target: str) -> BlobInfo:
        original = await self.stat(tenant_id, source)
        return await self.put(
            tenant_id,
            target,
            self.get(tenant_id, source),
            content_type=original.content_type,
            sha256=original.sha256,
        )

    async def upload_url(
        self,
        tenant_id: UUID,
        key: str,
        *,
        content_type: str,
        expires_in: timedelta,
        max_size: int | None = None,
    ) -> SignedUrl:
        grant = LinkGrant("PUT", tenant_id, checked_file_key(key), content_type, max_size)
        return self.links.sign(grant, expires_in)

    async def download_url(self, tenant_id: UUID, key: str, *, expires_in: timedelta) -> SignedUrl:
        grant = LinkGrant("GET", tenant_id, checked_file_key(key), None, None)
        return self.links.sign(grant, expires_in)

    def _commit(
        self,
        tenant_id: UUID,
        key: str,
        partial: Path,
        meta: dict[str, Any],
        if_version: str | None,
        if_absent: bool,
    ) -> os.stat_result:
        target = self.directory(tenant_id).joinpath(*key.split("/"))
        meta_path = self._meta_path(tenant_id, key)
        with self._locked(tenant_id):
            current = _version(target)
            if if_absent and current is not None:
                raise BlobChanged(f"{key!r} already exists", field="key")
            if if_version is not None and current != if_version:
                raise BlobChanged(f"{key!r} is not at version {if_version}", field="key")
            target.parent.mkdir(parents=True, exist_ok=True)
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            draft = partial.with_suffix(".meta")
            draft.write_text(json.dumps(meta))
            os.replace(draft, meta_path)
            os.replace(partial, target)
            return target.stat()

    def _stat(self, tenant_id: UUID, key: str, path: Path) -> BlobInfo:
        try:
            stamp = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise BlobNotFound(f"no file {key!r}", field="key") from None
        except OSError as exc:
            raise _failure(key, exc) from exc
        if not path.is_file():
            raise BlobNotFound(f"no file {key!r}", field="key")
        try:
            meta = json.loads(self._meta_path(tenant_id, key).read_text())
        except (OSError, ValueError):
            meta = {"content_type": OCTET_STREAM, "sha256": None}
        return _info(key, stamp, meta, sha256=meta.get("sha256"))

    def _meta_path(self, tenant_id: UUID, key: str) -> Path:
        return self._meta.joinpath(str(tenant_id), *key.split("/"))

    def _locked(self, tenant_id: UUID) -> _TenantLock:
        self._incoming.mkdir(parents=True, exist_ok=True)
        return _TenantLock(self._incoming / f"{tenant_id}.lock")


class _TenantLock:
    """An exclusive ``flock`` on one file: held by one process (and thread) at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    def __enter__(self) -> None:
        self._handle = self._path.open("a")
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        if self._handle is not None:
            self._handle.close()


def _version(path: Path) -> str | None:
    try:
        stamp = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _stamp_version(stamp)


def _stamp_version(stamp: os.stat_result) -> str:
    return f"{stamp.st_ino:x}-{stamp.st_mtime_ns:x}"


def _info(key: str, stamp: os.stat_result, meta: dict[str, Any], *, sha256: str | None) -> BlobInfo:
    return BlobInfo(
        key=key,
        size=stamp.st_size,
        content_type=str(meta.get("content_type") or OCTET_STREAM),
        version=_stamp_version(stamp),
        updated=datetime.fromtimestamp(stamp.st_mtime, UTC),
        sha256=sha256,
    )


async def _copy(chunks: AsyncIterable[bytes], handle: IO[bytes]) -> str:
    """Write every chunk; the SHA-256 (hex) of what was written."""
    digest = hashlib.sha256()
    async for chunk in chunks:
        await asyncio.to_thread(handle.write, chunk)
        digest.update(chunk)
    return digest.hexdigest()


def _failure(key: str, exc: OSError) -> StorageQuotaExceeded | StorageUnavailable:
    if exc.errno in _FULL:
        return StorageQuotaExceeded(f"no room to store {key!r}: {exc.strerror}")
    return StorageUnavailable(f"cannot store {key!r}: {exc.strerror}")


def _not_found(_detail: str) -> Exception:
    """A file that cannot be read counts as missing; the detail (a server path) stays here."""
    return BlobNotFound("no file of that key", field="key")
