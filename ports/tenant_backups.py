"""Where tenant backups live: archives kept as blobs in the tenant's own directory.

The core writes and reads a backup as any other archive (``ports.tenant_archive``); an
adapter decides how its members are packed and staged before they reach the blob store.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol
from uuid import UUID

from ports.tenant_archive import ArchiveSink, ArchiveSource


class BackupArchives(Protocol):
    def sink(self, tenant_id: UUID, key: str) -> ArchiveSink:
        """A new archive that becomes the blob ``key`` when closed, and only then.

        If a blob of that key appeared meanwhile (another worker made the same daily
        backup), closing raises ports.blob_store.BlobChanged and stores nothing.
        """
        ...

    def source(self, tenant_id: UUID, key: str) -> AbstractAsyncContextManager[ArchiveSource]:
        """The archive kept as blob ``key``, readable (several times) inside the block."""
        ...
