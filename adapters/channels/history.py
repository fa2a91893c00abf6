"""The last events of each channel, kept apart from the live fan-out.

Litestar's channel backends either keep no history (Redis pub/sub) or drop a channel's
history when its last subscriber leaves (memory): exactly when a client that reconnects
needs it. So history lives here, bounded by count and, in Redis, by idle time.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import Redis

_APPEND = """
local limit = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('RPUSH', key, ARGV[1])
  redis.call('LTRIM', key, -limit, -1)
  redis.call('PEXPIRE', key, ttl)
end
"""


class ChannelHistory(Protocol):
    async def append(self, payload: bytes, channels: Sequence[str]) -> None: ...

    async def read(self, channel: str) -> list[bytes]:
        """The kept payloads of ``channel``, oldest first."""
        ...


class MemoryHistory:
    """One process's history: enough for the embedded default, where one process serves all."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._kept: defaultdict[str, deque[bytes]] = defaultdict(lambda: deque(maxlen=limit))

    async def append(self, payload: bytes, channels: Sequence[str]) -> None:
        if self._limit:
            for channel in channels:
                self._kept[channel].append(payload)

    async def read(self, channel: str) -> list[bytes]:
        return list(self._kept.get(channel, ()))


class RedisHistory:
    """A capped Redis list per channel, appended to every channel of an event in one script."""

    def __init__(self, redis: Redis, *, key_prefix: str, limit: int, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._limit = limit
        self._ttl_ms = ttl_seconds * 1000
        self._script = redis.register_script(_APPEND)

    async def append(self, payload: bytes, channels: Sequence[str]) -> None:
        if self._limit:
            keys = [self._prefix + channel for channel in channels]
            await self._script(keys=keys, args=[payload, self._limit, self._ttl_ms])

    async def read(self, channel: str) -> list[bytes]:
        kept = await self._redis.lrange(self._prefix + channel, 0, -1)
        return [item if isinstance(item, bytes) else item.encode() for item in kept]
