"""The contract every VideoProvider passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``VideoProviderContract`` and give it a ``harness`` fixture: the
provider under test, how the vendor's media servers read its tokens (``decode``: the
claims room, role, exp, connection_data, or an exception for a forged token), and how the
vendor signs its archive callbacks (``signed_callback``) or someone else would
(``foreign_callback``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest

from ports.video import (
    ArchiveStatus,
    CallbackRequest,
    InvalidVideoCallback,
    VideoArchiveRefused,
    VideoProvider,
    VideoRole,
)

SESSION = UUID("0b6f3c4e-9d2a-4e1b-8f7c-5a6d3e2b1c0f")
PARTICIPANT = UUID("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f")


@dataclass(frozen=True)
class Harness:
    provider: VideoProvider
    decode: Callable[[str], dict[str, Any]]
    """Claims of a token as the vendor reads them: room, role, exp, connection_data."""
    signed_callback: Callable[[bytes], CallbackRequest]
    foreign_callback: Callable[[bytes], CallbackRequest]


def callback_body(archive_id: str, room_id: str, status: str = "available") -> bytes:
    return json.dumps(
        {
            "id": archive_id,
            "event": "archive",
            "createdAt": 1_795_000_000_000,
            "duration": 328,
            "name": "Pump 3 inspection",
            "reason": "",
            "resolution": "640x480",
            "sessionId": room_id,
            "size": 18_023_312,
            "status": status,
            "url": "https://archives.example.test/a.mp4",
        }
    ).encode()


class VideoProviderContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_each_session_gets_a_room_of_its_own(self, harness: Harness) -> None:
        first = await harness.provider.create_room(SESSION)
        second = await harness.provider.create_room(uuid.uuid4())

        assert first
        assert first != second

    @pytest.mark.parametrize("role", list(VideoRole))
    async def test_token_carries_room_role_expiry_and_participant(
        self, harness: Harness, role: VideoRole
    ) -> None:
        room = await harness.provider.create_room(SESSION)

        grant = harness.provider.grant(room, PARTICIPANT, role, timedelta(minutes=90))

        claims = harness.decode(grant.token)
        assert claims["room"] == room
        assert claims["role"] == role.value
        assert claims["exp"] == int(grant.expires_at.timestamp())
        assert abs(claims["exp"] - (time.time() + 90 * 60)) < 5
        assert json.loads(claims["connection_data"]) == {"participant_id": str(PARTICIPANT)}
        assert grant.room_id == room
        assert grant.provider == harness.provider.name

    async def test_token_signed_by_someone_else_does_not_decode(self, harness: Harness) -> None:
        room = await harness.provider.create_room(SESSION)
        grant = harness.provider.grant(room, PARTICIPANT, VideoRole.PUBLISHER, timedelta(hours=1))
        head, _, rest = grant.token.rpartition(".")
        forged = f"{head}.{'A' if rest[0] != 'A' else 'B'}{rest[1:]}"

        with pytest.raises((jwt.PyJWTError, AssertionError)):
            harness.decode(forged)

    async def test_archive_starts_then_stops_and_cannot_stop_twice(self, harness: Harness) -> None:
        room = await harness.provider.create_room(SESSION)

        started = await harness.provider.start_archive(room, "Pump 3 inspection")
        stopped = await harness.provider.stop_archive(started.archive_id)

        assert (started.room_id, started.status, started.name) == (
            room,
            ArchiveStatus.STARTED,
            "Pump 3 inspection",
        )
        assert (stopped.archive_id, stopped.status) == (started.archive_id, ArchiveStatus.STOPPED)
        with pytest.raises(VideoArchiveRefused):
            await harness.provider.stop_archive(started.archive_id)

    async def test_a_room_already_recording_refuses_a_second_archive(
        self, harness: Harness
    ) -> None:
        room = await harness.provider.create_room(SESSION)
        await harness.provider.start_archive(room, "first")

        with pytest.raises(VideoArchiveRefused):
            await harness.provider.start_archive(room, "second")

    async def test_archive_of_an_unknown_room_is_refused(self, harness: Harness) -> None:
        other = await harness.provider.create_room(SESSION)
        unknown = other[:-6] + ("AAAAAA" if not other.endswith("AAAAAA") else "BBBBBB")

        with pytest.raises(VideoArchiveRefused):
            await harness.provider.start_archive(unknown, "nobody")

    async def test_signed_callback_is_read_as_a_typed_event(self, harness: Harness) -> None:
        body = callback_body("a1b2c3d4", "room-1")

        event = harness.provider.parse_archive_callback(harness.signed_callback(body))

        assert (event.archive_id, event.room_id, event.status) == (
            "a1b2c3d4",
            "room-1",
            ArchiveStatus.AVAILABLE,
        )
        assert (event.size_bytes, event.duration_seconds) == (18_023_312, 328)
        assert event.url == "https://archives.example.test/a.mp4"
        assert event.reason is None

    async def test_callback_signed_with_another_secret_is_refused(self, harness: Harness) -> None:
        body = callback_body("a1b2c3d4", "room-1")

        with pytest.raises(InvalidVideoCallback):
            harness.provider.parse_archive_callback(harness.foreign_callback(body))

    async def test_unsigned_callback_is_refused(self, harness: Harness) -> None:
        with pytest.raises(InvalidVideoCallback):
            harness.provider.parse_archive_callback(
                CallbackRequest(callback_body("a1", "room-1"), {}, {})
            )

    @pytest.mark.parametrize(
        "body",
        [b"not json", b"[1, 2]", b'{"id": "a1"}', b'{"id": "a1", "sessionId": "r", "status": "x"}'],
        ids=["not-json", "not-an-object", "no-session", "unknown-status"],
    )
    async def test_malformed_signed_callback_is_refused(
        self, harness: Harness, body: bytes
    ) -> None:
        with pytest.raises(InvalidVideoCallback):
            harness.provider.parse_archive_callback(harness.signed_callback(body))
