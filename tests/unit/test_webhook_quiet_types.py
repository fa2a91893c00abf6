"""An event type no endpoint of the tenant wants is not asked of its database again for a
few seconds; a change to the tenant's endpoints in this process makes the next event see
it at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self
from uuid import UUID

from adapters.memory.clock import FixedClock
from core.identity.model import Actor, Role
from core.notifications.model import OutboxMessage
from core.webhooks.model import WebhookEndpoint, WebhookRules
from core.webhooks.quiet import QUIET_TTL, QuietTypes
from core.webhooks.services import (
    EndpointChanges,
    WebhookDependencies,
    create_endpoint,
    queue_event,
    update_endpoint,
)
from tests.unit.webhook_support import resolving_to

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TENANT = uuid.UUID("00000000-0000-4000-8000-00000000000d")
ADMIN = Actor(TENANT, uuid.uuid4(), Role.ADMIN)


@dataclass
class Tenant:
    """The tenant's endpoints and outbox, counting the transactions opened on them."""

    endpoints: dict[UUID, WebhookEndpoint] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    transactions: int = 0

    def __call__(self, tenant_id: UUID) -> Transaction:
        self.transactions += 1
        return Transaction(self)


@dataclass
class Transaction:
    tenant: Tenant

    @property
    def webhook_endpoints(self) -> Transaction:
        return self

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.tenant)

    async def add(self, endpoint: WebhookEndpoint) -> None:
        self.tenant.endpoints[endpoint.id] = endpoint

    async def save(self, endpoint: WebhookEndpoint) -> None:
        self.tenant.endpoints[endpoint.id] = endpoint

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        return self.tenant.endpoints.get(endpoint_id)

    async def subscribed(self, event_type: str) -> list[WebhookEndpoint]:
        return [e for e in self.tenant.endpoints.values() if e.wants(event_type)]

    async def commit(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


@dataclass
class Outbox:
    tenant: Tenant

    async def add(self, message: OutboxMessage) -> None:
        self.tenant.outbox.append(message)


def _deps(tenant: Tenant, clock: FixedClock) -> WebhookDependencies:
    return WebhookDependencies(
        tenant_uow=tenant,  # type: ignore[arg-type]
        clock=clock,
        resolve=resolving_to("93.184.215.14"),
        rules=WebhookRules(),
    )


async def _queue(event_type: str, deps: WebhookDependencies) -> int:
    return await queue_event(TENANT, event_type, {"session_id": "s1"}, NOW, deps)


async def test_an_unwanted_type_opens_no_transaction_until_the_answer_expires() -> None:
    tenant, clock = Tenant(), FixedClock(NOW)
    deps = _deps(tenant, clock)

    assert await _queue("participant.joined", deps) == 0
    assert await _queue("participant.joined", deps) == 0
    assert tenant.transactions == 1

    clock.advance(QUIET_TTL)
    assert await _queue("participant.joined", deps) == 0
    assert tenant.transactions == 2


async def test_an_endpoint_created_here_gets_the_very_next_event() -> None:
    tenant, clock = Tenant(), FixedClock(NOW)
    deps = _deps(tenant, clock)
    await _queue("participant.joined", deps)

    changes = EndpointChanges(url="https://hooks.example/in", event_types=("participant.joined",))
    await create_endpoint(ADMIN, changes, deps)

    assert await _queue("participant.joined", deps) == 1
    assert len(tenant.outbox) == 1


async def test_an_endpoint_subscribing_to_another_type_here_gets_its_next_event() -> None:
    tenant, clock = Tenant(), FixedClock(NOW)
    deps = _deps(tenant, clock)
    wanted = ("session.ended",)
    endpoint = await create_endpoint(
        ADMIN, EndpointChanges(url="https://hooks.example/in", event_types=wanted), deps
    )
    assert await _queue("participant.joined", deps) == 0

    joined = EndpointChanges(event_types=("session.ended", "participant.joined"))
    await update_endpoint(ADMIN, endpoint.id, joined, deps)

    assert await _queue("participant.joined", deps) == 1


def test_an_answer_read_while_the_endpoints_changed_is_not_kept() -> None:
    quiet = QuietTypes(timedelta(seconds=5))
    changes = quiet.changes(TENANT)
    quiet.forget(TENANT)  # an endpoint was saved while the read was under way

    quiet.remember(TENANT, "participant.joined", NOW, changes)

    assert not quiet.is_quiet(TENANT, "participant.joined", NOW)
