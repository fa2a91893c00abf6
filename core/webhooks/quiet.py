"""Which event types no endpoint of a tenant subscribes to, remembered for a short while.

Most tenants have no endpoint for most event types, yet every session event asked the
tenant database (a transaction: begin, a read, a rollback) before finding nothing to
queue. A tenant's "nobody wants this type" answer is kept for ``QUIET_TTL``; creating,
changing or deleting one of its endpoints in this process forgets it at once, so only an
endpoint changed through another process (another API replica, the CLI) can miss events,
for at most ``QUIET_TTL`` after the change (docs/webhooks.md). Only the empty answer is
kept: when someone subscribes, the outbox rows are written in the same read's transaction
as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

QUIET_TTL = timedelta(seconds=5)


class QuietTypes:
    """Per tenant, the event types found without subscribers and until when to trust it.

    A change counter per tenant keeps a read that raced with a change from being
    remembered: the answer is kept only if no change was noted since the read began."""

    def __init__(self, ttl: timedelta = QUIET_TTL) -> None:
        self._ttl = ttl
        self._until: dict[UUID, dict[str, datetime]] = {}
        self._changes: dict[UUID, int] = {}

    def is_quiet(self, tenant_id: UUID, event_type: str, now: datetime) -> bool:
        until = self._until.get(tenant_id, {}).get(event_type)
        return until is not None and now < until

    def changes(self, tenant_id: UUID) -> int:
        """Read before asking the database; hand it back to ``remember``."""
        return self._changes.get(tenant_id, 0)

    def remember(self, tenant_id: UUID, event_type: str, now: datetime, changes: int) -> None:
        if changes == self.changes(tenant_id):
            self._until.setdefault(tenant_id, {})[event_type] = now + self._ttl

    def forget(self, tenant_id: UUID) -> None:
        """The tenant's endpoints changed: ask its database again next time."""
        self._until.pop(tenant_id, None)
        self._changes[tenant_id] = self.changes(tenant_id) + 1
