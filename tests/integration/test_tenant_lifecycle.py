"""The tenant life cycle through the operator API, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dependency_injector import providers

from apps.container import Container
from core.tenants.lifecycle import purge_due_tenants
from ports.tenant_databases import ProvisioningError
from tests.integration.conftest import ADMIN_PASSWORD, Api


def _operator(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.operator_key}"}


async def _tenant_call(api: Api, method: str, tenant_id: str, action: str = "", **kw: Any) -> Any:
    suffix = f"/{action}" if action else ""
    return await api.client.request(
        method, f"/api/v1/tenants/{tenant_id}{suffix}", headers=_operator(api), **kw
    )


async def test_suspended_tenant_answers_403_and_resumes_with_its_data(api: Api) -> None:
    created = await api.create_tenant("acme")
    tenant_id = created["tenant"]["id"]
    headers = await api.login("acme")
    session_id = await api.create_session(headers)

    suspended = await _tenant_call(api, "POST", tenant_id, "suspend")
    assert suspended.json()["status"] == "suspended"
    refused = await api.client.get("/api/v1/sessions", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "tenant_suspended"
    login = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "admin@acme.example", "password": ADMIN_PASSWORD},
        headers={"X-Passerelle-Tenant": "acme"},
    )
    assert login.status_code == 403

    again = await _tenant_call(api, "POST", tenant_id, "suspend")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"

    assert (await _tenant_call(api, "POST", tenant_id, "resume")).json()["status"] == "active"
    listed = await api.client.get("/api/v1/sessions", headers=headers)
    assert [s["id"] for s in listed.json()["items"]] == [session_id]


async def test_deleted_tenant_stops_at_once_and_is_purged_after_the_grace_period(
    api: Api,
) -> None:
    created = await api.create_tenant("acme")
    tenant_id = created["tenant"]["id"]
    headers = await api.login("acme")
    before = datetime.now(UTC)

    deleted = await _tenant_call(api, "DELETE", tenant_id)
    repeated = await _tenant_call(api, "DELETE", tenant_id)

    assert deleted.status_code == 202
    body = deleted.json()
    assert body["status"] == "deleting"
    purge_after = datetime.fromisoformat(body["purge_after"])
    assert purge_after - before >= timedelta(days=30) - timedelta(seconds=5)
    assert repeated.json()["purge_after"] == body["purge_after"]
    refused = await api.client.get("/api/v1/sessions", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "tenant_inactive"

    deps = api.container.tenant_dependencies()
    assert (await purge_due_tenants(deps, actor="test")).purged == []
    api.container.clock.override(providers.Object(_Later(timedelta(days=31))))
    api.container.tenant_dependencies.reset()
    report = await purge_due_tenants(api.container.tenant_dependencies(), actor="worker")

    assert [t.slug for t in report.purged] == ["acme"]
    assert not await deps.databases.exists(uuid.UUID(tenant_id))
    assert not await deps.storage.exists(uuid.UUID(tenant_id))
    shown = await _tenant_call(api, "GET", tenant_id)
    assert shown.json()["status"] == "deleted"
    events = await _tenant_call(api, "GET", tenant_id, "events")
    actions = [e["action"] for e in events.json()["items"]]
    assert actions == ["created", "provisioned", "deletion_requested", "purged"]
    assert events.json()["items"][2]["actor"] == "operator:tests"


class _Later:
    def __init__(self, offset: timedelta) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


async def test_limits_are_patched_in_range_and_refused_out_of_range(api: Api) -> None:
    created = await api.create_tenant("acme")
    tenant_id = created["tenant"]["id"]

    patched = await _tenant_call(
        api, "PATCH", tenant_id, json={"limits": {"max_users": 200}, "display_name": "ACME NV"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["limits"]["max_users"] == 200
    assert patched.json()["limits"]["max_concurrent_sessions"] == 5
    assert patched.json()["display_name"] == "ACME NV"

    too_many = await _tenant_call(api, "PATCH", tenant_id, json={"limits": {"max_users": 0}})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limits.max_users"
    unknown = await _tenant_call(api, "PATCH", tenant_id, json={"limits": {"max_cats": 3}})
    assert unknown.status_code == 400
    assert (await _tenant_call(api, "GET", tenant_id)).json()["limits"]["max_users"] == 200


async def test_tenants_are_listed_by_status(api: Api) -> None:
    first = await api.create_tenant("alpha")
    await api.create_tenant("bravo")
    await _tenant_call(api, "POST", first["tenant"]["id"], "suspend")
    response = await api.client.get(
        "/api/v1/tenants", params={"status": "suspended"}, headers=_operator(api)
    )
    assert [t["slug"] for t in response.json()["items"]] == ["alpha"]
    bad = await api.client.get(
        "/api/v1/tenants", params={"status": "sleepy"}, headers=_operator(api)
    )
    assert bad.status_code == 400


class _BrokenStorage:
    async def ensure(self, tenant_id: uuid.UUID) -> None:
        raise ProvisioningError("bucket unreachable")

    async def exists(self, tenant_id: uuid.UUID) -> bool:
        return False

    async def purge(self, tenant_id: uuid.UUID) -> None:
        raise ProvisioningError("bucket unreachable")

    async def tenant_ids(self) -> set[uuid.UUID]:
        return set()


def _swap_storage(container: Container, storage: object | None) -> None:
    if storage is None:
        container.storage.reset_override()
    else:
        container.storage.override(providers.Object(storage))
    container.tenant_dependencies.reset()


async def test_failed_provisioning_is_visible_and_a_retry_makes_the_tenant_usable(
    api: Api,
) -> None:
    _swap_storage(api.container, _BrokenStorage())
    response = await api.client.post(
        "/api/v1/tenants",
        json={
            "slug": "acme",
            "display_name": "ACME",
            "admin_email": "admin@acme.example",
            "admin_password": ADMIN_PASSWORD,
            "admin_name": "Ada",
        },
        headers=_operator(api),
    )
    assert response.status_code == 503
    assert response.json()["code"] == "provisioning_failed"
    listed = await api.client.get("/api/v1/tenants", headers=_operator(api))
    (stuck,) = listed.json()["items"]
    assert stuck["status"] == "provisioning"
    assert "bucket unreachable" in stuck["provisioning_error"]
    refused = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "admin@acme.example", "password": ADMIN_PASSWORD},
        headers={"X-Passerelle-Tenant": "acme"},
    )
    assert refused.status_code == 403

    _swap_storage(api.container, None)
    finished = await _tenant_call(api, "POST", stuck["id"], "provision")

    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "active"
    assert finished.json()["provisioning_error"] is None
    assert (await api.login("acme"))["X-Passerelle-Tenant"] == "acme"
