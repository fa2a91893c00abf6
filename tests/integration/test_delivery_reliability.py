"""Delivery through a real SMTP relay that goes away and comes back, or refuses for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from adapters.smtp.mail_sender import SmtpMailSender
from apps.worker.outbox_worker import OutboxWorker
from tests.integration.conftest import Api
from tests.support.smtp_server import SmtpTestServer


async def _invite(api: Api, relay: SmtpTestServer, clock: FixedClock) -> tuple[dict[str, str], str]:
    api.container.mail.override(providers.Object(SmtpMailSender(relay.settings())))
    api.container.clock.override(providers.Object(clock))
    for provider in ("channel_senders", "delivery_dependencies", "dispatch_dependencies"):
        getattr(api.container, provider).reset()
    await api.create_tenant("acme")
    headers = await api.login("acme")
    session_id = await api.create_session(headers)
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus"},
        headers=headers,
    )
    return headers, f"/api/v1/notifications/{invited.json()['notification_id']}"


async def _status(api: Api, headers: dict[str, str], url: str) -> Any:
    return (await api.client.get(url, headers=headers)).json()


async def test_relay_down_for_a_while_is_retried_and_delivered_when_it_returns(
    api: Api, smtp_server: SmtpTestServer
) -> None:
    clock = FixedClock(datetime.now(UTC))
    headers, url = await _invite(api, smtp_server, clock)
    worker = OutboxWorker(api.container)
    smtp_server.stop()
    try:
        await worker.run_once()
        down = await _status(api, headers, url)
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
        still_down = await _status(api, headers, url)
    finally:
        smtp_server.start_again()
    clock.advance(timedelta(hours=1))
    await worker.run_once()
    back = await _status(api, headers, url)

    assert down["status"] == "failed"
    assert "unreachable" in down["last_error"]
    assert still_down["status"] == "failed"
    assert still_down["attempts"] == 2
    assert back["status"] == "sent"
    assert back["attempts"] == 3
    (received,) = smtp_server.mails
    assert received.rcpt_tos == ("gus@supplier.example",)


async def test_permanent_refusal_goes_dead_and_is_never_tried_again(
    api: Api, smtp_server: SmtpTestServer
) -> None:
    clock = FixedClock(datetime.now(UTC))
    smtp_server.refuse("RCPT", 550, "No such user")
    headers, url = await _invite(api, smtp_server, clock)
    worker = OutboxWorker(api.container)

    for _ in range(5):
        await worker.run_once()
        clock.advance(timedelta(hours=6))

    dead = await _status(api, headers, url)
    assert dead["status"] == "dead"
    assert dead["attempts"] == 1
    assert "550" in dead["last_error"]
    assert smtp_server.mails == []
