"""Prometheus metrics of one process: HTTP latency, outbox backlog, deliveries, tenants.

Each process (API replica, worker) owns one ``Metrics`` with its own registry, so tests
and several apps in one process never share counters. Label values are bounded: routes
are templates (``/api/v1/sessions/{session_id}``), never raw paths, and tenants beyond
the first ``tenant_labels`` are counted together as ``other``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.control_tables import outbox_dispatch
from core.notifications.services import DeliveryReport

OTHER_TENANTS = "other"
CONTENT_TYPE = CONTENT_TYPE_LATEST


class TenantLabels:
    """The first ``limit`` tenants get their own label; later ones share ``other``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._labelled: set[str] = set()

    def label(self, slug: str) -> str:
        if slug in self._labelled:
            return slug
        if len(self._labelled) < self._limit:
            self._labelled.add(slug)
            return slug
        return OTHER_TENANTS


class Metrics:
    def __init__(self, *, tenant_labels: int) -> None:
        self.registry = CollectorRegistry()
        self.tenants = TenantLabels(tenant_labels)
        self.http_latency = Histogram(
            "passerelle_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.tenant_requests = Counter(
            "passerelle_tenant_requests",
            "HTTP requests addressed to a tenant (the first ones by slug, the rest as other).",
            ("tenant", "status_class"),
            registry=self.registry,
        )
        self.outbox_tenants = Gauge(
            "passerelle_outbox_due_tenants",
            "Tenants with outbox messages due now, from the dispatch index.",
            registry=self.registry,
        )
        self.outbox_age = Gauge(
            "passerelle_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due outbox work has been due (0 when none).",
            registry=self.registry,
        )
        self.deliveries = Counter(
            "passerelle_notifications",
            "Outbox messages handled by workers, by outcome (sent, retried, dead, fell_back).",
            ("outcome",),
            registry=self.registry,
        )
        self.provider_errors = Counter(
            "passerelle_provider_errors",
            "Delivery attempts a provider refused or failed (retried or dead).",
            registry=self.registry,
        )
        self.delivery_pass = Histogram(
            "passerelle_outbox_pass_duration_seconds",
            "Time of one worker pass delivering the due outbox messages.",
            registry=self.registry,
        )

    def observe_request(
        self, *, route: str, method: str, status: int, seconds: float, tenant: str | None
    ) -> None:
        self.http_latency.labels(route, method, str(status)).observe(seconds)
        if tenant is not None:
            self.tenant_requests.labels(self.tenants.label(tenant), f"{status // 100}xx").inc()

    def observe_delivery(self, report: DeliveryReport, seconds: float) -> None:
        """Record one worker pass; provider errors are the attempts that did not send."""
        self.delivery_pass.observe(seconds)
        for outcome in ("sent", "retried", "dead", "fell_back"):
            count = getattr(report, outcome)
            if count:
                self.deliveries.labels(outcome).inc(count)
        if report.retried or report.dead:
            self.provider_errors.inc(report.retried + report.dead)

    async def refresh_outbox(self, control: AsyncEngine, now: datetime) -> None:
        """One indexed aggregate over the dispatch index: cheap enough for every scrape."""
        query = sa.select(sa.func.count(), sa.func.min(outbox_dispatch.c.due_at)).where(
            outbox_dispatch.c.due_at <= now
        )
        async with control.connect() as connection:
            count, oldest = (await connection.execute(query)).one()
        self.outbox_tenants.set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        self.outbox_age.set((now - oldest).total_seconds() if oldest is not None else 0.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsServer:
    """/metrics of a standalone worker, on its own port (the API serves its own)."""

    def __init__(self, metrics: Metrics, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from other pods
        self._server, self._thread = start_http_server(port, host, registry=metrics.registry)

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join()
