"""Presence of users, per device, from heartbeats and open connections, with expiry.

A user is in a call if any of their devices says so, online if any device is, offline
otherwise. Every change of that overall status is announced to the whole tenant as
``presence.changed``: on a heartbeat, on an explicit offline, and when the sweep finds
devices that went quiet.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from core.errors import InvalidInput
from core.identity.model import Actor
from ports.clock import Clock
from ports.events import Audience, Event, EventPublisher, EventsUnavailable, EventType
from ports.pagination import Page, PageRequest
from ports.presence import DevicePresence, PresenceStatus, PresenceStore
from ports.unit_of_work import TenantUnitOfWorkFactory

log = logging.getLogger(__name__)
_DEVICE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_RANK = {PresenceStatus.OFFLINE: 0, PresenceStatus.ONLINE: 1, PresenceStatus.IN_CALL: 2}


@dataclass(frozen=True, slots=True)
class PresenceDependencies:
    store: PresenceStore
    events: EventPublisher
    clock: Clock
    ttl: timedelta
    tenant_uow: TenantUnitOfWorkFactory | None = None


@dataclass(frozen=True, slots=True)
class UserPresence:
    user_id: UUID
    status: PresenceStatus
    devices: tuple[DevicePresence, ...]


def overall(entries: Iterable[DevicePresence]) -> PresenceStatus:
    return max(
        (entry.status for entry in entries), key=_RANK.__getitem__, default=PresenceStatus.OFFLINE
    )


def validate_device(device: str) -> str:
    if not _DEVICE.fullmatch(device):
        raise InvalidInput(
            "device must be 1-100 letters, digits or . _ : -", field="device", code="invalid_device"
        )
    return device


async def report(
    actor: Actor, device: str, status: PresenceStatus, deps: PresenceDependencies
) -> UserPresence:
    """A heartbeat: the device is ``status`` for another ``ttl``; offline removes it at once."""
    validate_device(device)
    now = deps.clock.now()
    before = await deps.store.of_users(actor.tenant_id, [actor.user_id], now)
    if status is PresenceStatus.OFFLINE:
        await deps.store.remove(actor.tenant_id, actor.user_id, device)
    else:
        await deps.store.put(
            DevicePresence(actor.tenant_id, actor.user_id, device, status, now + deps.ttl)
        )
    after = await deps.store.of_users(actor.tenant_id, [actor.user_id], now)
    current = UserPresence(actor.user_id, overall(after), tuple(after))
    if current.status is not overall(before):
        await _announce(actor.tenant_id, current, deps)
    return current


async def sweep(deps: PresenceDependencies) -> int:
    """Announce the users whose last devices went quiet; return how many went offline."""
    now = deps.clock.now()
    expired = await deps.store.take_expired(now)
    users: dict[tuple[UUID, UUID], list[DevicePresence]] = {}
    for entry in expired:
        users.setdefault((entry.tenant_id, entry.user_id), []).append(entry)
    changed = 0
    for (tenant_id, user_id), gone in users.items():
        live = await deps.store.of_users(tenant_id, [user_id], now)
        current = UserPresence(user_id, overall(live), tuple(live))
        if current.status is not overall([*live, *gone]):
            changed += current.status is PresenceStatus.OFFLINE
            await _announce(tenant_id, current, deps)
    return changed


async def list_presence(
    actor: Actor, page: PageRequest, deps: PresenceDependencies
) -> Page[UserPresence]:
    """The tenant's users in account order, each with their status and live devices."""
    if deps.tenant_uow is None:
        raise RuntimeError("list_presence needs the tenant unit of work")
    async with deps.tenant_uow(actor.tenant_id) as uow:
        users = await uow.users.list(page)
    ids = [user.id for user in users.items]
    entries = await deps.store.of_users(actor.tenant_id, ids, deps.clock.now())
    by_user: dict[UUID, list[DevicePresence]] = {user_id: [] for user_id in ids}
    for entry in entries:
        by_user[entry.user_id].append(entry)
    items = [UserPresence(uid, overall(found), tuple(found)) for uid, found in by_user.items()]
    return Page(items=items, next=users.next)


async def _announce(tenant_id: UUID, presence: UserPresence, deps: PresenceDependencies) -> None:
    """A realtime outage loses the announcement, never the recorded presence."""
    event = Event(
        EventType.PRESENCE_CHANGED,
        tenant_id,
        deps.clock.now(),
        Audience(tenant_wide=True),
        {
            "user_id": str(presence.user_id),
            "status": presence.status.value,
            "devices": len(presence.devices),
        },
    )
    try:
        await deps.events.publish([event])
    except EventsUnavailable as exc:
        log.warning("presence.changed not published: %s", exc)
