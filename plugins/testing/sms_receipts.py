"""The contract every SmsReceiptReader passes, for the platform's adapters and plugins' alike.

The receipt webhook is one public URL: a reader believes a receipt only when the provider
signed it and it is fresh, since a forged or replayed one could mark an SMS delivered, or
dead and trigger its fallback. A plugin's tests subclass ``SmsReceiptReaderContract`` and
give it a ``harness`` fixture:

- ``reader``: the reader under test, reading the time from ``clock`` (a ``FixedClock`` at
  a whole second, as webhook timestamps are: the kit's ``passerelle_clock`` fixture);
- ``statuses``: the provider's delivery statuses and the outcome each must read as;
- ``receipt``: the webhook fields the provider sends for the SMS sent with a reference,
  in one of those statuses (or any other text), signed at a time with the secret the
  reader holds, with another secret (``Signature.FORGED``), or not at all;
- ``max_age``: how old a signed receipt may be and still be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import pytest

from adapters.memory.clock import FixedClock
from core.errors import InvalidInput, Unauthenticated
from core.notifications.receipts import ReceiptOutcome, receipt_reference
from ports.sms_receipts import SmsReceiptReader

REFERENCE = receipt_reference(
    UUID("0b6f3c4e-9d2a-4e1b-8f7c-5a6d3e2b1c0f"), UUID("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f")
)
OTHER_REFERENCE = receipt_reference(
    UUID("0b6f3c4e-9d2a-4e1b-8f7c-5a6d3e2b1c0f"), UUID("11111111-2222-4333-8444-555555555555")
)


class Signature(StrEnum):
    PROVIDER = "provider"
    """Signed with the secret the reader holds, as the provider signs."""
    FORGED = "forged"
    """Signed the same way with a secret the reader does not hold."""
    NONE = "none"
    """The same fields without any signature."""


class ProviderReceipt(Protocol):
    async def __call__(
        self,
        reference: str,
        status: str,
        *,
        signed_at: datetime,
        signature: Signature = Signature.PROVIDER,
    ) -> dict[str, str]:
        """The webhook's fields (query, form or JSON, flattened) for the SMS of ``reference``."""
        ...


@dataclass(frozen=True)
class Harness:
    reader: SmsReceiptReader
    statuses: Mapping[str, ReceiptOutcome]
    receipt: ProviderReceipt
    clock: FixedClock
    max_age: timedelta

    def status_for(self, outcome: ReceiptOutcome) -> str:
        return next(status for status, found in self.statuses.items() if found is outcome)


def _field_holding(fields: Mapping[str, str], value: str) -> str:
    [name] = [name for name, held in fields.items() if held == value]
    return name


class SmsReceiptReaderContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    def test_the_provider_reports_delivered_and_undeliverable_messages(
        self, harness: Harness
    ) -> None:
        outcomes = set(harness.statuses.values())

        assert {ReceiptOutcome.DELIVERED, ReceiptOutcome.UNDELIVERABLE} <= outcomes

    async def test_a_signed_receipt_reads_as_its_reference_and_outcome(
        self, harness: Harness
    ) -> None:
        for status, outcome in harness.statuses.items():
            fields = await harness.receipt(REFERENCE, status, signed_at=harness.clock.now())

            read = harness.reader.read(fields)

            assert (read.reference, read.outcome, read.provider_status) == (
                REFERENCE,
                outcome,
                status,
            )

    @pytest.mark.parametrize("signature", [Signature.FORGED, Signature.NONE])
    async def test_a_receipt_not_signed_with_the_readers_secret_is_refused(
        self, harness: Harness, signature: Signature
    ) -> None:
        status = harness.status_for(ReceiptOutcome.DELIVERED)
        fields = await harness.receipt(
            REFERENCE, status, signed_at=harness.clock.now(), signature=signature
        )

        with pytest.raises(Unauthenticated):
            harness.reader.read(fields)

    def test_a_webhook_without_any_field_is_refused_as_unsigned(self, harness: Harness) -> None:
        with pytest.raises(Unauthenticated):
            harness.reader.read({})

    @pytest.mark.parametrize("alteration", ["failure into delivery", "to another message"])
    async def test_a_signed_receipt_altered_after_signing_is_refused(
        self, harness: Harness, alteration: str
    ) -> None:
        failed = harness.status_for(ReceiptOutcome.UNDELIVERABLE)
        fields = await harness.receipt(REFERENCE, failed, signed_at=harness.clock.now())
        was, now = (
            (failed, harness.status_for(ReceiptOutcome.DELIVERED))
            if alteration == "failure into delivery"
            else (REFERENCE, OTHER_REFERENCE)
        )

        with pytest.raises(Unauthenticated):
            harness.reader.read({**fields, _field_holding(fields, was): now})

    async def test_a_receipt_is_read_until_it_is_older_than_the_accepted_age(
        self, harness: Harness
    ) -> None:
        status = harness.status_for(ReceiptOutcome.DELIVERED)
        now = harness.clock.now()
        fresh = await harness.receipt(
            REFERENCE, status, signed_at=now - harness.max_age + timedelta(seconds=1)
        )
        stale = await harness.receipt(
            REFERENCE, status, signed_at=now - harness.max_age - timedelta(seconds=1)
        )

        assert harness.reader.read(fresh).outcome is ReceiptOutcome.DELIVERED
        with pytest.raises(Unauthenticated):
            harness.reader.read(stale)

    async def test_a_receipt_signed_in_the_future_is_refused(self, harness: Harness) -> None:
        status = harness.status_for(ReceiptOutcome.DELIVERED)
        fields = await harness.receipt(
            REFERENCE, status, signed_at=harness.clock.now() + timedelta(hours=1)
        )

        with pytest.raises(Unauthenticated):
            harness.reader.read(fields)

    async def test_a_signed_receipt_with_a_status_the_provider_never_sends_is_invalid(
        self, harness: Harness
    ) -> None:
        fields = await harness.receipt(REFERENCE, "teleported", signed_at=harness.clock.now())

        with pytest.raises(InvalidInput):
            harness.reader.read(fields)
