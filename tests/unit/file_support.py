"""Fakes for the file use cases: a files table and a blob store in memory."""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from core.files.model import FileKind, StoredFile
from ports.blob_store import (
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobPageRequest,
    ChecksumMismatch,
    SignedUrl,
)
from ports.pagination import Page, PageRequest

MOMENT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class MemoryFiles:
    def __init__(self, rows: dict[UUID, StoredFile]) -> None:
        self.rows = rows

    async def add(self, file: StoredFile) -> None:
        self.rows[file.id] = file

    async def save(self, file: StoredFile) -> None:
        self.rows[file.id] = file

    async def get(self, file_id: UUID) -> StoredFile | None:
        return self.rows.get(file_id)

    async def delete(self, file_id: UUID) -> None:
        self.rows.pop(file_id, None)

    async def list(
        self, page: PageRequest, *, session_id: UUID | None = None, kind: FileKind | None = None
    ) -> Page[StoredFile]:
        found = [
            f
            for f in self.rows.values()
            if f.available
            and (session_id is None or f.session_id == session_id)
            and (kind is None or f.kind is kind)
        ]
        return Page(items=found[: page.limit], next=None)

    async def lock_quota(self) -> None:
        return None

    async def total_size(self) -> int:
        return sum(f.size for f in self.rows.values())

    async def expired_pending(self, now: datetime) -> builtins.list[StoredFile]:
        return [
            f
            for f in self.rows.values()
            if not f.available and f.expires_at is not None and f.expires_at < now
        ]

    async def every(self) -> builtins.list[StoredFile]:
        return list(self.rows.values())


class NoSessions:
    async def get(self, session_id: UUID, *, for_update: bool = False) -> None:
        return None


@dataclass
class MemoryFileUnitOfWork:
    """Changes are kept only on commit, as a real transaction would."""

    committed: dict[UUID, StoredFile] = field(default_factory=dict)

    async def __aenter__(self) -> Self:
        self.files = MemoryFiles(dict(self.committed))
        self.sessions = NoSessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed.clear()
        self.committed.update(self.files.rows)

    def __call__(self, tenant_id: UUID) -> Any:
        return self


class MemoryBlobs:
    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, str, datetime]] = {}

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
        data = b"".join([chunk async for chunk in chunks])
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and sha256 != digest:
            raise ChecksumMismatch("bytes differ", field="sha256")
        self.blobs[key] = (data, content_type, MOMENT)
        return self._info(key)

    async def get(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        yield self.blobs[key][0]

    async def stat(self, tenant_id: UUID, key: str) -> BlobInfo:
        if key not in self.blobs:
            raise BlobNotFound(key)
        return self._info(key)

    async def delete(self, tenant_id: UUID, key: str) -> None:
        self.blobs.pop(key, None)

    async def list(self, tenant_id: UUID, prefix: str, page: BlobPageRequest) -> BlobPage:
        keys = sorted(k for k in self.blobs if k.startswith(prefix))
        return BlobPage(items=[self._info(k) for k in keys], next=None)

    async def copy(self, tenant_id: UUID, source: str, target: str) -> BlobInfo:
        self.blobs[target] = self.blobs[source]
        return self._info(target)

    async def upload_url(
        self,
        tenant_id: UUID,
        key: str,
        *,
        content_type: str,
        expires_in: timedelta,
        max_size: int | None = None,
    ) -> SignedUrl:
        return SignedUrl("PUT", f"memory://{key}", MOMENT + expires_in)

    async def download_url(self, tenant_id: UUID, key: str, *, expires_in: timedelta) -> SignedUrl:
        return SignedUrl("GET", f"memory://{key}", MOMENT + expires_in)

    def _info(self, key: str) -> BlobInfo:
        data, content_type, updated = self.blobs[key]
        return BlobInfo(
            key=key,
            size=len(data),
            content_type=content_type,
            version="1",
            updated=updated,
            sha256=hashlib.sha256(data).hexdigest(),
        )
