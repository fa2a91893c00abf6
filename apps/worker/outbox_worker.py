"""Delivers outbox messages of the tenants the dispatch index says are due.

Several workers may run at once: rows are claimed with a lease (and ``SKIP LOCKED`` on
PostgreSQL), so no two deliver the same message and a dead worker's rows come back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apps.container import Container
from core.notifications.dispatch import dispatch_tenant, due_tenants, rebuild_dispatch_index
from core.notifications.services import DeliveryReport

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, container: Container) -> None:
        self._container = container
        settings = container.settings().worker
        self._batch = settings.batch_size
        self._tenants_per_pass = settings.tenants_per_pass
        self._lease = timedelta(seconds=settings.lease_seconds)

    async def run_once(self) -> DeliveryReport:
        """One pass over the due tenants; one tenant's failure does not stop the others."""
        deps = self._container.dispatch_dependencies()
        total = DeliveryReport()
        for entry in await due_tenants(deps, limit=self._tenants_per_pass):
            try:
                report = await dispatch_tenant(entry, deps, batch=self._batch, lease=self._lease)
            except Exception:
                log.exception("outbox delivery failed for tenant %s", entry.tenant_id)
                continue
            total.add(report)
        if total.attempted:
            log.info("outbox: %d sent, %d to retry, %d dead", total.sent, total.retried, total.dead)
        return total

    async def rebuild_index(self) -> int:
        """The safety net: finds work whose index mark was lost (a crash between commits)."""
        marked = await rebuild_dispatch_index(self._container.dispatch_dependencies())
        if marked:
            log.info("dispatch index: %d tenant(s) with waiting messages marked", marked)
        return marked
