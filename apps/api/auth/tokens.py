"""Short-lived JWT access tokens that carry the tenant, role and capabilities of a user.

Capabilities ride in the token so the policy needs no database read per request; an admin's
change reaches the user when the token is next refreshed (minutes at most).

A client sends the same token on every request until it refreshes it, and checking it
(base64, JSON, HMAC, claims) was a few percent of a join's CPU: the actors of the last
``VERIFIED_KEPT`` tokens that passed are kept by their exact text, each until its own
expiry, so a token altered in any byte is checked afresh and an expired one is refused.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import jwt

from core.errors import Unauthenticated
from core.identity.model import Actor, Capability, Role
from ports.clock import Clock

_ALGORITHM = "HS256"
VERIFIED_KEPT = 1024


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime


class AccessTokens:
    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        ttl: timedelta,
        clock: Clock,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._ttl = ttl
        self._clock = clock
        self._wall = wall  # what PyJWT checks ``exp`` against
        self._verified: OrderedDict[str, tuple[Actor, int]] = OrderedDict()

    def issue(self, actor: Actor) -> IssuedToken:
        now = self._clock.now()
        expires_at = now + self._ttl
        claims = {
            "iss": self._issuer,
            "sub": str(actor.user_id),
            "tid": str(actor.tenant_id),
            "role": actor.role.value,
            "caps": sorted(c.value for c in actor.effective_capabilities),
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=_ALGORITHM), expires_at)

    def verify(self, token: str) -> Actor:
        """The actor a valid token names; any defect is the same 401 to the caller."""
        kept = self._verified.get(token)
        if kept is not None and self._wall() < kept[1]:
            self._verified.move_to_end(token)
            return kept[0]
        actor, expires = self._checked(token)
        self._verified[token] = (actor, expires)
        if len(self._verified) > VERIFIED_KEPT:
            self._verified.popitem(last=False)
        return actor

    def _checked(self, token: str) -> tuple[Actor, int]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "tid", "role"]},
            )
            caps = claims.get("caps")
            actor = Actor(
                tenant_id=UUID(claims["tid"]),
                user_id=UUID(claims["sub"]),
                role=Role(claims["role"]),
                capabilities=None if caps is None else frozenset(Capability(c) for c in caps),
            )
            return actor, int(claims["exp"])
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
            raise Unauthenticated("invalid or expired access token") from exc
