"""Idempotency-Key on create endpoints, through the HTTP API on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from apps.worker.process import _purge_idempotency_keys
from tests.integration.conftest import ADMIN_PASSWORD, Api


def _tenant_body(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "display_name": "Acme",
        "admin_email": "admin@acme.example",
        "admin_password": ADMIN_PASSWORD,
        "admin_name": "Ada Admin",
    }


async def _sessions(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await api.client.get("/api/v1/sessions", headers=headers)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_replayed_create_answers_the_first_response_and_creates_once(api: Api) -> None:
    await api.create_tenant("acme")
    headers = {**await api.login("acme"), "Idempotency-Key": "create-ticket-7"}
    first = await api.client.post("/api/v1/sessions", json={"reference": "T7"}, headers=headers)
    again = await api.client.post("/api/v1/sessions", json={"reference": "T7"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers.get("location") == first.headers.get("location")
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(await _sessions(api, headers)) == 1


async def test_the_same_key_with_another_body_is_refused_with_422(api: Api) -> None:
    await api.create_tenant("acme")
    headers = {**await api.login("acme"), "Idempotency-Key": "k-1"}
    await api.client.post("/api/v1/sessions", json={"reference": "T1"}, headers=headers)
    other = await api.client.post("/api/v1/sessions", json={"reference": "T2"}, headers=headers)
    assert other.status_code == 422
    problem = other.json()
    assert problem["code"] == "idempotency_key_reused"
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert len(await _sessions(api, headers)) == 1


async def test_a_duplicate_sent_while_the_first_runs_gets_409(api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.operator_key}", "Idempotency-Key": "new-tenant"}
    answers = await asyncio.gather(
        *(api.client.post("/api/v1/tenants", json=_tenant_body("acme"), headers=auth) for _ in "ab")
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    conflict = next(a for a in answers if a.status_code == 409)
    assert conflict.json()["code"] == "idempotency_key_in_flight"
    replay = await api.client.post("/api/v1/tenants", json=_tenant_body("acme"), headers=auth)
    assert replay.status_code == 201
    created = next(a for a in answers if a.status_code == 201)
    assert replay.json() == created.json()


async def test_two_tenants_using_the_same_key_do_not_meet(api: Api) -> None:
    await api.create_tenant("alpha")
    await api.create_tenant("bravo")
    ids = []
    for slug in ("alpha", "bravo"):
        headers = {**await api.login(slug), "Idempotency-Key": "same-key"}
        response = await api.client.post(
            "/api/v1/sessions", json={"reference": "T"}, headers=headers
        )
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
        ids.append(UUID(response.json()["id"]))
    assert ids[0] != ids[1]


class _CrashesOnce:
    """The tenant unit of work, crashing on the first session a test creates."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.crashed = False

    def __call__(self, tenant_id: UUID) -> Any:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("database connection lost, for the test")
        return self._real(tenant_id)


async def test_a_first_attempt_failing_with_5xx_frees_the_key_for_a_retry(api: Api) -> None:
    await api.create_tenant("acme")
    headers = {**await api.login("acme"), "Idempotency-Key": "retry-me"}
    deps = api.container.session_dependencies()
    crashing = replace(deps, tenant_uow=_CrashesOnce(deps.tenant_uow))
    api.container.session_dependencies.override(providers.Object(crashing))
    failed = await api.client.post("/api/v1/sessions", json={"reference": "T"}, headers=headers)
    assert failed.status_code == 500
    retried = await api.client.post("/api/v1/sessions", json={"reference": "T"}, headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert len(await _sessions(api, headers)) == 1


async def test_a_malformed_key_is_refused_and_creates_nothing(api: Api) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    answers = [
        await api.client.post(
            "/api/v1/sessions", json={"reference": "T"}, headers={**admin, "Idempotency-Key": key}
        )
        for key in ("x" * 256, "clé".encode("latin-1"), "tab\tbed")
    ]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert {a.json()["code"] for a in answers} == {"invalid_idempotency_key"}
    assert await _sessions(api, admin) == []


async def test_the_schema_documents_the_header_on_create_operations(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    for path in (
        "/api/v1/sessions",
        "/api/v1/tenants",
        "/api/v1/sessions/{session_id}/invitations",
    ):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
    listed = schema["paths"]["/api/v1/sessions"]["get"].get("parameters", [])
    assert "Idempotency-Key" not in [p["name"] for p in listed]
    [key] = [
        p
        for p in schema["paths"]["/api/v1/sessions"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    ]
    assert key["schema"]["pattern"] == "^[ -~]{1,255}$"


async def test_the_worker_purges_answers_past_their_day_and_the_key_works_anew(api: Api) -> None:
    clock = FixedClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    api.container.clock.override(providers.Object(clock))
    await api.create_tenant("acme")
    headers = {**await api.login("acme"), "Idempotency-Key": "daily"}
    await api.client.post("/api/v1/sessions", json={"reference": "T"}, headers=headers)
    assert await _purge_idempotency_keys(api.container) == 0
    clock.advance(timedelta(hours=24, seconds=1))
    assert await _purge_idempotency_keys(api.container) == 1
    again = await api.client.post("/api/v1/sessions", json={"reference": "T"}, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers


async def test_a_keyed_request_without_a_credential_is_refused_and_remembers_nothing(
    api: Api,
) -> None:
    await api.create_tenant("acme")
    anonymous = {"X-Passerelle-Tenant": "acme", "Idempotency-Key": "k-anon"}
    for reference in ("T1", "T2"):
        refused = await api.client.post(
            "/api/v1/sessions", json={"reference": reference}, headers=anonymous
        )
        assert refused.status_code == 401
        assert refused.json()["code"] == "missing_credentials"
        assert "idempotent-replayed" not in refused.headers


async def test_a_keyed_request_with_an_unknown_token_is_refused_and_remembers_nothing(
    api: Api,
) -> None:
    await api.create_tenant("acme")
    stranger = {
        "X-Passerelle-Tenant": "acme",
        "Authorization": "Bearer not-a-real-token",
        "Idempotency-Key": "k-stranger",
    }
    answers = [
        await api.client.post("/api/v1/sessions", json={"reference": ref}, headers=stranger)
        for ref in ("T1", "T2")
    ]

    assert [a.status_code for a in answers] == [401, 401]
    assert all("idempotent-replayed" not in a.headers for a in answers)
    days_later = datetime.now(UTC) + timedelta(days=2)
    assert await api.container.idempotency_store().purge(days_later) == 0
