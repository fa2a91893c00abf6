"""The outbox table of a tenant database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import outbox
from core.notifications.model import Fallback, NotificationStatus, OutboxMessage, channel_named
from ports.pagination import Page, PageRequest

_RETRYABLE = (NotificationStatus.QUEUED.value, NotificationStatus.FAILED.value)


class SqlOutboxRepository:
    def __init__(
        self, connection: AsyncConnection, on_added: Callable[[datetime], None] | None = None
    ) -> None:
        self._connection = connection
        self._on_added = on_added
        """Told when a message becomes queued (added or retried), so its tenant is marked due."""

    async def add(self, message: OutboxMessage) -> None:
        await self._connection.execute(outbox.insert().values(**_row(message)))
        if self._on_added is not None:
            self._on_added(message.next_attempt_at)

    async def list_for_session(self, session_id: UUID, page: PageRequest) -> Page[OutboxMessage]:
        query = paginate(outbox.select().where(outbox.c.session_id == session_id), outbox, page)
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, _message)

    async def next_due(self) -> datetime | None:
        waiting = sa.select(sa.func.min(outbox.c.next_attempt_at)).where(
            outbox.c.status.in_(_RETRYABLE)
        )
        leased = sa.select(sa.func.min(outbox.c.lease_expires_at)).where(
            outbox.c.status == NotificationStatus.SENDING.value
        )
        found = [
            (await self._connection.execute(query)).scalar_one_or_none()
            for query in (waiting, leased)
        ]
        times = [t for t in found if t is not None]
        return min(times) if times else None

    async def save(self, message: OutboxMessage) -> None:
        await self._connection.execute(
            outbox.update().where(outbox.c.id == message.id).values(**_row(message))
        )
        if message.status is NotificationStatus.QUEUED and self._on_added is not None:
            self._on_added(message.next_attempt_at)

    async def get(self, message_id: UUID) -> OutboxMessage | None:
        row = (
            await self._connection.execute(outbox.select().where(outbox.c.id == message_id))
        ).first()
        return _message(row) if row else None

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        ready = sa.or_(
            sa.and_(outbox.c.status.in_(_RETRYABLE), outbox.c.next_attempt_at <= now),
            sa.and_(
                outbox.c.status == NotificationStatus.SENDING.value,
                outbox.c.lease_expires_at <= now,
            ),
        )
        query = (
            outbox.select()
            .where(ready)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_message(row) for row in (await self._connection.execute(query)).all()]


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "channel": str(message.channel),
        "recipient": message.recipient,
        "payload": message.payload,
        "status": message.status.value,
        "attempts": message.attempts,
        "max_attempts": message.max_attempts,
        "next_attempt_at": message.next_attempt_at,
        "lease_expires_at": message.lease_expires_at,
        "last_error": message.last_error,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
        "sent_at": message.sent_at,
        "session_id": message.session_id,
        "fallbacks": [
            {"channel": str(f.channel), "recipient": f.recipient} for f in message.fallbacks
        ],
    }


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        kind=row.kind,
        channel=channel_named(row.channel),
        recipient=row.recipient,
        payload=dict(row.payload),
        status=NotificationStatus(row.status),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        next_attempt_at=row.next_attempt_at,
        lease_expires_at=row.lease_expires_at,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        session_id=row.session_id,
        fallbacks=tuple(
            Fallback(channel=channel_named(f["channel"]), recipient=f["recipient"])
            for f in row.fallbacks or ()
        ),
    )
