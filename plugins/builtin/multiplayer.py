"""Built-in multiplayer adapters: Photon, and a development one for the embedded default.

Both sign join tickets the same way, so the custom-authentication endpoint and webhooks
work unchanged on a laptop; the development adapter names a local app and region.
"""

from __future__ import annotations

from adapters.photon.rooms import PhotonRooms
from adapters.photon.settings import PhotonSettings
from plugins.egress import EPHEMERAL_PORTS, Egress, PortRange, Side, Transport
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

DEVELOPMENT_TICKET_SECRET = b"development-multiplayer-ticket-secret-not-for-production"


def _photon(context: AdapterContext) -> PhotonRooms:
    settings = context.settings("photon", PhotonSettings)
    if not settings.app_id:
        raise AdapterSettingsError("invalid setting photon.app_id: required by photon")
    secret = settings.ticket_secret
    if secret is None or len(secret.get_secret_value()) < 32:
        raise AdapterSettingsError(
            "invalid setting photon.ticket_secret: at least 32 characters, required by photon"
        )
    return PhotonRooms(
        name="photon",
        app_id=settings.app_id,
        region=settings.region,
        secret=secret.get_secret_value().encode(),
        clock=context.clock,
    )


def _development(context: AdapterContext) -> PhotonRooms:
    settings = context.settings("photon", PhotonSettings)
    secret = settings.ticket_secret
    return PhotonRooms(
        name="development",
        app_id=settings.app_id or "development",
        region="local",
        secret=secret.get_secret_value().encode() if secret else DEVELOPMENT_TICKET_SECRET,
        clock=context.clock,
    )


PHOTON_HOSTS = ("*.photonengine.io", "*.exitgames.com")


def _photon_rule(transport: Transport, ports: tuple[PortRange, ...], protocol: str) -> Egress:
    return Egress(
        hosts=PHOTON_HOSTS,
        ports=ports,
        purpose=f"shared AR room (Photon Cloud name, master and game servers, {protocol})",
        side=Side.CLIENTS,
        transport=transport,
        protocol=protocol,
        tls=protocol == "wss",
        examples=("ns.photonengine.io",) if protocol == "wss" else (),
        source_ports=EPHEMERAL_PORTS,
    )


def _photon_egress(_context: AdapterContext) -> list[Egress]:
    """Photon Cloud's documented client ports: any one protocol is enough, UDP is the SDKs'
    default and the fastest, secure WebSockets on 443 pass the strictest firewalls. Photon
    calls the platform (authentication, webhooks), the platform never calls Photon."""
    return [
        _photon_rule(Transport.TCP, (PortRange.single(443), PortRange(19090, 19093)), "wss"),
        _photon_rule(Transport.UDP, (PortRange(5055, 5058), PortRange(27000, 27002)), "udp"),
        _photon_rule(Transport.TCP, (PortRange(4530, 4533),), "tcp"),
        _photon_rule(Transport.TCP, (PortRange(9090, 9093),), "ws"),
    ]


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "multiplayer",
        "photon",
        _photon,
        description="Photon rooms and custom-authentication tickets (settings: photon)",
        egress=_photon_egress,
    )
    registry.add(
        "multiplayer",
        "development",
        _development,
        description="development rooms: local app id and region, same tickets (settings: photon)",
        development=True,
        egress=(),
    )
