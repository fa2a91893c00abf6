"""Built-in feature plugin: the worker's retention purge, per tenant, by its policy.

Settings block ``[plugins.retention]``: ``interval_seconds`` between purges (default 6 h)
and ``batch_size`` (rows per transaction). The policy itself is each tenant's
(``/api/v1/retention-policy``); ``passerelle retention run`` runs a purge by hand.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from core.retention.services import RetentionRound, purge_every_tenant
from plugins.features import FeatureServices
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext
from plugins.runtime import SettingsBlocks, WorkerJob

log = logging.getLogger(__name__)
SETTINGS_KEY = "retention"


class RetentionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval_seconds: float = Field(
        21600.0, ge=60, le=604800, description="Seconds between two retention purges."
    )
    batch_size: int = Field(
        200, ge=1, le=10000, description="Rows deleted per transaction by the purge."
    )


class RetentionPlugin:
    def __init__(self, services: FeatureServices) -> None:
        self._services = services

    @hookimpl
    def register_settings(self, blocks: SettingsBlocks) -> None:
        blocks.add(SETTINGS_KEY, RetentionSettings)

    @hookimpl
    def register_worker_jobs(self, context: AdapterContext) -> list[WorkerJob]:
        settings = context.settings(SETTINGS_KEY, RetentionSettings)

        async def run() -> RetentionRound:
            deps = replace(self._services.retention(), batch_size=settings.batch_size)
            done = await purge_every_tenant(deps)
            for report in done.reports:
                if report.sessions or report.files or report.audit_events or report.outbox:
                    log.info("retention purge of tenant %s: %s", report.slug, report)
            for slug, error in done.failed.items():
                log.error("retention purge of tenant %s failed: %s", slug, error)
            return done

        return [WorkerJob("retention", settings.interval_seconds, run)]


def feature_plugin(services: FeatureServices) -> RetentionPlugin:
    return RetentionPlugin(services)
