"""Guest passes: what lets a guest, who has no account, follow their session's events and
leave it.

A guest's join answer carries one, beside the video token and the room ticket, and it lives
as long as the video token. It is a JWT with its own audience, behind its own prefix: no
access-token check accepts it (PyJWT refuses an audience it was not asked for), so it opens
the realtime stream and the guest's leave (``apps.api.auth.guest_callers``), nothing else.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from uuid import UUID

import jwt

from apps.api.auth.tokens import IssuedToken
from core.errors import Unauthenticated
from core.realtime.access import Guest
from ports.clock import Clock

GUEST_PASS_PREFIX = "pxg_"  # noqa: S105 - a prefix, not a secret
_AUDIENCE = "passerelle:guest-realtime"
_ALGORITHM = "HS256"


class GuestPasses:
    def __init__(self, secret: str, *, issuer: str, ttl: timedelta, clock: Clock) -> None:
        self._secret = secret
        self._issuer = issuer
        self._ttl = ttl
        self._clock = clock

    def issue(self, guest: Guest) -> IssuedToken:
        now = self._clock.now()
        expires_at = now + self._ttl
        claims = {
            "iss": self._issuer,
            "aud": _AUDIENCE,
            "sub": str(guest.participant_id),
            "tid": str(guest.tenant_id),
            "sid": str(guest.session_id),
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._secret, algorithm=_ALGORITHM)
        return IssuedToken(GUEST_PASS_PREFIX + token, expires_at)

    def verify(self, token: str) -> Guest:
        """The guest a valid pass names; any defect is the same 401."""
        try:
            claims = jwt.decode(
                token.removeprefix(GUEST_PASS_PREFIX),
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "tid", "sid", "aud"]},
            )
            return Guest(UUID(claims["tid"]), UUID(claims["sid"]), UUID(claims["sub"]))
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
            raise Unauthenticated("invalid or expired guest pass") from exc
