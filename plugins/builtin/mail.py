"""Built-in mail adapters: SMTP for real delivery, console and file sinks for development."""

from __future__ import annotations

from adapters.sinks.console_mail_sender import ConsoleMailSender
from adapters.sinks.file_mail_sender import FileMailSender
from adapters.sinks.settings import FileMailSettings
from adapters.smtp.mail_sender import SmtpMailSender
from adapters.smtp.settings import SmtpSecurity, SmtpSettings
from plugins.egress import Egress, PortRange, Side
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry


def _smtp(context: AdapterContext) -> SmtpMailSender:
    return SmtpMailSender(context.settings("smtp", SmtpSettings))


def _smtp_egress(context: AdapterContext) -> list[Egress]:
    """The configured relay (Combell's by default), on its configured port."""
    settings = context.settings("smtp", SmtpSettings)
    return [
        Egress(
            hosts=(settings.host,),
            ports=(PortRange.single(settings.port),),
            purpose="outgoing mail (SMTP relay)",
            side=Side.SERVERS,
            protocol=f"smtp ({settings.security.value})",
            tls=settings.security is SmtpSecurity.TLS,
        )
    ]


def _console(_context: AdapterContext) -> ConsoleMailSender:
    return ConsoleMailSender()


def _file(context: AdapterContext) -> FileMailSender:
    directory = context.settings("mail_file", FileMailSettings).directory
    return FileMailSender(directory if directory.is_absolute() else context.data_dir / directory)


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "mail",
        "smtp",
        _smtp,
        description="SMTP relay through aiosmtplib (settings: smtp)",
        egress=_smtp_egress,
    )
    registry.add(
        "mail",
        "console",
        _console,
        description="development sink: prints each message to standard output",
        development=True,
        egress=(),
    )
    registry.add(
        "mail",
        "file",
        _file,
        description="development sink: writes each message as an .eml file (settings: mail_file)",
        development=True,
        egress=(),
    )
