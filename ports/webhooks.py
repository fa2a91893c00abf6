"""What outbound webhooks need: the endpoints' records and a way to POST to a vetted address."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from core.notifications.model import OutboxMessage
from core.webhooks.model import WebhookEndpoint
from ports.outbox import OutboxRepository
from ports.pagination import Page, PageRequest
from ports.unit_of_work import TenantUnitOfWork


class WebhookEndpointRepository(Protocol):
    async def add(self, endpoint: WebhookEndpoint) -> None: ...

    async def save(self, endpoint: WebhookEndpoint) -> None: ...

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None: ...

    async def delete(self, endpoint_id: UUID) -> None: ...

    async def list(self, page: PageRequest) -> Page[WebhookEndpoint]:
        """Every endpoint of the tenant, oldest first."""
        ...

    async def subscribed(self, event_type: str) -> builtins.list[WebhookEndpoint]:
        """The enabled endpoints subscribed to ``event_type``."""
        ...

    async def deliveries(self, endpoint_id: UUID, page: PageRequest) -> Page[OutboxMessage]:
        """The endpoint's outbox messages (its delivery log), oldest first."""
        ...

    async def reseal_secrets(self) -> int:
        """Seal every secret not sealed with the newest key (clear ones included); how many."""
        ...


class WebhookUnitOfWork(TenantUnitOfWork, Protocol):
    webhook_endpoints: WebhookEndpointRepository
    outbox: OutboxRepository


class WebhookUnitOfWorkFactory(Protocol):
    def __call__(self, tenant_id: UUID) -> WebhookUnitOfWork: ...


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One POST: to ``url``, connecting to ``address`` (vetted by the SSRF guard) while the
    Host header and TLS server name stay the URL's host."""

    url: str
    address: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    status_code: int
    excerpt: str
    """The first characters of the answer's body, never more."""


class WebhookUnreachable(Exception):
    """No HTTP answer: refused connection, TLS failure, timeout."""


class WebhookTransport(Protocol):
    async def post(self, request: WebhookRequest) -> WebhookResponse:
        """Send once, follow no redirect; raise WebhookUnreachable when nothing answered."""
        ...
