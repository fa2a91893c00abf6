"""A tenant's retention policy: how many days ended sessions, files, audit events and
finished notifications are kept. ``None`` keeps them forever (the default)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from core.errors import InvalidInput

MIN_DAYS = 1
MAX_DAYS = 3650
POLICY_FIELDS = ("ended_sessions_days", "files_days", "audit_events_days", "outbox_days")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    ended_sessions_days: int | None = None
    files_days: int | None = None
    audit_events_days: int | None = None
    outbox_days: int | None = None

    def checked(self) -> RetentionPolicy:
        """Each period is None or 1 to 3650 days; InvalidInput names the first bad field."""
        for item in fields(self):
            days = getattr(self, item.name)
            if days is not None and not (MIN_DAYS <= days <= MAX_DAYS):
                raise InvalidInput(
                    f"{item.name} must be between {MIN_DAYS} and {MAX_DAYS} days, or null",
                    field=item.name,
                    code="retention_out_of_range",
                )
        return self

    def cutoffs(self, now: datetime) -> Cutoffs:
        return Cutoffs(
            sessions=_before(now, self.ended_sessions_days),
            files=_before(now, self.files_days),
            audit_events=_before(now, self.audit_events_days),
            outbox=_before(now, self.outbox_days),
        )

    @property
    def keeps_everything(self) -> bool:
        return all(getattr(self, name) is None for name in POLICY_FIELDS)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """What ended, was created or finished before each instant goes; None: nothing goes."""

    sessions: datetime | None
    files: datetime | None
    audit_events: datetime | None
    outbox: datetime | None


def _before(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)
