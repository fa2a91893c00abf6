"""The firebase events adapter against a local Realtime Database REST server: where events
are written, in how many requests, who the shipped security rules let read them, the
custom tokens clients sign in with, and the pruning of old events."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from dependency_injector import providers

from adapters.firebase.realtime_database import FirebaseRealtimeEvents
from adapters.firebase.settings import FirebaseSettings
from adapters.memory.clock import FixedClock
from apps.api.app import create_app
from apps.container import build_container, check_adapters, close_container
from apps.worker.process import prune_events
from ports.events import Audience, Event, EventsUnavailable, EventType, channels_of
from tests.conftest import Database
from tests.integration.conftest import Api, settings_for
from tests.integration.realtime_support import actor_of
from tests.support.fcm_server import RsaKey, new_rsa_key
from tests.support.rtdb_rules import load_rules, may_read
from tests.support.rtdb_server import CLIENT_EMAIL, RtdbServer, firebase_block

GOOGLE_TOKEN_AUDIENCE = (
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"
)


@pytest.fixture
def rtdb_server() -> Iterator[RtdbServer]:
    server = RtdbServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def service_key() -> RsaKey:
    return new_rsa_key()


@pytest.fixture
async def events(
    rtdb_server: RtdbServer, service_key: RsaKey
) -> AsyncIterator[FirebaseRealtimeEvents]:
    adapter = FirebaseRealtimeEvents(
        FirebaseSettings.model_validate(firebase_block(rtdb_server, service_key))
    )
    try:
        yield adapter
    finally:
        await adapter.close()


def _event(
    tenant: uuid.UUID, users: set[uuid.UUID], session: uuid.UUID | None = None, **data: Any
) -> Event:
    return Event(
        EventType.SESSION_RINGING,
        tenant,
        data.pop("at", datetime.now(UTC)),
        Audience(frozenset(users), session),
        data,
    )


async def test_one_publish_is_one_multi_path_update_under_each_channel(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    tenant, host, callee, session = (uuid.uuid4() for _ in range(4))
    ringing = _event(tenant, {host, callee}, session, reference="T-1")
    presence = Event(
        EventType.PRESENCE_CHANGED, tenant, datetime.now(UTC), Audience(tenant_wide=True), {}
    )
    await events.publish([ringing, presence])
    (write,) = rtdb_server.writes()
    assert (write.method, write.path) == ("PATCH", "/")
    for event in (ringing, presence):
        for channel in channels_of(event):
            node = rtdb_server.read(f"{channel}/events/{event.id}")
            assert node["id"] == str(event.id)
            assert node["ts"] == int(event.occurred_at.timestamp() * 1000)
    members = rtdb_server.read(f"tenants/{tenant}/sessions/{session}/members")
    assert members == {str(host): True, str(callee): True}


async def test_the_rules_let_each_client_read_only_its_own_tenant_user_and_sessions(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    tenant, other_tenant, host, stranger, session = (uuid.uuid4() for _ in range(5))
    await events.publish([_event(tenant, {host}, session)])
    rules, tree = load_rules(), rtdb_server.read()

    def auth(uid: uuid.UUID, of: uuid.UUID) -> dict[str, Any]:
        return {"uid": str(uid), "token": {"pxr_tenant": str(of)}}

    own = f"tenants/{tenant}/users/{host}/events"
    shared = f"tenants/{tenant}/sessions/{session}/events"
    everyone = f"tenants/{tenant}/everyone/events"
    assert may_read(rules, tree, own, auth(host, tenant))
    assert may_read(rules, tree, shared, auth(host, tenant))
    assert may_read(rules, tree, everyone, auth(stranger, tenant))
    assert not may_read(rules, tree, own, auth(stranger, tenant))
    assert not may_read(rules, tree, shared, auth(stranger, tenant))
    assert not may_read(rules, tree, own, auth(host, other_tenant))
    assert not may_read(rules, tree, everyone, auth(stranger, other_tenant))
    assert not may_read(rules, tree, own, None)
    assert not may_read(rules, tree, f"tenants/{tenant}", auth(host, tenant))
    assert not may_read(rules, tree, "", auth(host, tenant))


async def test_every_path_the_adapter_writes_events_to_is_guarded_by_a_rule(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    tenant, user, session = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await events.publish(
        [
            _event(tenant, {user}, session),
            Event(
                EventType.PRESENCE_CHANGED, tenant, datetime.now(UTC), Audience(tenant_wide=True)
            ),
        ]
    )
    (write,) = rtdb_server.writes()
    rules = load_rules()
    for path in write.body:
        guard = path.rsplit("/events/", 1)[0] + "/events" if "/events/" in path else path
        node: Any = rules
        for part in guard.split("/"):
            node = node.get(part) or next(v for k, v in node.items() if k.startswith("$"))
        assert ".read" in node or path.endswith(f"/members/{user}"), path
        assert "pxr_tenant === $tenant" in json.dumps(node), path


async def test_a_custom_token_names_the_user_and_carries_the_tenant_claim(
    events: FirebaseRealtimeEvents, service_key: RsaKey, rtdb_server: RtdbServer
) -> None:
    tenant, user = uuid.uuid4(), uuid.uuid4()
    grant = await events.grant(tenant, user, "expert")
    claims = jwt.decode(
        grant.token, service_key.public_key, algorithms=["RS256"], audience=GOOGLE_TOKEN_AUDIENCE
    )
    assert claims["uid"] == str(user)
    assert claims["iss"] == CLIENT_EMAIL
    assert claims["claims"] == {"pxr_tenant": str(tenant), "pxr_role": "expert"}
    assert claims["exp"] - claims["iat"] == grant.expires_in_seconds == 3600
    assert grant.database_url == rtdb_server.url
    assert grant.channels == (f"tenants/{tenant}/users/{user}", f"tenants/{tenant}/everyone")


async def test_pruning_deletes_only_events_older_than_the_cutoff_with_an_ordered_query(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    tenant, user, session = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    old = _event(tenant, {user}, session, at=now - timedelta(days=2))
    recent = _event(tenant, {user}, session, at=now)
    await events.publish([old, recent])
    assert await events.prune(now - timedelta(days=1)) == 2
    for channel in channels_of(recent):
        assert list(rtdb_server.read(f"{channel}/events")) == [str(recent.id)]
    queries = [r.query for r in rtdb_server.requests if r.method == "GET" and "orderBy" in r.query]
    assert queries
    assert all(json.loads(q["orderBy"]) == "ts" for q in queries)
    assert all("endAt" in q for q in queries)
    assert await events.prune(now - timedelta(days=1)) == 0


async def test_a_database_that_does_not_answer_raises_events_unavailable(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    rtdb_server.stop()
    with pytest.raises(EventsUnavailable):
        await events.publish([_event(uuid.uuid4(), {uuid.uuid4()})])


async def test_a_refused_write_raises_events_unavailable_and_writes_nothing(
    events: FirebaseRealtimeEvents, rtdb_server: RtdbServer
) -> None:
    rtdb_server.fail_next(times=10)
    with pytest.raises(EventsUnavailable):
        await events.publish([_event(uuid.uuid4(), {uuid.uuid4()})])
    assert rtdb_server.read() is None or rtdb_server.read() == {}


@pytest.fixture
async def firebase_api(
    api: Api, database: Database, tmp_path: Path, rtdb_server: RtdbServer, service_key: RsaKey
) -> AsyncIterator[Api]:
    """The API on the same database, with events through Firebase (``api`` migrated it)."""
    container = build_container(
        settings_for(
            database,
            tmp_path,
            events={"backend": "firebase"},
            firebase=firebase_block(rtdb_server, service_key),
        )
    )
    container.hasher.override(api.container.hasher)
    await check_adapters(container)
    transport = httpx.ASGITransport(app=create_app(container, close=False))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client=client, operator_key=api.operator_key, container=container)
    finally:
        await close_container(container)


async def test_the_api_mints_a_token_for_the_signed_in_caller_only(
    firebase_api: Api, service_key: RsaKey
) -> None:
    await firebase_api.create_tenant("acme")
    admin = await firebase_api.login("acme")
    me = actor_of(firebase_api.container, admin)
    response = await firebase_api.client.post("/api/v1/realtime/firebase-token", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    claims = jwt.decode(
        body["token"], service_key.public_key, algorithms=["RS256"], audience=GOOGLE_TOKEN_AUDIENCE
    )
    assert (claims["uid"], claims["claims"]["pxr_tenant"]) == (str(me.user_id), str(me.tenant_id))
    assert body["paths"][0] == f"tenants/{me.tenant_id}/users/{me.user_id}"
    unsigned = await firebase_api.client.post(
        "/api/v1/realtime/firebase-token", headers={"X-Passerelle-Tenant": "acme"}
    )
    assert unsigned.status_code == 401


async def test_a_join_through_the_api_lands_in_the_sessions_path_with_its_member(
    firebase_api: Api, rtdb_server: RtdbServer
) -> None:
    await firebase_api.create_tenant("acme")
    admin = await firebase_api.login("acme")
    me = actor_of(firebase_api.container, admin)
    session_id = await firebase_api.create_session(admin)
    joined = await firebase_api.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)
    assert joined.status_code in (200, 201), joined.text
    session = rtdb_server.read(f"tenants/{me.tenant_id}/sessions/{session_id}")
    (event,) = session["events"].values()
    assert event["type"] == "participant.joined"
    assert session["members"] == {str(me.user_id): True}


async def test_the_worker_prunes_events_past_the_retention_setting(
    firebase_api: Api, rtdb_server: RtdbServer
) -> None:
    container = firebase_api.container
    now = datetime.now(UTC)
    container.clock.override(providers.Object(FixedClock(now)))
    tenant, user = uuid.uuid4(), uuid.uuid4()
    hours = container.settings().firebase.event_retention_hours
    stale = _event(tenant, {user}, at=now - timedelta(hours=hours + 1))
    fresh = _event(tenant, {user}, at=now - timedelta(hours=hours - 1))
    await container.events().publish([stale, fresh])
    assert await prune_events(container) == 1
    assert list(rtdb_server.read(f"tenants/{tenant}/users/{user}/events")) == [str(fresh.id)]
