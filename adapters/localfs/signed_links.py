"""HMAC-signed, expiring links to local blobs, served by the API at ``<base>/<token>``.

A token is ``<payload>.<signature>``, both base64url: the payload (JSON) names the method,
tenant, key, expiry and, for uploads, the content type and size limit; the signature is
HMAC-SHA256 of the payload text with the store's link key. Changing any byte of either
part breaks the signature, so a link opens exactly one blob, one way, until it expires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from core.errors import Forbidden
from ports.blob_store import SignedUrl, checked_lifetime
from ports.clock import Clock
from ports.tenant_storage import checked_file_key


class InvalidLink(Forbidden):
    """The link was not signed by this platform, or was changed since."""

    code = "signed_link_invalid"


class ExpiredLink(Forbidden):
    code = "signed_link_expired"


@dataclass(frozen=True, slots=True)
class LinkGrant:
    """What a verified link allows: one method on one blob, within limits for uploads."""

    method: str
    tenant_id: UUID
    key: str
    content_type: str | None
    max_size: int | None


class SignedLinks:
    def __init__(self, secret: bytes, base_url: str, clock: Clock) -> None:
        if len(secret) < 32:
            raise ValueError("the link key must be at least 32 bytes")
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def sign(self, grant: LinkGrant, expires_in: timedelta) -> SignedUrl:
        expires_at = self._clock.now() + checked_lifetime(expires_in)
        payload: dict[str, Any] = {
            "m": grant.method,
            "t": str(grant.tenant_id),
            "k": grant.key,
            "e": int(expires_at.timestamp()),
        }
        if grant.content_type is not None:
            payload["c"] = grant.content_type
        if grant.max_size is not None:
            payload["s"] = grant.max_size
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        token = f"{body}.{_b64(self._mac(body))}"
        headers = {"Content-Type": grant.content_type} if grant.content_type else {}
        return SignedUrl(
            method=grant.method,
            url=f"{self._base_url}/{token}",
            expires_at=datetime.fromtimestamp(payload["e"], UTC),
            headers=headers,
        )

    def verify(self, token: str, method: str) -> LinkGrant:
        """The grant of a genuine, unexpired token for ``method``.

        Raises InvalidLink or ExpiredLink.
        """
        body, _, signature = token.partition(".")
        try:
            genuine = hmac.compare_digest(_unb64(signature), self._mac(body))
            payload = json.loads(_unb64(body)) if genuine else None
            if not isinstance(payload, dict) or payload.get("m") != method:
                raise InvalidLink("this link is not valid for this request")
            grant = LinkGrant(
                method=method,
                tenant_id=UUID(payload["t"]),
                key=checked_file_key(payload["k"]),
                content_type=payload.get("c"),
                max_size=payload.get("s"),
            )
            expires = int(payload["e"])
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise InvalidLink("this link is not valid for this request") from exc
        if self._clock.now().timestamp() >= expires:
            raise ExpiredLink("this link has expired")
        return grant

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).digest()


def link_key(path: Path) -> bytes:
    """The link key kept at ``path``, created (random, owner-only) on first use.

    Every process serving the same folder reads the same file, so a link signed by one is
    honoured by all; the key is written in full before it appears under its name.
    """
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(32)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value.hex())
    try:
        os.link(draft, path)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    finally:
        draft.unlink()
    return value


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
