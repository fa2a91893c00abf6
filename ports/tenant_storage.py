"""The storage directory of one tenant (a prefix in the shared bucket, or a folder).

Files in it are named by keys: relative paths with ``/`` between parts, such as
``sessions/4711/photo.jpg``. A key never leaves the tenant's directory.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol
from uuid import UUID

MAX_KEY_LENGTH = 1024


class UnsafeFileKey(ValueError):
    """A key that is empty, absolute, or could reach outside the tenant's directory."""


def checked_file_key(key: str) -> str:
    """The key itself when it is a safe relative path; raises UnsafeFileKey otherwise.

    Refused: empty keys and parts, absolute paths, ``.`` and ``..`` parts, backslashes,
    NUL and other control characters, keys longer than MAX_KEY_LENGTH.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise UnsafeFileKey(f"file key must be 1-{MAX_KEY_LENGTH} characters")
    if "\\" in key or any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise UnsafeFileKey(f"file key {key!r} holds a backslash or a control character")
    if key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
        raise UnsafeFileKey(f"file key {key!r} is not a plain relative path")
    return key


class TenantStorage(Protocol):
    async def ensure(self, tenant_id: UUID) -> None:
        """Create the tenant's directory if missing; raises ProvisioningError."""
        ...

    async def exists(self, tenant_id: UUID) -> bool: ...

    async def purge(self, tenant_id: UUID) -> None:
        """Delete the directory and everything in it; nothing to delete is not an error."""
        ...

    async def tenant_ids(self) -> set[UUID]:
        """Ids of every tenant directory that exists, catalogued or not (for reconciling)."""
        ...

    def keys(self, tenant_id: UUID) -> AsyncIterator[str]:
        """Keys of every file of the tenant, sorted; raises ProvisioningError."""
        ...

    def read(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        """A file's content in chunks; raises UnsafeFileKey or ProvisioningError."""
        ...

    async def write(self, tenant_id: UUID, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store a file from chunks, replacing any file of that key; returns its size.

        A reader sees the old file or the new one, never a half-written one.
        Raises UnsafeFileKey or ProvisioningError.
        """
        ...
