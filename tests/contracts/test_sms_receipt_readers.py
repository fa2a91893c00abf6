"""SMS delivery-receipt readers: the kit's contract against the Vonage reader, built by the
registry from the ``vonage`` settings block, reading receipts for SMS that the Vonage
adapter sent to the local Vonage server and signed as Vonage documents it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.vonage.sms_sender import VonageSmsSender
from core.notifications.receipts import ReceiptOutcome
from plugins.testing.pytest_plugin import BuildAdapter
from plugins.testing.sms import INVITATION
from plugins.testing.sms_receipts import Harness, Signature, SmsReceiptReaderContract
from tests.support.vonage_server import (
    API_SECRET,
    SIGNATURE_SECRET,
    VonageTestServer,
    delivery_receipt,
)

VONAGE_STATUSES = {
    status: outcome
    for outcome, statuses in [
        (ReceiptOutcome.DELIVERED, ["delivered"]),
        (ReceiptOutcome.UNDELIVERABLE, ["failed", "expired", "rejected"]),
        (ReceiptOutcome.PENDING, ["accepted", "buffered", "unknown"]),
    ]
    for status in statuses
}
"""Vonage's documented DLR statuses (SMS API, delivery receipts)."""


@pytest.fixture
async def harness(
    vonage_server: VonageTestServer,
    passerelle_adapter: BuildAdapter,
    passerelle_clock: FixedClock,
) -> AsyncIterator[Harness]:
    """The reader built through the kit's own fixtures, as a plugin's tests would build it."""
    clock = passerelle_clock
    settings = vonage_server.settings(signature_secret=SIGNATURE_SECRET)
    block = settings.model_dump(mode="json") | {
        "api_secret": API_SECRET,
        "signature_secret": SIGNATURE_SECRET,
    }
    reader = passerelle_adapter("sms_receipts", "vonage", {"vonage": block}, clock=clock)
    sender = VonageSmsSender(settings)

    async def receipt(
        reference: str,
        status: str,
        *,
        signed_at: datetime,
        signature: Signature = Signature.PROVIDER,
    ) -> dict[str, str]:
        await sender.send(replace(INVITATION, reference=reference))
        sent = vonage_server.requests[-1]
        secret = "guessed-secret" if signature is Signature.FORGED else SIGNATURE_SECRET
        fields = delivery_receipt(sent, status=status, at=signed_at, secret=secret)
        if signature is Signature.NONE:
            del fields["sig"]
        return fields

    yield Harness(
        reader, VONAGE_STATUSES, receipt, clock, timedelta(seconds=settings.receipt_max_age_seconds)
    )
    await sender.close()


class TestEverySmsReceiptReader(SmsReceiptReaderContract):
    """The kit's contract (plugins.testing.sms_receipts), against each built-in reader."""
