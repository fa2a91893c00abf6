"""What an adapter needs to reach on the network, declared beside its registration.

Enterprise firewalls open names and ports, not code paths: each adapter says which
domains (wildcards allowed), ports and transport it uses, for what, and whether the
platform's servers or the users' clients (web portal, phones, glasses) make the call.
``passerelle network requirements`` turns the declarations of the configured adapters
into the list an IT department acts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class Side(StrEnum):
    """Who opens the connection: the platform's servers, or the users' devices."""

    SERVERS = "servers"
    CLIENTS = "clients"


class Transport(StrEnum):
    TCP = "tcp"
    UDP = "udp"


@dataclass(frozen=True, slots=True)
class PortRange:
    first: int
    last: int

    def __post_init__(self) -> None:
        if not 1 <= self.first <= self.last <= 65535:
            raise ValueError(f"invalid port range {self.first}-{self.last}")

    @classmethod
    def single(cls, port: int) -> PortRange:
        return cls(port, port)

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


HTTPS = (PortRange.single(443),)


@dataclass(frozen=True, slots=True)
class Egress:
    """One firewall rule: these hosts, these ports, this transport, for this purpose.

    ``tls`` says a TLS handshake starts as soon as the connection opens (HTTPS, SMTPS),
    so ``network check`` can try it. ``examples`` name concrete hosts behind a
    wildcard, the ones a check can actually resolve and connect to. ``source_ports``
    are the local ports the connecting side opens from, for firewalls that filter those
    too (Photon's clients: the ephemeral range); empty means any.
    """

    hosts: tuple[str, ...]
    ports: tuple[PortRange, ...]
    purpose: str
    side: Side
    transport: Transport = Transport.TCP
    protocol: str = "https"
    tls: bool = True
    examples: tuple[str, ...] = ()
    source_ports: tuple[PortRange, ...] = ()


EPHEMERAL_PORTS = (PortRange(49152, 65535),)
"""The dynamic port range (RFC 6335) that clients open connections from."""


def https(*hosts: str, purpose: str, side: Side = Side.SERVERS) -> Egress:
    """The common case: HTTPS on 443 to a provider's API hosts."""
    return Egress(hosts=hosts, ports=HTTPS, purpose=purpose, side=side)


def redis_server(url: str, purpose: str) -> list[Egress]:
    """The rule to a Redis server from its URL, in its own protocol (TLS only for
    ``rediss://``); none for a URL naming no host (a Unix socket)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return []
    return [
        Egress(
            hosts=(parts.hostname,),
            ports=(PortRange.single(parts.port or 6379),),
            purpose=purpose,
            side=Side.SERVERS,
            protocol=parts.scheme,
            tls=parts.scheme == "rediss",
        )
    ]


def split_host_port(address: str, default_port: int) -> tuple[str, int]:
    """``host[:port]`` as settings write it (``rest.nexmo.com``, ``127.0.0.1:8443``)."""
    host, sep, port = address.rpartition(":")
    if sep and port.isdigit() and "]" not in port:
        return host.strip("[]"), int(port)
    return address.strip("[]"), default_port
