"""A contract's ``harness`` over two clients of one state, as two API replicas have them.

An in-process adapter is one object, so both replicas are it; a Redis one is two clients
of the machine's Redis under the test's key prefix (the test module imports the
``redis_url`` and ``redis_prefix`` fixtures), closed afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, TypeVar

import pytest

Harness = TypeVar("Harness")


class _OverRedis(Protocol):
    def __call__(self, url: str, *, key_prefix: str) -> Any: ...


def replica_harness(
    local_name: str,
    in_process: Callable[[], object],
    over_redis: _OverRedis,
    harness: Callable[[Any, Any], Harness],
) -> Any:
    """A ``harness`` fixture with params ``local_name`` (``in_process()`` as both replicas)
    and "redis" (two ``over_redis(url, key_prefix=)`` clients)."""

    @pytest.fixture(params=[local_name, "redis"], name="harness")
    async def fixture(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
        if request.param == local_name:
            one = in_process()
            yield harness(one, one)
            return
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        first, second = (over_redis(url, key_prefix=prefix) for _ in range(2))
        try:
            yield harness(first, second)
        finally:
            await first.close()
            await second.close()

    return fixture
