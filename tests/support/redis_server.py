"""The machine's Redis on 127.0.0.1:6379, with a key prefix of each test's own.

Locally a missing Redis skips its tests; with PASSERELLE_REQUIRE_SERVICES=1 it fails them.
The fixtures are synchronous so async fixtures can ask for them by name at run time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import service_missing

REDIS_URL = os.environ.get("PASSERELLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    with Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
        try:
            client.ping()
        except (RedisError, OSError) as exc:
            service_missing(f"Redis at {REDIS_URL} unreachable: {exc}")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A prefix for every key the test writes; those keys are deleted afterwards."""
    prefix = f"pxt-{uuid.uuid4().hex[:10]}:"
    yield prefix
    with Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
