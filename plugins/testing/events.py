"""The contract every EventPublisher passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``EventPublisherContract`` and give it a ``harness`` fixture:

- ``publisher``: the publisher under test;
- ``received``: what a client of a channel (``ports.events.channels_of``) can read there
  after the publish, each event as the fields of its ``to_json`` (a transport may add its
  own, and may leave out null data values), oldest first;
- ``unreachable``: builds the same publisher with its transport down (a closed port); only
  ``UnreachableTransportContract`` needs it.

The test class also subclasses the contract of each further promise its publisher makes:
``UnreachableTransportContract`` (it has a transport that can be down), and
``EventFeedContract``, ``EventRetentionContract`` or ``ClientAccessContract`` when the
publisher is also an ``EventFeed``, an ``EventRetention`` or a ``ClientAccess``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ports.events import (
    Audience,
    ClientAccess,
    Event,
    EventFeed,
    EventPublisher,
    EventRetention,
    EventsUnavailable,
    EventType,
    EventValue,
    Subscription,
    session_channel,
    tenant_channel,
    user_channel,
)

Payload = Mapping[str, object]
_ENVELOPE = ("id", "type", "version", "tenant_id", "occurred_at")


@dataclass(frozen=True)
class Harness:
    publisher: EventPublisher
    received: Callable[[str], Awaitable[list[Payload]]]
    unreachable: Callable[[], EventPublisher] | None = None


@dataclass(frozen=True)
class Party:
    """One tenant's host and guest, in a session."""

    tenant: uuid.UUID
    host: uuid.UUID
    guest: uuid.UUID
    session: uuid.UUID

    @classmethod
    def new(cls) -> Party:
        return cls(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())


def ringing(party: Party, at: datetime, *, to: frozenset[uuid.UUID] | None = None) -> Event:
    """The guest's phone rings: sent to the guest and the session, unless ``to`` says."""
    audience = Audience(frozenset({party.guest}) if to is None else to, party.session)
    data = {"session_id": str(party.session), "caller": "Zoé Lefèvre — Pompe n° 3 ☂"}
    return Event(EventType.SESSION_RINGING, party.tenant, at, audience, data)


def sent_form(payload: Payload) -> dict[str, object]:
    """What a payload says of its event, to compare with ``Event.to_json``."""
    data: Any = payload.get("data") or {}
    return {
        **{field: payload.get(field) for field in _ENVELOPE},
        "data": {key: value for key, value in data.items() if value is not None},
    }


def ids_of(payloads: list[Payload]) -> list[str]:
    return [str(payload["id"]) for payload in payloads]


async def _next(subscription: Subscription, count: int) -> list[Payload]:
    async with asyncio.timeout(5):
        return [await anext(subscription.events) for _ in range(count)]


def _face(harness: Harness, face: Any) -> Any:
    """The publisher as one of the optional faces of the port, which its contract needs."""
    assert isinstance(harness.publisher, face), f"the publisher is no {face.__name__}"
    return harness.publisher


async def _close(publisher: object) -> None:
    close = getattr(publisher, "close", None)
    if close is not None:
        await close()


class EventPublisherContract:
    """Subclass with a ``harness`` fixture: what every publisher does."""

    async def test_an_event_reaches_every_channel_of_its_audience_as_its_json(
        self, harness: Harness
    ) -> None:
        party = Party.new()
        event = ringing(party, datetime.now(UTC), to=frozenset({party.host, party.guest}))

        await harness.publisher.publish([event])

        for channel in (
            user_channel(party.tenant, party.host),
            user_channel(party.tenant, party.guest),
            session_channel(party.tenant, party.session),
        ):
            assert [sent_form(p) for p in await harness.received(channel)] == [
                sent_form(event.to_json())
            ], channel

    async def test_an_event_reaches_no_channel_outside_its_audience(self, harness: Harness) -> None:
        party, elsewhere = Party.new(), Party.new()

        await harness.publisher.publish([ringing(party, datetime.now(UTC))])

        for channel in (
            user_channel(party.tenant, party.host),
            user_channel(elsewhere.tenant, party.guest),
            session_channel(party.tenant, elsewhere.session),
            session_channel(elsewhere.tenant, party.session),
            tenant_channel(party.tenant),
        ):
            assert await harness.received(channel) == [], channel

    async def test_a_tenant_wide_event_reaches_the_tenants_channel_and_no_other(
        self, harness: Harness
    ) -> None:
        party, other = Party.new(), Party.new()
        presence = Event(
            EventType.PRESENCE_CHANGED,
            party.tenant,
            datetime.now(UTC),
            Audience(tenant_wide=True),
            {"user_id": str(party.host), "status": "online"},
        )

        await harness.publisher.publish([presence])

        assert ids_of(await harness.received(tenant_channel(party.tenant))) == [str(presence.id)]
        assert await harness.received(tenant_channel(other.tenant)) == []
        assert await harness.received(user_channel(party.tenant, party.host)) == []

    async def test_events_arrive_in_the_order_they_were_published(self, harness: Harness) -> None:
        party, start = Party.new(), datetime.now(UTC)
        events = [ringing(party, start + timedelta(milliseconds=n)) for n in range(4)]

        await harness.publisher.publish(events[:3])
        await harness.publisher.publish(events[3:])

        received = await harness.received(user_channel(party.tenant, party.guest))
        assert ids_of(received) == [str(event.id) for event in events]

    async def test_data_of_every_kind_of_value_arrives_unchanged(self, harness: Harness) -> None:
        party = Party.new()
        data: dict[str, EventValue] = {
            "text": "Привет Jean-Noël 🔧 « Pompe 3 »",
            "count": 42,
            "urgent": True,
            "no": None,
        }
        event = Event(
            EventType.FILE_SHARED,
            party.tenant,
            datetime.now(UTC),
            Audience(frozenset({party.host})),
            data,
        )

        await harness.publisher.publish([event])

        [payload] = await harness.received(user_channel(party.tenant, party.host))
        assert sent_form(payload)["data"] == {"text": data["text"], "count": 42, "urgent": True}

    async def test_publishing_nothing_sends_nothing(self, harness: Harness) -> None:
        party = Party.new()

        await harness.publisher.publish([])

        assert await harness.received(user_channel(party.tenant, party.guest)) == []


class UnreachableTransportContract:
    """For a publisher with a transport that can be down; the harness gives ``unreachable``."""

    async def test_a_transport_that_cannot_take_events_raises_events_unavailable(
        self, harness: Harness
    ) -> None:
        assert harness.unreachable is not None, "the harness gives no unreachable()"
        down = harness.unreachable()
        try:
            with pytest.raises(EventsUnavailable):
                await down.publish([ringing(Party.new(), datetime.now(UTC))])
        finally:
            await _close(down)


class EventFeedContract:
    """For a publisher that is also an ``EventFeed`` (the platform's own stream)."""

    async def test_a_follower_gets_each_event_of_its_channels_live_and_once(
        self, harness: Harness
    ) -> None:
        feed: EventFeed = _face(harness, EventFeed)
        party, now = Party.new(), datetime.now(UTC)
        both = ringing(party, now)
        elsewhere = Event(
            EventType.FILE_SHARED, party.tenant, now, Audience(frozenset({party.host}))
        )
        session_only = ringing(party, now, to=frozenset())
        channels = [
            user_channel(party.tenant, party.guest),
            session_channel(party.tenant, party.session),
        ]

        async with feed.follow(channels) as subscription:
            for event in (both, elsewhere, session_only):
                await harness.publisher.publish([event])
            got = await _next(subscription, 2)

        assert subscription.complete
        assert ids_of(got) == [str(both.id), str(session_only.id)]

    async def test_a_follower_resuming_after_an_event_first_gets_those_kept_since(
        self, harness: Harness
    ) -> None:
        feed: EventFeed = _face(harness, EventFeed)
        party, start = Party.new(), datetime.now(UTC)
        events = [ringing(party, start + timedelta(milliseconds=n)) for n in range(3)]
        await harness.publisher.publish(events)

        channel = user_channel(party.tenant, party.guest)
        async with feed.follow([channel], after=str(events[0].id)) as subscription:
            got = await _next(subscription, 2)

        assert subscription.complete
        assert ids_of(got) == [str(event.id) for event in events[1:]]


class EventRetentionContract:
    """For a publisher that is also an ``EventRetention`` (it keeps events to prune)."""

    async def test_pruning_deletes_only_events_older_than_the_cutoff(
        self, harness: Harness
    ) -> None:
        retention: EventRetention = _face(harness, EventRetention)
        party, now = Party.new(), datetime.now(UTC)
        old, recent = ringing(party, now - timedelta(days=2)), ringing(party, now)
        await harness.publisher.publish([old, recent])

        pruned = await retention.prune(now - timedelta(days=1))

        assert pruned >= 1
        assert ids_of(await harness.received(user_channel(party.tenant, party.guest))) == [
            str(recent.id)
        ]
        assert await retention.prune(now - timedelta(days=1)) == 0


class ClientAccessContract:
    """For a publisher that is also a ``ClientAccess`` (clients read it directly)."""

    async def test_a_client_grant_confines_the_client_to_its_tenant_and_own_channels(
        self, harness: Harness
    ) -> None:
        access: ClientAccess = _face(harness, ClientAccess)
        party = Party.new()

        grant = await access.grant(party.tenant, party.guest, "expert")

        assert grant.token
        assert grant.expires_in_seconds > 0
        assert user_channel(party.tenant, party.guest) in grant.channels
        assert user_channel(party.tenant, party.host) not in grant.channels
        assert all(channel.startswith(f"tenants/{party.tenant}/") for channel in grant.channels)
