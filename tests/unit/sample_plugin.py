"""A third-party plugin as an entry point would name it: a module with hook implementations."""

from __future__ import annotations

from adapters.memory.mail_sender import RecordingMailSender
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterRegistry


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add("mail", "recorder", lambda _c: RecordingMailSender(), description="records mail")
