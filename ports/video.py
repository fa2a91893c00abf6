"""Live video: one video room per assistance session, and a join token per participant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class VideoRole(StrEnum):
    """What a participant may do with media: watch, send, or also moderate others."""

    SUBSCRIBER = "subscriber"
    PUBLISHER = "publisher"
    MODERATOR = "moderator"


@dataclass(frozen=True, slots=True)
class VideoGrant:
    provider: str
    room_id: str
    token: str
    expires_at: datetime


class VideoUnavailable(Exception):
    """The video provider could not be reached or refused the call."""


class VideoProvider(Protocol):
    name: str

    async def create_room(self, session_id: UUID) -> str:
        """Create the provider's room for a session; returns the provider's room id."""
        ...

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        """Mint a token that lets one participant into the room, offline."""
        ...
