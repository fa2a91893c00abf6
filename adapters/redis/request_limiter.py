"""API request limits in Redis, global across API replicas.

One Lua script does the GCRA step, so reading and writing a key's TAT is atomic however
many replicas hit it at once; the time is Redis's own (``TIME``), so replicas with skewed
clocks still agree. If Redis does not answer within the timeout, the request passes and a
warning is logged: a Redis outage must not take the API down.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ports.request_limiter import Quota, Verdict

log = logging.getLogger(__name__)

_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local after = tat + interval
if after - now > period then
  return {0, tostring(tat - now), tostring(after - now - period)}
end
redis.call('SET', KEYS[1], tostring(after), 'PX', math.ceil(after - now) + 1)
return {1, tostring(after - now), '0'}
"""


class RedisRequestLimiter:
    def __init__(self, url: str, *, key_prefix: str = "pxr:", timeout: float = 0.5) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
        self._prefix = key_prefix + "rl:"
        self._script = self._redis.register_script(_GCRA)

    async def hit(self, key: str, quota: Quota) -> Verdict:
        try:
            allowed, ahead, wait = await self._script(
                keys=[self._prefix + key], args=[quota.interval_ms, quota.period_ms]
            )
        except (RedisError, OSError) as exc:
            log.warning("request limiter: Redis unavailable, request not limited: %s", exc)
            return Verdict.of(quota, allowed=True, ahead_ms=0, wait_ms=0)
        return Verdict.of(quota, allowed=bool(allowed), ahead_ms=float(ahead), wait_ms=float(wait))

    async def close(self) -> None:
        await self._redis.aclose()
