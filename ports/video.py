"""Live video: one video room per assistance session, a join token per participant, archives.

The core asks for what it needs (a room, a token, a recording started or stopped, the
provider's word that a recording changed state) and never sees a vendor's SDK, session
id format or callback shape.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class ArchiveMode(StrEnum):
    """Whether a room records only when asked (manual) or from its first stream (always).

    A tenant setting: some customers must keep every session, most record on demand.
    """

    MANUAL = "manual"
    ALWAYS = "always"


class ArchiveStatus(StrEnum):
    """Where a recording stands; only AVAILABLE and UPLOADED mean a file can be fetched."""

    STARTED = "started"
    PAUSED = "paused"
    STOPPED = "stopped"
    AVAILABLE = "available"
    UPLOADED = "uploaded"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class VideoGrant:
    provider: str
    room_id: str
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class VideoArchive:
    """A recording of one room as the provider last described it."""

    archive_id: str
    room_id: str
    status: ArchiveStatus
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveEvent:
    """The provider's callback that a recording changed state, once verified and parsed.

    ``url`` is where an available recording can be downloaded from, when the provider keeps
    it (not when it uploaded the file to the customer's own storage).
    """

    archive_id: str
    room_id: str
    status: ArchiveStatus
    url: str | None
    size_bytes: int
    duration_seconds: int
    reason: str | None
    name: str | None = None
    """The name given when the recording was started: it tells whose recording it is."""


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """An incoming HTTP callback as the API received it: what a verifier may look at."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]


class VideoUnavailable(Exception):
    """The video provider could not be reached or refused the call."""


class VideoArchiveRefused(Exception):
    """The provider refused an archive request for what was asked, not for being down.

    For example no one is publishing yet, the room is already recording, or the archive is
    not recording any more: retrying will not help.
    """


class InvalidVideoCallback(Exception):
    """A callback that is not the provider's (bad or missing signature) or is malformed."""


class MalformedVideoCallback(InvalidVideoCallback):
    """The provider's callback, authentic, but not a body the platform can read."""


class VideoProvider(Protocol):
    name: str

    async def create_room(
        self,
        session_id: UUID,
        *,
        archive_mode: ArchiveMode = ArchiveMode.MANUAL,
        archive_name: str | None = None,
    ) -> str:
        """Create the provider's room for a session; returns the provider's room id.

        Media is always routed through the provider (needed for archives and for more
        than two participants). With ``ArchiveMode.ALWAYS`` the provider records from the
        first published stream on its own, and every archive it starts for the room
        carries ``archive_name`` (at most 80 characters): that name is how the archive's
        callbacks find their tenant. Raises VideoUnavailable when the provider is down or
        refuses.
        """
        ...

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        """Mint a token that lets one participant into the room, offline.

        The participant id travels in the token's connection data, so every other
        client and every provider callback can tell who a connection is.
        """
        ...

    async def start_archive(self, room_id: str, name: str) -> VideoArchive:
        """Start recording a room; VideoArchiveRefused or VideoUnavailable otherwise."""
        ...

    async def stop_archive(self, archive_id: str) -> VideoArchive:
        """Stop a recording; VideoArchiveRefused or VideoUnavailable otherwise."""
        ...

    def parse_archive_callback(self, request: CallbackRequest) -> ArchiveEvent:
        """Verify that a callback comes from the provider and read it.

        Raises InvalidVideoCallback for anything unsigned or wrongly signed, and its
        MalformedVideoCallback for an authentic body that cannot be read.
        """
        ...


def participant_connection_data(participant_id: UUID) -> str:
    """The connection data every adapter puts in a token: the participant id, as JSON."""
    return '{"participant_id":"' + str(participant_id) + '"}'
