"""Use cases on a tenant's webhook endpoints: configure them, test them, read their log,
and queue the platform's events for the endpoints that subscribed.

Rules: only admins manage endpoints; a URL must pass the form check (https unless the
operator allows http) and the SSRF guard when saved; the signing secret is shown only by
create and rotate; an event is queued, in the tenant's outbox, once per enabled endpoint
subscribed to its type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from core.errors import Conflict, NotFound
from core.identity.model import Actor
from core.identity.permissions import Action, authorize
from core.webhooks.events import TEST_EVENT, subscribed_types
from core.webhooks.model import (
    Delivery,
    JsonValue,
    WebhookEndpoint,
    WebhookRules,
    checked_url,
    event_message,
)
from core.webhooks.quiet import QuietTypes
from core.webhooks.targets import Resolve, check_target
from ports.clock import Clock
from ports.pagination import Page, PageRequest
from ports.webhooks import WebhookUnitOfWork, WebhookUnitOfWorkFactory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WebhookDependencies:
    tenant_uow: WebhookUnitOfWorkFactory
    clock: Clock
    resolve: Resolve
    rules: WebhookRules
    quiet: QuietTypes = field(default_factory=QuietTypes)


@dataclass(frozen=True, slots=True)
class EndpointChanges:
    """What a create or an update sets; None keeps the current value (an update)."""

    url: str | None = None
    description: str | None = None
    event_types: tuple[str, ...] | None = None
    enabled: bool | None = None


async def create_endpoint(
    actor: Actor, wanted: EndpointChanges, deps: WebhookDependencies
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; the caller shows the secret this once."""
    authorize(actor, Action.WEBHOOKS_MANAGE)
    url = await _vetted(wanted.url or "", deps)
    endpoint = WebhookEndpoint.new(
        url,
        wanted.description or "",
        subscribed_types(wanted.event_types or ()),
        True if wanted.enabled is None else wanted.enabled,
        deps.clock.now(),
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.webhook_endpoints.add(endpoint)
        await uow.commit()
    deps.quiet.forget(actor.tenant_id)
    return endpoint


async def list_endpoints(
    actor: Actor, page: PageRequest, deps: WebhookDependencies
) -> Page[WebhookEndpoint]:
    authorize(actor, Action.WEBHOOKS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.webhook_endpoints.list(page)


async def get_endpoint(
    actor: Actor, endpoint_id: UUID, deps: WebhookDependencies
) -> WebhookEndpoint:
    authorize(actor, Action.WEBHOOKS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _existing(uow, endpoint_id)


async def update_endpoint(
    actor: Actor, endpoint_id: UUID, changes: EndpointChanges, deps: WebhookDependencies
) -> WebhookEndpoint:
    authorize(actor, Action.WEBHOOKS_MANAGE)
    url = None if changes.url is None else await _vetted(changes.url, deps)
    types = None if changes.event_types is None else subscribed_types(changes.event_types)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        current = await _existing(uow, endpoint_id)
        updated = replace(
            current,
            url=current.url if url is None else url,
            description=_keep(changes.description, current.description),
            event_types=current.event_types if types is None else types,
            enabled=_keep(changes.enabled, current.enabled),
            updated_at=deps.clock.now(),
        )
        await uow.webhook_endpoints.save(updated)
        await uow.commit()
    deps.quiet.forget(actor.tenant_id)
    return updated


async def delete_endpoint(actor: Actor, endpoint_id: UUID, deps: WebhookDependencies) -> None:
    """Deliveries still queued for it go dead when their turn comes."""
    authorize(actor, Action.WEBHOOKS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _existing(uow, endpoint_id)
        await uow.webhook_endpoints.delete(endpoint_id)
        await uow.commit()
    deps.quiet.forget(actor.tenant_id)


async def rotate_secret(
    actor: Actor, endpoint_id: UUID, deps: WebhookDependencies
) -> WebhookEndpoint:
    """A new secret signs every delivery from now on, retries of older events included."""
    authorize(actor, Action.WEBHOOKS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        rotated = (await _existing(uow, endpoint_id)).rotated(deps.clock.now())
        await uow.webhook_endpoints.save(rotated)
        await uow.commit()
    return rotated


async def send_test(actor: Actor, endpoint_id: UUID, deps: WebhookDependencies) -> Delivery:
    """Queue a ``webhook.test`` event for this endpoint alone; a disabled one gets none."""
    authorize(actor, Action.WEBHOOKS_MANAGE)
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        endpoint = await _existing(uow, endpoint_id)
        if not endpoint.enabled:
            raise Conflict(
                "the endpoint is disabled; enable it to test it",
                field="enabled",
                code="webhook_endpoint_disabled",
            )
        message = event_message(
            endpoint.id, TEST_EVENT, {"endpoint_id": str(endpoint.id)}, now, now
        )
        await uow.outbox.add(message)
        await uow.commit()
    return Delivery.of(message)


async def list_deliveries(
    actor: Actor, endpoint_id: UUID, page: PageRequest, deps: WebhookDependencies
) -> Page[Delivery]:
    authorize(actor, Action.WEBHOOKS_MANAGE)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await _existing(uow, endpoint_id)
        found = await uow.webhook_endpoints.deliveries(endpoint_id, page)
    return Page(items=[Delivery.of(message) for message in found.items], next=found.next)


async def queue_event(
    tenant_id: UUID,
    event_type: str,
    data: Mapping[str, JsonValue],
    occurred_at: datetime,
    deps: WebhookDependencies,
) -> int:
    """Queue one event for every enabled endpoint subscribed to it; returns how many.

    A type the tenant was just found not to want is skipped without a transaction
    (``core.webhooks.quiet``)."""
    now = deps.clock.now()
    if deps.quiet.is_quiet(tenant_id, event_type, now):
        return 0
    changes = deps.quiet.changes(tenant_id)
    async with deps.tenant_uow(tenant_id) as uow:
        endpoints = await uow.webhook_endpoints.subscribed(event_type)
        if not endpoints:
            deps.quiet.remember(tenant_id, event_type, now, changes)
            return 0
        for endpoint in endpoints:
            await uow.outbox.add(event_message(endpoint.id, event_type, data, occurred_at, now))
        await uow.commit()
    return len(endpoints)


async def _vetted(url: str, deps: WebhookDependencies) -> str:
    checked = checked_url(url, deps.rules)
    await check_target(checked, deps.resolve, allow_private=deps.rules.allow_private_targets)
    return checked


async def _existing(uow: WebhookUnitOfWork, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = await uow.webhook_endpoints.get(endpoint_id)
    if endpoint is None:
        raise NotFound(
            "no such webhook endpoint", field="endpoint_id", code="webhook_endpoint_not_found"
        )
    return endpoint


def _keep(wanted: T | None, current: T) -> T:
    return current if wanted is None else wanted
