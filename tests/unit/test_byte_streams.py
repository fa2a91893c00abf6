"""Re-cutting and reading ahead byte streams: same bytes, bounded pieces, errors and early
stops passed on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ports.byte_streams import read_ahead, rechunked


async def pieces(*sizes: int) -> AsyncIterator[bytes]:
    for n, size in enumerate(sizes):
        yield bytes([n % 256]) * size


async def test_small_pieces_are_joined_until_they_reach_the_size_and_large_ones_pass() -> None:
    out = [chunk async for chunk in rechunked(pieces(3, 3, 10, 3, 3, 1), size=5)]
    assert [len(chunk) for chunk in out] == [6, 10, 6, 1]
    assert b"".join(out) == b"".join([chunk async for chunk in pieces(3, 3, 10, 3, 3, 1)])


async def test_reading_ahead_fetches_the_next_piece_while_the_current_one_is_used() -> None:
    fetched: list[int] = []

    async def source() -> AsyncIterator[bytes]:
        for n in range(4):
            fetched.append(n)
            yield bytes([n])

    seen = []
    async for chunk in read_ahead(source()):
        await asyncio.sleep(0)
        seen.append(chunk[0])
        assert len(fetched) - len(seen) <= 2
    assert seen == [0, 1, 2, 3]


async def test_an_error_of_the_source_reaches_the_consumer() -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"a"
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        async for _ in read_ahead(failing()):
            pass


async def test_a_consumer_stopping_early_closes_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"x"
        finally:
            closed.set()

    stream = read_ahead(endless())
    async for _ in stream:
        break
    await stream.aclose()
    assert closed.is_set()
