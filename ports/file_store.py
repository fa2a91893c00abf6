"""What the file use cases need of a tenant's database: the files table."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.files.model import FileKind, StoredFile
from ports.pagination import Page, PageRequest
from ports.unit_of_work import TenantUnitOfWork


class FileRecords(Protocol):
    async def add(self, file: StoredFile) -> None: ...

    async def save(self, file: StoredFile) -> None: ...

    async def get(self, file_id: UUID) -> StoredFile | None: ...

    async def delete(self, file_id: UUID) -> None: ...

    async def list(
        self,
        page: PageRequest,
        *,
        session_id: UUID | None = None,
        kind: FileKind | None = None,
    ) -> Page[StoredFile]:
        """Oldest first; pending uploads are left out."""
        ...

    async def lock_quota(self) -> None:
        """Hold the tenant's quota lock until the unit of work ends: reading total_size and
        adding or growing a row under it cannot interleave with another upload's."""
        ...

    async def total_size(self) -> int:
        """Bytes held by every file, pending ones counted at their declared size."""
        ...

    async def expired_pending(self, now: datetime) -> builtins.list[StoredFile]:
        """Pending uploads whose signed URL expired before ``now`` without a confirm."""
        ...

    async def every(self) -> builtins.list[StoredFile]:
        """All files, pending or not: what reconciliation compares with the blobs."""
        ...


class FileUnitOfWork(TenantUnitOfWork, Protocol):
    files: FileRecords


class FileUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> FileUnitOfWork: ...
