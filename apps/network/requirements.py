"""The firewall rules a deployment needs, from the adapters it is configured with.

The platform's own rules (clients reach ``*.<base domain>`` on 443; servers reach the
database and Redis) come from the settings; each configured adapter adds what it
declared when it registered. An adapter that declared nothing is listed as
``undeclared``, so a missing declaration shows instead of silently opening nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from apps.config.settings import Settings
from apps.container import Container
from plugins.egress import HTTPS, Egress, PortRange, Side, redis_server
from plugins.registry import AdapterContext, AdapterRegistry


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of the list: where it comes from and what it needs (None: undeclared)."""

    source: str
    egress: Egress | None

    @property
    def declared(self) -> bool:
        return self.egress is not None

    def as_dict(self) -> dict[str, Any]:
        if self.egress is None:
            return {"source": self.source, "declared": False}
        rule = self.egress
        return {
            "source": self.source,
            "declared": True,
            "side": rule.side.value,
            "hosts": list(rule.hosts),
            "ports": [str(port) for port in rule.ports],
            "source_ports": [str(port) for port in rule.source_ports],
            "transport": rule.transport.value,
            "protocol": rule.protocol,
            "tls": rule.tls,
            "purpose": rule.purpose,
            "examples": list(rule.examples),
        }


def network_requirements(
    settings: Settings, registry: AdapterRegistry, context: AdapterContext
) -> list[Requirement]:
    """The platform's own rules, then each configured adapter's, clients before servers."""
    lines = [Requirement("platform", rule) for rule in _platform(settings)]
    for kind, name in settings.chosen_adapters().items():
        source = f"{kind}={name}"
        declared = registry.get(kind, name).egress_for(context)
        if declared is None:
            lines.append(Requirement(source, None))
        else:
            lines += [Requirement(source, rule) for rule in declared]
    return sorted(lines, key=_order)


def configured_requirements(container: Container) -> list[Requirement]:
    """The requirements of the container's configured adapters, none of them built."""
    return network_requirements(
        container.settings(), container.registry(), container.adapter_context()
    )


def _order(line: Requirement) -> int:
    """Clients' rules first, then servers', then the undeclared adapters."""
    if line.egress is None:
        return 2
    return 0 if line.egress.side is Side.CLIENTS else 1


def _platform(settings: Settings) -> list[Egress]:
    base = settings.api.base_domain
    public_url = settings.api.public_url
    public_host = urlsplit(public_url).hostname if public_url else None
    rules = [
        Egress(
            hosts=(f"*.{base}",),
            ports=HTTPS,
            purpose="the platform's API and portal (one subdomain per tenant)",
            side=Side.CLIENTS,
            examples=(public_host,) if public_host else (),
        )
    ]
    database = make_url(settings.control_database_url)
    if database.host:
        rules.append(
            Egress(
                hosts=(database.host,),
                ports=(PortRange.single(database.port or 5432),),
                purpose="control and tenant databases (PostgreSQL)",
                side=Side.SERVERS,
                protocol="postgresql",
                tls=False,
            )
        )
    if settings.redis.url is not None:
        purpose = "realtime fan-out and shared rate limits (Redis)"
        rules += redis_server(settings.redis.url.get_secret_value(), purpose)
    return rules
