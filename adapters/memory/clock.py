"""A clock that moves only when told to."""

from __future__ import annotations

from datetime import datetime, timedelta


class FixedClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
