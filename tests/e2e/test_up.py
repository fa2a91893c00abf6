"""`passerelle up` as a user runs it: a subprocess on a free port, driven over HTTP."""

from __future__ import annotations

import email
import email.policy
import json
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from tests.support.platform import Platform, start_platform
from tests.support.smtp_server import SmtpTestServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    yield from start_platform(tmp_path / "data", {"PASSERELLE_MAIL__BACKEND": "file"})


def _signed_in(client: httpx.Client, platform: Platform) -> dict[str, str]:
    """The demo admin's headers: tenant and bearer token."""
    credentials = platform.credentials()
    tenant = {"X-Passerelle-Tenant": credentials["tenant"]}
    login = client.post(
        "/api/v1/auth/login",
        json={"email": credentials["email"], "password": credentials["password"]},
        headers=tenant,
    )
    assert login.status_code == 200, login.text
    return {**tenant, "Authorization": f"Bearer {login.json()['access_token']}"}


def _drive_the_slice(platform: Platform) -> tuple[str, str]:
    """Sign in, create a session, join it, invite a guest; returns (session id, notification id)."""
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        headers = _signed_in(client, platform)
        session = client.post("/api/v1/sessions", json={"reference": "E2E pump"}, headers=headers)
        assert session.status_code == 201, session.text
        session_id = session.json()["id"]
        joined = client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
        assert joined.status_code == 200, joined.text
        assert joined.json()["video"]["provider"] == "development"
        invited = client.post(
            f"/api/v1/sessions/{session_id}/invitations",
            json={"email": "gus@supplier.example", "display_name": "Gus", "locale": "nl"},
            headers=headers,
        )
        assert invited.status_code == 201, invited.text
        notification_id = invited.json()["notification_id"]
        _wait_for_status(client, headers, notification_id, "sent")
        schema = client.get("/schema/openapi.json")
        assert schema.status_code == 200
    return session_id, notification_id


def _wait_for_status(
    client: httpx.Client, headers: dict[str, str], notification_id: str, status: str
) -> None:
    deadline = time.monotonic() + 20
    seen = None
    while time.monotonic() < deadline:
        seen = client.get(f"/api/v1/notifications/{notification_id}", headers=headers).json()
        if seen["status"] == status:
            return
        time.sleep(0.2)
    pytest.fail(f"notification never reached {status}: {seen}")


def test_up_runs_the_whole_slice_and_the_worker_delivers_the_invitation(platform: Platform) -> None:
    session_id, notification_id = _drive_the_slice(platform)

    (eml,) = (platform.data_dir / "var" / "mail").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "gus@supplier.example"
    assert message["X-Passerelle-Notification"] == notification_id
    assert isinstance(message, EmailMessage)
    text = _plain_text(message)
    assert f"/join/{session_id}" in text
    assert "nodigt u uit" in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert f"/join/{session_id}" in html.get_content()


def _log_once_it_has(platform: Platform, text: str) -> str:
    """The request's line is written after its answer is sent: wait for it."""
    deadline = time.monotonic() + 10
    log = ""
    while time.monotonic() < deadline and text not in log:
        time.sleep(0.05)
        log = (platform.data_dir.parent / "up.log").read_text()
    return log


def test_up_logs_each_record_once_and_requests_as_structured_lines(platform: Platform) -> None:
    httpx.get(f"{platform.url}/api/v1/health", headers={"X-Request-ID": "e2e-log-1"})

    log = _log_once_it_has(platform, "e2e-log-1")
    [request] = [json.loads(line) for line in log.splitlines() if "e2e-log-1" in line]
    assert (request["event"], request["route"], request["status"]) == (
        "request",
        "/api/v1/health",
        200,
    )
    startup = [line for line in log.splitlines() if "Application startup complete" in line]
    assert len(startup) == 1
    assert json.loads(startup[0])["logger"] == "uvicorn.error"
    development = [line for line in log.splitlines() if "'development' in use" in line]
    assert len(development) == 1, "up builds three containers; the warning is given once"


def test_up_delivers_the_invitation_through_a_real_smtp_relay(
    tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    relay = {
        "PASSERELLE_MAIL__BACKEND": "smtp",
        "PASSERELLE_SMTP__HOST": smtp_server.host,
        "PASSERELLE_SMTP__PORT": str(smtp_server.port),
        "PASSERELLE_SMTP__SECURITY": "none",
    }
    for platform in start_platform(tmp_path / "data", relay):
        session_id, notification_id = _drive_the_slice(platform)

    (received,) = smtp_server.mails
    assert received.rcpt_tos == ("gus@supplier.example",)
    assert received.message["X-Passerelle-Notification"] == notification_id
    assert f"/join/{session_id}" in _plain_text(received.message)


def _plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def test_up_on_another_port_signs_file_links_a_client_can_follow(platform: Platform) -> None:
    """The platform runs on a free port, not 8000: the links it hands out must lead there."""
    content = b"%PDF-1.7 pump manual"
    with httpx.Client(base_url=platform.url, timeout=10) as client:
        headers = _signed_in(client, platform)
        started = client.post(
            "/api/v1/files/uploads",
            json={"name": "m.pdf", "content_type": "application/pdf", "size": len(content)},
            headers=headers,
        )
        assert started.status_code == 201, started.text
        upload = started.json()["upload"]
        file_id = started.json()["file"]["id"]
        assert upload["url"].startswith(f"{platform.url}/api/v1/blobs/")
        put = httpx.put(upload["url"], content=content, headers=upload["headers"], timeout=10)
        assert put.status_code == 200, put.text
        confirmed = client.post(f"/api/v1/files/{file_id}/confirm", headers=headers)
        assert confirmed.status_code == 200, confirmed.text
        redirected = client.get(f"/api/v1/files/{file_id}/content", headers=headers)
        assert redirected.status_code == 307
    download = redirected.headers["location"]
    assert download.startswith(f"{platform.url}/api/v1/blobs/")
    assert httpx.get(download, timeout=10).content == content


def test_second_start_keeps_the_demo_tenant_and_its_credentials(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = None
    for _ in start_platform(data_dir, {}):
        first = (data_dir / "demo-credentials.json").read_text()
    for platform in start_platform(data_dir, {}):
        assert (data_dir / "demo-credentials.json").read_text() == first
        login = httpx.post(
            f"{platform.url}/api/v1/auth/login",
            json={
                "email": platform.credentials()["email"],
                "password": platform.credentials()["password"],
            },
            headers={"X-Passerelle-Tenant": "demo"},
        )
        assert login.status_code == 200
