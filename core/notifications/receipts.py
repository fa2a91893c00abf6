"""Delivery receipts: the provider telling us, later, whether an SMS reached the phone.

Receipts arrive at one platform-wide webhook, so the message's reference (Vonage's
``client-ref``) carries both the tenant and the notification: ``<tenant hex>.<id hex>``,
65 characters, under Vonage's limit of 100. Nothing in it comes from user input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from core.errors import InvalidInput


class ReceiptOutcome(StrEnum):
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    """The network gave up: failed, expired or rejected."""
    PENDING = "pending"
    """Still on its way (accepted, buffered) or the network does not say."""


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    reference: str
    outcome: ReceiptOutcome
    provider_status: str
    error_code: str | None = None


def receipt_reference(tenant_id: UUID, message_id: UUID) -> str:
    return f"{tenant_id.hex}.{message_id.hex}"


def parse_receipt_reference(reference: str) -> tuple[UUID, UUID]:
    tenant_hex, dot, message_hex = reference.partition(".")
    try:
        if not dot or len(tenant_hex) != 32 or len(message_hex) != 32:
            raise ValueError(reference)
        return UUID(hex=tenant_hex), UUID(hex=message_hex)
    except ValueError:
        raise InvalidInput(
            "the client reference names no notification of this platform",
            field="client-ref",
            code="unknown_reference",
        ) from None
