"""Byte streams as uploads and downloads carry them: re-cut into larger pieces, and read
one piece ahead of their consumer.

A server hands a request body over in pieces of a few dozen KiB; every piece then costs a
thread hop or a write in the store below. ``rechunked`` joins them into pieces of about
a MiB, so that cost is paid per MiB, and ``read_ahead`` lets a download fetch its next
piece from the store while the current one is being sent to the client. Both hold a
bounded number of pieces, never the whole stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator

PIECE_BYTES = 1024 * 1024
"""The piece size uploads are re-cut to before they reach a store."""


async def rechunked(chunks: AsyncIterable[bytes], size: int = PIECE_BYTES) -> AsyncIterator[bytes]:
    """The same bytes in pieces of at least ``size`` (the last one may be shorter)."""
    held: list[bytes] = []
    count = 0
    async for chunk in chunks:
        if not held and len(chunk) >= size:
            yield chunk
            continue
        held.append(chunk)
        count += len(chunk)
        if count >= size:
            yield b"".join(held)
            held.clear()
            count = 0
    if held:
        yield b"".join(held)


async def read_ahead(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The same pieces, the next one fetched while the consumer handles the current one.

    At most two pieces are held. A consumer that stops early (a client gone) cancels the
    fetch and closes ``chunks``; an error of ``chunks`` reaches the consumer in its place.
    """
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=1)

    async def fetch() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as exc:  # noqa: BLE001 - raised again by the consumer
            await queue.put(exc)
            return
        await queue.put(None)

    fetching = asyncio.create_task(fetch())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        fetching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetching
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
