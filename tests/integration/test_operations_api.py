"""Readiness, metrics, request ids and structured logs of the running API."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
import structlog
from dependency_injector import providers

from apps.observability.logging import HANDLER_NAME, configure_logging
from apps.observability.settings import LogFormat, ObservabilitySettings
from apps.worker.outbox_worker import OutboxWorker
from apps.worker.process import measured_pass
from tests.integration.conftest import ADMIN_PASSWORD, Api


def _observe(api: Api, **changes: Any) -> None:
    """Replace observability settings before the first request builds the metrics."""
    settings = api.container.settings()
    block = settings.observability.model_copy(update=changes)
    api.container.settings.override(
        providers.Object(settings.model_copy(update={"observability": block}))
    )


class FailingCheck:
    async def send(self, _push: object) -> str:
        return "unused"

    async def check(self) -> None:
        raise RuntimeError("relay refused the connection")


class HangingCheck(FailingCheck):
    async def check(self) -> None:
        await asyncio.sleep(30)


async def test_ready_when_control_and_tenant_databases_answer(api: Api) -> None:
    await api.create_tenant("alpha")
    response = await api.client.get("/api/v1/health/ready")
    assert response.status_code == 200, response.text
    checks = {check["name"]: check for check in response.json()["checks"]}
    assert checks["control_database"]["status"] == "ok"
    assert checks["tenant_database:alpha"]["status"] == "ok"
    assert checks["mail"]["status"] == "not_checked"
    assert response.headers["cache-control"] == "no-store"


async def test_an_adapter_whose_own_check_fails_makes_the_pod_not_ready(api: Api) -> None:
    api.container.push.override(providers.Object(FailingCheck()))
    response = await api.client.get("/api/v1/health/ready")
    assert response.status_code == 503
    checks = {check["name"]: check for check in response.json()["checks"]}
    assert checks["push"] == {
        "name": "push",
        "status": "failed",
        "duration_ms": checks["push"]["duration_ms"],
        "detail": "RuntimeError: relay refused the connection",
    }
    assert checks["control_database"]["status"] == "ok"
    assert (await api.client.get("/api/v1/health")).status_code == 200


async def test_a_check_that_hangs_fails_at_its_timeout_not_the_probes(api: Api) -> None:
    _observe(api, readiness_timeout_seconds=0.2)
    api.container.push.override(providers.Object(HangingCheck()))
    started = asyncio.get_running_loop().time()
    response = await api.client.get("/api/v1/health/ready")
    assert asyncio.get_running_loop().time() - started < 5
    assert response.status_code == 503
    [push] = [check for check in response.json()["checks"] if check["name"] == "push"]
    assert push["detail"] == "no answer within 0.2s"


def _samples(text: str, name: str) -> dict[str, float]:
    """Metric samples of one name: label string -> value."""
    found = re.findall(rf"^{name}(\{{.*\}})? (\S+)$", text, flags=re.MULTILINE)
    return {labels: float(value) for labels, value in found}


async def test_http_latency_is_labelled_by_route_template_never_the_raw_path(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    missing = uuid4()
    await api.client.get(f"/api/v1/sessions/{missing}", headers=admin)
    text = (await api.client.get("/metrics")).text
    counts = _samples(text, "passerelle_http_request_duration_seconds_count")
    assert '{method="GET",route="/api/v1/sessions/{session_id}",status="404"}' in counts
    assert str(missing) not in text


async def test_an_error_raised_in_middleware_is_counted_with_the_status_the_client_got(
    api: Api,
) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    refused = await api.client.post(
        "/api/v1/sessions", json={}, headers={**admin, "Idempotency-Key": "k" * 300}
    )
    counts = _samples(
        (await api.client.get("/metrics")).text, "passerelle_http_request_duration_seconds_count"
    )

    assert refused.status_code == 422, refused.text
    assert '{method="POST",route="/api/v1/sessions",status="422"}' in counts
    assert '{method="POST",route="/api/v1/sessions",status="500"}' not in counts


async def test_tenant_counters_name_the_first_tenants_and_group_the_rest(api: Api) -> None:
    _observe(api, metrics_tenant_labels=1)
    for slug in ("alpha", "bravo"):
        await api.create_tenant(slug)
        await api.login(slug)
    counts = _samples((await api.client.get("/metrics")).text, "passerelle_tenant_requests_total")
    assert counts == {
        '{status_class="2xx",tenant="alpha"}': 1.0,
        '{status_class="2xx",tenant="other"}': 1.0,
    }


async def test_outbox_backlog_and_deliveries_are_measured(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    session_id = await api.create_session(admin)
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "guest@x.example", "display_name": "Guest"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    waiting = (await api.client.get("/metrics")).text
    assert _samples(waiting, "passerelle_outbox_due_tenants") == {"": 1.0}
    assert _samples(waiting, "passerelle_outbox_oldest_due_age_seconds")[""] >= 0

    report = await measured_pass(api.container, OutboxWorker(api.container))
    assert report.sent == 1
    delivered = (await api.client.get("/metrics")).text
    assert _samples(delivered, "passerelle_notifications_total") == {'{outcome="sent"}': 1.0}
    assert _samples(delivered, "passerelle_outbox_due_tenants") == {"": 0.0}
    assert _samples(delivered, "passerelle_outbox_pass_duration_seconds_count") == {"": 1.0}


async def test_a_request_id_is_kept_when_sane_and_made_otherwise(api: Api) -> None:
    kept = await api.client.get("/api/v1/health", headers={"X-Request-ID": "abc-123.x"})
    assert kept.headers["x-request-id"] == "abc-123.x"
    replaced = await api.client.get("/api/v1/health", headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
    refused = await api.client.get("/api/v1/bootstrap", headers={"X-Passerelle-Tenant": "nobody"})
    assert refused.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["x-request-id"])


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(log_format=LogFormat.JSON), stream=stream)
    try:
        yield stream
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        structlog.reset_defaults()


async def test_request_logs_carry_ids_and_never_secrets(
    api: Api, captured_logs: io.StringIO
) -> None:
    created = await api.create_tenant("alpha")
    admin = await api.login("alpha")
    token = admin["Authorization"].removeprefix("Bearer ")
    api_key = "pxr_live_3f9a8b7c6d5e4f3a2b1c"
    await api.client.post(
        f"/api/v1/auth/login?api_key={api_key}",
        json={"email": "admin@acme.example", "password": ADMIN_PASSWORD},
        headers={"X-Passerelle-Tenant": "alpha", "X-Api-Key": api_key, **admin},
    )
    await api.client.get("/api/v1/sessions", headers={**admin, "X-Request-ID": "req-42"})
    logging.getLogger("tests").info("caller sent Authorization: Bearer %s", token)

    output = captured_logs.getvalue()
    for secret in (token, ADMIN_PASSWORD, api_key, api.operator_key):
        assert secret not in output
    lines = [json.loads(line) for line in output.splitlines()]
    [listing] = [line for line in lines if line.get("request_id") == "req-42"]
    assert listing["event"] == "request"
    assert listing["route"] == "/api/v1/sessions"
    assert listing["status"] == 200
    assert listing["tenant_id"] == created["tenant"]["id"]
    assert listing["duration_ms"] > 0
    assert lines[-1]["event"] == "caller sent Authorization: ***"
