"""The Redis on 127.0.0.1:6379 (or PASSERELLE_TEST_REDIS_URL), with a key prefix per test.

A missing Redis skips locally and fails under PASSERELLE_REQUIRE_SERVICES=1, like
PostgreSQL. Each test writes under its own prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.conftest import service_missing

REDIS_URL = os.environ.get("PASSERELLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class RedisService:
    url: str
    key_prefix: str

    def settings(self) -> dict[str, str]:
        return {"url": self.url, "key_prefix": self.key_prefix}


@contextlib.asynccontextmanager
async def redis_service() -> AsyncIterator[RedisService]:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        service_missing(f"Redis at {REDIS_URL} unreachable: {exc}")
    prefix = f"pxt{uuid.uuid4().hex[:10]}:"
    try:
        yield RedisService(REDIS_URL, prefix)
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
