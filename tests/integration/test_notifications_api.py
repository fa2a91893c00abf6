"""Notification previews and manual retries over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from dependency_injector import providers

from adapters.memory.mail_sender import RecordingMailSender
from apps.worker.outbox_worker import OutboxWorker
from ports.mail import MailDeliveryError
from tests.integration.conftest import Api


async def test_preview_renders_the_kind_in_the_language_with_the_tenants_name(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    response = await api.client.post(
        "/api/v1/notifications/preview",
        json={"kind": "session_invitation", "locale": "fr", "values": {"guest_name": "Gaston"}},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subject"] == "Ada Expert vous invite à une session d'assistance à distance"
    assert "Bonjour Gaston" in body["text"]
    assert "Acme Inc." in body["html"]


async def test_preview_names_the_field_at_fault(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    cases = [
        ({"kind": "birthday"}, 422, "kind"),
        ({"kind": "password_reset", "channel": "sms"}, 422, "channel"),
        ({"kind": "password_reset", "channel": "fax"}, 422, "channel"),
        ({"kind": "password_reset", "locale": "de"}, 422, "locale"),
        ({"kind": "password_reset", "values": {"shoe_size": "44"}}, 422, "values.shoe_size"),
    ]
    for body, status, field in cases:
        response = await api.client.post(
            "/api/v1/notifications/preview", json=body, headers=headers
        )
        assert response.status_code == status, (body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], body


async def test_dead_notification_is_retried_by_an_admin_and_then_delivered(api: Api) -> None:
    failing = RecordingMailSender()
    failing.failures.append(MailDeliveryError("550 mailbox unavailable", retryable=False))
    api.container.mail.override(providers.Object(failing))
    api.container.channel_senders.reset()
    api.container.delivery_dependencies.reset()
    api.container.dispatch_dependencies.reset()
    await api.create_tenant("acme")
    headers = await api.login("acme")
    session_id = await api.create_session(headers)
    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus"},
        headers=headers,
    )
    notification = f"/api/v1/notifications/{invited.json()['notification_id']}"

    await OutboxWorker(api.container).run_once()
    dead = (await api.client.get(notification, headers=headers)).json()
    assert dead["status"] == "dead"
    assert dead["last_error"] == "550 mailbox unavailable"
    requeued = await api.client.post(f"{notification}/retry", headers=headers)

    assert requeued.status_code == 200, requeued.text
    assert requeued.json()["status"] == "queued"
    await OutboxWorker(api.container).run_once()
    assert (await api.client.get(notification, headers=headers)).json()["status"] == "sent"
    assert [m.to for m in failing.sent] == ["gus@supplier.example"]
    again = await api.client.post(f"{notification}/retry", headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "not_retryable"
