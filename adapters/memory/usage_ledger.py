"""Running minute totals in dictionaries, for unit tests and the in-memory tenant store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from core.usage.meter import SessionMeter, minutes_so_far
from core.usage.model import Month


class MemoryUsageLedger:
    def __init__(self, meters: dict[UUID, SessionMeter], months: dict[Month, int]) -> None:
        self._meters = meters
        self._months = months

    async def meter(self, session_id: UUID) -> SessionMeter | None:
        return self._meters.get(session_id)

    async def add_meter(self, meter: SessionMeter) -> None:
        if meter.session_id in self._meters:
            raise ValueError(f"session {meter.session_id} already has a meter")
        self._meters[meter.session_id] = meter

    async def save_meter(self, meter: SessionMeter) -> None:
        self._meters[meter.session_id] = meter

    async def settle(self, session_id: UUID, minutes: Mapping[Month, int]) -> None:
        self._meters.pop(session_id, None)
        for month, spent in minutes.items():
            self._months[month] = self._months.get(month, 0) + spent

    async def minutes_so_far(self, now: datetime) -> int:
        settled = self._months.get(Month.of(now), 0)
        return minutes_so_far(settled, self._meters.values(), now)
