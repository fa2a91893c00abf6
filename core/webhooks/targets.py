"""Which URLs may receive webhooks: the SSRF guard.

A tenant admin types the URL, so without a guard the platform could be made to call its
own network (metadata services, databases, the admin ports of its neighbours). A target
is refused when any address its host resolves to is private, loopback, link-local,
multicast, reserved or unspecified, unless the operator allows private targets (a
deployment whose receivers live on its own network, and tests). The check runs when a
subscription is saved and again before each delivery, since DNS answers change.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from core.errors import InvalidInput

Resolve = Callable[[str], Awaitable[Sequence[str]]]
"""A host name to the IP addresses it resolves to (the address itself for a literal)."""

REFUSED_CODE = "webhook_target_refused"


def forbidden_reason(address: str) -> str | None:
    """Why an address may not receive webhooks, or None when it is public."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for reason, flagged in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private or not ip.is_global),
    ):
        if flagged:
            return reason
    return None


def target_host(url: str) -> str:
    """The host of a webhook URL; refuses anything but plain http(s) URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("a webhook URL is http(s)://host/...", field="url", code=REFUSED_CODE)
    if parts.username or parts.password:
        raise InvalidInput("a webhook URL carries no credentials", field="url", code=REFUSED_CODE)
    return parts.hostname


async def check_target(url: str, resolve: Resolve, *, allow_private: bool) -> Sequence[str]:
    """The addresses of the URL's host, to connect to one of them and no other (a second
    lookup could answer differently: DNS rebinding). Raise InvalidInput (field ``url``)
    unless every one is public."""
    host = target_host(url)
    addresses = await resolve(host)
    if not addresses:
        raise InvalidInput(f"{host} does not resolve", field="url", code=REFUSED_CODE)
    if allow_private:
        return addresses
    for address in addresses:
        reason = forbidden_reason(address)
        if reason is not None:
            raise InvalidInput(
                f"{host} resolves to a {reason} address ({address}); webhooks go to public hosts",
                field="url",
                code=REFUSED_CODE,
            )
    return addresses
