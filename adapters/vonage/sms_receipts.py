"""Reads Vonage SMS API delivery receipts, signed with the account's signature secret.

Vonage signs a webhook's fields with an HMAC of the account's signature secret (method
chosen in the dashboard: md5, sha1, sha256 or sha512) and adds ``timestamp``, ``nonce``
and ``sig``; the SDK's ``Auth.check_signature`` recomputes it. A receipt is accepted only
when the signature matches and its signed timestamp is at most ``receipt_max_age_seconds``
old, so one captured on the way cannot be replayed later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from vonage import Auth  # type: ignore[import-untyped]

from adapters.vonage.settings import VonageSettings
from core.errors import InvalidInput, Unauthenticated
from core.notifications.receipts import DeliveryReceipt, ReceiptOutcome
from ports.clock import Clock

_OUTCOMES = {
    "delivered": ReceiptOutcome.DELIVERED,
    "failed": ReceiptOutcome.UNDELIVERABLE,
    "expired": ReceiptOutcome.UNDELIVERABLE,
    "rejected": ReceiptOutcome.UNDELIVERABLE,
    "accepted": ReceiptOutcome.PENDING,
    "buffered": ReceiptOutcome.PENDING,
    "unknown": ReceiptOutcome.PENDING,
}
_CLOCK_SKEW = timedelta(seconds=60)


class VonageReceiptReader:
    def __init__(self, settings: VonageSettings, clock: Clock) -> None:
        if not settings.api_key or settings.signature_secret is None:
            raise ValueError("vonage.api_key and vonage.signature_secret are required")
        self._auth = Auth(
            api_key=settings.api_key,
            signature_secret=settings.signature_secret.get_secret_value(),
            signature_method=settings.signature_method,
        )
        self._max_age = timedelta(seconds=settings.receipt_max_age_seconds)
        self._clock = clock

    def read(self, fields: Mapping[str, str]) -> DeliveryReceipt:
        signed_at = self._verified_time(fields)
        age = self._clock.now() - signed_at
        if age > self._max_age or age < -_CLOCK_SKEW:
            raise Unauthenticated(
                f"delivery receipt signed at {signed_at.isoformat()} is not fresh",
                code="receipt_stale",
            )
        status = fields.get("status", "").strip().lower()
        if status not in _OUTCOMES:
            raise InvalidInput(
                f"unknown delivery status {status!r}", field="status", code="invalid_receipt"
            )
        reference = fields.get("client-ref", "")
        if not reference:
            raise InvalidInput(
                "the receipt has no client-ref", field="client-ref", code="invalid_receipt"
            )
        return DeliveryReceipt(
            reference=reference,
            outcome=_OUTCOMES[status],
            provider_status=status,
            error_code=fields.get("err-code"),
        )

    def _verified_time(self, fields: Mapping[str, str]) -> datetime:
        """The signed timestamp, once the signature over every field is proven."""
        if not fields.get("sig") or not fields.get("timestamp"):
            raise Unauthenticated("the delivery receipt is not signed", code="receipt_unsigned")
        if not self._auth.check_signature(dict(fields)):
            raise Unauthenticated(
                "the delivery receipt's signature does not match", code="receipt_signature"
            )
        try:
            return datetime.fromtimestamp(int(fields["timestamp"]), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidInput(
                "timestamp is not a Unix time", field="timestamp", code="invalid_receipt"
            ) from None
