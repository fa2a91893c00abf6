"""Delivers the due outbox messages of every active tenant.

Several workers may run at once: rows are claimed with a lease (and ``SKIP LOCKED`` on
PostgreSQL), so no two deliver the same message and a dead worker's rows come back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from apps.container import Container
from core.notifications.services import DeliveryReport, deliver_due
from core.tenants.model import Tenant, TenantStatus
from ports.pagination import PageRequest, Position

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, container: Container) -> None:
        self._container = container
        settings = container.settings().worker
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
        if total.attempted:
            log.info("outbox: %d sent, %d to retry, %d dead", total.sent, total.retried, total.dead)
        return total

    async def _active_tenants(self) -> AsyncIterator[Tenant]:
        catalog = self._container.catalog()
        after: Position | None = None
        while True:
            page = await catalog.browse(PageRequest(200, after), status=TenantStatus.ACTIVE)
            for tenant in page.items:
                yield tenant
            if page.next is None:
                return
            after = page.next
