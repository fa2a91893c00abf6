"""Tenant backups as gzip tar archives kept in the blob store, staged on local disk.

A tar member's header needs its size first, and the blob store takes a stream: so the
archive is built by the tar adapter in a scratch directory, then streamed to the store
in one ``put`` with its SHA-256 (checked by the store), created only if absent. Reading
downloads the blob to the scratch directory once and reads the tar from there, as often
as the core needs (it checks every member before writing anything). Scratch files are
removed in every case.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

from adapters.archive.tar_archive import CHUNK, TarArchiveSink, TarArchiveSource
from ports.blob_store import BlobStore
from ports.tenant_archive import ArchiveError

CONTENT_TYPE = "application/gzip"


class BlobBackupArchives:
    def __init__(self, blobs: BlobStore, scratch: Path) -> None:
        self._blobs = blobs
        self._scratch = scratch

    def sink(self, tenant_id: UUID, key: str) -> BlobArchiveSink:
        return BlobArchiveSink(self._blobs, tenant_id, key, self._scratch_file())

    @asynccontextmanager
    async def source(self, tenant_id: UUID, key: str) -> AsyncIterator[TarArchiveSource]:
        path = self._scratch_file()
        try:
            await _download(self._blobs.get(tenant_id, key), path)
            yield TarArchiveSource(path)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    def _scratch_file(self) -> Path:
        self._scratch.mkdir(parents=True, exist_ok=True)
        return self._scratch / f"backup-{uuid.uuid4().hex}.tar.gz"


class BlobArchiveSink:
    def __init__(self, blobs: BlobStore, tenant_id: UUID, key: str, staging: Path) -> None:
        self._blobs = blobs
        self._tenant_id = tenant_id
        self._key = key
        self._staging = staging
        self._tar = TarArchiveSink(staging)

    async def add(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        await self._tar.add(name, chunks)

    async def close(self, manifest: bytes) -> None:
        try:
            await self._tar.close(manifest)
            digest = await asyncio.to_thread(_sha256, self._staging)
            await self._blobs.put(
                self._tenant_id,
                self._key,
                _read(self._staging),
                content_type=CONTENT_TYPE,
                sha256=digest,
                if_absent=True,
            )
        finally:
            await asyncio.to_thread(self._staging.unlink, missing_ok=True)

    async def discard(self) -> None:
        await self._tar.discard()
        await asyncio.to_thread(self._staging.unlink, missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk


async def _download(chunks: AsyncIterator[bytes], path: Path) -> None:
    try:
        with path.open("wb") as handle:
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
    except OSError as exc:
        raise ArchiveError(f"cannot stage the backup at {path}: {exc}") from exc
