"""Webhook endpoints of a tenant database, and their delivery log read from the outbox."""

from __future__ import annotations

import builtins
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.outbox_repository import _message as outbox_message
from adapters.sql.tenant_tables import outbox, webhook_endpoints
from core.notifications.model import Channel, OutboxMessage
from core.webhooks.model import WebhookEndpoint
from ports.pagination import Page, PageRequest


class SqlWebhookEndpointRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._connection.execute(webhook_endpoints.insert().values(**_row(endpoint)))

    async def save(self, endpoint: WebhookEndpoint) -> None:
        await self._connection.execute(
            webhook_endpoints.update()
            .where(webhook_endpoints.c.id == endpoint.id)
            .values(**_row(endpoint))
        )

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        query = webhook_endpoints.select().where(webhook_endpoints.c.id == endpoint_id)
        row = (await self._connection.execute(query)).first()
        return _endpoint(row) if row else None

    async def delete(self, endpoint_id: UUID) -> None:
        await self._connection.execute(
            webhook_endpoints.delete().where(webhook_endpoints.c.id == endpoint_id)
        )

    async def list(self, page: PageRequest) -> Page[WebhookEndpoint]:
        query = paginate(webhook_endpoints.select(), webhook_endpoints, page)
        return to_page((await self._connection.execute(query)).all(), page, _endpoint)

    async def subscribed(self, event_type: str) -> builtins.list[WebhookEndpoint]:
        """Filtered here rather than in SQL: a tenant has a handful of endpoints, and JSON
        containment is spelt differently by every database."""
        query = webhook_endpoints.select().where(webhook_endpoints.c.enabled.is_(True))
        rows = (await self._connection.execute(query)).all()
        return [e for e in map(_endpoint, rows) if e.wants(event_type)]

    async def deliveries(self, endpoint_id: UUID, page: PageRequest) -> Page[OutboxMessage]:
        query = outbox.select().where(
            outbox.c.recipient == str(endpoint_id), outbox.c.channel == Channel.WEBHOOK.value
        )
        rows = (await self._connection.execute(paginate(query, outbox, page))).all()
        return to_page(rows, page, outbox_message)


def _row(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "secret": endpoint.secret,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def _endpoint(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types),
        enabled=row.enabled,
        secret=row.secret,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
