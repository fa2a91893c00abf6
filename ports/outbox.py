"""The outbox of one tenant: messages written with the domain change, delivered later."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.notifications.model import OutboxMessage
from ports.pagination import Page, PageRequest


class OutboxRepository(Protocol):
    async def add(self, message: OutboxMessage) -> None: ...

    async def save(self, message: OutboxMessage) -> None: ...

    async def get(self, message_id: UUID) -> OutboxMessage | None: ...

    async def list_for_session(
        self, session_id: UUID, page: PageRequest
    ) -> Page[OutboxMessage]: ...

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Messages ready for an attempt, locked against other workers until commit.

        Ready means queued or failed with ``next_attempt_at`` passed, or sending with an
        expired lease (the worker that took it died). On PostgreSQL the rows are taken
        with ``FOR UPDATE SKIP LOCKED`` so concurrent workers never take the same one.
        """
        ...

    async def next_due(self) -> datetime | None:
        """When the earliest message will be ready (now or later), or None if none is waiting."""
        ...
