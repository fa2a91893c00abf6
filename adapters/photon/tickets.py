"""Join tickets: HMAC-SHA256-signed claims naming tenant, session, participant and expiry.

Photon's custom authentication hands the ticket back to the platform, which alone holds
the key, so no third party can mint or alter one; the expiry keeps a leaked ticket short
lived.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime
from uuid import UUID

from ports.multiplayer import InvalidRoomTicket, RoomTicket

_PREFIX = "pxr1"


class TicketSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign(self, ticket: RoomTicket) -> str:
        claims = {
            "tid": str(ticket.tenant_id),
            "sid": str(ticket.session_id),
            "pid": str(ticket.participant_id),
            "exp": int(ticket.expires_at.timestamp()),
        }
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{_PREFIX}.{body}.{self._signature(body)}"

    def verify(self, token: str, now: datetime) -> RoomTicket:
        prefix, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        if prefix != _PREFIX or not hmac.compare_digest(
            signature.encode(), self._signature(body).encode()
        ):
            raise InvalidRoomTicket("the ticket is not signed by this platform")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            ticket = RoomTicket(
                tenant_id=UUID(claims["tid"]),
                session_id=UUID(claims["sid"]),
                participant_id=UUID(claims["pid"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise InvalidRoomTicket("the ticket's claims are malformed") from exc
        if ticket.expires_at <= now:
            raise InvalidRoomTicket("the ticket has expired")
        return ticket

    def _signature(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
