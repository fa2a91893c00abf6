"""What a guest's stream carries: their session's channel, from the moment they joined on,
until the session closes or they leave it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.realtime.access import Guest, GuestStream
from ports.events import Audience, Event, EventType, session_channel

GUEST = Guest(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
JOINED_AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
STREAM = GuestStream(GUEST, JOINED_AT)


def _event(kind: EventType, occurred_at: datetime, **data: str) -> dict[str, object]:
    audience = Audience(session_id=GUEST.session_id)
    return Event(kind, GUEST.tenant_id, occurred_at, audience, data).to_json()


def test_a_guest_stream_follows_the_guests_session_channel_only() -> None:
    assert STREAM.channels == [session_channel(GUEST.tenant_id, GUEST.session_id)]


def test_a_guest_is_shown_their_own_join_and_what_follows_never_what_preceded_it() -> None:
    own_join = _event(
        EventType.PARTICIPANT_JOINED, JOINED_AT, participant_id=str(GUEST.participant_id)
    )
    earlier = _event(EventType.FILE_SHARED, JOINED_AT - timedelta(microseconds=1))
    later = _event(EventType.FILE_SHARED, JOINED_AT + timedelta(seconds=1))

    assert [STREAM.shows(event) for event in (earlier, own_join, later)] == [False, True, True]


@pytest.mark.parametrize("moment", ["yesterday", "2026-11-30T10:00:00", 1764496800])
def test_an_event_whose_moment_cannot_be_read_is_withheld_rather_than_ending_the_stream(
    moment: object,
) -> None:
    """A plugin may publish a malformed or zoneless time: comparing it would raise."""
    event = _event(EventType.FILE_SHARED, JOINED_AT + timedelta(seconds=1))
    event["occurred_at"] = moment

    assert not STREAM.shows(event)


def test_an_event_without_a_moment_is_withheld_from_a_guest() -> None:
    undated = _event(EventType.FILE_SHARED, JOINED_AT + timedelta(seconds=1))
    del undated["occurred_at"]

    assert not STREAM.shows(undated)


def test_a_guest_stream_ends_when_the_session_closes_or_the_guest_leaves() -> None:
    later = JOINED_AT + timedelta(minutes=5)
    ended = _event(EventType.SESSION_ENDED, later)
    guest_left = _event(EventType.PARTICIPANT_LEFT, later, participant_id=str(GUEST.participant_id))
    other_left = _event(EventType.PARTICIPANT_LEFT, later, participant_id=str(uuid.uuid4()))

    assert [STREAM.ends_with(event) for event in (ended, guest_left, other_left)] == [
        True,
        True,
        False,
    ]
