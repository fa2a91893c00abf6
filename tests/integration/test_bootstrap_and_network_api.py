"""The bootstrap document of a tenant's clients, and the operators' network requirements."""

from __future__ import annotations

from typing import Any

from dependency_injector import providers

from tests.integration.conftest import Api


def _configure(target: Api, **blocks: Any) -> None:
    """Change settings blocks of the running API; read per request, so they apply at once."""
    settings = target.container.settings()
    changed = {
        name: getattr(settings, name).model_copy(update=values) for name, values in blocks.items()
    }
    target.container.settings.override(providers.Object(settings.model_copy(update=changed)))


async def test_bootstrap_brands_the_tenant_addressed_without_credentials(api: Api) -> None:
    await api.create_tenant("alpha")
    await api.create_tenant("bravo")
    by_header = await api.client.get("/api/v1/bootstrap", headers={"X-Passerelle-Tenant": "alpha"})
    by_host = await api.client.get("/api/v1/bootstrap", headers={"Host": "bravo.localhost"})
    assert by_header.status_code == 200, by_header.text
    assert by_header.json()["branding"] == {"tenant": "alpha", "display_name": "Alpha Inc."}
    assert by_host.json()["branding"] == {"tenant": "bravo", "display_name": "Bravo Inc."}
    document = by_header.json()
    assert document["api_version"] == "1"
    assert (document["languages"], document["default_language"]) == (["en", "fr", "nl"], "en")
    assert {"email", "sms", "video"} <= set(document["features"])
    assert document["video"] == {"provider": "development"}
    assert document["firebase"] is None


async def test_bootstrap_names_the_public_keys_of_configured_providers_only(api: Api) -> None:
    await api.create_tenant("alpha")
    web_config = {"apiKey": "AIza-public", "projectId": "acme-xr", "appId": "1:2:web:3"}
    _configure(
        api,
        video={"backend": "opentok"},
        opentok={"api_key": "4711", "api_secret": "opentok-secret"},
        multiplayer={"backend": "photon"},
        photon={"app_id": "0f4e-photon", "region": "eu", "ticket_secret": "photon-secret"},
        clients={"firebase_web_config": web_config, "languages": ["nl", "fr"]},
    )
    response = await api.client.get("/api/v1/bootstrap", headers={"X-Passerelle-Tenant": "alpha"})
    document = response.json()
    assert document["video"] == {"provider": "opentok", "api_key": "4711"}
    assert document["multiplayer"] == {
        "provider": "photon",
        "app_id": "0f4e-photon",
        "region": "eu",
    }
    assert document["firebase"] == web_config
    assert document["default_language"] == "nl"
    assert "secret" not in response.text


async def test_an_unchanged_bootstrap_answers_304_to_its_etag(api: Api) -> None:
    await api.create_tenant("alpha")
    tenant = {"X-Passerelle-Tenant": "alpha"}
    first = await api.client.get("/api/v1/bootstrap", headers=tenant)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    again = await api.client.get("/api/v1/bootstrap", headers={**tenant, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    _configure(api, clients={"languages": ["fr"]})
    changed = await api.client.get("/api/v1/bootstrap", headers={**tenant, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_bootstrap_of_an_unknown_tenant_is_a_problem_document(api: Api) -> None:
    response = await api.client.get("/api/v1/bootstrap", headers={"X-Passerelle-Tenant": "nobody"})
    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


async def test_network_requirements_need_an_operator_key(api: Api) -> None:
    await api.create_tenant("alpha")
    admin = await api.login("alpha")
    assert (await api.client.get("/api/v1/network/requirements")).status_code == 401
    refused = await api.client.get("/api/v1/network/requirements", headers=admin)
    assert refused.status_code == 401


async def test_network_requirements_list_clients_and_servers_apart(api: Api) -> None:
    _configure(api, api={"base_domain": "assist.example"})
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    response = await api.client.get("/api/v1/network/requirements", headers=operator)
    assert response.status_code == 200, response.text
    document = response.json()
    assert [rule["hosts"] for rule in document["clients"]] == [["*.assist.example"]]
    assert all(rule["used_by"] for rule in document["servers"])
    assert "mail=console" not in document["undeclared"]
    page = await api.client.get(
        "/api/v1/network/requirements", headers={**operator, "Accept": "text/markdown"}
    )
    assert page.headers["content-type"].startswith("text/markdown")
    assert "## What clients need" in page.text
    assert "*.assist.example" in page.text
