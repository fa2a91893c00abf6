"""A portable archive of one tenant: named members written once, read back in order.

The core decides what goes in (manifest, rows, files) and checks it; an adapter decides
how the members are packed (a gzip tar file, say) and where the archive lives.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

MANIFEST_MEMBER = "manifest.json"


class ArchiveError(Exception):
    """The archive cannot be written or read: not an archive, corrupt, truncated, no space."""


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """One member being read; ``content`` must be read to its end before the next member."""

    name: str
    size: int
    content: AsyncIterator[bytes]


class ArchiveSink(Protocol):
    async def add(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        """Keep a member; members are stored in the order they were added."""
        ...

    async def close(self, manifest: bytes) -> None:
        """Finish the archive, ``manifest`` first (as MANIFEST_MEMBER); only then does it exist."""
        ...

    async def discard(self) -> None:
        """Give up: nothing is left behind, not even a partial archive."""
        ...


class ArchiveSource(Protocol):
    def members(self) -> AbstractAsyncContextManager[AsyncIterator[ArchiveMember]]:
        """Open the archive from its start; members come in stored order.

        May be opened again, so an archive can be checked first and read afterwards.
        Raises ArchiveError when the archive is unreadable.
        """
        ...
