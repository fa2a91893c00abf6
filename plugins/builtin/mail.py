"""Built-in mail adapters: SMTP for real delivery, console and file sinks for development."""

from __future__ import annotations

from adapters.sinks.console_mail_sender import ConsoleMailSender
from adapters.sinks.file_mail_sender import FileMailSender
from adapters.sinks.settings import FileMailSettings
from adapters.smtp.mail_sender import SmtpMailSender
from adapters.smtp.settings import SmtpSettings
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry


def _smtp(context: AdapterContext) -> SmtpMailSender:
    return SmtpMailSender(context.settings("smtp", SmtpSettings))


def _console(_context: AdapterContext) -> ConsoleMailSender:
    return ConsoleMailSender()


def _file(context: AdapterContext) -> FileMailSender:
    directory = context.settings("mail_file", FileMailSettings).directory
    return FileMailSender(directory if directory.is_absolute() else context.data_dir / directory)


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "mail", "smtp", _smtp, description="SMTP relay through aiosmtplib (settings: smtp)"
    )
    registry.add(
        "mail",
        "console",
        _console,
        description="development sink: prints each message to standard output",
        development=True,
    )
    registry.add(
        "mail",
        "file",
        _file,
        description="development sink: writes each message as an .eml file (settings: mail_file)",
        development=True,
    )
