"""Operating the platform: structured logs, Prometheus metrics, readiness and tracing."""
