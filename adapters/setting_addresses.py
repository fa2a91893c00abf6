"""URLs and host names in settings, checked when the settings load.

A URL no client could use (no scheme, a host no resolver takes, a port out of range)
stops start-up with the setting named (``passerelle`` exits 78), rather than surfacing as
a broken link in a guest's invitation or as the first failed call to a provider.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator

from core.host_names import is_host


def http_url(value: str) -> str:
    """An absolute http(s) URL with a usable host and port, no credentials, no fragment."""
    parts = _split(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("give an absolute http(s) URL, like https://host.example")
    _authority(parts)
    if parts.fragment:
        raise ValueError("a URL here carries no #fragment")
    return value


def base_url(value: str) -> str:
    """A URL other paths are appended to: ``http_url`` without query, its final / dropped."""
    if urlsplit(http_url(value)).query:
        raise ValueError("a base URL carries no ?query")
    return value.rstrip("/")


def host_name(value: str) -> str:
    """An IP address or a DNS name (``core.host_names.is_host``)."""
    if not is_host(value):
        raise ValueError(f"'{value}' is neither an IP address nor a host name")
    return value


def host_and_port(value: str) -> str:
    """``host`` or ``host:port`` (an IPv6 address in brackets), as in a URL's authority."""
    parts = _split(f"//{value}")
    if parts.netloc != value or not parts.hostname:
        raise ValueError(f"'{value}' is not host[:port]: no scheme, no path")
    _authority(parts)
    return value


def _split(value: str) -> SplitResult:
    """The parts of a URL, its port parsed (urlsplit only parses it when asked). urlsplit
    drops tabs and line breaks silently, and its errors may quote the credentials: neither
    reaches the message or the value kept."""
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("a URL here holds no spaces, tabs, line breaks or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError:
        raise ValueError("not a usable URL: check its host, brackets and port") from None
    return parts


def _authority(parts: SplitResult) -> None:
    if parts.username is not None:
        raise ValueError("give no user or password in the URL; the settings have fields for them")
    if not is_host(parts.hostname or "") or parts.port == 0:
        raise ValueError(f"'{parts.netloc}' is not a host[:port] a client can reach")


HttpUrl = Annotated[str, AfterValidator(http_url)]
BaseUrl = Annotated[str, AfterValidator(base_url)]
HostName = Annotated[str, AfterValidator(host_name)]
HostAndPort = Annotated[str, AfterValidator(host_and_port)]


def url_host(host: str) -> str:
    """A host as it stands in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host
