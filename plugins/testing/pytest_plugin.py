"""The kit as a pytest plugin: installing passerelle-xr registers it (entry point ``pytest11``).

A plugin's own tests then get, without a conftest:

- ``passerelle_plugins``: the platform's plugins as it loads them, entry points included,
  so a test sees its plugin exactly as ``passerelle up`` would;
- ``passerelle_adapter``: builds an adapter by port and name from settings blocks, as the
  container does, and closes it after the test; ``clock=`` gives it another clock than
  the system's;
- ``passerelle_clock``: a ``FixedClock`` at the current second, for the suites whose
  harness holds the clock its adapter reads (multiplayer, sms_receipts, rate_limiter,
  request_limiter) and moves it.

The contract suites are classes to subclass (``plugins.testing.sms``, ``mail``, ``push``,
``video``, ``blobs``, ``events``, ``multiplayer``, ``sms_receipts``, ``rate_limiter``,
``request_limiter``, ``idempotency``, ``tenant_storage``, ``presence``,
``room_presence``, ``dispatch_index``); docs/plugins.md lists the ``harness`` each needs.
Async tests need pytest-asyncio (auto mode).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from adapters.memory.clock import FixedClock
from adapters.system.clock import SystemClock
from plugins.manager import PluginSet, build_plugins
from plugins.registry import AdapterContext
from ports.clock import Clock


class BuildAdapter(Protocol):
    def __call__(
        self,
        port: str,
        name: str,
        blocks: Mapping[str, Any] | None = None,
        *,
        clock: Clock | None = None,
    ) -> Any:
        """The adapter registered as ``name`` for ``port``, built from ``blocks``, reading
        ``clock`` (the system's by default)."""


@pytest.fixture
def passerelle_plugins() -> PluginSet:
    """Built-in plugins, then every installed ``passerelle.plugins`` entry point."""
    return build_plugins()


@pytest.fixture
def passerelle_clock() -> FixedClock:
    """Now, to the second (webhook and ticket times are whole seconds); moved by the tests."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def passerelle_adapter(
    passerelle_plugins: PluginSet, tmp_path: Path
) -> AsyncIterator[BuildAdapter]:
    """``passerelle_adapter("sms", "gateway", {"gateway": {...}})``: closed after the test."""
    contexts: list[AdapterContext] = []

    def build(
        port: str,
        name: str,
        blocks: Mapping[str, Any] | None = None,
        *,
        clock: Clock | None = None,
    ) -> Any:
        context = AdapterContext(
            blocks=blocks or {}, clock=clock or SystemClock(), data_dir=tmp_path
        )
        contexts.append(context)
        return passerelle_plugins.adapters().get(port, name).factory(context)

    yield build
    for context in contexts:
        for opened in context.opened:
            await opened.close()
