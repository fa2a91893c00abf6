"""Identity through the HTTP API: invitations, sign-in, refresh rotation, lockout, password
reset, deactivation, the last admin, API keys."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.sql.tenant_tables import outbox
from tests.integration.conftest import ADMIN_PASSWORD, Api

NEW_PASSWORD = "a brand new passphrase"
ACME = {"X-Passerelle-Tenant": "acme"}


async def _link_token(api: Api, kind: str) -> str:
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    async with api.container.tenant_engines().get(tenant.id).connect() as connection:
        query = sa.select(outbox.c.payload).where(outbox.c.kind == kind)
        payload: dict[str, Any] = (await connection.execute(query)).scalars().all()[-1]
    url = payload["setup_url" if kind == "account_invitation" else "reset_url"]
    return str(url).split("#", 1)[1]


async def _login(api: Api, email: str, password: str) -> Any:
    return await api.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=ACME
    )


async def test_invited_user_chooses_a_password_and_refresh_tokens_rotate(api: Api) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    invited = await api.client.post(
        "/api/v1/users/invitations",
        json={"email": "Fred@acme.example", "display_name": "Fred", "role": "field_engineer"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["user"]["status"] == "invited"
    token = await _link_token(api, "account_invitation")

    weak = await api.client.post(
        "/api/v1/auth/invitations/accept",
        json={"token": token, "password": "fred1234fred1234"},
        headers=ACME,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    assert weak.json()["code"] == "password_contains_email"
    accepted = await api.client.post(
        "/api/v1/auth/invitations/accept",
        json={"token": token, "password": NEW_PASSWORD},
        headers=ACME,
    )
    assert accepted.status_code == 204, accepted.text

    first = (await _login(api, "fred@acme.example", NEW_PASSWORD)).json()
    rotated = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}, headers=ACME
    )
    assert rotated.status_code == 200, rotated.text
    reused = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}, headers=ACME
    )
    assert (reused.status_code, reused.json()["code"]) == (401, "refresh_token_reused")
    family_gone = await api.client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": rotated.json()["refresh_token"]},
        headers=ACME,
    )
    assert family_gone.status_code == 401


async def test_repeated_wrong_passwords_lock_the_account_with_retry_after(api: Api) -> None:
    await api.create_tenant("acme")
    for _ in range(5):
        wrong = await _login(api, "admin@acme.example", "not the password at all")
        assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthenticated")
    locked = await _login(api, "admin@acme.example", ADMIN_PASSWORD)
    assert (locked.status_code, locked.json()["code"]) == (429, "account_locked")
    assert 0 < int(locked.headers["retry-after"]) <= 900


async def test_password_reset_never_reveals_accounts_and_ends_every_sign_in(api: Api) -> None:
    await api.create_tenant("acme")
    signed_in = (await _login(api, "admin@acme.example", ADMIN_PASSWORD)).json()
    outbox_before = await api.outbox_size("acme")
    unknown = await api.client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody@acme.example"}, headers=ACME
    )
    assert unknown.status_code == 202
    assert await api.outbox_size("acme") == outbox_before
    known = await api.client.post(
        "/api/v1/auth/password-reset", json={"email": "admin@acme.example"}, headers=ACME
    )
    assert known.status_code == 202
    token = await _link_token(api, "password_reset")
    confirm = {"token": token, "password": NEW_PASSWORD}
    done = await api.client.post("/api/v1/auth/password-reset/confirm", json=confirm, headers=ACME)
    assert done.status_code == 204, done.text
    again = await api.client.post("/api/v1/auth/password-reset/confirm", json=confirm, headers=ACME)
    assert (again.status_code, again.json()["code"]) == (401, "token_unusable")
    stale = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}, headers=ACME
    )
    assert stale.status_code == 401
    assert (await _login(api, "admin@acme.example", NEW_PASSWORD)).status_code == 200


async def test_last_admin_stays_and_deactivated_users_cannot_sign_in(api: Api) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    me = (await api.client.get("/api/v1/users", params={"role": "admin"}, headers=admin)).json()
    admin_id = me["items"][0]["id"]
    demote = await api.client.patch(
        f"/api/v1/users/{admin_id}", json={"role": "expert"}, headers=admin
    )
    assert (demote.status_code, demote.json()["code"]) == (409, "last_admin")
    deactivated = await api.client.post(f"/api/v1/users/{admin_id}/deactivate", headers=admin)
    assert deactivated.status_code == 409
    assert (await _login(api, "admin@acme.example", ADMIN_PASSWORD)).status_code == 200


async def test_api_key_acts_within_its_scopes_and_only_while_live(api: Api) -> None:
    await api.create_tenant("acme")
    await api.create_tenant("bravo", email="admin@bravo.example")
    admin = await api.login("acme")
    created = await api.client.post(
        "/api/v1/api-keys", json={"name": "ERP", "scopes": ["sessions:read"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    assert secret.startswith("pxk_")
    as_key = {**ACME, "Authorization": f"Bearer {secret}"}
    listed = await api.client.get("/api/v1/api-keys", headers=admin)
    assert secret not in listed.text
    assert listed.json()["items"][0]["prefix"] == secret[:10]

    assert (await api.client.get("/api/v1/sessions", headers=as_key)).status_code == 200
    write = await api.client.post("/api/v1/sessions", json={"reference": "x"}, headers=as_key)
    assert (write.status_code, write.json()["code"]) == (403, "scope_missing")
    elsewhere = {**as_key, "X-Passerelle-Tenant": "bravo"}
    assert (await api.client.get("/api/v1/sessions", headers=elsewhere)).status_code == 401

    key_id = created.json()["key"]["id"]
    assert (await api.client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=admin)).is_success
    revoked = await api.client.get("/api/v1/sessions", headers=as_key)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "invalid_api_key")


async def test_unknown_role_and_scope_are_refused_with_the_field(api: Api) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    role = await api.client.post(
        "/api/v1/users/invitations",
        json={"email": "x@acme.example", "display_name": "X", "role": "overlord"},
        headers=admin,
    )
    assert role.status_code == 422
    assert role.json()["errors"][0]["field"] == "role"
    scope = await api.client.post(
        "/api/v1/api-keys", json={"name": "k", "scopes": ["root"]}, headers=admin
    )
    assert scope.status_code == 422
    assert scope.json()["errors"][0]["field"].startswith("scopes")
