"""Dropping each test's PostgreSQL databases in the background, a few at a time.

``DROP DATABASE`` waits for a checkpoint of the whole server (PostgreSQL 15), which costs far
more than the test that used the database; run inline it was most of every PostgreSQL
test's teardown. Here a thread with its own event loop drops them while the next tests run,
several at once so concurrent drops share checkpoints. Every name is still unique to its
test, so nothing a later test sees depends on when a drop happens; at most ``backlog``
tests' databases wait at once, and the end of the session waits for all of them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

Connect = Callable[[], Awaitable[Any]]


class DatabaseReaper:
    def __init__(self, connect: Connect, *, connections: int = 3, backlog: int = 6) -> None:
        self._connect = connect
        self._backlog = backlog
        self._loop = asyncio.new_event_loop()
        self._slots = asyncio.Semaphore(connections)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._pending: set[concurrent.futures.Future[None]] = set()
        self.failures: list[str] = []

    def drop_later(self, prefixes: tuple[str, ...]) -> None:
        """Drop every database whose name starts with one of ``prefixes``, soon."""
        while len(self._pending) >= self._backlog:
            done, _ = concurrent.futures.wait(
                self._pending, return_when=concurrent.futures.FIRST_COMPLETED
            )
            self._pending -= done
        future = asyncio.run_coroutine_threadsafe(self._drop(prefixes), self._loop)
        self._pending.add(future)

    def close(self) -> None:
        """Wait for every drop, then stop the thread; failures are reported, not raised."""
        concurrent.futures.wait(self._pending)
        self._pending.clear()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        for failure in self.failures:
            print(f"test database not dropped: {failure}", file=sys.stderr)

    async def _drop(self, prefixes: tuple[str, ...]) -> None:
        async with self._slots:
            connection = await self._connect()
            try:
                query = "SELECT datname FROM pg_database WHERE starts_with(datname, $1)"
                names = [r["datname"] for p in prefixes for r in await connection.fetch(query, p)]
            finally:
                await connection.close()
        await asyncio.gather(*(self._drop_one(name) for name in names))

    async def _drop_one(self, name: str) -> None:
        async with self._slots:
            try:
                connection = await self._connect()
                try:
                    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                finally:
                    await connection.close()
            except Exception as exc:  # noqa: BLE001 - reported at the end of the session
                self.failures.append(f"{name}: {exc}")
