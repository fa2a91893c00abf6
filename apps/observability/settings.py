"""The ``observability`` settings block: logs, metrics, readiness probes and tracing."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from adapters.setting_addresses import HttpUrl


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class ObservabilitySettings(BaseModel):
    """How the platform reports on itself: logs, /metrics, /health/ready, traces."""

    model_config = ConfigDict(extra="forbid")

    log_format: LogFormat = Field(
        default=LogFormat.JSON,
        description="json: one JSON object per line (for log collectors); console: for people.",
    )
    log_level: str = Field(
        default="INFO",
        pattern=r"^(DEBUG|INFO|WARNING|ERROR)$",
        description="Least severe level written: DEBUG, INFO, WARNING or ERROR.",
    )
    metrics_enabled: bool = Field(
        default=True,
        description=(
            "Serve Prometheus metrics at /metrics (outside /api/v1). It carries no secrets "
            "but reveals traffic: keep it off the public ingress (see docs/operations.md)."
        ),
    )
    metrics_tenant_labels: int = Field(
        default=20,
        ge=0,
        le=500,
        description=(
            "Tenants counted under their own slug in per-tenant metrics, the first ones this "
            "process serves; the others are counted together as 'other'."
        ),
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port a standalone worker serves /metrics on; unset: no metrics server.",
    )
    readiness_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=30,
        description="Time each readiness check (database, storage, adapter) may take.",
    )
    readiness_tenant_sample: int = Field(
        default=3,
        ge=0,
        le=50,
        description="Tenant databases a readiness probe connects to (the oldest active ones).",
    )
    tracing_enabled: bool = Field(
        default=False, description="Record OpenTelemetry traces of HTTP requests."
    )
    otlp_endpoint: HttpUrl | None = Field(
        default=None,
        description=(
            "OTLP/HTTP traces endpoint (http://collector:4318/v1/traces); unset: spans are "
            "written to standard output instead."
        ),
    )
    service_name: str = Field(
        default="passerelle-xr", description="service.name of traces and of the metrics' job."
    )
