"""Each tenant's directory under a root folder: ``<root>/tenants/<tenant id>/``.

A file's key is its path below the tenant's directory. Writing is the blob store's part
(``blob_store``): files are written under ``<root>/.incoming/`` and renamed into place,
so a half-written file is never seen under its key, nor listed as one of the tenant's.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import UUID

from ports.tenant_databases import ProvisioningError
from ports.tenant_storage import UnsafeFileKey, checked_file_key

CHUNK = 1024 * 1024


class LocalDirectories:
    """The directory side of the local store: tenants' folders, listing and reading files."""

    def __init__(self, root: Path) -> None:
        self._tenants = root / "tenants"
        self._incoming = root / ".incoming"

    def directory(self, tenant_id: UUID) -> Path:
        return self._tenants / str(tenant_id)

    async def ensure(self, tenant_id: UUID) -> None:
        try:
            await asyncio.to_thread(self.directory(tenant_id).mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise ProvisioningError(f"cannot create {self.directory(tenant_id)}: {exc}") from exc

    async def exists(self, tenant_id: UUID) -> bool:
        return await asyncio.to_thread(self.directory(tenant_id).is_dir)

    async def purge(self, tenant_id: UUID) -> None:
        directory = self.directory(tenant_id)
        try:
            await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=False)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ProvisioningError(f"cannot delete {directory}: {exc}") from exc

    async def tenant_ids(self) -> set[UUID]:
        def scan() -> set[UUID]:
            if not self._tenants.is_dir():
                return set()
            found = set()
            for entry in self._tenants.iterdir():
                try:
                    found.add(UUID(entry.name))
                except ValueError:
                    continue
            return found

        return await asyncio.to_thread(scan)

    async def keys(self, tenant_id: UUID) -> AsyncIterator[str]:
        """Regular files only; symbolic links are not followed (they could lead outside).

        A tenant without a directory (not provisioned yet, or purged) has no files, as a
        missing prefix in a bucket has none.
        """
        directory = self.directory(tenant_id)

        def failed(error: OSError) -> None:
            if isinstance(error, FileNotFoundError) and error.filename == str(directory):
                return
            raise error

        def scan() -> list[str]:
            found = []
            for folder, _, names in os.walk(directory, onerror=failed):
                for name in names:
                    path = Path(folder, name)
                    if not path.is_symlink() and path.is_file():
                        found.append(path.relative_to(directory).as_posix())
            return sorted(found)

        try:
            keys = await asyncio.to_thread(scan)
        except OSError as exc:
            raise ProvisioningError(f"cannot list {directory}: {exc}") from exc
        for key in keys:
            yield key

    async def read(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        path = await self._inside(tenant_id, key)
        async for chunk in stream_file(path, key, failure=ProvisioningError):
            yield chunk

    async def _inside(self, tenant_id: UUID, key: str) -> Path:
        """The file's path, refused when it (or a linked folder on the way) leads outside."""
        directory = self.directory(tenant_id)
        path = directory.joinpath(*checked_file_key(key).split("/"))
        resolved, root = await asyncio.to_thread(lambda: (path.resolve(), directory.resolve()))
        if not resolved.is_relative_to(root) or resolved == root:
            raise UnsafeFileKey(f"file key {key!r} leads outside the tenant's directory")
        return path


async def stream_file(
    path: Path, key: str, *, failure: Callable[[str], Exception]
) -> AsyncIterator[bytes]:
    """The file's content in chunks; any OSError, a missing file included, leaves as ``failure``."""
    try:
        handle = await asyncio.to_thread(path.open, "rb")
    except OSError as exc:
        raise failure(f"cannot read {key!r}: {exc}") from exc
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk
    except OSError as exc:
        raise failure(f"cannot read {key!r}: {exc}") from exc
    finally:
        await asyncio.to_thread(handle.close)
