"""Presence expiry runs beside the API, where presence is recorded.

Without Redis presence lives in the API process, so only that process can see a device
go quiet; with Redis every replica sweeps and each expired device is announced once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from apps.container import Container
from apps.worker.process import every
from core.realtime.presence import sweep


def presence_sweeper(
    container: Container,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        interval = container.settings().events.presence_sweep_seconds
        job = every(interval, lambda: sweep(container.presence_dependencies()), stop, "presence")
        task = asyncio.create_task(job)
        try:
            yield
        finally:
            stop.set()
            await task

    return lifespan
