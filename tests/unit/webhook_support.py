"""Fakes for the webhook unit tests: one tenant's endpoints and outbox, and a receiver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from core.notifications.model import OutboxMessage
from core.webhooks.model import WebhookEndpoint
from ports.webhooks import WebhookRequest, WebhookResponse, WebhookUnreachable


@dataclass
class TenantWebhooks:
    """The tenant's stored endpoints and the outbox messages committed for them."""

    endpoints: dict[UUID, WebhookEndpoint] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)

    def __call__(self, tenant_id: UUID) -> Uow:
        return Uow(self)


@dataclass
class Uow:
    tenant: TenantWebhooks
    added: list[OutboxMessage] = field(default_factory=list)

    @property
    def webhook_endpoints(self) -> Uow:
        return self

    @property
    def outbox(self) -> Uow:
        return self

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        return self.tenant.endpoints.get(endpoint_id)

    async def subscribed(self, event_type: str) -> list[WebhookEndpoint]:
        return [e for e in self.tenant.endpoints.values() if e.wants(event_type)]

    async def add(self, message: OutboxMessage) -> None:
        self.added.append(message)

    async def commit(self) -> None:
        self.tenant.outbox.extend(self.added)
        self.added = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.added = []


@dataclass
class Receiver:
    """Plays the network: answers scripted statuses (None: no answer at all)."""

    statuses: list[int | None] = field(default_factory=list)
    requests: list[WebhookRequest] = field(default_factory=list)

    async def post(self, request: WebhookRequest) -> WebhookResponse:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            raise WebhookUnreachable("connection refused")
        return WebhookResponse(status, "x" * 1000 if status >= 300 else "ok")


def resolving_to(*addresses: str) -> Any:
    async def resolve(host: str) -> Sequence[str]:
        return addresses

    return resolve
