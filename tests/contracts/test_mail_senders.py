"""Every MailSender adapter delivers the message the core handed it, intact.

The contract runs against the SMTP adapter talking to a real aiosmtpd relay (plain,
STARTTLS + AUTH, implicit TLS + AUTH), the file sink (its .eml files read back) and the
recording fake the unit tests rely on. SMTP-specific behaviour (connection reuse,
reconnection, how refusals are classified for the outbox's retries) follows.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from adapters.memory.mail_sender import RecordingMailSender
from adapters.sinks.console_mail_sender import ConsoleMailSender
from adapters.sinks.file_mail_sender import FileMailSender
from adapters.smtp.mail_sender import SmtpMailSender
from adapters.smtp.settings import SmtpSecurity
from plugins.testing.mail import (
    INVITATION,
    Delivered,
    Harness,
    MailSenderContract,
    delivered_from_email,
)
from ports.mail import MailDeliveryError, MailMessage, MailSender
from tests.support.smtp_server import USERNAME, SmtpTestServer, Stage, free_port


def delivered_from_record(message: MailMessage) -> Delivered:
    headers = {"From": message.sender, "To": message.to, "Subject": message.subject}
    return Delivered(
        sender=message.sender,
        to=message.to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        headers=headers | message.headers,
    )


def read_eml_files(directory: Path) -> list[EmailMessage]:
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in sorted(directory.glob("*.eml")):
        message = parser.parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


ADAPTERS = ["smtp-plain", "smtp-starttls-auth", "smtp-tls-auth", "file-sink", "recording"]
SMTP_SERVERS = {
    "smtp-plain": "smtp_server",
    "smtp-starttls-auth": "starttls_smtp_server",
    "smtp-tls-auth": "tls_smtp_server",
}


@pytest.fixture(params=ADAPTERS)
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param in SMTP_SERVERS:
        server: SmtpTestServer = request.getfixturevalue(SMTP_SERVERS[request.param])
        smtp = SmtpMailSender(server.settings())
        yield Harness(smtp, lambda: [delivered_from_email(m.message) for m in server.mails])
        await smtp.close()
    elif request.param == "file-sink":
        directory = tmp_path / "mail"
        yield Harness(
            FileMailSender(directory),
            lambda: [delivered_from_email(m) for m in read_eml_files(directory)],
        )
    else:
        recorder = RecordingMailSender()
        yield Harness(recorder, lambda: [delivered_from_record(m) for m in recorder.sent])


class TestEveryMailSender(MailSenderContract):
    """The kit's contract (plugins.testing.mail), against each built-in adapter."""


# --- SMTP relay behaviour -----------------------------------------------------------------


@pytest.fixture
async def smtp_sender(smtp_server: SmtpTestServer) -> AsyncIterator[SmtpMailSender]:
    sender = SmtpMailSender(smtp_server.settings())
    yield sender
    await sender.close()


@pytest.fixture(params=["smtp_server", "starttls_smtp_server", "tls_smtp_server"])
def any_smtp_server(request: pytest.FixtureRequest) -> SmtpTestServer:
    server: SmtpTestServer = request.getfixturevalue(request.param)
    return server


async def test_envelope_carries_the_bare_addresses(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    await smtp_sender.send(INVITATION)

    [mail] = smtp_server.mails
    assert mail.mail_from == "no-reply@passerelle.test"
    assert mail.rcpt_tos == ("jean-noel@client.test",)


@pytest.mark.parametrize("server_fixture", ["starttls_smtp_server", "tls_smtp_server"])
async def test_relay_requiring_tls_gets_mail_encrypted_and_authenticated(
    request: pytest.FixtureRequest, server_fixture: str
) -> None:
    server: SmtpTestServer = request.getfixturevalue(server_fixture)
    sender = SmtpMailSender(server.settings())
    try:
        await sender.send(INVITATION)
    finally:
        await sender.close()

    [mail] = server.mails
    assert mail.tls
    assert mail.authenticated_as == USERNAME


async def test_connection_is_reused_across_messages(any_smtp_server: SmtpTestServer) -> None:
    sender = SmtpMailSender(any_smtp_server.settings())
    try:
        for number in range(5):
            await sender.send(replace(INVITATION, subject=f"Message {number}"))
        assert any_smtp_server.open_connections == 1
    finally:
        await sender.close()

    assert len(any_smtp_server.mails) == 5
    assert len({mail.connection for mail in any_smtp_server.mails}) == 1


async def test_concurrent_sends_share_the_connection_and_all_arrive(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    subjects = [f"Message {number}" for number in range(10)]

    await asyncio.gather(
        *(smtp_sender.send(replace(INVITATION, subject=subject)) for subject in subjects)
    )

    assert sorted(str(mail.message["Subject"]) for mail in smtp_server.mails) == sorted(subjects)
    assert len({mail.connection for mail in smtp_server.mails}) == 1


async def test_close_ends_the_connection(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    await smtp_sender.send(INVITATION)

    await smtp_sender.close()

    async with asyncio.timeout(2):
        await smtp_server.wait_until_idle()


@pytest.mark.parametrize("server_fixture", ["smtp_server", "starttls_smtp_server"])
async def test_reconnects_after_server_drops_connection(
    request: pytest.FixtureRequest, server_fixture: str
) -> None:
    server: SmtpTestServer = request.getfixturevalue(server_fixture)
    sender = SmtpMailSender(server.settings())
    try:
        await sender.send(replace(INVITATION, subject="before the drop"))
        server.drop_connections()
        await sender.send(replace(INVITATION, subject="after the drop"))
    finally:
        await sender.close()

    before, after = server.mails
    assert str(after.message["Subject"]) == "after the drop"
    assert after.connection != before.connection


async def test_reconnects_when_the_dropped_connection_was_already_noticed(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    await smtp_sender.send(replace(INVITATION, subject="before the drop"))
    smtp_server.drop_connections()
    await asyncio.sleep(0.05)

    await smtp_sender.send(replace(INVITATION, subject="after the drop"))

    before, after = smtp_server.mails
    assert after.connection != before.connection


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
async def test_temporary_rejection_is_retryable(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender, stage: Stage
) -> None:
    smtp_server.refuse(stage, 451, "4.3.0 Try again later")

    with pytest.raises(MailDeliveryError, match="451") as refused:
        await smtp_sender.send(INVITATION)

    assert refused.value.retryable is True
    assert smtp_server.mails == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
async def test_permanent_rejection_is_not_retryable(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender, stage: Stage
) -> None:
    smtp_server.refuse(stage, 550, "5.1.1 Mailbox unavailable")

    with pytest.raises(MailDeliveryError, match="550") as refused:
        await smtp_sender.send(INVITATION)

    assert refused.value.retryable is False
    assert smtp_server.mails == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
async def test_a_refused_message_leaves_the_connection_usable(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender, stage: Stage
) -> None:
    blocked = "Bloqué <blocked@client.test>"
    smtp_server.refuse(stage, 550, "5.1.1 Mailbox unavailable", recipient="blocked@client.test")

    await smtp_sender.send(replace(INVITATION, subject="first"))
    with pytest.raises(MailDeliveryError):
        await smtp_sender.send(replace(INVITATION, to=blocked))
    await smtp_sender.send(replace(INVITATION, subject="second"))

    first, second = smtp_server.mails
    assert str(second.message["Subject"]) == "second"
    assert second.connection == first.connection


async def test_cancelled_send_does_not_spoil_the_next_one(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    await smtp_sender.send(replace(INVITATION, subject="before"))
    smtp_server.stall("DATA", 0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(smtp_sender.send(replace(INVITATION, subject="cut off")), 0.1)
    smtp_server.accept_all()

    await asyncio.wait_for(smtp_sender.send(replace(INVITATION, subject="after")), 1.0)
    await asyncio.wait_for(smtp_sender.send(replace(INVITATION, subject="later")), 1.0)

    subjects = [str(mail.message["Subject"]) for mail in smtp_server.mails]
    assert subjects == ["before", "after", "later"]


@pytest.mark.parametrize(
    "to",
    ["", "pas une adresse", "jean-noel@client.test\r\nBcc: everyone@client.test"],
    ids=["no recipient", "not an address", "line break in a header"],
)
async def test_unsendable_message_is_refused_permanently(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender, to: str
) -> None:
    with pytest.raises(MailDeliveryError) as refused:
        await smtp_sender.send(replace(INVITATION, to=to))

    assert refused.value.retryable is False
    assert smtp_server.mails == []


async def test_internationalised_address_is_delivered(
    smtp_server: SmtpTestServer, smtp_sender: SmtpMailSender
) -> None:
    await smtp_sender.send(replace(INVITATION, to="Zoë <zoë@exämple.test>"))

    [mail] = smtp_server.mails
    assert mail.rcpt_tos == ("zoë@exämple.test",)
    assert str(mail.message["To"]) == "Zoë <zoë@exämple.test>"


async def test_unreachable_relay_is_retryable(smtp_server: SmtpTestServer) -> None:
    sender = SmtpMailSender(smtp_server.settings(port=free_port()))

    with pytest.raises(MailDeliveryError) as refused:
        await sender.send(INVITATION)

    assert refused.value.retryable is True
    await sender.close()


async def test_silent_relay_times_out_as_retryable(smtp_server: SmtpTestServer) -> None:
    async def never_greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    silent = await asyncio.start_server(never_greet, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    sender = SmtpMailSender(smtp_server.settings(port=port, timeout_seconds=0.3))
    try:
        with pytest.raises(MailDeliveryError) as refused:
            await asyncio.wait_for(sender.send(INVITATION), timeout=3)
    finally:
        await sender.close()
        silent.close()
        await silent.wait_closed()

    assert refused.value.retryable is True


async def test_wrong_password_is_refused(starttls_smtp_server: SmtpTestServer) -> None:
    sender = SmtpMailSender(starttls_smtp_server.settings(password="not-the-password"))

    with pytest.raises(MailDeliveryError, match="535") as refused:
        await sender.send(INVITATION)

    assert refused.value.retryable is False
    assert starttls_smtp_server.mails == []
    async with asyncio.timeout(2):
        await starttls_smtp_server.wait_until_idle()
    await sender.close()


@pytest.mark.parametrize("server_fixture", ["starttls_smtp_server", "tls_smtp_server"])
async def test_untrusted_certificate_is_refused(
    request: pytest.FixtureRequest, server_fixture: str
) -> None:
    server: SmtpTestServer = request.getfixturevalue(server_fixture)
    sender = SmtpMailSender(server.settings(ca_file=None))

    with pytest.raises(MailDeliveryError, match="certificate"):
        await sender.send(INVITATION)

    assert server.mails == []
    await sender.close()


async def test_relay_without_starttls_is_refused_when_starttls_is_configured(
    smtp_server: SmtpTestServer,
) -> None:
    sender = SmtpMailSender(smtp_server.settings(security=SmtpSecurity.STARTTLS))

    with pytest.raises(MailDeliveryError):
        await sender.send(INVITATION)

    assert smtp_server.mails == []
    await sender.close()


# --- development sinks --------------------------------------------------------------------


async def test_file_sink_writes_whole_messages_only(tmp_path: Path) -> None:
    directory = tmp_path / "mail"
    sink = FileMailSender(directory)

    await asyncio.gather(
        *(sink.send(replace(INVITATION, subject=f"Message {n}")) for n in range(20))
    )

    files = sorted(path.name for path in directory.iterdir())
    assert len(files) == 20
    assert all(name.endswith(".eml") and not name.startswith(".") for name in files)
    assert sorted(str(m["Subject"]) for m in read_eml_files(directory)) == sorted(
        f"Message {n}" for n in range(20)
    )


async def test_file_sink_that_cannot_write_refuses_as_retryable(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "mail"
    not_a_directory.write_text("a file where the directory should be")
    sink = FileMailSender(not_a_directory)

    with pytest.raises(MailDeliveryError) as refused:
        await sink.send(INVITATION)

    assert refused.value.retryable is True


async def test_file_sink_leaves_no_partial_file_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_rename(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("adapters.sinks.file_mail_sender.os.replace", fail_rename)
    directory = tmp_path / "mail"

    with pytest.raises(MailDeliveryError):
        await FileMailSender(directory).send(INVITATION)

    assert list(directory.iterdir()) == []


@pytest.mark.parametrize("sink", ["file", "console"])
async def test_sinks_refuse_a_line_break_in_a_header_permanently(tmp_path: Path, sink: str) -> None:
    sender: MailSender = (
        FileMailSender(tmp_path) if sink == "file" else ConsoleMailSender(io.StringIO())
    )

    with pytest.raises(MailDeliveryError) as refused:
        await sender.send(replace(INVITATION, subject="Bonjour\r\nBcc: everyone@client.test"))

    assert refused.value.retryable is False


async def test_console_sink_prints_headers_and_readable_text() -> None:
    stream = io.StringIO()

    await ConsoleMailSender(stream).send(replace(INVITATION, html="<p>Bonjour</p>"))

    printed = stream.getvalue()
    assert f"From: {INVITATION.sender}\n" in printed
    assert f"To: {INVITATION.to}\n" in printed
    assert f"Subject: {INVITATION.subject}\n" in printed
    assert "X-Passerelle-Tenant: acme\n" in printed
    assert INVITATION.text in printed
    assert "=?utf-8?" not in printed
    assert "=C3=A0" not in printed
    assert printed.index("Subject:") < printed.index(INVITATION.text)
    assert "HTML alternative not shown" in printed
