"""Bad input gets a problem document naming the field, and leaves nothing half-written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.conftest import ADMIN_PASSWORD, Api

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance"}


def _problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors", [])]


async def _tenant_count(api: Api) -> int:
    response = await api.client.get(
        "/api/v1/tenants", headers={"Authorization": f"Bearer {api.operator_key}"}
    )
    return len(response.json()["items"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"slug": "acme", ', "body"),
        (
            b'{"slug": "acme", "display_name": "A", "admin_email": "a@b.example", '
            b'"admin_password": "long enough pass", "admin_name": "A", "plan": "gold"}',
            "plan",
        ),
        (
            b'{"slug": 42, "display_name": "A", "admin_email": "a@b.example", '
            b'"admin_password": "long enough pass", "admin_name": "A"}',
            "slug",
        ),
        (
            b'{"display_name": "A", "admin_email": "a@b.example", '
            b'"admin_password": "long enough pass", "admin_name": "A"}',
            "slug",
        ),
        (b"[]", "body"),
    ],
    ids=["malformed-json", "unknown-field", "wrong-type", "missing-field", "not-an-object"],
)
async def test_schema_violations_answer_400_with_the_field(
    api: Api, body: bytes, field: str
) -> None:
    response = await api.client.post(
        "/api/v1/tenants",
        content=body,
        headers={"Authorization": f"Bearer {api.operator_key}", "Content-Type": "application/json"},
    )
    problem = _problem(response, 400)
    if field != "body" or problem.get("errors"):
        assert field in _fields(problem)
    assert await _tenant_count(api) == 0


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"slug": "Bad_Slug"}, "slug", "invalid_slug"),
        ({"slug": "www"}, "slug", "invalid_slug"),
        ({"admin_email": "nope"}, "admin_email", "invalid_email"),
        ({"admin_password": "short"}, "admin_password", None),
        ({"admin_password": "PassWord1234"}, "admin_password", "common_password"),
    ],
)
async def test_format_violations_answer_422_naming_the_field_and_rule_and_create_nothing(
    api: Api, change: dict[str, str], field: str, rule: str | None
) -> None:
    """Formats the schema documents (patterns, lengths, reserved names, common passwords)
    are checked with the schema: 422, naming the field and, for a pattern, its rule."""
    body = {
        "slug": "acme",
        "display_name": "ACME",
        "admin_email": "ops@acme.example",
        "admin_password": ADMIN_PASSWORD,
        "admin_name": "Ada",
        **change,
    }
    response = await api.client.post(
        "/api/v1/tenants", json=body, headers={"Authorization": f"Bearer {api.operator_key}"}
    )
    problem = _problem(response, 422, "validation_failed")
    assert _fields(problem) == [field]
    assert problem["errors"][0].get("code") == rule
    assert await _tenant_count(api) == 0


async def test_taken_slug_is_422_naming_the_rule_and_the_first_tenant_is_untouched(
    api: Api,
) -> None:
    first = await api.create_tenant("acme")
    response = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": "acme",
            "display_name": "Other",
            "admin_email": "x@other.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "X",
        },
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert _fields(_problem(response, 422, "slug_taken")) == ["slug"]
    assert await _tenant_count(api) == 1
    assert (await api.login("acme"))["X-Passerelle-Tenant"] == first["tenant"]["slug"]


@pytest.mark.parametrize("key", [None, "pxo_not-a-key", "Basic abc"])
async def test_operator_endpoints_need_a_valid_operator_key(api: Api, key: str | None) -> None:
    headers = {} if key is None else {"Authorization": key if " " in key else f"Bearer {key}"}
    response = await api.client.get("/api/v1/tenants", headers=headers)
    _problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_tenant_is_404(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "a@b.example", "password": "whatever"},
        headers={"X-Passerelle-Tenant": "nobody"},
    )
    assert _fields(_problem(response, 404, "tenant_not_found")) == ["tenant"]


async def test_request_without_tenant_is_404_naming_how_to_give_one(api: Api) -> None:
    response = await api.client.post("/api/v1/auth/login", json={"email": "a", "password": "b"})
    assert "tenant header" in _problem(response, 404, "tenant_required")["detail"]


async def test_wrong_password_and_unknown_address_get_the_same_401(api: Api) -> None:
    await api.create_tenant("acme")
    answers = []
    for email, password in [
        ("admin@acme.example", "wrong password here"),
        ("ghost@acme.example", ADMIN_PASSWORD),
    ]:
        response = await api.client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"X-Passerelle-Tenant": "acme"},
        )
        body = _problem(response, 401, "unauthenticated")
        answers.append((body["detail"], body.get("errors")))
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not.a.jwt", "Token abc"],
    ids=["missing", "empty", "garbage", "wrong-scheme"],
)
async def test_tenant_endpoints_need_a_valid_access_token(
    api: Api, authorization: str | None
) -> None:
    await api.create_tenant("acme")
    headers = {"X-Passerelle-Tenant": "acme"}
    if authorization is not None:
        headers["Authorization"] = authorization
    _problem(await api.client.get("/api/v1/sessions", headers=headers), 401)


async def test_unknown_session_is_404_and_bad_uuid_is_a_client_error(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    missing = await api.client.get(f"/api/v1/sessions/{uuid.uuid4()}", headers=headers)
    _problem(missing, 404, "session_not_found")
    malformed = await api.client.get("/api/v1/sessions/not-a-uuid", headers=headers)
    assert 400 <= malformed.status_code < 500


@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "garbage!"}, "cursor"), ({"limit": "0"}, "limit"), ({"limit": "abc"}, "limit")],
)
async def test_bad_pagination_parameters_name_the_parameter(
    api: Api, params: dict[str, str], field: str
) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    response = await api.client.get("/api/v1/sessions", params=params, headers=headers)
    assert 400 <= response.status_code < 500
    assert field in _fields(response.json())


async def test_a_scalar_parameter_given_twice_is_400_naming_it_not_the_last_value(
    api: Api,
) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    response = await api.client.get("/api/v1/sessions?limit=1&limit=2", headers=headers)
    body = _problem(response, 400, "validation_failed")
    assert _fields(body) == ["limit"]


async def test_oversized_body_is_413_not_500(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    response = await api.client.post(
        "/api/v1/sessions",
        content=b'{"reference": "' + b"x" * 2_000_000 + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    _problem(response, 413)


async def test_invitation_with_bad_email_writes_no_outbox_row(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    session_id = await api.create_session(headers)
    response = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "not-an-address", "display_name": "Gus"},
        headers=headers,
    )
    assert _fields(_problem(response, 422, "validation_failed")) == ["email"]
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/invitations", headers=headers)
    assert listed.json()["items"] == []
    assert await api.outbox_size("acme") == 0


async def test_invitation_with_a_malformed_phone_names_the_phone_and_writes_nothing(
    api: Api,
) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    session_id = await api.create_session(headers)
    response = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus", "phone": "0470 12"},
        headers=headers,
    )
    assert _fields(_problem(response, 422, "validation_failed")) == ["phone"]
    assert await api.outbox_size("acme") == 0
