"""A request body fingerprinted as it streams past, for idempotent uploads.

An upload's body is never held whole, so its SHA-256 is computed on the way from the
server to the handler; a replay's body is read and hashed, then dropped, to be compared.
"""

from __future__ import annotations

import hashlib

from litestar.types import Receive, ReceiveMessage


class BodyDigest:
    """Wraps ``receive``: the handler reads through ``receive``, the digest follows."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._digest = hashlib.sha256()
        self.complete = False
        """True once the last piece of the body went past: a handler that stopped reading
        early (a refusal before the bytes, a client gone) leaves it False."""

    async def receive(self) -> ReceiveMessage:
        message = await self._receive()
        if message["type"] == "http.request":
            self._digest.update(message.get("body", b""))
            self.complete = self.complete or not message.get("more_body", False)
        return message

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


async def drained_digest(receive: Receive) -> str:
    """Read the rest of the body, keeping only its SHA-256 (hex)."""
    body = BodyDigest(receive)
    while not body.complete:
        if (await body.receive())["type"] == "http.disconnect":
            break
    return body.hexdigest()
