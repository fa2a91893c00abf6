"""Running totals of minutes, so checking the plan's monthly limit costs the same on the
first join of a month as on the ten-thousandth.

The report (``core.usage.services``) recounts a month from every participant's join and
leave times. The limit check on every join and session creation cannot afford that, so two
running figures stand in for it and always add up to the report's total:

- a month's **settled minutes**: the minutes of the sessions that ended, added once when a
  session ends (its participants' times are final then), for each month it touched;
- a **meter** per open session: how many participants are present, since when someone has
  been present without a gap, and the covered time of the current month before that. A
  join or a leave updates it in O(1) with the session locked.

A session's minutes are the time at least one participant was in it, rounded up per session
(``core.usage.model``), which is why the running figure is per session and not one sum of
seconds: the meters hold exact microseconds and round only when read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from core.sessions.model import Participant
from core.usage.model import Month, covered_seconds, minutes

MICROSECOND = timedelta(microseconds=1)
MINUTE_US = 60_000_000


@dataclass(frozen=True, slots=True)
class SessionMeter:
    """One open session's covered time in ``month`` so far.

    ``settled_us`` counts the stretches of ``month`` that ended (everyone had left);
    while ``present`` > 0 the stretch running since ``since`` counts on top, up to now.
    """

    session_id: UUID
    month: Month
    settled_us: int = 0
    present: int = 0
    since: datetime | None = None

    @classmethod
    def new(cls, session_id: UUID, now: datetime) -> SessionMeter:
        return cls(session_id, Month.of(now))

    def joined(self, now: datetime) -> SessionMeter:
        meter = self.rolled(now)
        since = now if meter.present == 0 or meter.since is None else meter.since
        return replace(meter, present=meter.present + 1, since=since)

    def left(self, now: datetime) -> SessionMeter:
        """The last one out closes the stretch; its time in the month becomes settled."""
        meter = self.rolled(now)
        if meter.present <= 0:
            return meter
        if meter.present > 1:
            return replace(meter, present=meter.present - 1)
        return replace(meter, present=0, since=None, settled_us=meter.covered_us(meter.month, now))

    def covered_us(self, month: Month, now: datetime) -> int:
        """Covered microseconds of ``month`` up to ``now`` (``month`` being now's month)."""
        if month < self.month:
            return 0
        settled = self.settled_us if month == self.month else 0
        return settled + self._running_us(month, now)

    def minutes_in(self, month: Month, now: datetime) -> int:
        covered = self.covered_us(month, now)
        return -(-covered // MINUTE_US)

    def _running_us(self, month: Month, now: datetime) -> int:
        if self.present <= 0 or self.since is None:
            return 0
        return max((now - max(self.since, month.start)) // MICROSECOND, 0)

    def rolled(self, now: datetime) -> SessionMeter:
        """Into now's month: what was settled belongs to an earlier month's count."""
        month = Month.of(now)
        return self if month <= self.month else replace(self, month=month, settled_us=0)


def minutes_so_far(settled: int, meters: Iterable[SessionMeter], now: datetime) -> int:
    """This month's minutes: those of ended sessions plus each open session's, until now."""
    month = Month.of(now)
    return settled + sum(meter.minutes_in(month, now) for meter in meters)


def settled_minutes(participants: list[Participant], until: datetime) -> dict[Month, int]:
    """An ended session's minutes in each month it touched, as the report counts them."""
    if not participants:
        return {}
    month = Month.of(min(p.joined_at for p in participants))
    last = Month.of(until)
    found: dict[Month, int] = {}
    while month <= last:
        spent = minutes(covered_seconds(participants, month.start, min(month.end, until)))
        if spent:
            found[month] = spent
        month = month.following()
    return found


def replayed_meter(
    session_id: UUID, participants: list[Participant], now: datetime
) -> SessionMeter:
    """An open session's meter rebuilt from its participants' times (for a backfill):
    every join and leave replayed in order, as the live path would have applied them."""
    moments = [(p.joined_at, 0) for p in participants]
    moments += [(p.left_at, 1) for p in participants if p.left_at is not None]
    meter = SessionMeter.new(session_id, min((m for m, _ in moments), default=now))
    for moment, leaving in sorted(moments):
        meter = meter.left(moment) if leaving else meter.joined(moment)
    return meter.rolled(now)
