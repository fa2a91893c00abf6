"""Webhook endpoints through the API, and deliveries to a real receiver on loopback.

Only loopback is reachable here, so the delivery tests let the operator setting
``webhooks.allow_private_targets`` (and plain http) through; the guard's refusals are
checked with the default settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from apps.worker.outbox_worker import OutboxWorker
from core.webhooks.model import WebhookRules
from core.webhooks.signing import new_secret
from tests.integration.conftest import Api
from tests.support.webhook_receiver import ReceivedHook, WebhookReceiver

HOOKS = "/api/v1/webhook-endpoints"


def _allow_loopback(api: Api, clock: FixedClock) -> None:
    """The operator's settings for receivers on the deployment's own network."""
    rules = WebhookRules(allow_http=True, allow_private_targets=True)
    api.container.webhook_rules.override(providers.Object(rules))
    api.container.clock.override(providers.Object(clock))


async def _endpoint(api: Api, headers: dict[str, str], url: str, *types: str) -> dict[str, Any]:
    created = await api.client.post(
        HOOKS, json={"url": url, "event_types": list(types)}, headers=headers
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def _verified(hook: ReceivedHook, secret: str) -> bool:
    """What docs/webhooks.md tells receivers to do, written out independently."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{hook.headers['webhook-id']}.{hook.headers['webhook-timestamp']}.".encode()
    digest = hmac.new(key, signed + hook.body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    offered = hook.headers["webhook-signature"].split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


async def test_a_session_event_is_signed_retried_after_a_500_and_logged(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    clock = FixedClock(datetime.now(UTC))
    _allow_loopback(api, clock)
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await _endpoint(api, admin, webhook_receiver.url, "session.created")
    endpoint_id, secret = created["endpoint"]["id"], created["secret"]
    webhook_receiver.answer(500)

    session_id = await api.create_session(admin, "Pump P-12")
    worker = OutboxWorker(api.container)
    await worker.run_once()
    failed = (await api.client.get(f"{HOOKS}/{endpoint_id}/deliveries", headers=admin)).json()
    clock.advance(timedelta(hours=1))
    await worker.run_once()
    log = (await api.client.get(f"{HOOKS}/{endpoint_id}/deliveries", headers=admin)).json()

    first, second = webhook_receiver.hooks()
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert all(_verified(hook, secret) for hook in (first, second))
    assert not _verified(second, new_secret())
    event = json.loads(second.body)
    assert event["type"] == "session.created"
    assert event["data"]["session_id"] == session_id
    assert second.headers["content-type"] == "application/json"
    assert second.headers["host"] == webhook_receiver.url.split("/")[2]
    assert failed["items"][0]["status"] == "failed"
    assert failed["items"][0]["last_status_code"] == 500
    assert failed["items"][0]["next_attempt_at"] is not None
    assert len(failed["items"][0]["response_excerpt"]) <= 200
    (delivered,) = log["items"]
    assert delivered["event_type"] == "session.created"
    assert delivered["attempts"] == 2
    assert delivered["last_status_code"] == 200
    assert delivered["status"] == "sent"
    assert delivered["delivered_at"] is not None
    assert delivered["next_attempt_at"] is None
    assert first.headers["webhook-id"] == f"msg_{delivered['event_id'].replace('-', '')}"


async def test_a_test_event_reaches_only_that_endpoint_and_unsubscribed_types_none(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api, FixedClock(datetime.now(UTC)))
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await _endpoint(api, admin, webhook_receiver.url, "session.ended")
    endpoint_id = created["endpoint"]["id"]

    await api.create_session(admin)
    queued = await api.client.post(f"{HOOKS}/{endpoint_id}/test", headers=admin)
    await OutboxWorker(api.container).run_once()

    assert queued.status_code == 202, queued.text
    assert queued.json()["event_type"] == "webhook.test"
    (hook,) = webhook_receiver.hooks()
    assert json.loads(hook.body)["type"] == "webhook.test"
    assert _verified(hook, created["secret"])


async def test_a_snapshot_shared_in_a_session_reaches_an_endpoint_subscribed_to_files(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api, FixedClock(datetime.now(UTC)))
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await _endpoint(api, admin, webhook_receiver.url, "file.shared")
    session_id = await api.create_session(admin)

    uploaded = await api.client.post(
        "/api/v1/files/raw",
        params={"name": "gauge.jpg", "kind": "snapshot", "session_id": session_id},
        content=b"\xff\xd8jpeg",
        headers={**admin, "Content-Type": "image/jpeg"},
    )
    await OutboxWorker(api.container).run_once()

    assert uploaded.status_code == 201, uploaded.text
    (hook,) = webhook_receiver.hooks()
    assert _verified(hook, created["secret"])
    event = json.loads(hook.body)
    assert event["type"] == "file.shared"
    assert event["data"]["file_id"] == uploaded.json()["id"]
    assert event["data"]["session_id"] == session_id
    assert event["data"]["name"] == "gauge.jpg"


async def test_a_rotated_secret_signs_and_a_disabled_endpoint_is_neither_tested_nor_sent(
    api: Api, webhook_receiver: WebhookReceiver
) -> None:
    _allow_loopback(api, FixedClock(datetime.now(UTC)))
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await _endpoint(api, admin, webhook_receiver.url, "session.created")
    url = f"{HOOKS}/{created['endpoint']['id']}"

    rotated = (await api.client.post(f"{url}/rotate-secret", headers=admin)).json()
    await api.client.post(f"{url}/test", headers=admin)
    await OutboxWorker(api.container).run_once()
    await api.client.patch(url, json={"enabled": False}, headers=admin)
    refused = await api.client.post(f"{url}/test", headers=admin)
    await api.create_session(admin)
    await OutboxWorker(api.container).run_once()

    assert rotated["secret"] != created["secret"]
    (hook,) = webhook_receiver.hooks()
    assert _verified(hook, rotated["secret"])
    assert not _verified(hook, created["secret"])
    assert refused.status_code == 409
    assert refused.json()["code"] == "webhook_endpoint_disabled"


async def test_endpoints_are_created_read_changed_listed_and_deleted(api: Api) -> None:
    clock = FixedClock(datetime.now(UTC))
    _allow_loopback(api, clock)
    await api.create_tenant("acme")
    admin = await api.login("acme")
    created = await _endpoint(api, admin, "http://127.0.0.1:9/a", "session.ended")
    clock.advance(timedelta(seconds=1))
    second = await _endpoint(api, admin, "http://127.0.0.1:9/b", "participant.joined")
    url = f"{HOOKS}/{created['endpoint']['id']}"

    read = await api.client.get(url, headers=admin)
    changed = await api.client.patch(
        url,
        json={"description": "ERP", "event_types": ["session.started", "session.ended"]},
        headers=admin,
    )
    first_page = await api.client.get(HOOKS, params={"limit": 1}, headers=admin)
    next_page = await api.client.get(
        HOOKS, params={"limit": 1, "cursor": first_page.json()["next_cursor"]}, headers=admin
    )
    deleted = await api.client.delete(url, headers=admin)
    gone = await api.client.get(url, headers=admin)

    assert created["secret"].startswith("whsec_")
    assert "secret" not in read.json()
    assert read.json()["enabled"] is True
    assert changed.json()["description"] == "ERP"
    assert changed.json()["event_types"] == ["session.ended", "session.started"]
    assert changed.json()["url"] == "http://127.0.0.1:9/a"
    assert [e["id"] for e in first_page.json()["items"]] == [created["endpoint"]["id"]]
    assert [e["id"] for e in next_page.json()["items"]] == [second["endpoint"]["id"]]
    assert next_page.json()["next_cursor"] is None
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json()["code"] == "webhook_endpoint_not_found"


REFUSED = {
    "https://127.0.0.1/hook": "webhook_target_refused",
    "https://10.1.2.3/hook": "webhook_target_refused",
    "https://169.254.169.254/latest/meta-data": "webhook_target_refused",
    "https://[::1]/hook": "webhook_target_refused",
    "http://hooks.example/plain": "webhook_https_required",
}


async def test_the_guard_refuses_private_targets_and_plain_http_by_default(api: Api) -> None:
    await api.create_tenant("acme")
    admin = await api.login("acme")
    answers = {
        url: await api.client.post(
            HOOKS, json={"url": url, "event_types": ["session.ended"]}, headers=admin
        )
        for url in REFUSED
    }
    endpoint = await api.client.get(HOOKS, headers=admin)

    assert {url: a.status_code for url, a in answers.items()} == dict.fromkeys(REFUSED, 422)
    assert {url: a.json()["code"] for url, a in answers.items()} == REFUSED
    assert all(a.json()["errors"][0]["field"] == "url" for a in answers.values())
    assert endpoint.json()["items"] == []


MALFORMED = (
    "https://a..com/hook",
    "https://\u0087.example/hook",
    f"https://{'x' * 64}.example/hook",
    "https://[::1/hook",
    "https://hooks.example:99999/hook",
)


async def test_malformed_urls_are_refused_naming_the_field_on_create_and_change(api: Api) -> None:
    _allow_loopback(api, FixedClock(datetime.now(UTC)))
    await api.create_tenant("acme")
    admin = await api.login("acme")
    endpoint = await _endpoint(api, admin, "http://127.0.0.1:9/a", "session.ended")
    answers = [
        await api.client.post(
            HOOKS, json={"url": url, "event_types": ["session.ended"]}, headers=admin
        )
        for url in MALFORMED
    ] + [
        await api.client.patch(
            f"{HOOKS}/{endpoint['endpoint']['id']}", json={"url": url}, headers=admin
        )
        for url in MALFORMED
    ]
    listed = await api.client.get(HOOKS, headers=admin)

    assert [a.status_code for a in answers] == [422] * 2 * len(MALFORMED)
    assert {(a.json()["code"], a.json()["errors"][0]["field"]) for a in answers} == {
        ("invalid_webhook_url", "url")
    }
    assert [e["url"] for e in listed.json()["items"]] == ["http://127.0.0.1:9/a"]


async def test_unknown_event_types_are_refused_naming_the_field(api: Api) -> None:
    _allow_loopback(api, FixedClock(datetime.now(UTC)))
    await api.create_tenant("acme")
    admin = await api.login("acme")
    refused = await api.client.post(
        HOOKS,
        json={"url": "http://127.0.0.1:9/a", "event_types": ["session.exploded"]},
        headers=admin,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "unknown_event_type"
    assert "event_types" in refused.text
