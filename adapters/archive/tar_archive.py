"""Tenant archives as gzip-compressed tar files on the local disk.

Writing stages each member in a hidden folder beside the destination (a tar header needs
the member's size, and the manifest comes first although it is known only at the end),
then packs manifest and members into ``<name>.partial``, syncs it and renames it: the
archive exists complete or not at all. Reading streams the tar and never extracts to disk,
so member names cannot reach the file system here.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, TypeVar

from ports.tenant_archive import MANIFEST_MEMBER, ArchiveError, ArchiveMember

CHUNK = 1024 * 1024
T = TypeVar("T")
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


async def _io(action: Callable[..., T], *args: object, what: str) -> T:
    try:
        return await asyncio.to_thread(action, *args)
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{what}: {exc}") from exc


class TarArchiveSink:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._partial = path.with_name(path.name + ".partial")
        self._staging: Path | None = None
        self._staged: list[tuple[str, Path, int]] = []
        self._mtime = int(time.time())

    async def add(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        if self._staging is None:
            self._staging = Path(
                await _io(
                    tempfile.mkdtemp,
                    "",
                    f".{self._path.name}.",
                    str(self._path.parent),
                    what=f"cannot write beside {self._path}",
                )
            )
        target = self._staging / f"{len(self._staged):08d}"
        what = f"cannot stage {name} for {self._path}"
        handle: IO[bytes] = await _io(target.open, "wb", what=what)
        size = 0
        try:
            async for chunk in chunks:
                await _io(handle.write, chunk, what=what)
                size += len(chunk)
        finally:
            await _io(handle.close, what=what)
        self._staged.append((name, target, size))

    async def close(self, manifest: bytes) -> None:
        try:
            await _io(self._pack, manifest, what=f"cannot write {self._path}")
        except ArchiveError:
            await self.discard()
            raise
        await self._remove_staging()

    async def discard(self) -> None:
        await self._remove_staging()
        await asyncio.to_thread(self._partial.unlink, missing_ok=True)

    def _pack(self, manifest: bytes) -> None:
        with self._partial.open("wb") as raw:
            with tarfile.open(
                fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
            ) as tar:
                tar.addfile(self._info(MANIFEST_MEMBER, len(manifest)), io.BytesIO(manifest))
                for name, staged, size in self._staged:
                    with staged.open("rb") as content:
                        tar.addfile(self._info(name, size), content)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(self._partial, self._path)

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = self._mtime
        info.mode = 0o644
        return info

    async def _remove_staging(self) -> None:
        staging, self._staging = self._staging, None
        self._staged = []
        if staging is not None:
            await asyncio.to_thread(shutil.rmtree, staging, True)


class TarArchiveSource:
    def __init__(self, path: Path) -> None:
        self._path = path

    @asynccontextmanager
    async def members(self) -> AsyncIterator[AsyncIterator[ArchiveMember]]:
        what = f"cannot read {self._path}"
        tar: tarfile.TarFile = await _io(tarfile.open, str(self._path), "r|gz", what=what)
        iterator = self._members(tar)
        try:
            yield iterator
        finally:
            await iterator.aclose()
            await asyncio.to_thread(tar.close)

    async def _members(self, tar: tarfile.TarFile) -> AsyncGenerator[ArchiveMember, None]:
        what = f"{self._path} is not a complete tenant archive"
        while True:
            info = await _io(tar.next, what=what)
            if info is None:
                return
            if not info.isreg():
                raise ArchiveError(f"{what}: entry {info.name!r} is not a regular file")
            handle = await _io(tar.extractfile, info, what=what)
            if handle is None:
                raise ArchiveError(f"{what}: entry {info.name!r} has no content")
            yield ArchiveMember(name=info.name, size=info.size, content=_chunks(handle, what))


async def _chunks(handle: IO[bytes], what: str) -> AsyncIterator[bytes]:
    while chunk := await _io(handle.read, CHUNK, what=what):
        yield chunk


class TarArchives:
    """Creates and opens archive files; the container hands it to the command line."""

    def create(self, path: Path) -> TarArchiveSink:
        return TarArchiveSink(path)

    def open(self, path: Path) -> TarArchiveSource:
        return TarArchiveSource(path)
