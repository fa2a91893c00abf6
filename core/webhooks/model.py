"""Webhook endpoints a tenant configures, and the outbox messages that carry its events.

An endpoint is a URL, the event types it wants and its signing secret. Each event for it
becomes one outbox message on the ``webhook`` channel whose body is fixed when it is
queued, so every retry sends the same bytes under the same ``webhook-id`` and receivers
can drop duplicates.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit
from uuid import UUID

from core.errors import InvalidInput
from core.host_names import is_host
from core.notifications.model import Channel, NotificationStatus, OutboxMessage
from core.webhooks.signing import new_secret

WEBHOOK_MAX_ATTEMPTS = 14
"""With the outbox's backoff (30 s doubling, capped at 6 h, full jitter) the last of 14
attempts comes roughly 13 to 26 hours after the first; then the delivery is dead."""
MAX_URL_LENGTH = 2000
EXCERPT_CHARS = 200
"""How much of a receiver's answer is kept: enough to debug, never its whole body."""

JsonValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class WebhookRules:
    """The operator's choices: plain http allowed (tests, closed networks) and private
    addresses allowed (receivers on the deployment's own network)."""

    allow_http: bool = False
    allow_private_targets: bool = False


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: UUID
    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    secret: str | None
    """None when the stored secret does not open with this deployment's keys (one left out
    of ``encryption.keys``): the endpoint is still listed, changed, rotated or deleted, but
    signs nothing until the key is back or the secret is rotated."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def new(
        cls, url: str, description: str, event_types: tuple[str, ...], enabled: bool, now: datetime
    ) -> WebhookEndpoint:
        return cls(uuid.uuid4(), url, description, event_types, enabled, new_secret(), now, now)

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.event_types

    def rotated(self, now: datetime) -> WebhookEndpoint:
        """A new secret; the old one stops signing at once."""
        return replace(self, secret=new_secret(), updated_at=now)


def checked_url(url: str, rules: WebhookRules) -> str:
    """The URL's form (length, syntax, host name, port, scheme); where it points is the
    SSRF guard's business."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"a webhook URL has at most {MAX_URL_LENGTH} characters", field="url")
    try:
        parts = urlsplit(url)
        _ = parts.port  # parsed on access: "out of range" or not a number
    except ValueError as exc:
        raise InvalidInput(
            f"not a valid URL: {exc}", field="url", code="invalid_webhook_url"
        ) from None
    if parts.hostname and not is_host(parts.hostname):
        raise InvalidInput(
            f"{parts.hostname!r} is not a valid host name", field="url", code="invalid_webhook_url"
        )
    if parts.scheme == "http" and not rules.allow_http:
        raise InvalidInput(
            "webhook URLs use https (this deployment does not allow plain http)",
            field="url",
            code="webhook_https_required",
        )
    return url


def event_message(
    endpoint_id: UUID,
    event_type: str,
    data: Mapping[str, JsonValue],
    occurred_at: datetime,
    now: datetime,
) -> OutboxMessage:
    """The outbox message delivering one event to one endpoint; the body is final here."""
    body = {"type": event_type, "timestamp": occurred_at.isoformat(), "data": dict(data)}
    return OutboxMessage(
        id=uuid.uuid4(),
        kind=event_type,
        channel=Channel.WEBHOOK,
        recipient=str(endpoint_id),
        payload={"body": json.dumps(body, separators=(",", ":"), sort_keys=True)},
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        max_attempts=WEBHOOK_MAX_ATTEMPTS,
    )


def message_id(message: OutboxMessage) -> str:
    """The ``webhook-id`` of a delivery: the same on every attempt."""
    return f"msg_{message.id.hex}"


def with_response(message: OutboxMessage, status_code: int | None, excerpt: str) -> OutboxMessage:
    """Remember what the receiver answered last (status and a short excerpt)."""
    payload = {**message.payload, "response": excerpt[:EXCERPT_CHARS]}
    if status_code is None:
        payload.pop("status_code", None)
    else:
        payload["status_code"] = str(status_code)
    return replace(message, payload=payload)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event's delivery to an endpoint, as the delivery log shows it."""

    event_id: UUID
    event_type: str
    status: NotificationStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    response_excerpt: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, message: OutboxMessage) -> Delivery:
        code = message.payload.get("status_code")
        waiting = message.status in (NotificationStatus.QUEUED, NotificationStatus.FAILED)
        return cls(
            event_id=message.id,
            event_type=message.kind,
            status=message.status,
            attempts=message.attempts,
            last_status_code=int(code) if code else None,
            last_error=message.last_error,
            response_excerpt=message.payload.get("response"),
            next_attempt_at=message.next_attempt_at if waiting else None,
            delivered_at=message.sent_at,
            created_at=message.created_at,
        )
