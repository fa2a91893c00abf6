"""OpenTelemetry traces of HTTP requests, when ``observability.tracing_enabled`` is set.

Off by default: tracing costs a little per request and needs a collector. The packages
are an optional extra (``passerelle-xr[tracing]``), imported only when tracing is on.
Spans go to the OTLP/HTTP endpoint of the settings, or to standard output without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.observability.settings import ObservabilitySettings

if TYPE_CHECKING:
    from litestar.plugins import PluginProtocol
    from opentelemetry.sdk.trace import TracerProvider


def tracing_plugins(settings: ObservabilitySettings) -> list[PluginProtocol]:
    """The Litestar plugin that opens a span per request (named by route), or nothing."""
    if not settings.tracing_enabled:
        return []
    try:
        from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
    except ImportError as exc:
        raise RuntimeError(
            f"observability.tracing_enabled needs {exc.name}: pip install 'passerelle-xr[tracing]'"
        ) from exc
    config = OpenTelemetryConfig(tracer_provider=tracer_provider(settings))
    return [OpenTelemetryPlugin(config)]


def tracer_provider(settings: ObservabilitySettings) -> TracerProvider:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    exporter = (
        OTLPSpanExporter(endpoint=settings.otlp_endpoint)
        if settings.otlp_endpoint
        else ConsoleSpanExporter()
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider
