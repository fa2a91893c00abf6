"""Request and response bodies of the webhook endpoint API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.webhooks.events import EVENT_TYPES
from core.webhooks.model import MAX_URL_LENGTH, Delivery, WebhookEndpoint

Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="Where events are POSTed: https (plain http only where the operator "
        "allows it), on a host that resolves to public addresses only.",
        examples=["https://hooks.example.com/passerelle"],
    ),
]
Description = Annotated[
    str, msgspec.Meta(max_length=500, examples=["Ticketing system, production"])
]
EventTypes = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=50)]],
    msgspec.Meta(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description="Event types to receive, among: " + ", ".join(EVENT_TYPES) + ".",
        examples=[["session.ended", "participant.joined"]],
    ),
]


class CreateEndpointBody(RequestBody):
    url: Url
    event_types: EventTypes
    description: Description = ""
    enabled: bool = True


class UpdateEndpointBody(RequestBody):
    """Fields left out keep their value."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = None


class EndpointOut(ResponseBody):
    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            enabled=endpoint.enabled,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class EndpointWithSecretOut(ResponseBody):
    """The endpoint and its signing secret, which no later answer shows again."""

    endpoint: EndpointOut
    secret: Annotated[
        str,
        msgspec.Meta(
            description="Standard Webhooks secret: whsec_ + base64 of the HMAC key.",
            examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        ),
    ]

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointWithSecretOut:
        """Only for an endpoint just created or rotated, which holds its new secret."""
        if endpoint.secret is None:
            raise ValueError(f"endpoint {endpoint.id} holds no secret to show")
        return cls(endpoint=EndpointOut.of(endpoint), secret=endpoint.secret)


class EndpointPage(ResponseBody):
    items: list[EndpointOut]
    next_cursor: str | None


class DeliveryOut(ResponseBody):
    """One event's delivery to the endpoint: ``event_id`` is its ``webhook-id``'s UUID."""

    event_id: UUID
    event_type: str
    status: Annotated[
        str,
        msgspec.Meta(
            description="queued, sending, failed (to be retried at next_attempt_at), "
            "sent (2xx received) or dead (given up)."
        ),
    ]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    response_excerpt: Annotated[
        str | None, msgspec.Meta(description="The start of the receiver's last answer.")
    ]
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status.value,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            response_excerpt=delivery.response_excerpt,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
        )


class DeliveryPage(ResponseBody):
    items: list[DeliveryOut]
    next_cursor: str | None
