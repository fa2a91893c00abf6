"""Counting minutes from participants' join and leave times.

A session's minutes are the time at least one participant was in it (overlapping
presences count once); a participant's are their own time in it. Minutes are rounded up,
so a 10-second call costs one minute, as providers bill.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from core.errors import Forbidden, InvalidInput
from core.sessions.model import Participant

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class MinutesExhausted(Forbidden):
    code = "session_minutes_exhausted"


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, field: str = "month") -> Month:
        found = _MONTH.fullmatch(text.strip())
        if found is None:
            raise InvalidInput("month must look like YYYY-MM", field=field, code="invalid_month")
        year = int(found.group(1))
        if not 1 <= year < 9999:
            raise InvalidInput(
                "month must be between 0001-01 and 9998-12", field=field, code="invalid_month"
            )
        return cls(year, int(found.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        if self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, self.month + 1, 1, tzinfo=UTC)

    def following(self) -> Month:
        return Month.of(self.end)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class ParticipantUsage:
    participant_id: UUID
    user_id: UUID | None
    role: str
    minutes: int


@dataclass(frozen=True, slots=True)
class SessionUsage:
    session_id: UUID
    minutes: int
    participants: tuple[ParticipantUsage, ...]


@dataclass(frozen=True, slots=True)
class UsageReport:
    month: Month
    minutes: int
    limit: int
    sessions: tuple[SessionUsage, ...]

    @property
    def remaining(self) -> int:
        return max(self.limit - self.minutes, 0)


def minutes(seconds: float) -> int:
    return math.ceil(seconds / 60) if seconds > 0 else 0


def covered_seconds(presences: Iterable[Participant], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) during which at least one of ``presences`` was present."""
    spans = sorted((max(p.joined_at, start), min(p.left_at or end, end)) for p in presences)
    total = timedelta(0)
    current_start: datetime | None = None
    current_end: datetime | None = None
    for begin, finish in spans:
        if finish <= begin:
            continue
        if current_end is None or current_start is None or begin > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = begin, finish
        else:
            current_end = max(current_end, finish)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total.total_seconds()


def session_usage(
    participants: Iterable[Participant], start: datetime, end: datetime
) -> list[SessionUsage]:
    by_session: dict[UUID, list[Participant]] = defaultdict(list)
    for participant in participants:
        by_session[participant.session_id].append(participant)
    report = []
    for session_id, present in by_session.items():
        people = tuple(
            ParticipantUsage(
                participant_id=p.id,
                user_id=p.user_id,
                role=p.role.value,
                minutes=minutes(p.seconds_between(start, end)),
            )
            for p in sorted(present, key=lambda p: (p.joined_at, p.id))
        )
        report.append(
            SessionUsage(session_id, minutes(covered_seconds(present, start, end)), people)
        )
    return sorted(report, key=lambda usage: str(usage.session_id))


def minutes_used(present: Iterable[Participant], start: datetime, end: datetime) -> int:
    return sum(usage.minutes for usage in session_usage(present, start, end))


def ensure_minutes_left(used: int, limit: int) -> None:
    if used >= limit:
        raise MinutesExhausted(
            f"this month's {limit} session minutes are used up",
            field="limits.monthly_session_minutes",
        )
