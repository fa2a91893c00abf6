"""The contract every RoomPresence passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``RoomPresenceContract`` and give it a ``harness`` fixture: two
presences that share one state, as two API replicas have them (the multiplayer service
may call any replica's webhooks), or the same presence twice for an in-process one.
Times of entry are whole seconds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ports.multiplayer import Occupant, RoomAddress, RoomPresence

ENTERED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Harness:
    """Two presences over one state: what ``first`` records, ``second`` sees."""

    first: RoomPresence
    second: RoomPresence


def _room() -> RoomAddress:
    return RoomAddress(uuid.uuid4(), uuid.uuid4())


def _occupant(actor_number: int) -> Occupant:
    return Occupant(uuid.uuid4(), actor_number, ENTERED + timedelta(seconds=actor_number))


class RoomPresenceContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_occupants_are_listed_as_reported_by_actor_number(self, harness: Harness) -> None:
        room, third, first = _room(), _occupant(3), _occupant(1)

        await harness.first.entered(room, third)
        await harness.second.entered(room, first)

        assert await harness.first.occupants(room) == [first, third]

    async def test_a_reported_join_again_replaces_the_occupant(self, harness: Harness) -> None:
        room, occupant = _room(), _occupant(2)
        await harness.first.entered(room, occupant)
        rejoined = Occupant(occupant.participant_id, 5, ENTERED + timedelta(minutes=1))

        await harness.second.entered(room, rejoined)

        assert await harness.first.occupants(room) == [rejoined]

    async def test_who_left_is_no_longer_listed_and_the_others_stay(self, harness: Harness) -> None:
        room, leaving, staying = _room(), _occupant(1), _occupant(2)
        for occupant in (leaving, staying):
            await harness.first.entered(room, occupant)

        await harness.second.left(room, leaving.participant_id)
        await harness.second.left(room, uuid.uuid4())
        await harness.second.left(_room(), staying.participant_id)

        assert await harness.first.occupants(room) == [staying]

    async def test_a_closed_room_is_empty_and_other_rooms_are_untouched(
        self, harness: Harness
    ) -> None:
        room = _room()
        same_tenant = RoomAddress(room.tenant_id, uuid.uuid4())
        same_session = RoomAddress(uuid.uuid4(), room.session_id)
        others = {same_tenant: _occupant(1), same_session: _occupant(2)}
        await harness.first.entered(room, _occupant(1))
        for other, occupant in others.items():
            await harness.first.entered(other, occupant)

        await harness.second.closed(room)
        await harness.second.closed(_room())

        assert await harness.first.occupants(room) == []
        for other, occupant in others.items():
            assert await harness.first.occupants(other) == [occupant]

    async def test_a_closed_room_entered_again_lists_only_the_newcomers(
        self, harness: Harness
    ) -> None:
        room, newcomer = _room(), _occupant(1)
        await harness.first.entered(room, _occupant(1))
        await harness.first.closed(room)

        await harness.second.entered(room, newcomer)

        assert await harness.first.occupants(room) == [newcomer]

    async def test_a_room_never_entered_has_no_occupants(self, harness: Harness) -> None:
        assert await harness.first.occupants(_room()) == []
