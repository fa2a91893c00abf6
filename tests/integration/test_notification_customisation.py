"""A tenant admin words its notifications and names its sender; deliveries follow them,
the platform's wording comes back when the tenant's is removed, and bad wording is
refused before it could ever fail a delivery."""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers

from adapters.memory.sms_sender import RecordingSmsSender
from adapters.smtp.mail_sender import SmtpMailSender
from apps.worker.outbox_worker import OutboxWorker
from core.notifications.model import Channel
from core.notifications.routing import Route, queued_message
from tests.integration.conftest import Api
from tests.support.smtp_server import SmtpTestServer

WORDINGS = "/api/v1/notifications/wordings"
SENDER = "/api/v1/notifications/sender"
MISSED_CALL = {
    "callee_name": "Fred Field",
    "caller_name": "Ada Expert",
    "session_reference": "Ticket 4711",
    "missed_at": "2026-11-28 09:14 UTC",
}


async def _admin(api: Api) -> dict[str, str]:
    await api.create_tenant("acme")
    return await api.login("acme")


async def _deliver(api: Api, channel: Channel, recipient: str, locale: str = "en") -> None:
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    message = queued_message(
        "missed_call",
        Route(channel, recipient, ()),
        {**MISSED_CALL, "locale": locale},
        api.container.clock().now(),
    )
    async with api.container.tenant_uow()(tenant.id) as uow:
        await uow.outbox.add(message)
        await uow.commit()
    report = await OutboxWorker(api.container).run_once()
    assert report.sent == 1


def _use(api: Api, **adapters: Any) -> None:
    for name, adapter in adapters.items():
        getattr(api.container, name).override(providers.Object(adapter))
    for provider in ("channel_senders", "delivery_dependencies", "dispatch_dependencies"):
        getattr(api.container, provider).reset()


async def test_an_sms_goes_out_in_the_tenants_wording_and_sender_id(api: Api) -> None:
    sms = RecordingSmsSender()
    _use(api, sms=sms)
    headers = await _admin(api)
    wording = await api.client.put(
        f"{WORDINGS}/missed_call/sms/fr",
        json={"text": "ACME : {{ caller_name }} a appelé ({{ session_reference }})"},
        headers=headers,
    )
    sender = await api.client.put(SENDER, json={"sms_sender_id": "ACME"}, headers=headers)

    await _deliver(api, Channel.SMS, "+32470123456", locale="fr")

    assert wording.status_code == 200, wording.text
    assert sender.status_code == 200, sender.text
    [sent] = sms.sent
    assert sent.text == "ACME : Ada Expert a appelé (Ticket 4711)"
    assert sent.sender == "ACME"


async def test_an_e_mail_carries_the_tenants_wording_sender_name_and_reply_to_over_smtp(
    api: Api, smtp_server: SmtpTestServer
) -> None:
    _use(api, mail=SmtpMailSender(smtp_server.settings()))
    headers = await _admin(api)
    await api.client.put(
        f"{WORDINGS}/missed_call/email/en",
        json={
            "subject": "{{ caller_name }} tried to reach you",
            "text": "Call {{ caller_name }} back about {{ session_reference }}.",
            "html": "<p>Call <b>{{ caller_name }}</b> back</p>",
        },
        headers=headers,
    )
    await api.client.put(
        SENDER,
        json={"mail_from_name": "ACME Field Support", "mail_reply_to": "Support@ACME.example"},
        headers=headers,
    )

    await _deliver(api, Channel.EMAIL, "fred@acme.example")

    [mail] = smtp_server.mails
    assert mail.message["Subject"] == "Ada Expert tried to reach you"
    assert mail.message["From"] == "ACME Field Support <no-reply@localhost>"
    assert mail.message["Reply-To"] == "support@acme.example"
    assert (
        "Call Ada Expert back about Ticket 4711." in mail.message.get_body(("plain",)).get_content()
    )
    assert "<b>Ada Expert</b>" in mail.message.get_body(("html",)).get_content()


async def test_removing_the_tenants_wording_brings_the_platforms_back(api: Api) -> None:
    sms = RecordingSmsSender()
    _use(api, sms=sms)
    headers = await _admin(api)
    url = f"{WORDINGS}/missed_call/sms/en"
    await api.client.put(url, json={"text": "custom {{ caller_name }}"}, headers=headers)

    removed = await api.client.delete(url, headers=headers)
    again = await api.client.delete(url, headers=headers)
    await _deliver(api, Channel.SMS, "+32470123456")

    assert removed.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "wording_not_found"
    assert sms.sent[0].text.startswith("Missed call from Ada Expert")


async def test_setting_a_wording_again_replaces_it_and_keeps_its_identity(api: Api) -> None:
    headers = await _admin(api)
    url = f"{WORDINGS}/missed_call/push/en"
    first = await api.client.put(
        url, json={"subject": "Missed", "text": "one {{ caller_name }}"}, headers=headers
    )
    second = await api.client.put(
        url, json={"subject": "Missed", "text": "two {{ caller_name }}"}, headers=headers
    )
    listed = await api.client.get(WORDINGS, headers=headers)

    assert second.json()["id"] == first.json()["id"]
    assert [item["text"] for item in listed.json()["items"]] == ["two {{ caller_name }}"]


async def test_wordings_are_listed_page_by_page(api: Api) -> None:
    headers = await _admin(api)
    for locale in ("en", "fr", "nl"):
        response = await api.client.put(
            f"{WORDINGS}/missed_call/sms/{locale}",
            json={"text": f"{locale} {{{{ caller_name }}}}"},
            headers=headers,
        )
        assert response.status_code == 200, response.text

    first = (await api.client.get(WORDINGS, params={"limit": 2}, headers=headers)).json()
    second = (
        await api.client.get(
            WORDINGS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
        )
    ).json()

    assert [i["locale"] for i in first["items"] + second["items"]] == ["en", "fr", "nl"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "body", "field", "code"),
    [
        ("missed_call/sms/en", {"text": "{{ password }}"}, "text", "template_error"),
        ("missed_call/sms/en", {"text": "{% if %}"}, "text", "template_error"),
        (
            "missed_call/email/en",
            {"subject": "{{ nope }}", "text": "{{ caller_name }}"},
            "subject",
            "template_error",
        ),
        ("missed_call/sms/en", {"text": "x" * 460}, "text", "sms_too_long"),
        ("missed_call/sms/en", {"text": "hi", "subject": "no"}, "subject", "not_for_channel"),
        ("missed_call/sms/en", {"text": "hi", "html": "<p>"}, "html", "not_for_channel"),
        ("missed_call/email/en", {"text": "no subject"}, "subject", "required"),
        ("missed_call/email/en", {"subject": "a\nb", "text": "t"}, "subject", "multiline"),
        ("missed_call/sms/en", {"text": "   "}, "text", "invalid_length"),
    ],
)
async def test_bad_wording_is_refused_with_its_field_and_nothing_is_stored(
    api: Api, path: str, body: dict[str, str], field: str, code: str
) -> None:
    headers = await _admin(api)

    response = await api.client.put(f"{WORDINGS}/{path}", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == field
    assert (await api.client.get(WORDINGS, headers=headers)).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("nothing/sms/en", 404),
        ("password_reset/sms/en", 404),
        ("missed_call/fax/en", 404),
        ("missed_call/sms/de", 400),
    ],
)
async def test_a_wording_path_that_names_no_wording_is_refused(
    api: Api, path: str, status: int
) -> None:
    """A kind not sent on a channel, or an unknown kind or channel, has no wording (404);
    the languages are listed in the schema, so another one is a malformed request (400)."""
    headers = await _admin(api)

    response = await api.client.put(f"{WORDINGS}/{path}", json={"text": "hi"}, headers=headers)

    assert response.status_code == status, response.text
    assert (await api.client.get(WORDINGS, headers=headers)).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mail_reply_to": "not an address"}, "mail_reply_to"),
        ({"sms_sender_id": "Too Long Name"}, "sms_sender_id"),
        ({"sms_sender_id": "+3247"}, "sms_sender_id"),
        ({"mail_from_name": "  "}, "mail_from_name"),
    ],
)
async def test_a_bad_sender_is_refused_with_its_field(
    api: Api, body: dict[str, str], field: str
) -> None:
    headers = await _admin(api)

    response = await api.client.put(SENDER, json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await api.client.get(SENDER, headers=headers)).json() == {
        "mail_from_name": None,
        "mail_reply_to": None,
        "sms_sender_id": None,
    }


async def test_a_sender_name_cannot_smuggle_a_header(api: Api) -> None:
    headers = await _admin(api)

    response = await api.client.put(
        SENDER, json={"mail_from_name": "ACME\r\nBcc: all@evil.example"}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["mail_from_name"] == "ACME Bcc: all@evil.example"


async def test_preview_shows_the_tenants_wording(api: Api) -> None:
    headers = await _admin(api)
    await api.client.put(
        f"{WORDINGS}/missed_call/sms/en", json={"text": "ACME: {{ caller_name }}"}, headers=headers
    )

    preview = await api.client.post(
        "/api/v1/notifications/preview",
        json={"kind": "missed_call", "channel": "sms", "values": {"caller_name": "Bo"}},
        headers=headers,
    )

    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "ACME: Bo"
    assert preview.json()["sms"] == {"encoding": "gsm-7", "characters": 8, "parts": 1}


async def test_a_wording_made_for_another_tenant_is_not_used_here(api: Api) -> None:
    sms = RecordingSmsSender()
    _use(api, sms=sms)
    await _admin(api)
    await api.create_tenant("other")
    other = await api.login("other")
    await api.client.put(
        f"{WORDINGS}/missed_call/sms/en", json={"text": "OTHER {{ caller_name }}"}, headers=other
    )
    await api.client.put(SENDER, json={"sms_sender_id": "OTHER"}, headers=other)

    await _deliver(api, Channel.SMS, "+32470123456")

    assert sms.sent[0].text.startswith("Missed call from Ada Expert")
    assert sms.sent[0].sender is None
