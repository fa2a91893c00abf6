"""Who may call what: every authenticated tenant route, for every kind of caller.

EXPECTED lists, per route, the callers the policy lets through; everyone else must get 403
with one of the policy's stable codes. Path ids are random, so an allowed call usually ends
in 404 or 409 and changes nothing. A route that authenticates callers but is missing here
fails test_every_authenticated_route_has_an_expectation.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from apps.api.app import create_app
from apps.api.auth.routes import ROUTE_ACTIONS
from core.identity.credentials import ApiScope
from core.identity.model import Role, User
from tests.integration.conftest import ADMIN_PASSWORD, Api
from tests.integration.test_tenant_isolation import ENDPOINTS

POLICY_CODES = {
    "role_not_allowed",
    "scope_missing",
    "capability_missing",
    "device_not_allowed",
    "route_without_rule",
}
PEOPLE = "admin expert field_engineer observer"
EVERYONE = PEOPLE + " key"
HOSTS = "admin expert key"
ADMIN_OR_KEY = "admin key"
S = "/api/v1/sessions/{session_id}"
W = "/api/v1/notifications/wordings/{kind}/{channel}/{locale}"
F = "/api/v1/files/{file_id}"
UPLOADERS = "admin expert field_engineer key"
H = "/api/v1/webhook-endpoints"
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/sessions"): EVERYONE,
    ("POST", "/api/v1/sessions"): HOSTS,
    ("GET", S): EVERYONE,
    ("PATCH", S): EVERYONE,
    ("POST", f"{S}/join"): EVERYONE,
    ("POST", f"{S}/end"): EVERYONE,
    ("POST", f"{S}/invitations"): "admin expert field_engineer key",
    ("GET", f"{S}/invitations"): EVERYONE,
    ("POST", f"{S}/invitations/{{invitation_id}}/revoke"): EVERYONE,
    ("POST", f"{S}/participants/{{participant_id}}/leave"): EVERYONE,
    ("GET", f"{S}/notifications"): EVERYONE,
    ("POST", f"{S}/accept"): EVERYONE,
    ("POST", f"{S}/decline"): EVERYONE,
    ("POST", f"{S}/cancel"): EVERYONE,
    ("GET", f"{S}/recordings"): EVERYONE,
    ("POST", f"{S}/recordings"): HOSTS,
    ("POST", f"{S}/recordings/{{recording_id}}/stop"): HOSTS,
    ("GET", "/api/v1/recording-mode"): "admin",
    ("PUT", "/api/v1/recording-mode"): "admin",
    ("POST", "/api/v1/calls"): HOSTS,
    ("GET", "/api/v1/call-preferences"): PEOPLE,
    ("PUT", "/api/v1/call-preferences"): PEOPLE,
    ("GET", "/api/v1/usage"): "admin",
    ("GET", "/api/v1/notifications/{notification_id}"): EVERYONE,
    ("POST", "/api/v1/notifications/{notification_id}/retry"): ADMIN_OR_KEY,
    ("POST", "/api/v1/notifications/preview"): ADMIN_OR_KEY,
    ("GET", "/api/v1/notifications/wordings"): ADMIN_OR_KEY,
    ("PUT", W): ADMIN_OR_KEY,
    ("DELETE", W): ADMIN_OR_KEY,
    ("GET", "/api/v1/notifications/sender"): ADMIN_OR_KEY,
    ("PUT", "/api/v1/notifications/sender"): ADMIN_OR_KEY,
    ("GET", "/api/v1/devices"): EVERYONE,
    ("GET", "/api/v1/devices/me"): PEOPLE,
    ("GET", "/api/v1/devices/{device_id}"): EVERYONE,
    ("PATCH", "/api/v1/devices/{device_id}"): EVERYONE,
    ("POST", "/api/v1/devices/{device_id}/revoke"): EVERYONE,
    ("POST", "/api/v1/devices/pairings/approve"): PEOPLE,
    ("POST", "/api/v1/devices/pairings/deny"): PEOPLE,
    ("POST", "/api/v1/realtime/firebase-token"): PEOPLE,
    ("GET", "/api/v1/realtime/events"): PEOPLE,
    ("GET", "/api/v1/presence"): PEOPLE,
    ("POST", "/api/v1/presence/heartbeat"): PEOPLE,
    ("GET", "/api/v1/users"): EVERYONE + " narrow_key",
    ("GET", "/api/v1/users/{user_id}"): EVERYONE + " narrow_key",
    ("POST", "/api/v1/users/invitations"): ADMIN_OR_KEY,
    ("PATCH", "/api/v1/users/{user_id}"): ADMIN_OR_KEY,
    ("POST", "/api/v1/users/{user_id}/deactivate"): ADMIN_OR_KEY,
    ("POST", "/api/v1/users/{user_id}/reactivate"): ADMIN_OR_KEY,
    ("POST", "/api/v1/users/{user_id}/sign-out"): ADMIN_OR_KEY,  # others: only themselves
    ("GET", "/api/v1/api-keys"): "admin",
    ("POST", "/api/v1/api-keys"): "admin",
    ("POST", "/api/v1/api-keys/{key_id}/revoke"): "admin",
    ("GET", "/api/v1/audit-events"): "admin",
    ("GET", "/api/v1/audit-events/export.csv"): "admin",
    ("GET", "/api/v1/retention-policy"): "admin",
    ("PUT", "/api/v1/retention-policy"): "admin",
    ("POST", "/api/v1/files"): UPLOADERS,
    ("POST", "/api/v1/files/raw"): UPLOADERS,
    ("POST", "/api/v1/files/uploads"): UPLOADERS,
    ("POST", f"{F}/confirm"): UPLOADERS,
    ("GET", "/api/v1/files"): EVERYONE,
    ("GET", F): EVERYONE,
    ("GET", f"{F}/content"): EVERYONE,
    ("PATCH", F): EVERYONE,
    ("DELETE", F): EVERYONE,
    ("GET", H): "admin",
    ("POST", H): "admin",
    ("GET", f"{H}/{{endpoint_id}}"): "admin",
    ("PATCH", f"{H}/{{endpoint_id}}"): "admin",
    ("DELETE", f"{H}/{{endpoint_id}}"): "admin",
    ("POST", f"{H}/{{endpoint_id}}/rotate-secret"): "admin",
    ("POST", f"{H}/{{endpoint_id}}/test"): "admin",
    ("GET", f"{H}/{{endpoint_id}}/deliveries"): "admin",
}
BODIES: dict[tuple[str, str], dict[str, Any] | None] = {
    (method, path): body for method, path, body in ENDPOINTS
} | {("POST", "/api/v1/presence/heartbeat"): {"device": "web-1"}}
STREAMS = {("GET", "/api/v1/realtime/events")}
"""Answered with an open event stream when allowed: only their refusals are called here."""
PRINCIPALS = ["admin", "expert", "field_engineer", "observer", "key", "narrow_key"]
IDS = {
    name: str(uuid.uuid4())
    for name in (
        "session_id",
        "invitation_id",
        "participant_id",
        "notification_id",
        "device_id",
        "user_id",
        "key_id",
        "recording_id",
        "file_id",
        "endpoint_id",
    )
} | {"kind": "missed_call", "channel": "sms", "locale": "en"}


async def _headers_for(api: Api, principal: str) -> dict[str, str]:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    if principal == "admin":
        return admin
    if principal in ("key", "narrow_key"):
        scopes = ["users:read"] if principal == "narrow_key" else _all_scopes()
        created = await api.client.post(
            "/api/v1/api-keys", json={"name": principal, "scopes": scopes}, headers=admin
        )
        assert created.status_code == 201, created.text
        return {
            "X-Passerelle-Tenant": "acme",
            "Authorization": f"Bearer {created.json()['secret']}",
        }
    email = f"{principal.replace('_', '.')}@acme.example"
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    async with api.container.tenant_uow()(tenant.id) as uow:
        await uow.users.add(
            User(
                id=uuid.uuid4(),
                email=email,
                display_name=principal.title(),
                role=Role(principal),
                password_hash=api.container.hasher().hash(ADMIN_PASSWORD),
                created_at=datetime.now(UTC),
            )
        )
        await uow.commit()
    return await api.login("acme", email)


def _all_scopes() -> list[str]:
    return [scope.value for scope in ApiScope]


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_each_route_allows_exactly_the_expected_callers(api: Api, principal: str) -> None:
    headers = await _headers_for(api, principal)
    wrong: list[str] = []
    for (method, path), allowed in EXPECTED.items():
        if (method, path) in STREAMS and principal in allowed.split():
            continue
        call = api.client.request(
            method, path.format(**IDS), json=BODIES.get((method, path)), headers=headers
        )
        response = await asyncio.wait_for(call, timeout=10)
        refused = response.status_code == 403 and response.json()["code"] in POLICY_CODES
        if refused == (principal in allowed.split()):
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
    assert wrong == []


async def test_every_authenticated_route_has_an_expectation(api: Api) -> None:
    app = create_app(api.container, close=False)
    authenticated = {
        (method, route.path_format)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if {"actor", "follower"} & set(handler.resolve_dependencies())
        for method in handler.http_methods
        if method != "OPTIONS"
    }
    assert authenticated == set(EXPECTED)
    assert set(ROUTE_ACTIONS) == set(EXPECTED)
