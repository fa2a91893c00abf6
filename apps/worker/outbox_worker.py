"""Polls the tenants for due outbox messages and delivers them.

Several workers may run at once: rows are claimed with a lease (and ``SKIP LOCKED`` on
PostgreSQL), so no two deliver the same message and a dead worker's rows come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from litestar import Litestar

from apps.container import Container
from core.notifications.services import DeliveryReport, deliver_due
from core.tenants.model import Tenant, TenantStatus
from ports.pagination import PageRequest, Position

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, container: Container) -> None:
        self._container = container
        settings = container.settings().worker
        self._interval = settings.poll_interval_seconds
        self._batch = settings.batch_size
        self._lease = timedelta(seconds=settings.lease_seconds)

    async def run_once(self) -> DeliveryReport:
        """One pass over every active tenant; one tenant's failure does not stop the others."""
        total = DeliveryReport()
        deps = self._container.delivery_dependencies()
        async for tenant in self._active_tenants():
            try:
                report = await deliver_due(tenant.id, deps, limit=self._batch, lease=self._lease)
            except Exception:
                log.exception("outbox delivery failed for tenant %s", tenant.slug)
                continue
            total.sent += report.sent
            total.retried += report.retried
            total.dead += report.dead
        return total

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox worker started (poll every %.1fs)", self._interval)
        while not stop.is_set():
            report = await self.run_once()
            if report.attempted:
                log.info(
                    "outbox: %d sent, %d to retry, %d dead",
                    report.sent,
                    report.retried,
                    report.dead,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
        log.info("outbox worker stopped")

    async def _active_tenants(self) -> AsyncIterator[Tenant]:
        catalog = self._container.catalog()
        after: Position | None = None
        while True:
            page = await catalog.list(PageRequest(limit=200, after=after))
            for tenant in page.items:
                if tenant.status is TenantStatus.ACTIVE:
                    yield tenant
            if page.next is None:
                return
            after = page.next


def worker_lifespan(
    container: Container,
) -> Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]:
    """Runs the worker beside the API in one process (``passerelle up``)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(OutboxWorker(container).run(stop))
        try:
            yield
        finally:
            stop.set()
            await task

    return lifespan
