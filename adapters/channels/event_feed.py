"""Realtime events over Litestar channels: published by any process, followed over WebSocket/SSE.

One ``ChannelsPlugin`` per process fans events out to its subscribers: with the memory
backend inside this process (the embedded default, where API and worker share it), with
Redis pub/sub across every API and worker replica. The plugin is started on first use and
stopped by ``close``, so the worker, which has no web app, publishes the same way.

Resuming: each event is also appended to its channels' bounded history (``history``).
A client that reconnects with its last event id gets the kept events after it, then the
live ones; it subscribes first and reads the history second, so nothing published in
between is lost, and events seen twice (history and live, or sent to two of its channels)
are passed on once.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.subscriber import Subscriber
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.channels.history import ChannelHistory
from ports.events import Event, EventsUnavailable, Subscription, channels_of

Payload = Mapping[str, Any]


class ChannelsEventPublisher:
    name = "channels"

    def __init__(
        self,
        backend: ChannelsBackend,
        history: ChannelHistory,
        *,
        backlog: int = 1000,
        channel_prefix: str = "",
        timeout_seconds: float = 2.0,
        redis: Redis | None = None,
    ) -> None:
        self._plugin = ChannelsPlugin(
            backend,
            arbitrary_channels_allowed=True,
            subscriber_max_backlog=backlog,
            subscriber_backlog_strategy="dropleft",
        )
        self._history = history
        self._prefix = channel_prefix
        self._timeout = timeout_seconds
        self._redis = redis
        self._started = False
        self._starting = asyncio.Lock()

    async def publish(self, events: Sequence[Event]) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._start()
                for event in events:
                    payload = json.dumps(event.to_json(), separators=(",", ":")).encode()
                    channels = channels_of(event)
                    await self._history.append(payload, channels)
                    await self._plugin.wait_published(payload, self._named(channels))
        except (RedisError, OSError, TimeoutError) as exc:
            raise EventsUnavailable(f"channels: {type(exc).__name__}: {exc}") from exc

    @asynccontextmanager
    async def follow(
        self, channels: Sequence[str], *, after: str | None = None
    ) -> AsyncIterator[Subscription]:
        named = self._named(channels)
        try:
            async with asyncio.timeout(self._timeout):
                await self._start()
                subscriber = await self._plugin.subscribe(named)
        except (RedisError, OSError, TimeoutError) as exc:
            raise EventsUnavailable(f"channels: {type(exc).__name__}: {exc}") from exc
        try:
            missed, complete = ([], True) if after is None else await self._missed(channels, after)
            yield Subscription(_once_each(missed, subscriber), complete)
        finally:
            await self._plugin.unsubscribe(subscriber, named)

    async def close(self) -> None:
        if self._started:
            self._started = False
            await self._plugin.__aexit__(None, None, None)
        if self._redis is not None:
            await self._redis.aclose()

    async def _start(self) -> None:
        async with self._starting:
            if not self._started:
                await self._plugin.__aenter__()
                self._started = True

    def _named(self, channels: Sequence[str]) -> list[str]:
        return [self._prefix + channel for channel in channels]

    async def _missed(self, channels: Sequence[str], after: str) -> tuple[list[Payload], bool]:
        """Kept events after ``after``, oldest first; False when ``after`` is no longer kept.

        Where ``after`` is in a channel's history, what follows it there; in the other
        channels, what occurred at or after it (duplicates are dropped downstream).
        """
        kept = {
            channel: [json.loads(raw) for raw in await self._history.read(channel)]
            for channel in channels
        }
        since: datetime | None = None
        for payloads in kept.values():
            for payload in payloads:
                if payload["id"] == after:
                    since = _moment(payload)
        if since is None:
            everything = {p["id"]: p for payloads in kept.values() for p in payloads}
            return sorted(everything.values(), key=_moment), False
        found: dict[str, Payload] = {}
        for payloads in kept.values():
            ids = [payload["id"] for payload in payloads]
            if after in ids:
                newer = payloads[ids.index(after) + 1 :]
            else:
                newer = [payload for payload in payloads if _moment(payload) >= since]
            found.update((payload["id"], payload) for payload in newer if payload["id"] != after)
        return sorted(found.values(), key=_moment), True


def _moment(payload: Payload) -> datetime:
    return datetime.fromisoformat(str(payload["occurred_at"]))


async def _once_each(missed: list[Payload], subscriber: Subscriber) -> AsyncIterator[Payload]:
    """The missed events, then the live ones, each id once (a bounded memory of recent ids)."""
    recent: deque[str] = deque(maxlen=1000)
    seen: set[str] = set()

    def first_time(event_id: str) -> bool:
        if event_id in seen:
            return False
        if len(recent) == recent.maxlen:
            seen.discard(recent[0])
        recent.append(event_id)
        seen.add(event_id)
        return True

    for payload in missed:
        if first_time(payload["id"]):
            yield payload
    async for raw in subscriber.iter_events():
        payload = json.loads(raw)
        if first_time(payload["id"]):
            yield payload
