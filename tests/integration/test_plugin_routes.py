"""What plugins add to the API: routes behind the platform's checks (tenant, credential, then
their own rule), and notification kinds that the document lists and previews render."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from apps.api.app import create_app
from core.identity.model import Role
from plugins.manager import build_plugins
from tests.integration.conftest import Api
from tests.integration.session_kit import signed_in
from tests.unit import sample_plugin
from tests.unit.test_plugin_notification_kinds import InspectionPlugin

BASE = "/api/v1/plugins/sample"


@pytest.fixture
async def served(api: Api, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Api]:
    """The test's platform with the sample plugin's routes mounted, through its hook."""
    with_sample = build_plugins(extra=(sample_plugin,), load_entry_points=False)
    monkeypatch.setattr(api.container.plugins(), "api_controllers", with_sample.api_controllers)
    app = create_app(api.container, close=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client=client, operator_key=api.operator_key, container=api.container)


async def test_a_route_for_admins_serves_admins_only(served: Api) -> None:
    await served.create_tenant("acme")
    admin = await served.login("acme")
    observer, _ = await signed_in(served, "acme", Role.OBSERVER, "Olga Observer")

    allowed = await served.client.get(f"{BASE}/report", headers=admin)
    refused = await served.client.get(f"{BASE}/report", headers=observer)
    anonymous = await served.client.get(f"{BASE}/report", headers={"X-Passerelle-Tenant": "acme"})

    assert allowed.status_code == 200, allowed.text
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")
    assert anonymous.status_code == 401


async def test_a_route_under_a_policy_action_follows_that_actions_rule(served: Api) -> None:
    await served.create_tenant("acme")
    expert, _ = await signed_in(served, "acme", Role.EXPERT, "Ada Expert")

    seen = await served.client.get(f"{BASE}/sessions", headers=expert)

    assert seen.status_code == 200, seen.text
    assert seen.json() == {"tenant": "acme"}


async def test_a_route_that_declares_no_rule_is_never_served(served: Api) -> None:
    await served.create_tenant("acme")
    admin = await served.login("acme")

    response = await served.client.get(f"{BASE}/forgotten", headers=admin)

    assert (response.status_code, response.json()["code"]) == (403, "route_without_rule")


@pytest.fixture
async def with_inspections(api: Api) -> AsyncIterator[Api]:
    """The test's platform with a plugin that adds the kind ``inspection_due``."""
    plugins = build_plugins(extra=(InspectionPlugin(),), load_entry_points=False)
    api.container.notification_kinds.override(
        providers.Object(plugins.notification_kinds().register())
    )
    api.container.renderer.reset()
    app = create_app(api.container, close=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client=client, operator_key=api.operator_key, container=api.container)
    api.container.notification_kinds.reset_override()
    api.container.renderer.reset()


async def test_a_plugin_kind_is_documented_and_previewed_through_the_api(
    with_inspections: Api,
) -> None:
    await with_inspections.create_tenant("acme")
    admin = await with_inspections.login("acme")
    document = (await with_inspections.client.get("/schema/openapi.json")).json()

    preview = await with_inspections.client.post(
        "/api/v1/notifications/preview",
        json={"kind": "inspection_due", "channel": "sms", "values": {"site": "Site B"}},
        headers=admin,
    )

    variants = document["components"]["schemas"]["PreviewBody"]["oneOf"]
    assert {"const": "inspection_due"} in [v["properties"]["kind"] for v in variants]
    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "Site B: inspection due 2026-12-01"
