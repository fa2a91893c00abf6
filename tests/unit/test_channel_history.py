"""The in-process channel history: bounded per channel by count and by idle time, so a
long-running process does not keep every session it ever served."""

from __future__ import annotations

from adapters.channels.history import MemoryHistory


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_channel_keeps_its_last_events_up_to_the_limit() -> None:
    history = MemoryHistory(2, idle_seconds=60, monotonic=Ticks())
    for payload in (b"1", b"2", b"3"):
        await history.append(payload, ["sessions/a", "users/u"])

    assert await history.read("sessions/a") == [b"2", b"3"]
    assert await history.read("users/u") == [b"2", b"3"]
    assert await history.read("sessions/other") == []


async def test_a_channel_idle_past_the_limit_forgets_its_events_and_its_entry() -> None:
    ticks = Ticks()
    history = MemoryHistory(10, idle_seconds=60, monotonic=ticks)
    await history.append(b"old", ["sessions/ended"])
    await history.append(b"old", ["sessions/live"])
    ticks.now += 59
    await history.append(b"new", ["sessions/live"])
    ticks.now += 2

    assert await history.read("sessions/ended") == []
    assert await history.read("sessions/live") == [b"old", b"new"]
    await history.append(b"next", ["sessions/other"])
    assert len(history) == 2


async def test_many_sessions_over_time_leave_only_the_recent_ones_in_memory() -> None:
    ticks = Ticks()
    history = MemoryHistory(200, idle_seconds=3600, monotonic=ticks)
    for number in range(10_000):
        await history.append(b"{}", [f"sessions/{number}"])
        ticks.now += 1

    assert len(history) == 3600
    assert await history.read("sessions/9999") == [b"{}"]
    assert await history.read("sessions/0") == []
