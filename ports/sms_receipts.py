"""Reading an SMS provider's delivery-receipt webhook.

The provider calls one platform-wide URL. Anyone can call it, so a reader accepts a
receipt only when it proves it comes from the provider (a signature over its fields with
a shared secret) and is fresh; a replayed or forged receipt must not mark a message
delivered or, worse, dead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from core.notifications.receipts import DeliveryReceipt


class SmsReceiptReader(Protocol):
    def read(self, fields: Mapping[str, str]) -> DeliveryReceipt:
        """The receipt the webhook's fields (query, form or JSON, flattened) carry.

        Raises core.errors.Unauthenticated when the signature is missing or wrong or the
        receipt is older than the accepted age, InvalidInput when a field is malformed.
        """
        ...
