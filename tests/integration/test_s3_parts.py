"""S3 multipart uploads cut the stream into parts of exactly ``part_bytes`` (moto's server
on 127.0.0.1), whatever size the pieces arrive in: a piece that straddles two parts is
split between them, so the adapter holds one part and never more."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

from tests.support.s3_server import S3Peer, moto_server, s3_server  # noqa: F401 - fixtures

MIB = 1024 * 1024


async def _pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_pieces_straddling_parts_are_split_into_parts_of_exactly_part_bytes(
    s3_server: S3Peer,  # noqa: F811 - the fixture
) -> None:
    store = s3_server.store(part_bytes=5 * MIB)
    data = bytes(range(256)) * (16 * MIB // 256)
    tenant = uuid.uuid4()
    try:
        stored = await store.put(
            tenant,
            "big.bin",
            _pieces(data, 3 * MIB),
            content_type="application/octet-stream",
            sha256=hashlib.sha256(data).hexdigest(),
        )
        read = b"".join([piece async for piece in store.get(tenant, "big.bin")])
    finally:
        await store.close()

    assert stored.version.strip('"').endswith("-4")  # 5 + 5 + 5 + 1 MiB, not 6 + 6 + 4
    assert read == data


async def test_a_file_smaller_than_one_part_goes_in_one_request(
    s3_server: S3Peer,  # noqa: F811 - the fixture
) -> None:
    store = s3_server.store(part_bytes=5 * MIB)
    data = b"small " * 1000
    tenant = uuid.uuid4()
    try:
        stored = await store.put(
            tenant, "small.txt", _pieces(data, 1000), content_type="text/plain"
        )
        read = b"".join([piece async for piece in store.get(tenant, "small.txt")])
    finally:
        await store.close()

    assert "-" not in stored.version.strip('"')
    assert (stored.size, read) == (len(data), data)
