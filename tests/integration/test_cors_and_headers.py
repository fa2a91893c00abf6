"""CORS per tenant origin list, security headers and the request size limit, through HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Database
from tests.integration.conftest import Api, settings_for

PORTAL = "https://portal.acme.example"
HOST = {"Host": "acme.localhost"}
TENANT = {"X-Passerelle-Tenant": "acme"}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


async def _allow(api: Api, tenant_id: str, origins: list[str]) -> httpx.Response:
    return await api.client.patch(
        f"/api/v1/tenants/{tenant_id}",
        json={"allowed_origins": origins},
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )


async def _tenant_allowing(api: Api, origins: list[str]) -> dict[str, Any]:
    created = await api.create_tenant("acme")
    response = await _allow(api, created["tenant"]["id"], origins)
    assert response.status_code == 200, response.text
    tenant: dict[str, Any] = response.json()
    return tenant


def _preflight(origin: str) -> dict[str, str]:
    return {
        **HOST,
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, x-evil",
    }


async def test_operators_set_origins_in_canonical_form(api: Api) -> None:
    tenant = await _tenant_allowing(
        api, ["HTTPS://Portal.Acme.example:443", "http://127.0.0.1:3000"]
    )
    assert tenant["allowed_origins"] == [PORTAL, "http://127.0.0.1:3000"]
    fetched = await api.client.get(
        f"/api/v1/tenants/{tenant['id']}",
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert fetched.json()["allowed_origins"] == [PORTAL, "http://127.0.0.1:3000"]


async def test_an_origin_with_a_path_or_wildcard_is_refused_and_nothing_changes(api: Api) -> None:
    tenant = await _tenant_allowing(api, [PORTAL])
    for bad in ("https://portal.acme.example/app", "https://*.acme.example", "ftp://x.example"):
        response = await _allow(api, tenant["id"], [PORTAL, bad])
        assert response.status_code == 422, bad
        problem = response.json()
        assert problem["code"] == "validation_failed"
        assert problem["errors"][0]["field"] == "allowed_origins[1]"
    again = await api.client.get(
        f"/api/v1/tenants/{tenant['id']}", headers={"Authorization": f"Bearer {api.operator_key}"}
    )
    assert again.json()["allowed_origins"] == [PORTAL]


async def test_a_preflight_from_an_allowed_origin_is_answered(api: Api) -> None:
    await _tenant_allowing(api, [PORTAL])
    response = await api.client.options("/api/v1/sessions", headers=_preflight(PORTAL))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "POST" in response.headers["access-control-allow-methods"]
    granted = response.headers["access-control-allow-headers"].split(", ")
    assert granted == ["authorization", "content-type", "idempotency-key"]


async def test_a_preflight_from_another_origin_gets_no_cors_headers(api: Api) -> None:
    await _tenant_allowing(api, [PORTAL])
    for origin in ("https://evil.example", "https://portal.acme.example.evil.example"):
        response = await api.client.options("/api/v1/sessions", headers=_preflight(origin))
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-methods" not in response.headers
        assert response.headers["vary"] == "Origin"


async def test_actual_requests_carry_cors_headers_only_for_allowed_origins(api: Api) -> None:
    await _tenant_allowing(api, [PORTAL])
    token = (await api.login("acme"))["Authorization"]
    allowed = await api.client.get(
        "/api/v1/sessions", headers={**HOST, "Origin": PORTAL, "Authorization": token}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "RateLimit-Remaining" in allowed.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in allowed.headers
    other = await api.client.get(
        "/api/v1/sessions",
        headers={**HOST, "Origin": "https://evil.example", "Authorization": token},
    )
    assert "access-control-allow-origin" not in other.headers
    assert "Origin" in other.headers["vary"]


async def test_another_tenants_origin_is_not_allowed_here(api: Api) -> None:
    await _tenant_allowing(api, [PORTAL])
    await api.create_tenant("bravo", email="admin@bravo.example")
    response = await api.client.options(
        "/api/v1/sessions", headers={**_preflight(PORTAL), "Host": "bravo.localhost"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_every_response_carries_the_security_headers(api: Api) -> None:
    await api.create_tenant("acme")
    answers = [
        await api.client.get("/api/v1/health"),
        await api.client.get("/api/v1/sessions", headers=TENANT),
        await api.client.get("/api/v1/no-such-route"),
        await api.client.post(
            "/api/v1/auth/login", json={}, headers={"X-Passerelle-Tenant": "acme"}
        ),
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 400]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert (
            answer.headers["content-security-policy"]
            == "default-src 'none'; frame-ancestors 'none'"
        )
        assert answer.headers["cross-origin-resource-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in answer.headers


async def test_tokens_are_never_cached_and_hsts_is_sent_when_configured(
    database: Database, tmp_path: Path, api: Api
) -> None:
    await api.create_tenant("acme")
    api.container.settings.override(
        settings_for(database, tmp_path, api={"hsts_seconds": 31536000})
    )
    login = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "admin@acme.example", "password": "correct horse battery staple"},
        headers={"X-Passerelle-Tenant": "acme"},
    )
    assert login.status_code == 200
    assert login.headers["cache-control"] == "no-store"
    assert login.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_a_body_over_the_limit_is_refused_with_413_and_creates_nothing(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    response = await api.client.post(
        "/api/v1/sessions",
        content=b'{"reference": "' + b"x" * (1024 * 1024) + b'"}',
        headers={**headers, "Content-Type": "application/json", "Idempotency-Key": "big"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    listed = await api.client.get("/api/v1/sessions", headers=headers)
    assert listed.json()["items"] == []


async def test_options_lists_every_method_the_path_accepts(api: Api) -> None:
    tenant = "/api/v1/tenants/e3e70682-c209-1cac-a29f-6fbed82c07cd"
    answered = await api.client.options(tenant)
    assert answered.status_code == 204
    assert answered.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"
