"""The contract every DispatchIndex passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``DispatchIndexContract`` and give it a ``harness`` fixture: two
indexes that share one state, as two workers have them (the same index twice for an
in-process one), and empty. Times are passed in, so no clock is needed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ports.dispatch_index import DispatchIndex, DueTenant

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LATER = timedelta(minutes=5)


@dataclass(frozen=True)
class Harness:
    """Two indexes over one state: what ``first`` marks, ``second`` sees."""

    first: DispatchIndex
    second: DispatchIndex


async def _due_ids(index: DispatchIndex, now: datetime, limit: int = 10) -> list[uuid.UUID]:
    return [entry.tenant_id for entry in await index.due(now, limit)]


async def _taken(harness: Harness) -> DueTenant:
    """A new tenant marked due now by ``first``, as ``second`` reads it: the one due now."""
    tenant = uuid.uuid4()
    await harness.first.mark(tenant, NOW)
    (entry,) = await harness.second.due(NOW, 10)
    assert entry.tenant_id == tenant
    return entry


class DispatchIndexContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_a_marked_tenant_is_due_from_its_due_time_on(self, harness: Harness) -> None:
        tenant = uuid.uuid4()

        await harness.first.mark(tenant, NOW + LATER)

        assert await _due_ids(harness.second, NOW) == []
        assert await _due_ids(harness.second, NOW + LATER) == [tenant]

    async def test_the_earliest_mark_wins(self, harness: Harness) -> None:
        tenant = uuid.uuid4()

        await harness.first.mark(tenant, NOW + LATER)
        await harness.second.mark(tenant, NOW)
        await harness.first.mark(tenant, NOW + 2 * LATER)

        assert await _due_ids(harness.second, NOW) == [tenant]

    async def test_due_tenants_come_earliest_first_up_to_the_limit(self, harness: Harness) -> None:
        tenants = [uuid.uuid4() for _ in range(3)]
        for tenant, minutes in zip(tenants, (2, 0, 1), strict=True):
            await harness.first.mark(tenant, NOW + timedelta(minutes=minutes))

        by_time = [tenants[1], tenants[2], tenants[0]]
        assert await _due_ids(harness.second, NOW + LATER) == by_time
        assert await _due_ids(harness.second, NOW + LATER, limit=2) == by_time[:2]
        assert await _due_ids(harness.second, NOW + timedelta(minutes=1)) == by_time[:2]

    async def test_settling_with_nothing_left_drops_the_tenant(self, harness: Harness) -> None:
        other = uuid.uuid4()
        await harness.first.mark(other, NOW + LATER)
        entry = await _taken(harness)

        assert await harness.second.settle(entry, None)

        assert await _due_ids(harness.first, NOW + LATER) == [other]
        assert not await harness.first.settle(entry, None)

    async def test_settling_with_a_next_time_makes_the_tenant_due_then(
        self, harness: Harness
    ) -> None:
        entry = await _taken(harness)

        assert await harness.second.settle(entry, NOW + LATER)

        assert await _due_ids(harness.first, NOW) == []
        assert await _due_ids(harness.first, NOW + LATER) == [entry.tenant_id]

    async def test_work_marked_while_a_worker_was_busy_is_not_erased(
        self, harness: Harness
    ) -> None:
        entry = await _taken(harness)
        await harness.first.mark(entry.tenant_id, NOW + LATER)

        assert not await harness.second.settle(entry, None)
        assert not await harness.second.settle(entry, NOW + LATER)

        (again,) = await harness.second.due(NOW, 10)
        assert again.tenant_id == entry.tenant_id
        assert again != entry
        assert await harness.first.settle(again, None)
        assert await _due_ids(harness.second, NOW + LATER) == []
