"""Realtime events kept in process: the embedded default and the unit tests' recorder."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from ports.events import Event, channels_of


class InProcessEventPublisher:
    """Records every event and hands it to the queues subscribed to its channels."""

    name = "memory"

    def __init__(self) -> None:
        self.published: list[Event] = []
        self._subscribers: dict[str, list[asyncio.Queue[Event]]] = defaultdict(list)

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.published.append(event)
            for channel in channels_of(event):
                for queue in self._subscribers.get(channel, []):
                    queue.put_nowait(event)

    def subscribe(self, channel: str) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers[channel].append(queue)
        return queue

    def unsubscribe(self, channel: str, queue: asyncio.Queue[Event]) -> None:
        if queue in self._subscribers.get(channel, []):
            self._subscribers[channel].remove(queue)
