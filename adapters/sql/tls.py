"""TLS to PostgreSQL, in libpq's terms (sslmode), translated for asyncpg.

Cloud SQL and most managed servers encrypt in transit; ``verify-full`` also proves the
server is the one named in the URL, which is what an operator should run in production.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class SslMode(StrEnum):
    DISABLE = "disable"
    ALLOW = "allow"
    PREFER = "prefer"
    REQUIRE = "require"
    VERIFY_CA = "verify-ca"
    VERIFY_FULL = "verify-full"


@dataclass(frozen=True, slots=True)
class DatabaseTls:
    mode: SslMode = SslMode.PREFER
    root_cert: Path | None = None

    def asyncpg_ssl(self) -> ssl.SSLContext | str | bool:
        """The value of asyncpg's ``ssl`` connect argument for this mode."""
        if self.mode is SslMode.DISABLE:
            return False
        if self.mode in (SslMode.ALLOW, SslMode.PREFER):
            return self.mode.value
        context = ssl.create_default_context(cafile=str(self.root_cert) if self.root_cert else None)
        if self.mode is SslMode.REQUIRE:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif self.mode is SslMode.VERIFY_CA:
            context.check_hostname = False
        return context
