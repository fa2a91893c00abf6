"""Room names and join tickets of the multiplayer adapters, and their settings at start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.memory.clock import FixedClock
from adapters.photon.rooms import PhotonRooms
from plugins.manager import build_plugins
from plugins.registry import AdapterContext, AdapterSettingsError
from ports.multiplayer import InvalidRoomTicket, RoomAddress

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
SECRET = b"a-ticket-secret-of-at-least-32-bytes!"
ROOM = RoomAddress(UUID("11111111-2222-4333-8444-555555555555"), uuid4())


def _rooms(clock: FixedClock, secret: bytes = SECRET) -> PhotonRooms:
    return PhotonRooms(name="photon", app_id="app-1", region="eu", secret=secret, clock=clock)


def _context(**blocks: Any) -> AdapterContext:
    return AdapterContext(blocks=blocks, clock=FixedClock(NOW), data_dir=Path("."))


def test_room_name_derives_from_ids_and_reads_back() -> None:
    rooms = _rooms(FixedClock(NOW))

    name = rooms.room_name(ROOM)

    assert name == f"pxr-{ROOM.tenant_id.hex}-{ROOM.session_id.hex}"
    assert rooms.room_address(name) == ROOM


@pytest.mark.parametrize(
    "name", ["lobby", "pxr-zz-yy", "pxr-" + "a" * 32 + "-" + "b" * 31, "PXR-" + "a" * 32]
)
def test_names_the_platform_did_not_make_name_no_room(name: str) -> None:
    assert _rooms(FixedClock(NOW)).room_address(name) is None


def test_join_info_carries_app_region_room_and_a_ticket_that_verifies() -> None:
    rooms = _rooms(FixedClock(NOW))
    participant = uuid4()

    info = rooms.join_info(ROOM, participant, timedelta(minutes=5))

    assert (info.app_id, info.region, info.room_name) == ("app-1", "eu", rooms.room_name(ROOM))
    assert info.expires_at == NOW + timedelta(minutes=5)
    ticket = rooms.verify_ticket(info.ticket)
    assert (ticket.tenant_id, ticket.session_id, ticket.participant_id) == (
        ROOM.tenant_id,
        ROOM.session_id,
        participant,
    )


def test_a_ticket_expires() -> None:
    clock = FixedClock(NOW)
    rooms = _rooms(clock)
    info = rooms.join_info(ROOM, uuid4(), timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))

    with pytest.raises(InvalidRoomTicket, match="expired"):
        rooms.verify_ticket(info.ticket)


def test_a_ticket_signed_with_another_secret_is_refused() -> None:
    other = _rooms(FixedClock(NOW), secret=b"another-secret-of-at-least-32-bytes!!")
    ticket = other.join_info(ROOM, uuid4(), timedelta(minutes=5)).ticket

    with pytest.raises(InvalidRoomTicket, match="not signed"):
        _rooms(FixedClock(NOW)).verify_ticket(ticket)


def test_a_short_ticket_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        _rooms(FixedClock(NOW), secret=b"short")


@pytest.mark.parametrize(
    ("kind", "name", "blocks", "setting"),
    [
        ("multiplayer", "photon", {}, "photon.app_id"),
        ("multiplayer", "photon", {"photon": {"app_id": "a"}}, "photon.ticket_secret"),
        ("video", "opentok", {"opentok": {"api_key": "1"}}, "opentok.api_secret"),
        ("video", "vonage", {}, "vonage_video.application_id"),
    ],
)
def test_an_adapter_without_its_required_settings_names_the_missing_one(
    kind: str, name: str, blocks: dict[str, Any], setting: str
) -> None:
    spec = build_plugins(load_entry_points=False).adapters().get(kind, name)

    with pytest.raises(AdapterSettingsError, match=setting):
        spec.factory(_context(**blocks))


def test_the_development_rooms_need_no_settings() -> None:
    spec = build_plugins(load_entry_points=False).adapters().get("multiplayer", "development")

    rooms = spec.factory(_context())

    assert isinstance(rooms, PhotonRooms)
    assert rooms.join_info(ROOM, uuid4(), timedelta(minutes=1)).region == "local"
