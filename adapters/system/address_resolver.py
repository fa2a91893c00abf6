"""Resolving host names with the system resolver, without blocking the event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence


async def resolve_host(host: str) -> Sequence[str]:
    """Every address ``host`` resolves to; none when it does not resolve."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):  # UnicodeError: a name IDNA cannot encode
        return []
    return sorted({str(info[4][0]) for info in infos})
