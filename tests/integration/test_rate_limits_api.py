"""Request limits through the HTTP API: 429 with Retry-After and RateLimit headers, per
IP, per credential, tighter on routes tagged auth, and global across replicas on Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, get, post

from apps.api.app import create_app
from apps.api.errors import EXCEPTION_HANDLERS
from apps.api.middleware.limits import RateLimitMiddleware
from apps.api.middleware.routes import AUTH_LIMITS, NO_LIMITS, RATE_LIMIT
from apps.container import Container, build_container, close_container
from tests.conftest import Database
from tests.integration.conftest import Api, settings_for
from tests.support.redis_server import redis_prefix, redis_url  # noqa: F401 - fixtures


def _limits(**limits: int) -> dict[str, Any]:
    return {"rate_limits": limits}


@pytest.fixture
async def limited(database: Database, tmp_path: Path, api: Api) -> AsyncIterator[Api]:
    """The API with a tight per-credential limit of 3 requests a minute."""
    api.container.settings.override(
        settings_for(database, tmp_path, **_limits(per_user_per_minute=3))
    )
    yield api
    api.container.settings.reset_override()


async def test_past_the_limit_a_caller_gets_429_with_retry_after(limited: Api) -> None:
    await limited.create_tenant("acme")
    headers = await limited.login("acme")
    answers = [await limited.client.get("/api/v1/sessions", headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["ratelimit-limit"] == "3"
    assert answers[0].headers["ratelimit-policy"] == "3;w=60"
    refused = answers[3]
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "too_many_requests"


async def test_another_credential_keeps_its_own_budget(limited: Api) -> None:
    await limited.create_tenant("acme")
    first = await limited.login("acme")
    for _ in range(3):
        await limited.client.get("/api/v1/sessions", headers=first)
    assert (await limited.client.get("/api/v1/sessions", headers=first)).status_code == 429
    second = await limited.login("acme")
    assert (await limited.client.get("/api/v1/sessions", headers=second)).status_code == 200


@post("/sign-in", opt={RATE_LIMIT: AUTH_LIMITS}, status_code=200)
async def _sign_in() -> dict[str, str]:
    return {"signed": "in"}


@get("/other", status_code=200)
async def _other() -> dict[str, str]:
    return {"other": "route"}


async def test_routes_tagged_auth_are_limited_tighter_per_ip(
    database: Database, tmp_path: Path, container: Container
) -> None:
    """The tag the identity and device routes (login, reset, refresh, pairing) carry."""
    container.settings.override(
        settings_for(database, tmp_path, **_limits(auth_per_ip_per_minute=2))
    )
    app = Litestar(
        route_handlers=[_sign_in, _other],
        middleware=[RateLimitMiddleware()],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.container = container
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        signed = [(await client.post("/sign-in")).status_code for _ in range(3)]
        other = [(await client.get("/other")).status_code for _ in range(3)]
    assert signed == [200, 200, 429]
    assert other == [200, 200, 200]


async def _replica(database: Database, folder: Path, url: str, prefix: str) -> Container:
    settings = settings_for(
        database,
        folder,
        rate_limits={"per_ip_per_minute": 4},
        redis={"url": url, "key_prefix": prefix},
    )
    return build_container(settings)


@pytest.fixture
async def replicas(
    database: Database,
    tmp_path: Path,
    container: Container,
    redis_url: str,  # noqa: F811 - fixture
    redis_prefix: str,  # noqa: F811 - fixture
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two API instances (two containers, two apps) sharing one Redis and one database."""
    built = [await _replica(database, tmp_path, redis_url, redis_prefix) for _ in range(2)]
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(c, close=False)),
            base_url="http://testserver",
        )
        for c in built
    ]
    try:
        yield clients
    finally:
        for client, replica in zip(clients, built, strict=True):
            await client.aclose()
            await close_container(replica)


async def test_two_replicas_sharing_redis_enforce_one_global_limit(
    replicas: list[httpx.AsyncClient],
) -> None:
    statuses = [(await replicas[n % 2].get("/api/v1/health")).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


VENDOR_PATHS = ("/api/v1/photon/", "/api/v1/webhooks/video/", "/api/v1/webhooks/vonage/")


async def test_the_routes_vendors_call_are_not_limited_and_no_other_is(api: Api) -> None:
    """Photon, the video provider and Vonage call from a few addresses for every tenant."""
    app = create_app(api.container, close=False)
    unlimited = {
        route.path_format
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get(RATE_LIMIT) == NO_LIMITS
    }

    assert unlimited
    assert {path for path in unlimited if not path.startswith(VENDOR_PATHS)} == set()
    vendor_routes = {
        route.path_format for route in app.routes if route.path_format.startswith(VENDOR_PATHS)
    }
    assert vendor_routes == unlimited
