"""Presence in Redis, shared by every API replica.

Each user is a hash ``<prefix>presence:<tenant>:<user>`` of device -> status and expiry;
a sorted set ``<prefix>presence:expiry`` orders every device by its expiry, so a sweep
finds the quiet ones without scanning keys. Expiry is judged against the caller's time
(its clock), not Redis's; the hash also carries a Redis TTL a minute past its last
entry's expiry, so nothing outlives a tenant that went quiet. Taking expired entries is
one Lua script: with several replicas sweeping, each entry goes to one of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from redis.asyncio import Redis

from ports.presence import DevicePresence, PresenceStatus

_KEY_MARGIN_MS = 60_000
_SWEEP_BATCH = 500

_PUT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
"""

_TAKE_EXPIRED = """
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
local taken = {}
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[1], member)
  local tenant, user, device = string.match(member, '^([^|]+)|([^|]+)|(.+)$')
  local key = ARGV[2] .. tenant .. ':' .. user
  local value = redis.call('HGET', key, device)
  if value then
    redis.call('HDEL', key, device)
    table.insert(taken, member)
    table.insert(taken, value)
  end
end
return taken
"""


class RedisPresenceStore:
    def __init__(self, url: str, *, key_prefix: str = "pxr:", timeout: float = 0.5) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
        self._prefix = key_prefix + "presence:"
        self._expiry = self._prefix + "expiry"
        self._put = self._redis.register_script(_PUT)
        self._take = self._redis.register_script(_TAKE_EXPIRED)

    async def put(self, entry: DevicePresence) -> None:
        expires_ms = _ms(entry.expires_at)
        value = json.dumps({"s": entry.status.value, "e": expires_ms})
        now_ms = _ms(datetime.now(UTC))
        key_ttl = max(expires_ms - now_ms, 0) + _KEY_MARGIN_MS
        await self._put(
            keys=[self._user_key(entry.tenant_id, entry.user_id), self._expiry],
            args=[entry.device, value, expires_ms, _member(entry), key_ttl],
        )

    async def remove(self, tenant_id: UUID, user_id: UUID, device: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._user_key(tenant_id, user_id), device)
            pipe.zrem(self._expiry, f"{tenant_id}|{user_id}|{device}")
            await pipe.execute()

    async def of_users(
        self, tenant_id: UUID, user_ids: Sequence[UUID], now: datetime
    ) -> list[DevicePresence]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.hgetall(self._user_key(tenant_id, user_id))
            answers: list[dict[str, str]] = await pipe.execute()
        now_ms = _ms(now)
        found = []
        for user_id, devices in zip(user_ids, answers, strict=True):
            for device, raw in devices.items():
                entry = _entry(tenant_id, user_id, device, raw)
                if _ms(entry.expires_at) > now_ms:
                    found.append(entry)
        return found

    async def take_expired(self, now: datetime) -> list[DevicePresence]:
        flat: list[str] = await self._take(
            keys=[self._expiry], args=[_ms(now), self._prefix, _SWEEP_BATCH]
        )
        taken = []
        for member, raw in zip(flat[::2], flat[1::2], strict=True):
            tenant, user, device = member.split("|", 2)
            taken.append(_entry(UUID(tenant), UUID(user), device, raw))
        return taken

    async def close(self) -> None:
        await self._redis.aclose()

    def _user_key(self, tenant_id: UUID, user_id: UUID) -> str:
        return f"{self._prefix}{tenant_id}:{user_id}"


def _member(entry: DevicePresence) -> str:
    return f"{entry.tenant_id}|{entry.user_id}|{entry.device}"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _entry(tenant_id: UUID, user_id: UUID, device: str, raw: str) -> DevicePresence:
    value = json.loads(raw)
    expires_at = datetime.fromtimestamp(value["e"] / 1000, tz=UTC)
    return DevicePresence(tenant_id, user_id, device, PresenceStatus(value["s"]), expires_at)
