"""A blocking file object over an async stream of chunks, for SDKs that upload from files.

The SDK reads it in a worker thread; each read asks the event loop for the next chunks,
gathered there into the piece the SDK asked for, so nothing is buffered beyond it. It
counts and hashes what it hands over and, at the end of the stream, refuses to report the
end when the declared SHA-256 does not match: the SDK then never sends its final
request, and nothing is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterable, AsyncIterator

from ports.blob_store import ChecksumMismatch


class ChunkReader(io.RawIOBase):
    def __init__(
        self, chunks: AsyncIterable[bytes], loop: asyncio.AbstractEventLoop, sha256: str | None
    ) -> None:
        super().__init__()
        self._chunks: AsyncIterator[bytes] = aiter(chunks)
        self._loop = loop
        self._expected = sha256.lower() if sha256 else None
        self._pending = b""
        self._ended = False
        self._digest = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        """Bytes handed over so far: the SDK places each piece of a resumable upload by it."""
        return self.size

    def read(self, size: int | None = -1) -> bytes:
        wanted = size if size is not None and size >= 0 else None
        piece = asyncio.run_coroutine_threadsafe(self._take(wanted), self._loop).result()
        self._digest.update(piece)
        self.size += len(piece)
        if self._ended and not self._pending:
            self._check()
        return piece

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        piece = self.read(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)

    def _check(self) -> None:
        if self._expected is not None and self._expected != self.sha256:
            raise ChecksumMismatch(f"the content has SHA-256 {self.sha256}", field="sha256")

    async def _take(self, wanted: int | None) -> bytes:
        """The next ``wanted`` bytes (all that is left if None or at the end), gathered on
        the event loop: one hop from the SDK's thread per piece it asks for."""
        parts = [self._pending]
        held = len(self._pending)
        while not self._ended and (wanted is None or held < wanted):
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                self._ended = True
            else:
                parts.append(chunk)
                held += len(chunk)
        data = b"".join(parts)
        parts.clear()
        piece, self._pending = (data, b"") if wanted is None else (data[:wanted], data[wanted:])
        return piece
