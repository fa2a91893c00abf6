"""Every SmsSender delivers the SMS the core handed it, intact, and refuses what cannot be sent.

The contract runs against the Vonage adapter talking to a local HTTPS fake of Vonage's
SMS API (the real vonage SDK on the wire), the console sink (its printout read back) and
the recording fake the unit tests rely on. Vonage-specific behaviour follows: multipart
accounting, unicode, how every answer is classified for the outbox's retries, TLS trust.
The rules of SMS length and addressing (core.notifications.sms_text) close the file.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import certifi
import pytest

from adapters.memory.sms_sender import RecordingSmsSender
from adapters.sinks.console_sms_sender import ConsoleSmsSender
from adapters.system import notices
from adapters.system.clock import SystemClock
from adapters.vonage.settings import VonageSettings
from adapters.vonage.sms_sender import VonageSmsSender
from core.notifications.sms_text import SmsEncoding, is_e164, is_sender_id, measure_sms
from plugins.builtin import sms as sms_plugin
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError
from plugins.testing.sms import (
    INVITATION,
    LONG_TEXT,
    UNICODE_TEXT,
    Delivered,
    Harness,
    SmsSenderContract,
)
from ports.sms import SentSms, SmsDeliveryError, SmsFailure
from tests.support.network import free_port
from tests.support.vonage_server import API_KEY, API_SECRET, VonageTestServer


def delivered_from_server(server: VonageTestServer) -> list[Delivered]:
    return [
        Delivered(
            to="+" + request.fields["to"],
            sender=request.fields["from"],
            text=request.fields["text"],
            reference=request.fields["client-ref"],
        )
        for request in server.requests
    ]


def delivered_from_printout(printed: str) -> list[Delivered]:
    delivered = []
    for block in printed.split("----- SMS (console sink, not sent) -----\n")[1:]:
        head, _, rest = block.partition("\n\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        text = rest.rpartition("\n----- end of SMS -----")[0]
        delivered.append(Delivered(fields["To"], fields["From"], text, fields["Reference"]))
    return delivered


def delivered_from_record(recorder: RecordingSmsSender) -> list[Delivered]:
    return [Delivered(m.to, m.sender or "Passerelle", m.text, m.reference) for m in recorder.sent]


@pytest.fixture(params=["vonage", "console-sink", "recording"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "vonage":
        server: VonageTestServer = request.getfixturevalue("vonage_server")
        vonage = VonageSmsSender(server.settings(sender_id="Passerelle"))
        yield Harness(vonage, lambda: delivered_from_server(server))
        await vonage.close()
    elif request.param == "console-sink":
        stream = io.StringIO()
        yield Harness(ConsoleSmsSender(stream), lambda: delivered_from_printout(stream.getvalue()))
    else:
        recorder = RecordingSmsSender()
        yield Harness(recorder, lambda: delivered_from_record(recorder))


class TestEverySmsSender(SmsSenderContract):
    """The kit's contract (plugins.testing.sms), against each built-in adapter."""


# --- Vonage: what is sent -----------------------------------------------------------------


@pytest.fixture
async def vonage(vonage_server: VonageTestServer) -> AsyncIterator[VonageSmsSender]:
    sender = VonageSmsSender(vonage_server.settings())
    yield sender
    await sender.close()


async def test_long_text_is_sent_as_multipart_and_parts_are_counted(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    sent = await vonage.send(replace(INVITATION, text=LONG_TEXT))

    assert measure_sms(LONG_TEXT).parts == 3
    assert sent.parts == 3
    assert len(sent.message_ids) == 3
    [request] = vonage_server.requests
    assert request.fields["text"] == LONG_TEXT
    assert "type" not in request.fields


async def test_unicode_text_is_sent_as_unicode_type(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    sent = await vonage.send(replace(INVITATION, text=UNICODE_TEXT * 2))

    [request] = vonage_server.requests
    assert request.fields["type"] == "unicode"
    assert request.fields["text"] == UNICODE_TEXT * 2
    assert sent.parts == measure_sms(UNICODE_TEXT * 2).parts == 2


async def test_accented_text_that_gsm_7_carries_is_not_sent_as_unicode(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    await vonage.send(replace(INVITATION, text="Réunion à 14 h, Müller & Øster: 5 € {ok}"))

    [request] = vonage_server.requests
    assert "type" not in request.fields


async def test_sender_id_and_client_reference_are_sent(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    await vonage.send(INVITATION)
    await vonage.send(replace(INVITATION, sender="32460000001"))

    default, numeric = vonage_server.requests
    assert default.path == "/sms/json"
    assert default.content_type == "application/x-www-form-urlencoded"
    assert default.fields["from"] == "Passerelle"
    assert default.fields["to"] == "32470123456"
    assert default.fields["client-ref"] == INVITATION.reference
    assert numeric.fields["from"] == "32460000001"


async def test_credentials_travel_as_basic_auth_never_in_the_form(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    await vonage.send(INVITATION)

    [request] = vonage_server.requests
    assert request.basic_auth
    assert request.api_key == API_KEY
    assert "api_secret" not in request.fields


async def test_invalid_recipient_is_refused_before_any_request(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(replace(INVITATION, to="0470 12 34 56"))

    assert refused.value.code == SmsFailure.INVALID_RECIPIENT
    assert refused.value.retryable is False
    assert vonage_server.requests == []


async def test_reference_longer_than_vonage_accepts_is_refused_permanently(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(replace(INVITATION, reference="r" * 101))

    assert (refused.value.code, refused.value.retryable) == (SmsFailure.INVALID_MESSAGE, False)
    assert vonage_server.requests == []


async def test_concurrent_sends_all_arrive_with_distinct_ids(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    texts = [f"Message {number}" for number in range(12)]

    results = await asyncio.gather(*(vonage.send(replace(INVITATION, text=t)) for t in texts))

    assert sorted(r.fields["text"] for r in vonage_server.requests) == sorted(texts)
    assert len({sent.message_ids[0] for sent in results}) == 12


async def test_a_slow_answer_does_not_block_the_event_loop(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.delay(0.3)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        await vonage.send(INVITATION)
    finally:
        ticker.cancel()

    assert ticks >= 10


# --- Vonage: how refusals are classified for the outbox -------------------------------------


async def test_throttled_answer_is_retryable_with_code_throttled(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.answer_status("1", "Throughput Rate Exceeded - please wait [ 30 ] and retry")

    with pytest.raises(SmsDeliveryError, match="Throttled") as refused:
        await vonage.send(INVITATION)

    assert refused.value.code == "throttled"
    assert refused.value.throttled
    assert refused.value.retryable is True
    assert refused.value.provider_code == "1"


async def test_http_429_is_throttled_too(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.answer_http(429, '{"title": "Too Many Requests"}')

    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(INVITATION)

    assert refused.value.throttled
    assert refused.value.retryable is True


async def test_invalid_credentials_are_permanent(vonage_server: VonageTestServer) -> None:
    sender = VonageSmsSender(vonage_server.settings(api_secret="not-the-secret"))
    try:
        with pytest.raises(SmsDeliveryError, match="Bad Credentials") as refused:
            await sender.send(INVITATION)
    finally:
        await sender.close()

    assert refused.value.code == SmsFailure.CREDENTIALS_REFUSED
    assert refused.value.provider_code == "4"
    assert refused.value.retryable is False


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        ("2", SmsFailure.INVALID_MESSAGE, False),
        ("3", SmsFailure.INVALID_MESSAGE, False),
        ("5", SmsFailure.UNAVAILABLE, True),
        ("6", SmsFailure.INVALID_RECIPIENT, False),
        ("7", SmsFailure.RECIPIENT_BARRED, False),
        ("8", SmsFailure.ACCOUNT_REFUSED, False),
        ("9", SmsFailure.INSUFFICIENT_CREDIT, True),
        ("10", SmsFailure.UNAVAILABLE, True),
        ("12", SmsFailure.INVALID_MESSAGE, False),
        ("15", SmsFailure.INVALID_SENDER, False),
        ("29", SmsFailure.ACCOUNT_REFUSED, False),
        ("33", SmsFailure.RECIPIENT_BARRED, False),
        ("99", SmsFailure.REJECTED, True),
    ],
)
async def test_vonage_status_is_classified_retryable_or_permanent(
    vonage_server: VonageTestServer,
    vonage: VonageSmsSender,
    status: str,
    code: SmsFailure,
    retryable: bool,
) -> None:
    vonage_server.answer_status(status, "refused by the test")

    with pytest.raises(SmsDeliveryError, match=f"status {status}") as refused:
        await vonage.send(INVITATION)

    assert (refused.value.code, refused.value.retryable) == (code, retryable)
    assert refused.value.provider_code == status
    assert not refused.value.throttled


@pytest.mark.parametrize("http_status", [500, 502, 503, 504])
async def test_server_error_is_retryable(
    vonage_server: VonageTestServer, vonage: VonageSmsSender, http_status: int
) -> None:
    vonage_server.answer_http(http_status, "<html>upstream trouble</html>")

    with pytest.raises(SmsDeliveryError, match=str(http_status)) as refused:
        await vonage.send(INVITATION)

    assert (refused.value.code, refused.value.retryable) == (SmsFailure.UNAVAILABLE, True)


@pytest.mark.parametrize(
    ("http_status", "code"),
    [
        (401, SmsFailure.CREDENTIALS_REFUSED),
        (403, SmsFailure.ACCOUNT_REFUSED),
        (404, SmsFailure.REJECTED),
    ],
)
async def test_http_client_errors_are_permanent(
    vonage_server: VonageTestServer, vonage: VonageSmsSender, http_status: int, code: SmsFailure
) -> None:
    vonage_server.answer_http(http_status, '{"title": "Refused"}')

    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(INVITATION)

    assert (refused.value.code, refused.value.retryable) == (code, False)


async def test_answer_that_is_not_vonage_json_is_retryable(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.answer_http(200, "<html>captive portal</html>")

    with pytest.raises(SmsDeliveryError, match="unexpected answer") as refused:
        await vonage.send(INVITATION)

    assert (refused.value.code, refused.value.retryable) == (SmsFailure.REJECTED, True)


async def test_unreachable_api_is_retryable(vonage_server: VonageTestServer) -> None:
    sender = VonageSmsSender(vonage_server.settings(rest_host=f"127.0.0.1:{free_port()}"))
    try:
        with pytest.raises(SmsDeliveryError) as refused:
            await sender.send(INVITATION)
    finally:
        await sender.close()

    assert (refused.value.code, refused.value.retryable) == (SmsFailure.UNREACHABLE, True)


async def test_slow_api_times_out_as_retryable(vonage_server: VonageTestServer) -> None:
    vonage_server.delay(5)
    sender = VonageSmsSender(vonage_server.settings(timeout_seconds=1))
    started = time.monotonic()
    try:
        with pytest.raises(SmsDeliveryError) as refused:
            await asyncio.wait_for(sender.send(INVITATION), timeout=4)
    finally:
        await sender.close()

    assert time.monotonic() - started < 3
    assert (refused.value.code, refused.value.retryable) == (SmsFailure.TIMEOUT, True)


async def test_partial_multipart_failure_is_reported(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.refuse_parts({3: ("1", "Throttled")})

    with pytest.raises(SmsDeliveryError, match="accepted 2 of 3 parts") as refused:
        await vonage.send(replace(INVITATION, text=LONG_TEXT))

    error = refused.value
    assert error.partially_sent
    assert len(error.accepted_message_ids) == 2
    assert error.code == SmsFailure.THROTTLED
    assert error.retryable is True


async def test_partial_failure_with_a_permanent_part_is_permanent(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.refuse_parts({2: ("1", "Throttled"), 3: ("7", "Number barred")})

    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(replace(INVITATION, text=LONG_TEXT))

    assert len(refused.value.accepted_message_ids) == 1
    assert refused.value.retryable is False


async def test_multipart_message_refused_whole_is_not_partial(
    vonage_server: VonageTestServer, vonage: VonageSmsSender
) -> None:
    vonage_server.answer_status("9", "Quota Exceeded - rejected")

    with pytest.raises(SmsDeliveryError) as refused:
        await vonage.send(replace(INVITATION, text=LONG_TEXT))

    assert not refused.value.partially_sent
    assert refused.value.code == SmsFailure.INSUFFICIENT_CREDIT


# --- Vonage: TLS trust and configuration --------------------------------------------------


@pytest.fixture
def system_cas_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on this machine: requests told by the environment to trust the public CAs only."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())


@pytest.mark.usefixtures("system_cas_in_environment")
async def test_configured_ca_file_is_trusted_whatever_the_environment_says(
    vonage_server: VonageTestServer,
) -> None:
    sender = VonageSmsSender(vonage_server.settings())
    try:
        await sender.send(INVITATION)
    finally:
        await sender.close()

    assert len(vonage_server.requests) == 1


async def test_ca_trusted_through_requests_ca_bundle_needs_no_ca_file(
    vonage_server: VonageTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(vonage_server.ca_file))
    sender = VonageSmsSender(vonage_server.settings(ca_file=None))
    try:
        await sender.send(INVITATION)
    finally:
        await sender.close()

    assert len(vonage_server.requests) == 1


@pytest.mark.usefixtures("system_cas_in_environment")
async def test_untrusted_certificate_is_refused(vonage_server: VonageTestServer) -> None:
    sender = VonageSmsSender(vonage_server.settings(ca_file=None))
    try:
        with pytest.raises(SmsDeliveryError, match="certificate") as refused:
            await sender.send(INVITATION)
    finally:
        await sender.close()

    assert refused.value.code == SmsFailure.UNREACHABLE
    assert vonage_server.requests == []


def test_adapter_without_credentials_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="api_key"):
        VonageSmsSender(VonageSettings())


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"sender_id": "Passerelle XR"}, "sender_id"),
        ({"rest_host": "https://rest.nexmo.com"}, "rest_host"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"api_secrets": "typo"}, "api_secrets"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(
    overrides: dict[str, object], setting: str
) -> None:
    with pytest.raises(ValueError, match=setting):
        VonageSettings.model_validate({"api_key": "k", "api_secret": "s", **overrides})


def test_settings_never_print_the_secret() -> None:
    settings = VonageSettings(api_key="k", api_secret="vonage-secret-never-printed")

    assert "vonage-secret-never-printed" not in repr(settings)
    assert "vonage-secret-never-printed" not in str(settings.model_dump())


# --- the plugin -----------------------------------------------------------------------------


def _context(blocks: dict[str, object], tmp_path: Path) -> AdapterContext:
    return AdapterContext(blocks=blocks, clock=SystemClock(), data_dir=tmp_path)


def test_plugin_registers_vonage_and_a_development_console_sink() -> None:
    registry = AdapterRegistry()
    sms_plugin.register_adapters(registry=registry)

    assert registry.names("sms") == ["console", "vonage"]
    assert registry.get("sms", "console").development
    assert not registry.get("sms", "vonage").development


async def test_plugin_builds_the_vonage_adapter_from_its_settings_block(
    vonage_server: VonageTestServer, tmp_path: Path
) -> None:
    registry = AdapterRegistry()
    sms_plugin.register_adapters(registry=registry)
    block = vonage_server.settings().model_dump(mode="json") | {"api_secret": API_SECRET}

    sender = registry.get("sms", "vonage").factory(_context({"vonage": block}, tmp_path))
    assert isinstance(sender, VonageSmsSender)
    try:
        await sender.send(INVITATION)
    finally:
        await sender.close()
    assert len(vonage_server.requests) == 1


def test_plugin_refuses_vonage_without_credentials_naming_the_setting(tmp_path: Path) -> None:
    registry = AdapterRegistry()
    sms_plugin.register_adapters(registry=registry)

    with pytest.raises(AdapterSettingsError, match=r"vonage\.api_key"):
        registry.get("sms", "vonage").factory(_context({}, tmp_path))


# --- development sink and recording fake -----------------------------------------------------


async def test_console_sink_prints_the_sms_readably_with_its_cost() -> None:
    stream = io.StringIO()

    sent = await ConsoleSmsSender(stream).send(replace(INVITATION, text=UNICODE_TEXT))

    printed = stream.getvalue()
    assert "To: +32470123456\n" in printed
    assert "From: Passerelle\n" in printed
    assert f"Reference: {INVITATION.reference}\n" in printed
    assert "ucs-2" in printed
    assert "1 part(s)" in printed
    assert UNICODE_TEXT in printed
    assert sent.parts == 1


def test_console_sink_warns_once_per_process_that_sms_are_not_sent(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "_given", set())  # as in a new process
    with caplog.at_level(logging.WARNING):
        ConsoleSmsSender(io.StringIO())
        ConsoleSmsSender(io.StringIO())

    assert [r.getMessage() for r in caplog.records] == [
        "sms adapter 'console' in use: SMS are printed, never sent"
    ]


async def test_recording_sender_raises_queued_failures_then_records() -> None:
    recorder = RecordingSmsSender()
    throttled = SmsDeliveryError("slow down", retryable=True, code=SmsFailure.THROTTLED)
    recorder.failures.append(throttled)

    with pytest.raises(SmsDeliveryError) as refused:
        await recorder.send(INVITATION)
    sent = await recorder.send(INVITATION)

    assert refused.value is throttled
    assert recorder.sent == [INVITATION]
    assert sent == SentSms(message_ids=("recorded-1-1",), parts=1)


# --- the rules of SMS length and addressing ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, SmsEncoding.GSM_7, 1),
        ("a" * 161, SmsEncoding.GSM_7, 2),
        ("a" * 306, SmsEncoding.GSM_7, 2),
        ("a" * 307, SmsEncoding.GSM_7, 3),
        ("é" * 160, SmsEncoding.GSM_7, 1),
        ("ж" * 70, SmsEncoding.UCS_2, 1),
        ("ж" * 71, SmsEncoding.UCS_2, 2),
        ("ж" * 134, SmsEncoding.UCS_2, 2),
        ("ж" * 135, SmsEncoding.UCS_2, 3),
        ("a" * 159 + "ж", SmsEncoding.UCS_2, 3),
    ],
    ids=[
        "160 GSM",
        "161 GSM",
        "306 GSM",
        "307 GSM",
        "accented GSM",
        "70 UCS-2",
        "71 UCS-2",
        "134 UCS-2",
        "135 UCS-2",
        "one Cyrillic letter turns all into UCS-2",
    ],
)
def test_encoding_and_parts_follow_gsm_7_and_ucs_2_limits(
    text: str, encoding: SmsEncoding, parts: int
) -> None:
    length = measure_sms(text)

    assert (length.encoding, length.parts) == (encoding, parts)


def test_gsm_extension_characters_count_double() -> None:
    assert measure_sms("€" * 80).units == 160
    assert measure_sms("€" * 80).parts == 1
    assert measure_sms("€" * 81).parts == 2
    assert measure_sms("a" * 159 + "[").parts == 2


def test_a_double_unit_character_is_never_split_across_parts() -> None:
    assert measure_sms("a" * 152 + "€" + "a" * 152).parts == 3
    assert measure_sms("a" * 151 + "€" + "a" * 153).parts == 2


def test_emoji_count_two_ucs_2_units() -> None:
    assert (measure_sms("🔧" * 35).units, measure_sms("🔧" * 35).parts) == (70, 1)
    assert measure_sms("🔧" * 36).parts == 2


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+32470123456", True),
        ("+14155550100", True),
        ("+6834002", True),
        ("+123456789012345", True),
        ("+1234567890123456", False),
        ("+0470123456", False),
        ("32470123456", False),
        ("+32 470 12 34 56", False),
        ("+32470123456\n", False),
    ],
)
def test_e164_numbers(number: str, valid: bool) -> None:
    assert is_e164(number) is valid


@pytest.mark.parametrize(
    ("sender", "valid"),
    [
        ("Passerelle", True),
        ("ACME Field", True),
        ("A1", True),
        ("32470123456", True),
        ("12345", True),
        ("Passerelle X", False),
        ("12", False),
        ("1234567890123456", False),
        ("+32470123456", False),
        ("Zoé", False),
        (" ACME", False),
        ("", False),
    ],
)
def test_sender_ids(sender: str, valid: bool) -> None:
    assert is_sender_id(sender) is valid
