"""Whether a string can name a host: what DNS or an IP stack would take.

Checked where a URL is given (a webhook's, a dedicated tenant's database), so that a name
no resolver accepts is refused with the field at fault, not found out by the first
connection, after the URL is saved.
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$", re.IGNORECASE)
_MAX_NAME = 253


def is_host(host: str) -> bool:
    """An IP address, or a DNS name: IDNA-encodable, at most 253 characters, labels of
    1-63 letters, digits, hyphens or underscores, not starting or ending with a hyphen;
    one trailing dot allowed."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    try:
        encoded = host.removesuffix(".").encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return len(encoded) <= _MAX_NAME and all(map(_LABEL.fullmatch, encoded.split(".")))
