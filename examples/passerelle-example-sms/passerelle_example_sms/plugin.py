"""The plugin module the ``passerelle.plugins`` entry point names: its hook implementations."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from passerelle_example_sms.sender import GatewaySettings, GatewaySmsSender
from plugins.egress import Egress, PortRange, Side
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry
from plugins.runtime import SettingsBlocks
from ports.events import Event

SETTINGS_KEY = "example_sms"
log = logging.getLogger("passerelle_example_sms")


def _sender(context: AdapterContext) -> GatewaySmsSender:
    sender = GatewaySmsSender(context.settings(SETTINGS_KEY, GatewaySettings))
    context.opened.append(sender)
    return sender


def _egress(context: AdapterContext) -> list[Egress]:
    url = urlsplit(context.settings(SETTINGS_KEY, GatewaySettings).url)
    port = url.port or (443 if url.scheme == "https" else 80)
    return [
        Egress(
            hosts=(url.hostname or "",),
            ports=(PortRange(port, port),),
            purpose="SMS gateway (example plugin)",
            side=Side.SERVERS,
            protocol=url.scheme,
            tls=url.scheme == "https",
        )
    ]


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "sms", "gateway", _sender, description="JSON SMS gateway (example)", egress=_egress
    )


@hookimpl
def register_settings(blocks: SettingsBlocks) -> None:
    blocks.add(SETTINGS_KEY, GatewaySettings)


@hookimpl
def session_ended(event: Event) -> None:
    log.info(
        "session %s of tenant %s %s at %s",
        event.data.get("session_id"),
        event.tenant_id,
        event.data.get("state"),
        event.occurred_at.isoformat(),
    )
