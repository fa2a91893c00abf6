"""Development video provider: rooms are names, tokens are HMAC-signed and verifiable.

It carries no media. It exists so the whole call flow runs on a laptop; it says so in
its name and logs a warning when built. Archives are bookkeeping only (no file is ever
made), and its archive callbacks are signed with the same secret, in the
``X-Dev-Video-Signature`` header, so the callback route can be exercised end to end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import timedelta
from uuid import UUID

from adapters.opentok.archive_callbacks import archive_event_from_body
from adapters.system.notices import warn_once
from ports.clock import Clock
from ports.video import (
    ArchiveEvent,
    ArchiveMode,
    ArchiveStatus,
    CallbackRequest,
    InvalidVideoCallback,
    VideoArchive,
    VideoArchiveRefused,
    VideoGrant,
    VideoRole,
    participant_connection_data,
)

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "x-dev-video-signature"


class DevelopmentVideoProvider:
    name = "development"

    def __init__(self, secret: bytes, clock: Clock) -> None:
        self._secret = secret
        self._clock = clock
        self._archive_modes: dict[str, ArchiveMode] = {}
        self._archives: dict[str, VideoArchive] = {}
        warn_once(
            log, "video provider 'development' in use: tokens carry no media, not for production"
        )

    async def create_room(
        self,
        session_id: UUID,
        *,
        archive_mode: ArchiveMode = ArchiveMode.MANUAL,
        archive_name: str | None = None,
    ) -> str:
        room_id = f"dev-room-{session_id}-{uuid.uuid4().hex[:8]}"
        self._archive_modes[room_id] = archive_mode
        return room_id

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        expires_at = self._clock.now() + ttl
        claims = {
            "room": room_id,
            "participant": str(participant_id),
            "role": role.value,
            "exp": int(expires_at.timestamp()),
            "connection_data": participant_connection_data(participant_id),
        }
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        signature = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        return VideoGrant(
            provider=self.name,
            room_id=room_id,
            token=f"dev.{body}.{signature}",
            expires_at=expires_at,
        )

    def verify(self, token: str) -> dict[str, str | int] | None:
        """The claims of a token this provider signed and that has not expired, else None."""
        prefix, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        expected = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        if prefix != "dev" or not hmac.compare_digest(signature, expected):
            return None
        claims: dict[str, str | int] = json.loads(
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        )
        if int(claims["exp"]) < self._clock.now().timestamp():
            return None
        return claims

    def archive_mode(self, room_id: str) -> ArchiveMode | None:
        """How a room of this process records: what a real provider keeps on its side."""
        return self._archive_modes.get(room_id)

    async def start_archive(self, room_id: str, name: str) -> VideoArchive:
        if room_id not in self._archive_modes:
            raise VideoArchiveRefused(f"no room {room_id!r}")
        if any(
            a.room_id == room_id and a.status is ArchiveStatus.STARTED
            for a in self._archives.values()
        ):
            raise VideoArchiveRefused(f"room {room_id!r} is already recording")
        archive = VideoArchive(f"dev-archive-{uuid.uuid4()}", room_id, ArchiveStatus.STARTED, name)
        self._archives[archive.archive_id] = archive
        return archive

    async def stop_archive(self, archive_id: str) -> VideoArchive:
        archive = self._archives.get(archive_id)
        if archive is None or archive.status is not ArchiveStatus.STARTED:
            raise VideoArchiveRefused(f"archive {archive_id!r} is not recording")
        stopped = VideoArchive(archive_id, archive.room_id, ArchiveStatus.STOPPED, archive.name)
        self._archives[archive_id] = stopped
        return stopped

    def sign_callback(self, body: bytes) -> str:
        """The signature header value a development callback carries for this body."""
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def parse_archive_callback(self, request: CallbackRequest) -> ArchiveEvent:
        given = next((v for k, v in request.headers.items() if k.lower() == SIGNATURE_HEADER), "")
        if not hmac.compare_digest(given.encode(), self.sign_callback(request.body).encode()):
            raise InvalidVideoCallback("the callback is not signed with the development secret")
        return archive_event_from_body(request.body)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
