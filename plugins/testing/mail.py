"""The contract every MailSender passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``MailSenderContract`` and give it a ``harness`` fixture: the
sender under test and a way to read back what reached the other side
(``delivered_from_email`` turns a received ``EmailMessage`` into a ``Delivered``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage

from ports.mail import MailMessage, MailSender

INVITATION = MailMessage(
    sender="Zoé de Passerelle <no-reply@passerelle.test>",
    to="Jean-Noël Dupré <jean-noel@client.test>",
    subject="Invitation à « Maintenance pompe 3 » 🔧",
    text=(
        "Bonjour Jean-Noël,\n"
        "\n"
        "Zoé vous invite à « Maintenance pompe 3 ».\n"
        ".Cette ligne commence par un point et doit arriver telle quelle.\n"
        "From the field: une ligne qui commence par From.\n"
        + "Une très longue ligne, " * 12
        + "fin.\n"
    ),
    headers={
        "Reply-To": "support@acme.test",
        "X-Passerelle-Tenant": "acme",
        "X-Passerelle-Notification": "4f1c9a2e-invitation",
    },
)


@dataclass(frozen=True)
class Delivered:
    """A message as it reached the other side, whatever the adapter."""

    sender: str
    to: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]


def delivered_from_email(email: EmailMessage) -> Delivered:
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert isinstance(plain, EmailMessage)
    return Delivered(
        sender=str(email["From"]),
        to=str(email["To"]),
        subject=str(email["Subject"]),
        text=plain.get_content().replace("\r\n", "\n"),
        html=html.get_content().replace("\r\n", "\n") if isinstance(html, EmailMessage) else None,
        headers={name: str(value) for name, value in email.items()},
    )


@dataclass(frozen=True)
class Harness:
    sender: MailSender
    delivered: Callable[[], list[Delivered]]


class MailSenderContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_sent_message_arrives_with_its_addresses_subject_and_text(
        self, harness: Harness
    ) -> None:
        await harness.sender.send(INVITATION)

        [mail] = harness.delivered()
        assert mail.sender == INVITATION.sender
        assert mail.to == INVITATION.to
        assert mail.subject == INVITATION.subject
        assert mail.text == INVITATION.text
        assert mail.html is None

    async def test_custom_headers_are_preserved(self, harness: Harness) -> None:
        await harness.sender.send(INVITATION)

        [mail] = harness.delivered()
        for name, value in INVITATION.headers.items():
            assert mail.headers[name] == value

    async def test_html_alternative_arrives_beside_the_text(self, harness: Harness) -> None:
        html = "<p>Bonjour <b>Jean-Noël</b>, à « bientôt » !</p>\n"
        await harness.sender.send(replace(INVITATION, html=html))

        [mail] = harness.delivered()
        assert mail.text == INVITATION.text
        assert mail.html == html

    async def test_every_message_sent_arrives_once(self, harness: Harness) -> None:
        subjects = [f"Rappel n° {number} — séance à 14 h" for number in range(5)]
        for subject in subjects:
            await harness.sender.send(replace(INVITATION, subject=subject))

        assert sorted(mail.subject for mail in harness.delivered()) == sorted(subjects)
