"""The running minute totals of one tenant (``core.usage.meter``): what the monthly
limit check reads on every join instead of recounting the month."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol
from uuid import UUID

from core.usage.meter import SessionMeter
from core.usage.model import Month


class UsageLedger(Protocol):
    async def meter(self, session_id: UUID) -> SessionMeter | None:
        """The meter of an open session: added with the session (``add_meter``), dropped
        when it ends. None for a session created before meters were (the first join adds
        it) and for an ended one."""
        ...

    async def add_meter(self, meter: SessionMeter) -> None:
        """A new session's meter, nobody present yet: with one from the start, a join
        locks the session and its meter in one read (``ports.session_store.Admissions``)."""
        ...

    async def save_meter(self, meter: SessionMeter) -> None:
        """Create or replace a session's meter (the caller holds the session's lock)."""
        ...

    async def settle(self, session_id: UUID, minutes: Mapping[Month, int]) -> None:
        """A session ended: drop its meter and add its minutes to each month's total,
        atomically even when several sessions end at once."""
        ...

    async def minutes_so_far(self, now: datetime) -> int:
        """Minutes used in now's month up to ``now``, as ``core.usage.meter.minutes_so_far``
        counts them: the settled minutes plus every open session's meter. Costs what the
        number of open sessions costs, never what the month's history does."""
        ...
