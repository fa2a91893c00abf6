"""Session lifecycle hooks queue webhook events for the endpoints that want them."""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from datetime import UTC, datetime

from adapters.memory.clock import FixedClock
from core.webhooks.model import WebhookEndpoint, WebhookRules
from core.webhooks.services import WebhookDependencies
from plugins.builtin.webhooks import feature_plugin
from plugins.features import FeatureServices
from plugins.lifecycle import LifecycleHookPublisher
from plugins.manager import build_plugins
from ports.events import Audience, Event, EventType
from tests.unit.webhook_support import TenantWebhooks, resolving_to

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TENANT = uuid.UUID("00000000-0000-4000-8000-00000000000c")


def _unused() -> object:
    raise AssertionError("the webhook plugin needs only its own dependencies")


def _publisher(tenant: TenantWebhooks) -> LifecycleHookPublisher:
    deps = WebhookDependencies(
        tenant_uow=tenant,  # type: ignore[arg-type]
        clock=FixedClock(NOW),
        resolve=resolving_to("93.184.215.14"),
        rules=WebhookRules(),
    )
    others = {f.name: _unused for f in fields(FeatureServices)}
    services = FeatureServices(**{**others, "webhooks": lambda: deps})
    plugins = build_plugins(load_entry_points=False, extra=(feature_plugin(services),))
    return LifecycleHookPublisher(None, plugins)


def _endpoint(*types: str, enabled: bool = True) -> WebhookEndpoint:
    return WebhookEndpoint.new("https://hooks.example/in", "", types, enabled, NOW)


def _event(kind: EventType, state: str) -> Event:
    return Event(kind, TENANT, NOW, Audience(), {"session_id": "s1", "state": state})


async def test_every_end_state_reaches_endpoints_as_session_ended_with_its_state() -> None:
    wanted = _endpoint("session.ended")
    tenant = TenantWebhooks({wanted.id: wanted})

    await _publisher(tenant).publish(
        [_event(EventType.SESSION_MISSED, "missed"), _event(EventType.SESSION_ENDED, "ended")]
    )

    bodies = [json.loads(message.payload["body"]) for message in tenant.outbox]
    assert [(b["type"], b["data"]["state"]) for b in bodies] == [
        ("session.ended", "missed"),
        ("session.ended", "ended"),
    ]
    assert {message.recipient for message in tenant.outbox} == {str(wanted.id)}


async def test_only_enabled_endpoints_subscribed_to_the_type_get_the_event() -> None:
    subscribed = _endpoint("session.created", "session.ended")
    other_type = _endpoint("participant.joined")
    disabled = _endpoint("session.created", enabled=False)
    tenant = TenantWebhooks({e.id: e for e in (subscribed, other_type, disabled)})

    await _publisher(tenant).publish([_event(EventType.SESSION_RINGING, "ringing")])

    (message,) = tenant.outbox
    assert message.recipient == str(subscribed.id)
    assert json.loads(message.payload["body"])["type"] == "session.created"
