"""Tenants never see each other's data: every tenant endpoint, both ways it could leak.

1. A token of tenant B sent to tenant A is refused with 403, whatever the endpoint.
2. Tenant B, with its own valid token, asking for tenant A's objects by id gets 404.
Each check walks every route over one pair of tenants (building the pair is most of a
check's cost) and reports every route that leaked, not only the first.
New tenant endpoints must be added to ENDPOINTS; test_every_tenant_route_is_listed fails
otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers

from tests.integration.conftest import Api
from tests.integration.test_device_pairing import pair_device

WORDING = "/api/v1/notifications/wordings/{kind}/{channel}/{locale}"
HOOKS = "/api/v1/webhook-endpoints"
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/sessions", None),
    ("POST", "/api/v1/sessions", {"reference": "x"}),
    ("GET", "/api/v1/sessions/{session_id}", None),
    ("POST", "/api/v1/sessions/{session_id}/join", None),
    (
        "POST",
        "/api/v1/sessions/{session_id}/invitations",
        {"email": "g@x.example", "display_name": "G"},
    ),
    ("GET", "/api/v1/sessions/{session_id}/invitations", None),
    ("PATCH", "/api/v1/sessions/{session_id}", {"notes": "bravo was here"}),
    ("POST", "/api/v1/sessions/{session_id}/end", None),
    ("POST", "/api/v1/sessions/{session_id}/participants/{participant_id}/leave", None),
    ("POST", "/api/v1/sessions/{session_id}/invitations/{invitation_id}/revoke", None),
    ("POST", "/api/v1/sessions/{session_id}/accept", None),
    ("POST", "/api/v1/sessions/{session_id}/decline", None),
    ("POST", "/api/v1/sessions/{session_id}/cancel", None),
    ("GET", "/api/v1/sessions/{session_id}/recordings", None),
    ("POST", "/api/v1/sessions/{session_id}/recordings", None),
    ("POST", "/api/v1/sessions/{session_id}/recordings/{recording_id}/stop", None),
    ("GET", "/api/v1/recording-mode", None),
    ("PUT", "/api/v1/recording-mode", {"mode": "never"}),
    ("POST", "/api/v1/calls", {"callee_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11"}),
    ("GET", "/api/v1/call-preferences", None),
    ("PUT", "/api/v1/call-preferences", {"missed_call_channel": "email"}),
    ("GET", "/api/v1/usage", None),
    ("GET", "/api/v1/sessions/{session_id}/notifications", None),
    ("GET", "/api/v1/notifications/{notification_id}", None),
    ("POST", "/api/v1/notifications/{notification_id}/retry", None),
    ("POST", "/api/v1/notifications/preview", {"kind": "session_invitation"}),
    ("GET", "/api/v1/notifications/wordings", None),
    ("PUT", WORDING, {"text": "{{ caller_name }} called"}),
    ("DELETE", WORDING, None),
    ("GET", "/api/v1/notifications/sender", None),
    ("PUT", "/api/v1/notifications/sender", {"mail_from_name": "Bravo"}),
    ("GET", "/api/v1/devices", None),
    ("GET", "/api/v1/devices/me", None),
    ("GET", "/api/v1/devices/{device_id}", None),
    ("PATCH", "/api/v1/devices/{device_id}", {"display_name": "Bravo's now"}),
    ("POST", "/api/v1/devices/{device_id}/revoke", None),
    ("POST", "/api/v1/devices/pairings/approve", {"user_code": "BCDF-GHJK"}),
    ("POST", "/api/v1/devices/pairings/deny", {"user_code": "BCDF-GHJK"}),
    ("POST", "/api/v1/realtime/firebase-token", None),
    ("GET", "/api/v1/realtime/events", None),
    ("POST", "/api/v1/presence/heartbeat", {"device": "phone"}),
    ("GET", "/api/v1/presence", None),
    ("GET", "/api/v1/users", None),
    ("GET", "/api/v1/users/{user_id}", None),
    (
        "POST",
        "/api/v1/users/invitations",
        {"email": "new@x.example", "display_name": "N", "role": "observer"},
    ),
    ("PATCH", "/api/v1/users/{user_id}", {"display_name": "Bravo's now"}),
    ("POST", "/api/v1/users/{user_id}/deactivate", None),
    ("POST", "/api/v1/users/{user_id}/reactivate", None),
    ("POST", "/api/v1/users/{user_id}/sign-out", None),
    ("GET", "/api/v1/api-keys", None),
    ("POST", "/api/v1/api-keys", {"name": "Bravo's", "scopes": ["sessions:read"]}),
    ("POST", "/api/v1/api-keys/{key_id}/revoke", None),
    ("GET", "/api/v1/audit-events", None),
    ("GET", "/api/v1/audit-events/export.csv", None),
    ("GET", "/api/v1/retention-policy", None),
    ("PUT", "/api/v1/retention-policy", {"files_days": 1}),
    ("POST", "/api/v1/files", None),
    ("POST", "/api/v1/files/raw", None),
    (
        "POST",
        "/api/v1/files/uploads",
        {"name": "b.pdf", "content_type": "application/pdf", "size": 1},
    ),
    ("POST", "/api/v1/files/{file_id}/confirm", None),
    ("GET", "/api/v1/files", None),
    ("GET", "/api/v1/files/{file_id}", None),
    ("GET", "/api/v1/files/{file_id}/content", None),
    ("PATCH", "/api/v1/files/{file_id}", {"session_id": None}),
    ("DELETE", "/api/v1/files/{file_id}", None),
    ("GET", HOOKS, None),
    ("POST", HOOKS, {"url": "https://hooks.bravo.example/", "event_types": ["session.ended"]}),
    ("GET", f"{HOOKS}/{{endpoint_id}}", None),
    ("PATCH", f"{HOOKS}/{{endpoint_id}}", {"description": "bravo was here"}),
    ("DELETE", f"{HOOKS}/{{endpoint_id}}", None),
    ("POST", f"{HOOKS}/{{endpoint_id}}/rotate-secret", None),
    ("POST", f"{HOOKS}/{{endpoint_id}}/test", None),
    ("GET", f"{HOOKS}/{{endpoint_id}}/deliveries", None),
]
PUBLIC = {
    "/api/v1/health",
    "/api/v1/health/ready",
    # The login screen's branding: public by design, only the addressed tenant's own name
    # (test_bootstrap_and_network_api checks each tenant sees its own).
    "/api/v1/bootstrap",
    # Operator key, no tenant (test_bootstrap_and_network_api checks an admin is refused).
    "/api/v1/network/requirements",
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/api/v1/auth/invitations/accept",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/webhooks/vonage/sms-receipts",
    "/api/v1/webhooks/video/archives",
    "/api/v1/photon/auth",
    "/api/v1/photon/webhooks/{hook}",
    "/api/v1/blobs/{token}",
    "/api/v1/guest/join",
    # A guest's pass, not a user's token: test_guests_and_usage_api checks another tenant's
    # pass is refused.
    "/api/v1/guest/leave",
    "/api/v1/devices/pairings",
    "/api/v1/devices/token",
}
OPERATOR_PREFIX = "/api/v1/tenants"


async def _public_address(host: str) -> list[str]:
    """Every webhook host resolves to a public address here, as on the internet."""
    return ["93.184.215.14"]


async def _two_tenants_with_data(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    api.container.webhook_resolver.override(providers.Object(_public_address))
    await api.create_tenant("alpha")
    await api.create_tenant("bravo")
    alpha = await api.login("alpha")
    bravo = await api.login("bravo")
    session_id = await api.create_session(alpha, "alpha's secret ticket")
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "g@x.example", "display_name": "G"},
        headers=alpha,
    )
    await api.client.put(
        WORDING.format(kind="missed_call", channel="sms", locale="en"),
        json={"text": "alpha's secret ticket: {{ caller_name }}"},
        headers=alpha,
    )
    device = await pair_device(api, "alpha", alpha, {"serial": "ALPHA-1", "model": "secret ticket"})
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=alpha)
    recording = await api.client.post(f"/api/v1/sessions/{session_id}/recordings", headers=alpha)
    users = await api.client.get("/api/v1/users", headers=alpha)
    key = await api.client.post(
        "/api/v1/api-keys", json={"name": "secret ticket", "scopes": ["users:read"]}, headers=alpha
    )
    shared = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "secret ticket.txt", "session_id": session_id},
        content=b"alpha's secret ticket",
        headers={**alpha, "Content-Type": "text/plain"},
    )
    hook = await api.client.post(
        HOOKS,
        json={"url": "https://hooks.alpha.example/secret-ticket", "event_types": ["session.ended"]},
        headers=alpha,
    )
    ids = {
        "endpoint_id": hook.json()["endpoint"]["id"],
        "participant_id": joined.json()["participant_id"],
        "invitation_id": invited.json()["id"],
        "recording_id": recording.json()["id"],
        "device_id": device["device_id"],
        "user_id": users.json()["items"][0]["id"],
        "key_id": key.json()["key"]["id"],
        "file_id": shared.json()["id"],
        "session_id": session_id,
        "notification_id": invited.json()["notification_id"],
        "kind": "missed_call",
        "channel": "sms",
        "locale": "en",
    }
    return alpha, bravo, ids


@pytest.mark.parametrize("spoofed_by", ["header", "subdomain"])
async def test_token_of_another_tenant_is_forbidden_on_every_tenant_route(
    api: Api, spoofed_by: str
) -> None:
    _, bravo, ids = await _two_tenants_with_data(api)
    if spoofed_by == "header":
        headers = {**bravo, "X-Passerelle-Tenant": "alpha"}
    else:
        headers = {"Authorization": bravo["Authorization"], "Host": "alpha.localhost"}
    leaks = []
    for method, path, body in ENDPOINTS:
        response = await api.client.request(method, path.format(**ids), json=body, headers=headers)
        refused = response.status_code == 403 and response.json()["code"] == "tenant_mismatch"
        if not refused or "secret ticket" in response.text:
            leaks.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
    assert leaks == []


async def test_objects_of_another_tenant_are_not_found_on_any_route_naming_one(api: Api) -> None:
    _, bravo, ids = await _two_tenants_with_data(api)
    leaks = []
    for method, path, body in [e for e in ENDPOINTS if "_id}" in e[1]]:
        response = await api.client.request(method, path.format(**ids), json=body, headers=bravo)
        if response.status_code != 404 or "alpha" in response.text:
            leaks.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
    assert leaks == []


@pytest.mark.parametrize(
    "listing",
    [
        "/api/v1/sessions",
        "/api/v1/notifications/wordings",
        "/api/v1/devices",
        "/api/v1/files",
        HOOKS,
    ],
)
async def test_lists_show_only_the_callers_tenant(api: Api, listing: str) -> None:
    alpha, bravo, _ = await _two_tenants_with_data(api)
    seen_by_bravo = await api.client.get(listing, headers=bravo)
    seen_by_alpha = await api.client.get(listing, headers=alpha)
    assert seen_by_bravo.json()["items"] == []
    assert len(seen_by_alpha.json()["items"]) == 1


async def test_every_tenant_route_is_listed(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    routes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if path not in PUBLIC and not path.startswith(OPERATOR_PREFIX)
    }
    assert routes == {(method, path) for method, path, _ in ENDPOINTS}


async def test_operator_routes_refuse_a_tenant_admin_token(api: Api) -> None:
    """Operator credentials are separate from tenant users: an admin's token opens nothing."""
    created = await api.create_tenant("alpha")
    admin = await api.login("alpha")
    document = (await api.client.get("/schema/openapi.json")).json()
    operator_routes = [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if path.startswith(OPERATOR_PREFIX)
    ]
    assert len(operator_routes) >= 9
    for method, path in operator_routes:
        url = path.format(tenant_id=created["tenant"]["id"])
        response = await api.client.request(method, url, headers=admin, json={})
        assert response.status_code == 401, (method, path, response.text)
