"""An adapter's own health check: optional, for adapters that can tell cheaply.

Readiness probes call ``check`` on every configured adapter that has one (a storage
bucket that exists, a relay that answers); adapters without it are reported as not
checked rather than forced to pretend.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class HealthCheck(Protocol):
    async def check(self) -> None:
        """Return when usable; raise with a short reason when not. Callers set the timeout."""
