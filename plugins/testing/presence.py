"""The contract every PresenceStore passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``PresenceStoreContract`` and give it a ``harness`` fixture:
two stores that share one state, as two API replicas have them (the same store twice
for an in-process one). The tests pass the time in, as callers do; it is the current
second, since a store may also bound how long it keeps a key by its own clock.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ports.presence import DevicePresence, PresenceStatus, PresenceStore

TTL = timedelta(seconds=30)


@dataclass(frozen=True)
class Harness:
    """Two stores over one state: what ``first`` records, ``second`` sees."""

    first: PresenceStore
    second: PresenceStore


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _device(
    tenant: uuid.UUID,
    user: uuid.UUID,
    device: str,
    expires_at: datetime,
    status: PresenceStatus = PresenceStatus.ONLINE,
) -> DevicePresence:
    return DevicePresence(tenant, user, device, status, expires_at)


def _keys(entries: list[DevicePresence]) -> set[tuple[uuid.UUID, uuid.UUID, str]]:
    return {(e.tenant_id, e.user_id, e.device) for e in entries}


class PresenceStoreContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_a_device_is_listed_as_it_reported_until_its_expiry(
        self, harness: Harness
    ) -> None:
        now, tenant, user = _now(), uuid.uuid4(), uuid.uuid4()
        entry = _device(tenant, user, "glasses-1", now + TTL, PresenceStatus.IN_CALL)

        await harness.first.put(entry)

        assert await harness.second.of_users(tenant, [user], now) == [entry]
        assert await harness.second.of_users(tenant, [user], now + TTL) == []

    async def test_a_new_report_replaces_the_devices_status_and_expiry(
        self, harness: Harness
    ) -> None:
        now, tenant, user = _now(), uuid.uuid4(), uuid.uuid4()
        await harness.first.put(_device(tenant, user, "phone", now + TTL))
        again = _device(tenant, user, "phone", now + 2 * TTL, PresenceStatus.IN_CALL)

        await harness.second.put(again)

        assert await harness.first.of_users(tenant, [user], now + TTL) == [again]
        assert await harness.first.take_expired(now + TTL) == []

    async def test_each_device_of_a_user_is_kept_and_removed_apart(self, harness: Harness) -> None:
        now, tenant, user = _now(), uuid.uuid4(), uuid.uuid4()
        phone = _device(tenant, user, "phone", now + TTL)
        glasses = _device(tenant, user, "glasses-1", now + TTL, PresenceStatus.IN_CALL)
        await harness.first.put(phone)
        await harness.first.put(glasses)

        listed = await harness.second.of_users(tenant, [user], now)
        await harness.second.remove(tenant, user, "phone")

        assert _keys(listed) == _keys([phone, glasses])
        assert await harness.first.of_users(tenant, [user], now) == [glasses]

    async def test_a_removed_device_is_not_returned_by_a_sweep(self, harness: Harness) -> None:
        now, tenant, user = _now(), uuid.uuid4(), uuid.uuid4()
        await harness.first.put(_device(tenant, user, "phone", now + TTL))

        await harness.second.remove(tenant, user, "phone")
        await harness.second.remove(tenant, user, "never-reported")

        assert await harness.first.of_users(tenant, [user], now) == []
        assert await harness.first.take_expired(now + TTL) == []

    async def test_only_the_asked_users_of_the_asked_tenant_are_listed(
        self, harness: Harness
    ) -> None:
        now, tenant, other_tenant = _now(), uuid.uuid4(), uuid.uuid4()
        asked, unasked = uuid.uuid4(), uuid.uuid4()
        mine = _device(tenant, asked, "phone", now + TTL)
        for entry in (
            mine,
            _device(tenant, unasked, "phone", now + TTL),
            _device(other_tenant, asked, "tablet", now + TTL),
        ):
            await harness.first.put(entry)

        assert await harness.second.of_users(tenant, [asked], now) == [mine]
        assert await harness.second.of_users(tenant, [], now) == []

    async def test_a_sweep_takes_every_tenants_expired_entries_and_only_those(
        self, harness: Harness
    ) -> None:
        now, user = _now(), uuid.uuid4()
        quiet = [_device(uuid.uuid4(), user, "phone", now + TTL) for _ in range(2)]
        lively = _device(quiet[0].tenant_id, user, "glasses-1", now + 3 * TTL)
        for entry in (*quiet, lively):
            await harness.first.put(entry)

        assert await harness.second.take_expired(now) == []
        taken = await harness.second.take_expired(now + TTL)

        assert _keys(taken) == _keys(quiet)
        assert {(e.status, e.expires_at) for e in taken} == {(PresenceStatus.ONLINE, now + TTL)}
        assert await harness.first.take_expired(now + TTL) == []
        assert await harness.first.of_users(lively.tenant_id, [user], now + TTL) == [lively]

    async def test_each_expired_entry_goes_to_one_of_the_sweepers_at_once(
        self, harness: Harness
    ) -> None:
        now, tenant = _now(), uuid.uuid4()
        entries = [_device(tenant, uuid.uuid4(), "phone", now + TTL) for _ in range(20)]
        for entry in entries:
            await harness.first.put(entry)

        sweeps = await asyncio.gather(
            *(store.take_expired(now + TTL) for store in [harness.first, harness.second] * 3)
        )

        taken = [entry for sweep in sweeps for entry in sweep]
        assert len(taken) == len(entries)
        assert _keys(taken) == _keys(entries)
