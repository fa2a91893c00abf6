"""The webhook transport against real receivers on loopback: it connects to the vetted
address whatever the URL's host, keeps that host for Host, SNI and the certificate check,
follows no redirect and keeps only an excerpt of the answer."""

from __future__ import annotations

import ssl

import pytest
import trustme

from adapters.httpx.webhook_transport import EXCERPT_BYTES, PinnedWebhookTransport
from ports.webhooks import WebhookRequest, WebhookUnreachable
from tests.support.webhook_receiver import WebhookReceiver, running_receiver

BODY = b'{"type":"webhook.test"}'


def _request(url: str) -> WebhookRequest:
    return WebhookRequest(url, "127.0.0.1", {"webhook-id": "msg_1"}, BODY)


def _port(receiver: WebhookReceiver) -> int:
    return int(receiver.server.server_address[1])


async def test_the_vetted_address_is_used_while_host_stays_the_urls(
    webhook_receiver: WebhookReceiver,
) -> None:
    url = f"http://hooks.example:{_port(webhook_receiver)}/in"
    answer = await PinnedWebhookTransport(timeout_seconds=5).post(_request(url))

    (received,) = webhook_receiver.hooks()
    assert answer.status_code == 200
    assert received.headers["host"] == f"hooks.example:{_port(webhook_receiver)}"
    assert received.headers["webhook-id"] == "msg_1"
    assert received.body == BODY


async def test_redirects_are_not_followed_and_answers_are_cut_to_an_excerpt(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.answer(302, 500)
    url = f"http://hooks.example:{_port(webhook_receiver)}/in"
    transport = PinnedWebhookTransport(timeout_seconds=5)

    redirected = await transport.post(_request(url))
    failed = await transport.post(_request(url))

    assert redirected.status_code == 302
    assert len(webhook_receiver.hooks()) == 2
    assert failed.status_code == 500
    assert len(failed.excerpt) == EXCERPT_BYTES


async def test_tls_checks_the_certificate_of_the_urls_host_not_of_the_address() -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("hooks.example").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    transport = PinnedWebhookTransport(timeout_seconds=5, ssl_context=client_context)

    with running_receiver(tls=server_context) as receiver:
        port = _port(receiver)
        answer = await transport.post(_request(f"https://hooks.example:{port}/in"))
        with pytest.raises(WebhookUnreachable):
            await transport.post(_request(f"https://other.example:{port}/in"))

    assert answer.status_code == 200
    assert len(receiver.hooks()) == 1
