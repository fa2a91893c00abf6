"""The contract every MultiplayerRooms adapter passes, for the platform's and plugins' alike.

A plugin's tests subclass ``MultiplayerRoomsContract`` and give it a ``harness`` fixture:
the rooms under test, the ``FixedClock`` they read (the tests move it to expire tickets;
the kit's ``passerelle_clock`` fixture is one),
and ``stranger``: the same adapter holding another ticket secret, as a forger would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from ports.multiplayer import InvalidRoomTicket, MultiplayerRooms, RoomAddress

ROOM = RoomAddress(
    uuid.UUID("11111111-2222-4333-8444-555555555555"),
    uuid.UUID("66666666-7777-4888-9999-aaaaaaaaaaaa"),
)
PARTICIPANT = uuid.UUID("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f")
TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class Harness:
    rooms: MultiplayerRooms
    clock: FixedClock
    stranger: MultiplayerRooms


class MultiplayerRoomsContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    def test_a_room_name_reads_back_as_its_tenant_and_session(self, harness: Harness) -> None:
        name = harness.rooms.room_name(ROOM)

        assert name == harness.rooms.room_name(RoomAddress(ROOM.tenant_id, ROOM.session_id))
        assert harness.rooms.room_address(name) == ROOM

    def test_rooms_of_other_sessions_and_tenants_have_other_names(self, harness: Harness) -> None:
        other_session = RoomAddress(ROOM.tenant_id, uuid.uuid4())
        other_tenant = RoomAddress(uuid.uuid4(), ROOM.session_id)

        names = {harness.rooms.room_name(room) for room in (ROOM, other_session, other_tenant)}

        assert len(names) == 3
        assert harness.rooms.room_address(harness.rooms.room_name(other_tenant)) == other_tenant

    @pytest.mark.parametrize("name", ["", "lobby", "Maintenance pompe 3", str(ROOM.session_id)])
    def test_a_name_the_platform_did_not_make_names_no_room(
        self, harness: Harness, name: str
    ) -> None:
        assert harness.rooms.room_address(name) is None

    def test_join_info_names_the_room_and_carries_a_ticket_for_the_participant(
        self, harness: Harness
    ) -> None:
        join = harness.rooms.join_info(ROOM, PARTICIPANT, TTL)
        ticket = harness.rooms.verify_ticket(join.ticket)

        assert join.provider == harness.rooms.name
        assert join.room_name == harness.rooms.room_name(ROOM)
        assert join.app_id
        assert join.region
        assert join.expires_at == harness.clock.now() + TTL
        assert (ticket.tenant_id, ticket.session_id, ticket.participant_id) == (
            ROOM.tenant_id,
            ROOM.session_id,
            PARTICIPANT,
        )
        assert abs(ticket.expires_at - join.expires_at) < timedelta(seconds=1)

    def test_a_ticket_admits_until_its_expiry_and_no_longer(self, harness: Harness) -> None:
        ticket = harness.rooms.join_info(ROOM, PARTICIPANT, TTL).ticket

        harness.clock.advance(TTL - timedelta(seconds=2))
        assert harness.rooms.verify_ticket(ticket).participant_id == PARTICIPANT
        harness.clock.advance(timedelta(seconds=2))
        with pytest.raises(InvalidRoomTicket):
            harness.rooms.verify_ticket(ticket)

    def test_a_ticket_signed_with_another_secret_is_refused(self, harness: Harness) -> None:
        forged = harness.stranger.join_info(ROOM, PARTICIPANT, TTL).ticket

        with pytest.raises(InvalidRoomTicket):
            harness.rooms.verify_ticket(forged)

    def test_a_ticket_altered_anywhere_is_refused(self, harness: Harness) -> None:
        ticket = harness.rooms.join_info(ROOM, PARTICIPANT, TTL).ticket
        other = harness.rooms.join_info(ROOM, uuid.uuid4(), TTL).ticket

        for position in range(0, len(ticket), max(1, len(ticket) // 16)):
            flipped = "A" if ticket[position] != "A" else "B"
            altered = ticket[:position] + flipped + ticket[position + 1 :]
            with pytest.raises(InvalidRoomTicket):
                harness.rooms.verify_ticket(altered)
        with pytest.raises(InvalidRoomTicket):
            harness.rooms.verify_ticket(ticket[: len(ticket) // 2] + other[len(other) // 2 :])

    @pytest.mark.parametrize("ticket", ["", "token", "a.b.c", "\x00" * 40])
    def test_something_that_is_not_a_ticket_is_refused(self, harness: Harness, ticket: str) -> None:
        with pytest.raises(InvalidRoomTicket):
            harness.rooms.verify_ticket(ticket)
