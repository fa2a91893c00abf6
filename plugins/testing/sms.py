"""The contract every SmsSender passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``SmsSenderContract`` and give it a ``harness`` fixture: the
sender under test and a way to read back what reached the other side::

    from plugins.testing.sms import Delivered, Harness, SmsSenderContract

    class TestGatewaySender(SmsSenderContract):
        @pytest.fixture
        def harness(self, gateway): ...

Async tests need an asyncio runner (pytest-asyncio in auto mode, as here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from ports.sms import SmsDeliveryError, SmsFailure, SmsMessage, SmsSender

INVITATION = SmsMessage(
    to="+32470123456",
    text='Zoé vous invite à "Maintenance pompe 3" : https://passerelle.test/join/4f1c9a2e',
    reference="4f1c9a2e-5b7d-4c1e-9a0f-3d2b1c0e9f8a",
)
UNICODE_TEXT = "Привет Jean-Noël ! 🔧 Rejoignez la session « Pompe 3 » — 14 h"
LONG_TEXT = "Rappel : la session d'assistance de Zoé commence à 14 h. " * 6  # 342 GSM-7 chars


@dataclass(frozen=True)
class Delivered:
    """An SMS as it reached the other side, whatever the adapter."""

    to: str
    sender: str
    text: str
    reference: str


@dataclass(frozen=True)
class Harness:
    """``sender`` must use "Passerelle" as its default sender id."""

    sender: SmsSender
    delivered: Callable[[], list[Delivered]]


class SmsSenderContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_sent_sms_arrives_with_its_recipient_sender_text_and_reference(
        self, harness: Harness
    ) -> None:
        sent = await harness.sender.send(INVITATION)

        [sms] = harness.delivered()
        assert sms == Delivered(INVITATION.to, "Passerelle", INVITATION.text, INVITATION.reference)
        assert sent.parts == 1
        assert len(sent.message_ids) == 1

    async def test_unicode_text_arrives_intact(self, harness: Harness) -> None:
        await harness.sender.send(replace(INVITATION, text=UNICODE_TEXT))

        [sms] = harness.delivered()
        assert sms.text == UNICODE_TEXT

    async def test_long_text_is_accepted_with_one_message_id_per_part(
        self, harness: Harness
    ) -> None:
        sent = await harness.sender.send(replace(INVITATION, text=LONG_TEXT))

        assert sent.parts == 3
        assert len(set(sent.message_ids)) == 3
        [sms] = harness.delivered()
        assert sms.text == LONG_TEXT

    async def test_the_message_sender_id_replaces_the_default(self, harness: Harness) -> None:
        await harness.sender.send(replace(INVITATION, sender="ACME Field"))

        [sms] = harness.delivered()
        assert sms.sender == "ACME Field"

    async def test_every_sms_sent_arrives_once(self, harness: Harness) -> None:
        texts = [f"Rappel n° {number} : séance à 14 h" for number in range(5)]
        for text in texts:
            await harness.sender.send(replace(INVITATION, text=text))

        assert sorted(sms.text for sms in harness.delivered()) == sorted(texts)

    @pytest.mark.parametrize(
        "to",
        [
            "0470123456",
            "32470123456",
            "+32 470 12 34 56",
            "+0470123456",
            "+1234",
            "",
            "+3247012345678901",
        ],
        ids=["national", "no plus", "spaces", "leading zero", "too short", "empty", "too long"],
    )
    async def test_recipient_not_in_e164_is_refused_permanently(
        self, harness: Harness, to: str
    ) -> None:
        with pytest.raises(SmsDeliveryError) as refused:
            await harness.sender.send(replace(INVITATION, to=to))

        assert (refused.value.code, refused.value.retryable) == (
            SmsFailure.INVALID_RECIPIENT,
            False,
        )
        assert harness.delivered() == []

    @pytest.mark.parametrize("sender", ["Passerelle XR1", "Zoé", "+32470123456", " ACME", "12"])
    async def test_malformed_sender_id_is_refused_permanently(
        self, harness: Harness, sender: str
    ) -> None:
        with pytest.raises(SmsDeliveryError) as refused:
            await harness.sender.send(replace(INVITATION, sender=sender))

        assert (refused.value.code, refused.value.retryable) == (SmsFailure.INVALID_SENDER, False)
        assert harness.delivered() == []

    @pytest.mark.parametrize("text", ["", "  \n"])
    async def test_sms_without_text_is_refused_permanently(
        self, harness: Harness, text: str
    ) -> None:
        with pytest.raises(SmsDeliveryError) as refused:
            await harness.sender.send(replace(INVITATION, text=text))

        assert (refused.value.code, refused.value.retryable) == (SmsFailure.INVALID_MESSAGE, False)
        assert harness.delivered() == []
