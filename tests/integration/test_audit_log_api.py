"""The audit log over HTTP on both databases: what is recorded, by whom, from where;
filters and cursor; the CSV export; tenants kept apart; the plugin switched off."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from adapters.sql.tenant_tables import outbox
from apps.api.app import create_app
from apps.container import build_container, check_adapters, close_container
from apps.maintenance import migrate_control
from core.identity.services import create_operator_key
from tests.conftest import Database
from tests.integration.conftest import ADMIN_PASSWORD, Api, settings_for
from tests.integration.test_device_pairing import pair_device

EVENTS = "/api/v1/audit-events"


async def _events(api: Api, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = await api.client.get(EVENTS, params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _key(api: Api, headers: dict[str, str], name: str) -> dict[str, Any]:
    created = await api.client.post(
        "/api/v1/api-keys", json={"name": name, "scopes": ["users:read"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_changes_are_recorded_with_their_actor_target_and_request(api: Api) -> None:
    await api.create_tenant("alpha")
    wrong = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "admin@acme.example", "password": "not it"},
        headers={"X-Passerelle-Tenant": "alpha"},
    )
    assert wrong.status_code == 401
    admin = await api.login("alpha")
    key = await _key(api, {**admin, "X-Request-ID": "req-key-1"}, "ERP")
    key_id = key["key"]["id"]
    revoked = await api.client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    session_id = await api.create_session(admin)
    uploaded = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "report.txt"},
        content=b"hello",
        headers={**admin, "Content-Type": "text/plain"},
    )
    file_id = uploaded.json()["id"]
    assert (await api.client.delete(f"/api/v1/files/{file_id}", headers=admin)).status_code == 204
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)
    assert joined.status_code in (200, 201), joined.text
    ended = await api.client.post(f"/api/v1/sessions/{session_id}/end", headers=admin)
    assert ended.status_code == 200, ended.text

    events = await _events(api, admin)
    by_action = {e["action"]: e for e in events}
    me = by_action["auth.signed_in"]["actor_id"]
    assert by_action["auth.sign_in_failed"]["details"] == {
        "email": "admin@acme.example",
        "reason": "unauthenticated",
    }
    created = by_action["api_key.created"]
    assert (created["actor_kind"], created["actor_id"], created["target_id"]) == (
        "user",
        me,
        key_id,
    )
    assert created["request_id"] == "req-key-1"
    assert created["ip"] == "127.0.0.1"
    assert created["details"]["name"] == "ERP"
    assert by_action["api_key.revoked"]["target_id"] == key_id
    assert by_action["file.uploaded"]["target_id"] == file_id
    assert by_action["file.deleted"]["target_id"] == file_id
    assert by_action["session.created"]["target_id"] == session_id
    assert by_action["session.created"]["actor_id"] == me
    assert by_action["session.ended"]["details"]["state"] == "ended"
    assert by_action["session.participant_joined"]["actor_id"] == me
    listing = (await api.client.get(EVENTS, params={"limit": 100}, headers=admin)).text
    assert key["secret"] not in listing
    assert ADMIN_PASSWORD not in listing
    assert "not it" not in listing


async def _accept_invitation(api: Api, slug: str) -> None:
    """The invited user sets a password with the link the invitation mail carries."""
    tenant = await api.container.catalog().find_by_slug(slug)
    assert tenant is not None
    async with api.container.tenant_engines().get(tenant.id).connect() as connection:
        query = sa.select(outbox.c.payload).where(outbox.c.kind == "account_invitation")
        payload = (await connection.execute(query)).scalars().all()[-1]
    token = str(payload["setup_url"]).split("#", 1)[1]
    accepted = await api.client.post(
        "/api/v1/auth/invitations/accept",
        json={"token": token, "password": "a long and unusual passphrase 42"},
        headers={"X-Passerelle-Tenant": slug},
    )
    assert accepted.status_code == 204, accepted.text


async def test_user_device_and_settings_changes_are_recorded(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    invited = await api.client.post(
        "/api/v1/users/invitations",
        json={"email": "fred@x.example", "display_name": "Fred", "role": "observer"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    fred = invited.json()["user"]["id"]
    promoted = await api.client.patch(
        f"/api/v1/users/{fred}", json={"role": "expert"}, headers=admin
    )
    assert promoted.status_code == 200, promoted.text
    await _accept_invitation(api, "alpha")
    disabled = await api.client.post(f"/api/v1/users/{fred}/deactivate", headers=admin)
    assert disabled.status_code == 200, disabled.text
    device = await pair_device(api, "alpha", admin)
    revoked = await api.client.post(f"/api/v1/devices/{device['device_id']}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    mode = await api.client.put("/api/v1/recording-mode", json={"mode": "never"}, headers=admin)
    assert mode.status_code == 200, mode.text

    by_action = {e["action"]: e for e in await _events(api, admin)}
    assert by_action["user.invited"]["target_id"] == fred
    assert by_action["user.invited"]["details"]["role"] == "observer"
    assert by_action["user.updated"]["details"] == {
        "role": "expert",
        "fields": ["role"],
        "user_id": fred,
    }
    assert by_action["user.disabled"]["target_id"] == fred
    assert "device.approved" in by_action
    assert by_action["device.revoked"]["target_id"] == device["device_id"]
    assert by_action["settings.recording_mode_changed"]["details"]["mode"] == "never"
    assert device["access_token"] not in str(by_action)


async def test_filters_and_cursor_narrow_the_log(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    first = await _key(api, admin, "one")
    await _key(api, admin, "two")
    await _key(api, admin, "three")
    keys = await _events(api, admin, action="api_key.")
    assert [e["details"]["name"] for e in keys] == ["three", "two", "one"]
    one = await _events(api, admin, target_id=first["key"]["id"])
    assert [e["action"] for e in one] == ["api_key.created"]
    mine = await _events(api, admin, actor_id=keys[0]["actor_id"])
    assert len(mine) == 4
    page = await api.client.get(EVENTS, params={"limit": 2, "action": "api_key"}, headers=admin)
    rest = await api.client.get(
        EVENTS, params={"cursor": page.json()["next_cursor"], "action": "api_key"}, headers=admin
    )
    assert [e["details"]["name"] for e in rest.json()["items"]] == ["one"]
    assert rest.json()["next_cursor"] is None
    newest = keys[0]["occurred_at"]
    assert await _events(api, admin, action="api_key.", until=keys[2]["occurred_at"]) == []
    assert [e["details"]["name"] for e in await _events(api, admin, since=newest)] == ["three"]
    backwards = await api.client.get(
        EVENTS, params={"since": newest, "until": keys[2]["occurred_at"]}, headers=admin
    )
    assert backwards.json()["items"] == []
    not_a_time = await api.client.get(EVENTS, params={"since": "0.5"}, headers=admin)
    assert not_a_time.status_code == 422
    assert not_a_time.json()["errors"][0]["field"] == "since"


async def test_export_is_a_csv_with_a_header_and_no_live_formula(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    await _key(api, admin, '=HYPERLINK("http://x.example")')
    response = await api.client.get(
        f"{EVENTS}/export.csv", params={"action": "api_key"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["id", "occurred_at", "actor_kind", "actor_id", "action"]
    assert len(rows) == 2
    assert rows[1][4] == "api_key.created"
    assert '"name": "=HYPERLINK' in rows[1][9]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[1])


async def test_a_tenant_never_sees_another_tenants_events(api: Api) -> None:
    await api.create_tenant("alpha")
    await api.create_tenant("bravo")
    alpha = await api.login("alpha")
    bravo = await api.login("bravo")
    key = await _key(api, alpha, "alpha's secret ticket")
    seen = await _events(api, bravo)
    assert {e["action"] for e in seen} == {"auth.signed_in"}
    assert await _events(api, bravo, target_id=key["key"]["id"]) == []
    export = await api.client.get(f"{EVENTS}/export.csv", headers=bravo)
    assert "secret ticket" not in export.text
    spoofed = await api.client.get(EVENTS, headers={**bravo, "X-Passerelle-Tenant": "alpha"})
    assert spoofed.status_code == 403


@pytest.fixture
async def api_without_audit(database: Database, tmp_path: Path) -> AsyncIterator[Api]:
    settings = settings_for(database, tmp_path, disabled_plugins=["plugins.builtin.audit_log"])
    container = build_container(settings)
    await migrate_control(container)
    operator_key, _ = await create_operator_key(
        "tests", keys=container.operator_keys(), clock=container.clock()
    )
    await check_adapters(container)
    app = create_app(container, close=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            yield Api(client=client, operator_key=operator_key, container=container)
    finally:
        await close_container(container)


async def test_with_the_plugin_disabled_nothing_is_recorded_or_served(
    api_without_audit: Api,
) -> None:
    api = api_without_audit
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    await _key(api, admin, "unrecorded")
    assert (await api.client.get(EVENTS, headers=admin)).status_code == 404
    tenant = await api.container.catalog().find_by_slug("alpha")
    assert tenant is not None
    async with api.container.tenant_uow()(tenant.id) as uow:
        assert await uow.audit.count_before(api.container.clock().now()) == 0
