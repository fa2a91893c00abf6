"""Every PushSender adapter delivers the push the core handed it, intact, and names it.

The contract runs against the FCM adapter talking to a local stand-in for Google (its
OAuth 2.0 token endpoint and the FCM HTTP v1 send API, see tests/support/fcm_server.py),
the console sink (its printed blocks read back) and the recording fake the unit tests
rely on. FCM-specific behaviour follows: the message on the wire, how FCM's refusals are
classified for the outbox and for forgetting device tokens, and access-token reuse.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.firebase.push_sender import FcmPushSender
from adapters.firebase.settings import DeviceAddress, FirebaseCredentialsError, FirebaseSettings
from adapters.memory.clock import FixedClock
from adapters.memory.push_sender import RecordingPushSender
from adapters.sinks.console_push_sender import ConsolePushSender
from adapters.system import notices
from plugins.builtin import push as push_plugin
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError
from plugins.testing.push import (
    GLASSES,
    RING,
    Delivered,
    Harness,
    PushSenderContract,
    delivered_from_record,
)
from ports.push import (
    PushDeliveryError,
    PushFailure,
    PushNotification,
    PushPriority,
)
from tests.support.fcm_server import (
    INTERNAL,
    INVALID_DATA_KEY,
    INVALID_TOKEN,
    SENDER_ID_MISMATCH,
    THIRD_PARTY_AUTH_ERROR,
    UNAVAILABLE,
    FcmAnswer,
    FcmKeys,
    FcmTestServer,
    StartFcmServer,
    quota_exceeded,
)
from tests.support.network import free_port

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def delivered_from_fcm(server: FcmTestServer) -> list[Delivered]:
    return [
        Delivered(
            device_token=push.message["token"],
            title=push.message["notification"]["title"],
            body=push.message["notification"]["body"],
            data=push.message.get("data", {}),
        )
        for push in server.pushes
    ]


def delivered_from_console(printed: str) -> list[Delivered]:
    """Read the console sink's blocks back: ``name: value`` lines, indented continuations."""
    delivered = []
    for block in printed.split("----- push ")[1:]:
        fields: dict[str, str] = {}
        data: dict[str, str] = {}
        last: tuple[dict[str, str], str] | None = None
        for line in block.split("\n")[1:]:
            if line.startswith("----- end of push"):
                break
            if line.startswith("    ") and last is not None:
                target, key = last
                target[key] += "\n" + line[4:]
            elif line.startswith("  "):
                key, _, value = line[2:].partition(" = ")
                data[key] = value
                last = (data, key)
            else:
                key, _, value = line.partition(": ")
                fields[key.rstrip(":")] = value
                last = (fields, key)
        delivered.append(Delivered(fields["to"], fields["title"], fields["body"], data))
    return delivered


@pytest.fixture(params=["fcm", "console", "recording"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "fcm":
        server: FcmTestServer = request.getfixturevalue("fcm_server")
        fcm = FcmPushSender(server.settings(), FixedClock(NOW))
        yield Harness(fcm, lambda: delivered_from_fcm(server))
        await fcm.close()
    elif request.param == "console":
        stream = io.StringIO()
        yield Harness(ConsolePushSender(stream), lambda: delivered_from_console(stream.getvalue()))
    else:
        recorder = RecordingPushSender()
        yield Harness(recorder, lambda: delivered_from_record(recorder.sent))


class TestEveryPushSender(PushSenderContract):
    """The kit's contract (plugins.testing.push), against each built-in adapter."""


# --- FCM: the message on the wire ---------------------------------------------------------


@pytest.fixture
async def fcm_sender(fcm_server: FcmTestServer) -> AsyncIterator[FcmPushSender]:
    sender = FcmPushSender(fcm_server.settings(), FixedClock(NOW))
    yield sender
    await sender.close()


async def send_expecting_refusal(
    sender: FcmPushSender, push: PushNotification
) -> PushDeliveryError:
    with pytest.raises(PushDeliveryError) as refused:
        await sender.send(push)
    return refused.value


async def test_message_carries_token_priority_ttl_and_collapse_key(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    name = await fcm_sender.send(RING)

    [push] = fcm_server.pushes
    assert name == push.name
    assert name.startswith("projects/passerelle-test/messages/")
    assert push.message == {
        "token": GLASSES,
        "notification": {"title": RING.title, "body": RING.body},
        "data": RING.data,
        "android": {"priority": "high", "ttl": "30s", "collapse_key": "call-4f1c9a2e"},
        "apns": {
            "headers": {
                "apns-priority": "10",
                "apns-expiration": str(int(NOW.timestamp()) + 30),
                "apns-collapse-id": "call-4f1c9a2e",
            }
        },
    }
    assert push.authorization.startswith("Bearer ya29.")


async def test_normal_push_without_ttl_leaves_fcm_defaults(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    await fcm_sender.send(
        replace(RING, priority=PushPriority.NORMAL, time_to_live=None, collapse_key=None)
    )

    [push] = fcm_server.pushes
    assert push.message["android"] == {"priority": "normal"}
    assert push.message["apns"] == {"headers": {"apns-priority": "5"}}


async def test_zero_ttl_means_now_or_never_on_both_platforms(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    await fcm_sender.send(replace(RING, time_to_live=timedelta(0)))

    [push] = fcm_server.pushes
    assert push.message["android"]["ttl"] == "0s"
    assert push.message["apns"]["headers"]["apns-expiration"] == "0"


async def test_installation_id_is_sent_as_fid_when_configured(fcm_server: FcmTestServer) -> None:
    sender = FcmPushSender(fcm_server.settings(device_address=DeviceAddress.FID), FixedClock(NOW))
    try:
        await sender.send(replace(RING, device_token="cXk2aW5zdGFsbGF0aW9uLWlk"))
    finally:
        await sender.close()

    [push] = fcm_server.pushes
    assert push.message["fid"] == "cXk2aW5zdGFsbGF0aW9uLWlk"
    assert "token" not in push.message


# --- FCM: refusals, as the outbox and the device registry need them -----------------------


async def test_unregistered_token_is_permanent_with_code_unregistered(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    fcm_server.unregister(GLASSES)

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == "unregistered"
    assert error.retryable is False
    assert error.forget_device_token is True
    assert "404" in str(error)
    assert fcm_server.pushes == []


async def test_invalid_token_is_permanent(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    fcm_server.answer_next(INVALID_TOKEN)

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == PushFailure.INVALID_TOKEN
    assert error.retryable is False
    assert error.forget_device_token is True


async def test_invalid_data_key_is_permanent_but_keeps_the_token(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    fcm_server.answer_next(INVALID_DATA_KEY)

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == PushFailure.INVALID_MESSAGE
    assert error.retryable is False
    assert error.forget_device_token is False


async def test_quota_exceeded_is_retryable(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    fcm_server.answer_next(quota_exceeded(retry_after="30"))

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == PushFailure.QUOTA_EXCEEDED
    assert error.retryable is True
    assert error.retry_after == 30.0
    assert error.forget_device_token is False


@pytest.mark.parametrize("answer", [UNAVAILABLE, INTERNAL], ids=["503 UNAVAILABLE", "500 INTERNAL"])
async def test_unavailable_is_retryable(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender, answer: FcmAnswer
) -> None:
    fcm_server.answer_next(answer)

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == PushFailure.UNAVAILABLE
    assert error.retryable is True
    await fcm_sender.send(RING)
    assert len(fcm_server.pushes) == 1


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (SENDER_ID_MISMATCH, PushFailure.SENDER_MISMATCH),
        (THIRD_PARTY_AUTH_ERROR, PushFailure.THIRD_PARTY_AUTH),
    ],
    ids=["SENDER_ID_MISMATCH", "THIRD_PARTY_AUTH_ERROR"],
)
async def test_sender_and_apns_configuration_errors_are_permanent(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender, answer: FcmAnswer, code: PushFailure
) -> None:
    fcm_server.answer_next(answer)

    error = await send_expecting_refusal(fcm_sender, RING)

    assert error.code == code
    assert error.retryable is False
    assert error.forget_device_token is False
    assert fcm_server.grants == 1, "a relayed 401 is not a stale access token"


async def test_wrong_project_is_refused_without_forgetting_the_token(
    fcm_server: FcmTestServer,
) -> None:
    sender = FcmPushSender(fcm_server.settings(project_id="someone-else"), FixedClock(NOW))
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert error.code == PushFailure.CREDENTIALS_REFUSED
    assert error.retryable is False
    assert error.forget_device_token is False


async def test_unreachable_api_is_retryable(fcm_server: FcmTestServer) -> None:
    sender = FcmPushSender(
        fcm_server.settings(fcm_base_url=f"http://127.0.0.1:{free_port()}"), FixedClock(NOW)
    )
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert error.code == PushFailure.UNREACHABLE
    assert error.retryable is True


async def test_unreachable_token_endpoint_is_retryable(fcm_server: FcmTestServer) -> None:
    sender = FcmPushSender(
        fcm_server.settings(token_uri=f"http://127.0.0.1:{free_port()}/token"), FixedClock(NOW)
    )
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert error.code == PushFailure.UNREACHABLE
    assert error.retryable is True
    assert fcm_server.pushes == []


async def test_slow_api_times_out_as_retryable(fcm_server: FcmTestServer) -> None:
    fcm_server.delay_sends(3.0)
    sender = FcmPushSender(fcm_server.settings(timeout_seconds=0.3), FixedClock(NOW))
    started = time.monotonic()
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert time.monotonic() - started < 1.5
    assert error.code == PushFailure.TIMEOUT
    assert error.retryable is True


async def test_slow_token_endpoint_times_out_as_retryable(fcm_server: FcmTestServer) -> None:
    fcm_server.delay_token_requests(1.0)
    sender = FcmPushSender(fcm_server.settings(timeout_seconds=0.3), FixedClock(NOW))
    started = time.monotonic()
    try:
        error = await send_expecting_refusal(sender, RING)
        assert time.monotonic() - started < 0.9
    finally:
        await sender.close()

    assert error.code == PushFailure.TIMEOUT
    assert error.retryable is True


# --- FCM: access tokens -------------------------------------------------------------------


async def test_access_token_is_fetched_once_and_reused(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    await asyncio.gather(*(fcm_sender.send(RING) for _ in range(5)))
    for _ in range(3):
        await fcm_sender.send(RING)

    assert fcm_server.grants == 1
    assert len(fcm_server.pushes) == 8
    assert len({push.authorization for push in fcm_server.pushes}) == 1


async def test_rejected_access_token_is_replaced_and_the_push_sent(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    await fcm_sender.send(RING)
    fcm_server.revoke_access_tokens()

    await fcm_sender.send(RING)

    first, second = fcm_server.pushes
    assert fcm_server.grants == 2
    assert first.authorization != second.authorization


async def test_send_that_gives_up_during_a_token_fetch_leaves_it_to_the_next(
    fcm_server: FcmTestServer, fcm_sender: FcmPushSender
) -> None:
    fcm_server.delay_token_requests(0.3)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fcm_sender.send(RING), 0.05)

    await fcm_sender.send(RING)

    assert fcm_server.grants == 1
    assert len(fcm_server.pushes) == 1


async def test_refused_credentials_are_reported_without_leaking_the_key(
    fcm_server: FcmTestServer, fcm_keys: FcmKeys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = fcm_server.settings(key=fcm_keys.stranger)
    sender = FcmPushSender(settings, FixedClock(NOW))
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert error.code == PushFailure.CREDENTIALS_REFUSED
    assert error.retryable is False
    assert "Invalid JWT Signature" in str(error)
    key_body = fcm_keys.stranger.pem.splitlines()[5]
    told: list[str] = [str(error), repr(error), repr(settings), str(settings), caplog.text]
    cause = error.__cause__
    while cause is not None:
        told += [str(cause), repr(cause)]
        cause = cause.__cause__
    assert all(key_body not in text and "PRIVATE KEY" not in text for text in told)
    assert fcm_server.pushes == []


async def test_deleted_key_is_refused_permanently(fcm_server: FcmTestServer) -> None:
    fcm_server.refuse_token_requests()
    sender = FcmPushSender(fcm_server.settings(), FixedClock(NOW))
    try:
        error = await send_expecting_refusal(sender, RING)
    finally:
        await sender.close()

    assert error.code == PushFailure.CREDENTIALS_REFUSED
    assert "invalid_grant" in str(error)


# --- FCM: configuration -------------------------------------------------------------------


async def test_two_senders_with_different_endpoints_coexist(
    start_fcm_server: StartFcmServer, fcm_keys: FcmKeys
) -> None:
    acme = start_fcm_server(project_id="acme-push")
    globex = start_fcm_server(project_id="globex-push", key=fcm_keys.stranger)
    to_acme = FcmPushSender(acme.settings(), FixedClock(NOW))
    to_globex = FcmPushSender(globex.settings(), FixedClock(NOW))
    try:
        names = await asyncio.gather(
            *(
                sender.send(replace(RING, data={"n": str(n)}))
                for n in range(3)
                for sender in (to_acme, to_globex)
            )
        )
    finally:
        await to_acme.close()
        await to_globex.close()

    assert sum(name.startswith("projects/acme-push/") for name in names) == 3
    assert sum(name.startswith("projects/globex-push/") for name in names) == 3
    assert [p.project for p in acme.pushes] == ["acme-push"] * 3
    assert [p.project for p in globex.pushes] == ["globex-push"] * 3
    assert acme.grants == globex.grants == 1


async def test_key_file_and_token_uri_setting_are_used(
    fcm_server: FcmTestServer, tmp_path: Path
) -> None:
    key_file = tmp_path / "service-account.json"
    elsewhere = f"http://127.0.0.1:{free_port()}/token"
    key_file.write_text(json.dumps(fcm_server.service_account(token_uri=elsewhere)))
    settings = fcm_server.settings(
        credentials_json=None, credentials_file=key_file, token_uri=fcm_server.token_uri
    )
    sender = FcmPushSender(settings, FixedClock(NOW))
    try:
        await sender.send(RING)
    finally:
        await sender.close()

    assert fcm_server.grants == 1
    assert len(fcm_server.pushes) == 1


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (FirebaseSettings(), r"firebase\.credentials_file or firebase\.credentials_json"),
        (FirebaseSettings(credentials_file=Path("/nonexistent/key.json")), "cannot read"),
        (FirebaseSettings(credentials_json="{not json"), "not valid JSON"),
        (FirebaseSettings(credentials_json='{"type": "authorized_user"}'), "service-account"),
    ],
    ids=["no key", "missing file", "not JSON", "not a service account"],
)
def test_unusable_key_stops_start_up_with_the_setting_named(
    settings: FirebaseSettings, named: str
) -> None:
    with pytest.raises(FirebaseCredentialsError, match=named):
        FcmPushSender(settings, FixedClock(NOW))


def test_both_key_sources_at_once_are_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        FirebaseSettings(credentials_file=Path("key.json"), credentials_json="{}")


async def test_plugin_builds_the_fcm_sender_from_the_firebase_block(
    fcm_server: FcmTestServer, tmp_path: Path
) -> None:
    registry = AdapterRegistry()
    push_plugin.register_adapters(registry)
    context = AdapterContext(
        blocks={"firebase": fcm_server.settings().model_dump()},
        clock=FixedClock(NOW),
        data_dir=tmp_path,
    )
    assert registry.names("push") == ["console", "fcm"]
    assert registry.get("push", "console").development is True

    sender = registry.get("push", "fcm").factory(context)
    assert isinstance(sender, FcmPushSender)
    try:
        await sender.send(RING)
    finally:
        await sender.close()
    assert len(fcm_server.pushes) == 1

    empty = AdapterContext(blocks={}, clock=FixedClock(NOW), data_dir=tmp_path)
    with pytest.raises(AdapterSettingsError, match=r"firebase\.credentials_file"):
        registry.get("push", "fcm").factory(empty)


def test_push_plugin_loads_without_the_firebase_sdk() -> None:
    """firebase-admin is an optional extra: only choosing the fcm adapter imports it."""
    probe = "import sys, plugins.builtin.push; print('firebase_admin' in sys.modules)"

    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "False"


# --- development and test adapters --------------------------------------------------------


def test_console_sink_warns_that_pushes_are_printed_not_sent(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "_given", set())  # as in a new process
    with caplog.at_level(logging.WARNING):
        ConsolePushSender(io.StringIO())

    assert "printed, never sent" in caplog.text


async def test_console_sink_shows_priority_ttl_and_collapse_key() -> None:
    stream = io.StringIO()

    await ConsolePushSender(stream).send(RING)

    printed = stream.getvalue()
    assert "priority: high" in printed
    assert "time to live: 30 s" in printed
    assert "collapse key: call-4f1c9a2e" in printed


async def test_recording_sender_raises_queued_failures_in_order() -> None:
    recorder = RecordingPushSender()
    gone = PushDeliveryError("gone", retryable=False, code=PushFailure.UNREGISTERED)
    busy = PushDeliveryError("busy", retryable=True, code=PushFailure.QUOTA_EXCEEDED)
    recorder.failures += [gone, busy]

    with pytest.raises(PushDeliveryError) as first:
        await recorder.send(RING)
    with pytest.raises(PushDeliveryError) as second:
        await recorder.send(RING)
    await recorder.send(RING)

    assert (first.value, second.value) == (gone, busy)
    assert len(recorder.sent) == 1
