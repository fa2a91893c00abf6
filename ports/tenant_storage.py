"""The storage directory of one tenant (a prefix in the shared bucket, or a folder).

Files in it are named by keys: relative paths with ``/`` between parts, such as
``sessions/4711/photo.jpg``. A key never leaves the tenant's directory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol
from uuid import UUID

from core.errors import InvalidInput

MAX_KEY_LENGTH = 1024
"""Longest object name in Cloud Storage and S3, in UTF-8 bytes."""
MAX_KEY_BYTES = MAX_KEY_LENGTH - len("tenants/00000000-0000-0000-0000-000000000000/")
"""Longest key, in UTF-8 bytes once normalised: ``tenants/<id>/`` goes before it."""
MAX_PART_BYTES = 255
"""Longest file or folder name: the limit of common file systems (ext4, APFS, NTFS)."""

LOOK_ALIKES = frozenset(
    "\u2215\u2044\u29f8\u2571\u27cb\u29f5\u29f9\u2216\u27cd\u2572\ufe68\uff0f\uff3c"
    "\u2024\u2025\u2026\ufe52\uff0e\u3002\uff61\u0701\u0702\ua60e\u2e3c"
)
"""Characters that look like ``/``, ``\\`` or ``.``: refused rather than trusted to be what
they seem, whether or not NFKC would fold them into the real ones."""


class UnsafeFileKey(InvalidInput, ValueError):
    """A key that is empty, absolute, or could reach outside the tenant's directory."""

    code = "unsafe_file_key"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="key")


def checked_file_key(key: str) -> str:
    """The key, NFKC-normalised, when it is a safe relative path; raises UnsafeFileKey.

    Refused: empty keys and parts, absolute paths, ``.`` and ``..`` parts, backslashes,
    NUL, control and invisible formatting characters (bidirectional overrides, zero-width
    joiners), characters that look like a slash or a dot, lone surrogates, keys longer
    than MAX_KEY_BYTES and names longer than MAX_PART_BYTES once UTF-8 encoded. Checks
    run on the normalised key, so a key that only becomes dangerous once a store or a file
    system normalises it is refused too.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise UnsafeFileKey(f"file key must be 1-{MAX_KEY_BYTES} bytes")
    if any(char in LOOK_ALIKES for char in key):
        raise UnsafeFileKey(f"file key {key!r} holds a character that looks like / or .")
    normalised = unicodedata.normalize("NFKC", key)
    if "\\" in normalised or any(_invisible(char) for char in normalised):
        raise UnsafeFileKey(f"file key {key!r} holds a backslash or a control character")
    if normalised.startswith("/") or any(part in ("", ".", "..") for part in normalised.split("/")):
        raise UnsafeFileKey(f"file key {key!r} is not a plain relative path")
    if len(normalised.encode()) > MAX_KEY_BYTES:
        raise UnsafeFileKey(f"file key must be 1-{MAX_KEY_BYTES} bytes")
    if any(len(part.encode()) > MAX_PART_BYTES for part in normalised.split("/")):
        raise UnsafeFileKey(f"each part of a file key must be at most {MAX_PART_BYTES} bytes")
    return normalised


def _invisible(char: str) -> bool:
    """Control (Cc), format (Cf), surrogate (Cs) and unassigned (Cn) characters."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Cn")


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
        """Keys of every file of the tenant, sorted; none for a tenant without a directory
        (not provisioned yet, or purged). Raises ProvisioningError."""
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
