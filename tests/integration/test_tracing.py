"""With tracing on, each request becomes a span exported over OTLP/HTTP to the collector."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from dependency_injector import providers
from litestar.plugins.opentelemetry import OpenTelemetryPlugin
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider

from apps.api.app import create_app
from apps.container import Container


class Collector(ThreadingHTTPServer):
    """A loopback OTLP/HTTP trace receiver keeping every export request it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receiver)
        self.exports: list[ExportTraceServiceRequest] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces"


class _Receiver(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        export = ExportTraceServiceRequest()
        export.ParseFromString(body)
        self.server.exports.append(export)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        """Quiet: the test reads the exports, not the access log."""


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join()


async def test_requests_are_exported_as_spans_named_by_route(
    container: Container, collector: Collector
) -> None:
    settings = container.settings()
    block = settings.observability.model_copy(
        update={
            "tracing_enabled": True,
            "otlp_endpoint": collector.endpoint,
            "service_name": "pxr-test",
        }
    )
    container.settings.override(
        providers.Object(settings.model_copy(update={"observability": block}))
    )
    app = create_app(container, close=False)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/api/v1/health")).status_code == 200
    provider = app.plugins.get(OpenTelemetryPlugin).config.tracer_provider
    assert isinstance(provider, SdkTracerProvider)
    provider.shutdown()

    spans = [
        (resource.resource, span)
        for export in collector.exports
        for resource in export.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    names = {span.name for _, span in spans}
    assert "GET /api/v1/health" in names
    services = {
        attribute.value.string_value
        for resource, _ in spans
        for attribute in resource.attributes
        if attribute.key == "service.name"
    }
    assert services == {"pxr-test"}
