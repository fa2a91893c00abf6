"""Built-in SMS adapters: Vonage's SMS API to deliver, a console sink for development.

The vonage SDK is an optional extra (``passerelle-xr[vonage]``): the Vonage adapter is
imported when it is chosen, so this plugin, and the console sink, load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.sinks.console_sms_sender import ConsoleSmsSender
from adapters.vonage.settings import VonageSettings
from plugins.egress import Egress, PortRange, Side, split_host_port
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

if TYPE_CHECKING:
    from adapters.vonage.sms_receipts import VonageReceiptReader
    from adapters.vonage.sms_sender import VonageSmsSender


def _vonage(context: AdapterContext) -> VonageSmsSender:
    settings = context.settings("vonage", VonageSettings)
    for name in ("api_key", "api_secret"):
        if not getattr(settings, name):
            raise AdapterSettingsError(f"invalid setting vonage.{name}: required by sms 'vonage'")
    try:
        from adapters.vonage.sms_sender import VonageSmsSender
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"sms adapter 'vonage' needs {exc.name}: pip install 'passerelle-xr[vonage]'"
        ) from exc
    try:
        return VonageSmsSender(settings)
    except ValueError as exc:
        raise AdapterSettingsError(f"invalid setting {exc}") from exc


def _vonage_receipts(context: AdapterContext) -> VonageReceiptReader | None:
    """None without a signature secret: unsigned receipts could be forged, so none is read."""
    settings = context.settings("vonage", VonageSettings)
    if settings.signature_secret is None:
        return None
    if not settings.api_key:
        raise AdapterSettingsError("invalid setting vonage.api_key: required by receipts")
    from adapters.vonage.sms_receipts import VonageReceiptReader

    return VonageReceiptReader(settings, context.clock)


def _vonage_egress(context: AdapterContext) -> list[Egress]:
    """The SMS API host of the settings (rest.nexmo.com unless moved), over HTTPS."""
    host, port = split_host_port(context.settings("vonage", VonageSettings).rest_host, 443)
    return [
        Egress(
            hosts=(host,),
            ports=(PortRange.single(port),),
            purpose="SMS sending (Vonage SMS API)",
            side=Side.SERVERS,
        )
    ]


def _console(_context: AdapterContext) -> ConsoleSmsSender:
    return ConsoleSmsSender()


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "sms",
        "vonage",
        _vonage,
        description="Vonage SMS API through the vonage SDK (settings: vonage)",
        egress=_vonage_egress,
    )
    registry.add(
        "sms_receipts",
        "vonage",
        _vonage_receipts,
        description="signed Vonage SMS delivery receipts (settings: vonage.signature_secret)",
        egress=(),
    )
    registry.add(
        "sms",
        "console",
        _console,
        description="development sink: prints each SMS to standard output",
        development=True,
        egress=(),
    )
