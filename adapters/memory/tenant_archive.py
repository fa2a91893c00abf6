"""An archive held in memory: what a sink stored, readable again as a source."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager

from ports.tenant_archive import MANIFEST_MEMBER, ArchiveMember


class MemoryArchive:
    """Both sink and source. ``entries`` holds the finished archive; tests may edit it."""

    def __init__(self, chunk_size: int = 7) -> None:
        self.entries: list[tuple[str, bytes]] = []
        self.discarded = False
        self._staged: list[tuple[str, bytes]] = []
        self._chunk_size = chunk_size

    async def add(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        self._staged.append((name, b"".join([chunk async for chunk in chunks])))

    async def close(self, manifest: bytes) -> None:
        self.entries = [(MANIFEST_MEMBER, manifest), *self._staged]
        self._staged = []

    async def discard(self) -> None:
        self._staged = []
        self.discarded = True

    @asynccontextmanager
    async def members(self) -> AsyncIterator[AsyncIterator[ArchiveMember]]:
        yield self._members()

    async def _members(self) -> AsyncIterator[ArchiveMember]:
        for name, content in list(self.entries):
            yield ArchiveMember(name=name, size=len(content), content=self._chunks(content))

    async def _chunks(self, content: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(content), self._chunk_size):
            yield content[start : start + self._chunk_size]
