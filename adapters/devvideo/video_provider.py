"""Development video provider: rooms are names, tokens are HMAC-signed and verifiable.

It carries no media. It exists so the whole call flow runs on a laptop; it says so in
its name and logs a warning when built.
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

from ports.clock import Clock
from ports.video import VideoGrant, VideoRole

log = logging.getLogger(__name__)


class DevelopmentVideoProvider:
    name = "development"

    def __init__(self, secret: bytes, clock: Clock) -> None:
        self._secret = secret
        self._clock = clock
        log.warning(
            "video provider 'development' in use: tokens carry no media, not for production"
        )

    async def create_room(self, session_id: UUID) -> str:
        return f"dev-room-{session_id}-{uuid.uuid4().hex[:8]}"

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        expires_at = self._clock.now() + ttl
        claims = {
            "room": room_id,
            "participant": str(participant_id),
            "role": role.value,
            "exp": int(expires_at.timestamp()),
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
