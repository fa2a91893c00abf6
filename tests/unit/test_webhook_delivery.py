"""The rules of webhook endpoints and of one delivery attempt, on fakes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from adapters.memory.clock import FixedClock
from core.errors import InvalidInput
from core.notifications.model import NotificationStatus, OutboxMessage, retry_delay
from core.webhooks.delivery import WebhookSender
from core.webhooks.events import subscribed_types
from core.webhooks.model import (
    WEBHOOK_MAX_ATTEMPTS,
    Delivery,
    WebhookEndpoint,
    WebhookRules,
    checked_url,
    event_message,
)
from core.webhooks.signing import verify
from tests.unit.webhook_support import Receiver, TenantWebhooks, resolving_to

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PUBLIC = "93.184.215.14"
TENANT = UUID("00000000-0000-4000-8000-000000000001")


def _sender(
    endpoint: WebhookEndpoint | None, receiver: Receiver, *addresses: str, private: bool = False
) -> WebhookSender:
    tenant = TenantWebhooks({endpoint.id: endpoint} if endpoint else {})
    return WebhookSender(
        tenant_uow=tenant,  # type: ignore[arg-type]
        transport=receiver,
        resolve=resolving_to(*(addresses or (PUBLIC,))),
        rules=WebhookRules(allow_private_targets=private),
        clock=FixedClock(NOW),
        jitter=lambda low, high: high,
    )


def _endpoint(**changes: Any) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.new("https://hooks.example/in", "", ("session.ended",), True, NOW)
    return replace(endpoint, **changes)


def _message(endpoint: WebhookEndpoint) -> OutboxMessage:
    queued = event_message(endpoint.id, "session.ended", {"state": "ended"}, NOW, NOW)
    return queued.claimed(NOW, timedelta(minutes=1))


async def test_a_2xx_answer_marks_the_delivery_sent_signed_and_sent_to_the_vetted_address() -> None:
    endpoint, receiver = _endpoint(), Receiver()
    outcome = await _sender(endpoint, receiver).deliver(TENANT, _message(endpoint))

    (request,) = receiver.requests
    assert outcome.status is NotificationStatus.SENT
    assert Delivery.of(outcome).last_status_code == 200
    assert request.address == PUBLIC
    assert request.url == endpoint.url
    assert verify(endpoint.secret, request.headers, request.body)
    assert json.loads(request.body) == {
        "type": "session.ended",
        "timestamp": NOW.isoformat(),
        "data": {"state": "ended"},
    }


@pytest.mark.parametrize(("status", "error"), [(500, "HTTP 500"), (None, "connection refused")])
async def test_a_failed_answer_or_none_is_retried_with_what_the_receiver_said(
    status: int | None, error: str
) -> None:
    endpoint = _endpoint()
    message = _message(endpoint)
    outcome = await _sender(endpoint, Receiver([status])).deliver(TENANT, message)

    delivery = Delivery.of(outcome)
    assert outcome.status is NotificationStatus.FAILED
    assert outcome.next_attempt_at > NOW
    assert error in (delivery.last_error or "")
    assert delivery.last_status_code == status
    assert len(delivery.response_excerpt or "") <= 200
    assert outcome.payload["body"] == message.payload["body"]


async def test_a_host_resolving_to_a_private_address_is_refused_at_delivery_time() -> None:
    endpoint, receiver = _endpoint(), Receiver()
    sender = _sender(endpoint, receiver, "10.0.0.7")
    outcome = await sender.deliver(TENANT, _message(endpoint))

    assert receiver.requests == []
    assert outcome.status is NotificationStatus.FAILED
    assert "private" in (outcome.last_error or "")


async def test_the_operator_may_allow_private_addresses() -> None:
    endpoint, receiver = _endpoint(), Receiver()
    sender = _sender(endpoint, receiver, "10.0.0.7", private=True)
    outcome = await sender.deliver(TENANT, _message(endpoint))

    assert outcome.status is NotificationStatus.SENT
    assert receiver.requests[0].address == "10.0.0.7"


@pytest.mark.parametrize("stored", [None, "disabled"])
async def test_a_deleted_or_disabled_endpoint_gets_nothing_more(stored: str | None) -> None:
    endpoint = _endpoint(enabled=False)
    receiver = Receiver()
    sender = _sender(endpoint if stored else None, receiver)
    outcome = await sender.deliver(TENANT, _message(endpoint))

    assert receiver.requests == []
    assert outcome.status is NotificationStatus.DEAD


def test_retries_span_about_a_day_before_the_delivery_is_given_up() -> None:
    def horizon(jitter_high: bool) -> timedelta:
        def pick(low: float, high: float) -> float:
            return high if jitter_high else low

        delays = (retry_delay(attempt, pick) for attempt in range(1, WEBHOOK_MAX_ATTEMPTS))
        return sum(delays, timedelta())

    assert timedelta(hours=12) < horizon(False) < horizon(True) < timedelta(hours=27)


def test_event_types_are_checked_against_the_published_list() -> None:
    assert subscribed_types(["session.ended", "participant.joined", "session.ended"]) == (
        "participant.joined",
        "session.ended",
    )
    for wrong in ([], ["session.exploded"], ["webhook.test"]):
        with pytest.raises(InvalidInput) as refused:
            subscribed_types(wrong)
        assert refused.value.field == "event_types"


def test_plain_http_urls_need_the_operators_consent() -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_url("http://hooks.example/in", WebhookRules())
    assert (refused.value.field, refused.value.code) == ("url", "webhook_https_required")
    assert checked_url("http://hooks.example/in", WebhookRules(allow_http=True))


def test_an_endpoint_wants_only_its_types_while_enabled() -> None:
    endpoint = _endpoint()
    assert endpoint.wants("session.ended")
    assert not endpoint.wants("session.created")
    assert not _endpoint(enabled=False).wants("session.ended")
    assert endpoint.rotated(NOW).secret != endpoint.secret
