"""The last events of each channel, kept apart from the live fan-out.

Litestar's channel backends either keep no history (Redis pub/sub) or drop a channel's
history when its last subscriber leaves (memory): exactly when a client that reconnects
needs it. So history lives here, bounded by count per channel and by idle time: a channel
with no new event for ``history_seconds`` forgets its events, in Redis by key expiry, in
memory on the next append. Without the idle bound a long-running process would keep the
last events of every session it ever served.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
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
    """One process's history: enough for the embedded default, where one process serves all.

    Channels are kept least recently appended to first, so forgetting the idle ones only
    looks at the front.
    """

    def __init__(
        self,
        limit: int,
        *,
        idle_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._idle = idle_seconds
        self._monotonic = monotonic
        self._kept: OrderedDict[str, tuple[deque[bytes], float]] = OrderedDict()

    def __len__(self) -> int:
        """Channels whose events are kept."""
        return len(self._kept)

    async def append(self, payload: bytes, channels: Sequence[str]) -> None:
        if not self._limit:
            return
        now = self._monotonic()
        while self._kept and now - next(iter(self._kept.values()))[1] >= self._idle:
            self._kept.popitem(last=False)
        for channel in channels:
            kept, _ = self._kept.pop(channel, (deque(maxlen=self._limit), now))
            kept.append(payload)
            self._kept[channel] = (kept, now)

    async def read(self, channel: str) -> list[bytes]:
        kept, last = self._kept.get(channel, ((), 0.0))
        return list(kept) if self._monotonic() - last < self._idle else []


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
