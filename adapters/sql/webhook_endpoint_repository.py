"""Webhook endpoints of a tenant database, and their delivery log read from the outbox.

Signing secrets rest sealed (``adapters.sql.sealed_columns``): sealed on every write, opened
on every read. A row written before sealing existed holds its secret in the clear; it still
reads, and is sealed by its next write or by ``reseal_secrets``.
"""

from __future__ import annotations

import builtins
import logging
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.outbox_repository import _message as outbox_message
from adapters.sql.sealed_columns import sealed_context
from adapters.sql.tenant_tables import outbox, webhook_endpoints
from core.notifications.model import Channel, OutboxMessage
from core.webhooks.model import WebhookEndpoint
from ports.pagination import Page, PageRequest
from ports.secret_sealer import SecretSealer, SecretUnreadable

TABLE = webhook_endpoints.name
log = logging.getLogger(__name__)


class SqlWebhookEndpointRepository:
    def __init__(self, connection: AsyncConnection, sealer: SecretSealer, tenant_id: UUID) -> None:
        self._connection = connection
        self._sealer = sealer
        self._tenant_id = tenant_id

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._connection.execute(
            webhook_endpoints.insert().values(**self._sealed_row(endpoint))
        )

    async def save(self, endpoint: WebhookEndpoint) -> None:
        """An endpoint whose secret did not open keeps the stored one as it is."""
        await self._connection.execute(
            webhook_endpoints.update()
            .where(webhook_endpoints.c.id == endpoint.id)
            .values(**self._sealed_row(endpoint))
        )

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        query = webhook_endpoints.select().where(webhook_endpoints.c.id == endpoint_id)
        row = (await self._connection.execute(query)).first()
        return self._opened(row) if row else None

    async def delete(self, endpoint_id: UUID) -> None:
        await self._connection.execute(
            webhook_endpoints.delete().where(webhook_endpoints.c.id == endpoint_id)
        )

    async def list(self, page: PageRequest) -> Page[WebhookEndpoint]:
        query = paginate(webhook_endpoints.select(), webhook_endpoints, page)
        return to_page((await self._connection.execute(query)).all(), page, self._opened)

    async def subscribed(self, event_type: str) -> builtins.list[WebhookEndpoint]:
        """Filtered here rather than in SQL: a tenant has a handful of endpoints, and JSON
        containment is spelt differently by every database."""
        query = webhook_endpoints.select().where(webhook_endpoints.c.enabled.is_(True))
        rows = (await self._connection.execute(query)).all()
        return [e for e in map(self._opened, rows) if e.wants(event_type)]

    async def deliveries(self, endpoint_id: UUID, page: PageRequest) -> Page[OutboxMessage]:
        query = outbox.select().where(
            outbox.c.recipient == str(endpoint_id), outbox.c.channel == Channel.WEBHOOK.value
        )
        rows = (await self._connection.execute(paginate(query, outbox, page))).all()
        return to_page(rows, page, outbox_message)

    async def reseal_secrets(self) -> int:
        columns = webhook_endpoints.c
        rows = (await self._connection.execute(sa.select(columns.id, columns.secret))).all()
        stale = [row for row in rows if not self._sealer.is_current(row.secret)]
        resealed = 0
        for row in stale:
            context = self._context(row.id)
            sealed = self._sealer.seal(self._sealer.open(row.secret, context), context)
            written = await self._connection.execute(
                webhook_endpoints.update()
                .where(columns.id == row.id, columns.secret == row.secret)
                .values(secret=sealed)
            )
            resealed += written.rowcount
        return resealed

    def _context(self, endpoint_id: UUID) -> str:
        return sealed_context(TABLE, self._tenant_id, endpoint_id)

    def _sealed_row(self, endpoint: WebhookEndpoint) -> dict[str, Any]:
        row = _row(endpoint)
        if endpoint.secret is not None:
            row["secret"] = self._sealer.seal(endpoint.secret, self._context(endpoint.id))
        return row

    def _opened(self, row: Any) -> WebhookEndpoint:
        """A secret this deployment's keys do not open is the operator's to fix (a key left
        out of ``encryption.keys``); the endpoint reads without it rather than failing every
        request and every event of the tenant."""
        try:
            secret: str | None = self._sealer.open(row.secret, self._context(row.id))
        except SecretUnreadable:
            log.warning("the secret of webhook endpoint %s does not open with these keys", row.id)
            secret = None
        return _endpoint(row, secret)


def _row(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def _endpoint(row: Any, secret: str | None) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types),
        enabled=row.enabled,
        secret=secret,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
