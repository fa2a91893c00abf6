"""Vonage delivery receipts: signed ones move an SMS to delivered (or dead, then fallback);
forged, tampered, unsigned and stale ones are refused and change nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers

from adapters.memory.clock import FixedClock
from adapters.vonage.sms_receipts import VonageReceiptReader
from adapters.vonage.sms_sender import VonageSmsSender
from apps.worker.outbox_worker import OutboxWorker
from core.notifications.model import Channel, Fallback
from core.notifications.routing import Route, queued_message
from tests.integration.conftest import Api
from tests.support.vonage_server import (
    SIGNATURE_SECRET,
    ReceivedRequest,
    VonageTestServer,
    delivery_receipt,
)

RECEIPTS = "/api/v1/webhooks/vonage/sms-receipts"
MISSED_CALL = {
    "callee_name": "Fred Field",
    "caller_name": "Ada Expert",
    "session_reference": "Ticket 4711",
    "missed_at": "2026-11-28 09:14 UTC",
}


class SentSms:
    def __init__(self, api: Api, headers: dict[str, str], notification_id: uuid.UUID) -> None:
        self.api = api
        self.headers = headers
        self.id = notification_id
        self.url = f"/api/v1/notifications/{notification_id}"

    async def status(self) -> Any:
        response = await self.api.client.get(self.url, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


async def _send_sms(
    api: Api, server: VonageTestServer, clock: FixedClock, *, fallbacks: tuple[Fallback, ...] = ()
) -> tuple[SentSms, ReceivedRequest]:
    container = api.container
    container.clock.override(providers.Object(clock))
    container.sms.override(providers.Object(VonageSmsSender(server.settings())))
    reader = VonageReceiptReader(server.settings(signature_secret=SIGNATURE_SECRET), clock)
    container.sms_receipts.override(providers.Object(reader))
    for provider in (
        "channel_senders",
        "delivery_dependencies",
        "dispatch_dependencies",
        "receipt_dependencies",
    ):
        getattr(container, provider).reset()
    await api.create_tenant("acme")
    headers = await api.login("acme")
    tenant = await container.catalog().find_by_slug("acme")
    assert tenant is not None
    message = queued_message(
        "missed_call", Route(Channel.SMS, "+32470123456", fallbacks), MISSED_CALL, clock.now()
    )
    async with container.tenant_uow()(tenant.id) as uow:
        await uow.outbox.add(message)
        await uow.commit()
    await OutboxWorker(container).run_once()
    [request] = server.requests
    return SentSms(api, headers, message.id), request


async def test_a_signed_receipt_marks_the_sms_delivered(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)
    before = await sms.status()

    answer = await api.client.post(
        RECEIPTS, json=delivery_receipt(request, status="delivered", at=clock.now())
    )

    assert before["status"] == "sent"
    assert answer.status_code == 204, answer.text
    assert (await sms.status())["status"] == "delivered"


@pytest.mark.parametrize("how", ["query", "form"])
async def test_receipts_sent_as_query_or_form_are_read_like_json(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock, how: str
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)
    fields = delivery_receipt(request, status="delivered", at=clock.now())

    if how == "query":
        answer = await api.client.get(RECEIPTS, params=fields)
    else:
        answer = await api.client.post(RECEIPTS, data=fields)

    assert answer.status_code == 204, answer.text
    assert (await sms.status())["status"] == "delivered"


async def test_the_client_ref_names_the_tenant_and_the_notification(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)
    tenant = await api.container.catalog().find_by_slug("acme")

    assert tenant is not None
    assert request.fields["client-ref"] == f"{tenant.id.hex}.{sms.id.hex}"


async def test_an_undeliverable_sms_goes_dead_and_its_e_mail_fallback_is_sent(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    sms, request = await _send_sms(
        api, vonage_server, clock, fallbacks=(Fallback(Channel.EMAIL, "fred@acme.example"),)
    )

    answer = await api.client.post(
        RECEIPTS,
        json=delivery_receipt(request, status="failed", err_code="1", at=clock.now()),
    )
    await OutboxWorker(api.container).run_once()

    assert answer.status_code == 204, answer.text
    status = await sms.status()
    assert status["status"] == "dead"
    assert "failed" in status["last_error"]
    assert [mail.to for mail in api.mail.sent] == ["fred@acme.example"]


async def test_a_late_failure_receipt_does_not_undo_a_delivered_sms(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)
    for status in ("delivered", "failed"):
        answer = await api.client.post(
            RECEIPTS, json=delivery_receipt(request, status=status, at=clock.now())
        )
        assert answer.status_code == 204, answer.text

    assert (await sms.status())["status"] == "delivered"


async def test_a_receipt_still_on_its_way_leaves_the_sms_sent(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)

    answer = await api.client.post(
        RECEIPTS, json=delivery_receipt(request, status="buffered", at=clock.now())
    )

    assert answer.status_code == 204, answer.text
    assert (await sms.status())["status"] == "sent"


def _forged(request: ReceivedRequest, now: datetime) -> dict[str, str]:
    return delivery_receipt(request, status="delivered", at=now, secret="guessed-secret")


def _tampered(request: ReceivedRequest, now: datetime) -> dict[str, str]:
    return delivery_receipt(request, status="failed", at=now) | {"status": "delivered"}


def _unsigned(request: ReceivedRequest, now: datetime) -> dict[str, str]:
    fields = delivery_receipt(request, status="delivered", at=now)
    del fields["sig"]
    return fields


def _stale(request: ReceivedRequest, now: datetime) -> dict[str, str]:
    return delivery_receipt(request, status="delivered", at=now - timedelta(minutes=5, seconds=1))


def _from_the_future(request: ReceivedRequest, now: datetime) -> dict[str, str]:
    return delivery_receipt(request, status="delivered", at=now + timedelta(minutes=5))


@pytest.mark.parametrize(
    ("receipt", "code"),
    [
        (_forged, "receipt_signature"),
        (_tampered, "receipt_signature"),
        (_unsigned, "receipt_unsigned"),
        (_stale, "receipt_stale"),
        (_from_the_future, "receipt_stale"),
    ],
)
async def test_receipts_that_do_not_prove_they_are_vonages_and_fresh_are_refused(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock, receipt: Any, code: str
) -> None:
    sms, request = await _send_sms(api, vonage_server, clock)

    answer = await api.client.post(RECEIPTS, json=receipt(request, clock.now()))

    assert answer.status_code == 401
    assert answer.json()["code"] == code
    assert (await sms.status())["status"] == "sent"


async def test_a_receipt_for_a_notification_that_is_gone_is_acknowledged(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    _, request = await _send_sms(api, vonage_server, clock)
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    gone = replace(
        request, fields=request.fields | {"client-ref": f"{tenant.id.hex}.{uuid.uuid4().hex}"}
    )

    answer = await api.client.post(
        RECEIPTS, json=delivery_receipt(gone, status="delivered", at=clock.now())
    )

    assert answer.status_code == 204, answer.text


async def test_a_client_ref_this_platform_did_not_write_is_refused_with_its_field(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    _, request = await _send_sms(api, vonage_server, clock)
    foreign = replace(request, fields=request.fields | {"client-ref": "campaign-42"})

    answer = await api.client.post(
        RECEIPTS, json=delivery_receipt(foreign, status="delivered", at=clock.now())
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "client-ref"


async def test_receipts_are_refused_where_no_signature_secret_is_configured(api: Api) -> None:
    answer = await api.client.post(RECEIPTS, json={"status": "delivered", "client-ref": "x"})

    assert answer.status_code == 404
    assert answer.json()["code"] == "receipts_not_configured"


async def test_a_body_that_is_not_json_is_a_clear_error(
    api: Api, vonage_server: VonageTestServer, clock: FixedClock
) -> None:
    await _send_sms(api, vonage_server, clock)

    answer = await api.client.post(
        RECEIPTS, content=b"{not json", headers={"content-type": "application/json"}
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_body"
