"""The worker's jobs, each repeated at its own interval until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from litestar import Litestar

from apps.container import Container
from apps.observability.metrics import MetricsServer
from apps.worker.outbox_worker import OutboxWorker
from core.files.reconcile import expire_every_tenant
from core.notifications.services import DeliveryReport
from core.recordings.copies import copy_every_tenant
from core.sessions.sweeps import sweep_every_tenant
from core.tenants.backups import BackupRound, back_up_every_tenant
from core.tenants.lifecycle import PurgeReport, purge_due_tenants
from ports.events import EventRetention

log = logging.getLogger(__name__)
ENGINE_SWEEP_SECONDS = 60.0
IDEMPOTENCY_PURGE_SECONDS = 3600.0


async def run_worker(container: Container, stop: asyncio.Event) -> None:
    """Outbox delivery every poll interval; purge of deleted tenants past their grace."""
    settings = container.settings()
    outbox = OutboxWorker(container)
    log.info("worker started (outbox every %.1fs)", settings.worker.poll_interval_seconds)
    port = settings.observability.worker_metrics_port
    metrics_server = MetricsServer(container.metrics(), port) if port else None
    await asyncio.gather(
        every(
            settings.worker.poll_interval_seconds,
            lambda: measured_pass(container, outbox),
            stop,
            "outbox",
            busy=lambda report: isinstance(report, DeliveryReport) and report.attempted > 0,
        ),
        every(settings.worker.full_scan_seconds, outbox.rebuild_index, stop, "outbox full scan"),
        every(settings.tenancy.purge_interval_seconds, lambda: _purge(container), stop, "purge"),
        every(ENGINE_SWEEP_SECONDS, lambda: _sweep_engines(container), stop, "engine sweep"),
        every(
            settings.sessions.sweep_interval_seconds,
            lambda: sweep_every_tenant(container.catalog(), container.session_dependencies()),
            stop,
            "session sweep",
        ),
        every(
            settings.storage.upload_url_ttl_seconds,
            lambda: _expire_uploads(container),
            stop,
            "expired uploads",
        ),
        every(
            settings.sessions.recording_copy_interval_seconds,
            lambda: copy_every_tenant(container.recording_dependencies()),
            stop,
            "recording copy",
        ),
        every(
            IDEMPOTENCY_PURGE_SECONDS,
            lambda: _purge_idempotency_keys(container),
            stop,
            "idempotency key purge",
        ),
        *_backup_jobs(container, stop),
        *_event_prune_jobs(container, stop),
        *plugin_jobs(container, stop),
    )
    if metrics_server is not None:
        metrics_server.close()
    log.info("worker stopped")


async def _expire_uploads(container: Container) -> int:
    deps = container.file_dependencies()
    return await expire_every_tenant(
        container.catalog(), deps.tenant_uow, deps.blobs, deps.clock.now()
    )


async def _purge_idempotency_keys(container: Container) -> int:
    """Forget API answers past their replay window, so the control database stays small."""
    return await container.idempotency_store().purge(container.clock().now())


def plugin_jobs(container: Container, stop: asyncio.Event) -> list[Awaitable[None]]:
    """Plugins' scheduled jobs; each failure is logged by ``every`` and retried next time."""
    jobs = container.plugins().worker_jobs(container.adapter_context())
    return [every(job.interval_seconds, job.run, stop, f"plugin job {job.name}") for job in jobs]


def _backup_jobs(container: Container, stop: asyncio.Event) -> list[Awaitable[None]]:
    settings = container.settings().backups
    if not settings.enabled:
        return []
    return [every(settings.check_interval_seconds, lambda: _back_up(container), stop, "backups")]


async def _back_up(container: Container) -> BackupRound:
    keep = container.settings().backups.keep_daily
    report = await back_up_every_tenant(container.backup_dependencies(), keep=keep)
    if report.backed_up or report.pruned:
        log.info(
            "backups: %d tenant(s) backed up, %d old backup(s) pruned",
            len(report.backed_up),
            report.pruned,
        )
    for slug, error in report.failed.items():
        log.error("backup of tenant %s failed: %s", slug, error)
    return report


def _event_prune_jobs(container: Container, stop: asyncio.Event) -> list[Awaitable[None]]:
    """Only transports that keep events until deleted (Firebase) need pruning."""
    if not isinstance(container.events(), EventRetention):
        return []
    interval = container.settings().firebase.prune_interval_seconds
    return [every(interval, lambda: prune_events(container), stop, "event prune")]


async def prune_events(container: Container) -> int:
    """Delete realtime events older than the retention: clients read history from the API."""
    events = container.events()
    if not isinstance(events, EventRetention):
        return 0
    retention = timedelta(hours=container.settings().firebase.event_retention_hours)
    removed = await events.prune(container.clock().now() - retention)
    if removed:
        log.info("event prune: %d old realtime event(s) deleted", removed)
    return removed


async def _sweep_engines(container: Container) -> int:
    """Close tenant engines nobody used lately, so a quiet worker holds no connections."""
    return container.tenant_engines().sweep()


async def measured_pass(container: Container, outbox: OutboxWorker) -> DeliveryReport:
    """One outbox pass, its duration and outcomes recorded in the process's metrics."""
    started = time.perf_counter()
    report = await outbox.run_once()
    container.metrics().observe_delivery(report, time.perf_counter() - started)
    return report


async def _purge(container: Container) -> PurgeReport:
    report = await purge_due_tenants(container.tenant_dependencies(), actor="worker")
    for tenant in report.purged:
        log.info("tenant %s purged", tenant.slug)
    for slug, error in report.failed.items():
        log.error("purge of tenant %s failed: %s", slug, error)
    return report


async def every(
    interval: float,
    job: Callable[[], Awaitable[object]],
    stop: asyncio.Event,
    name: str,
    *,
    busy: Callable[[object], bool] = lambda _result: False,
) -> None:
    """Run ``job`` every ``interval``, or again at once while ``busy`` says more may wait.

    A failing pass is logged and the job runs again next time; it never stops the worker.
    """
    while not stop.is_set():
        try:
            if busy(await job()):
                await asyncio.sleep(0)
                continue
        except Exception:
            log.exception("worker job %s failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


def worker_lifespan(
    container: Container,
) -> Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]:
    """Runs the worker beside the API in one process (``passerelle up``)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(container, stop))
        try:
            yield
        finally:
            stop.set()
            await task

    return lifespan
