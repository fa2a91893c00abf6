"""The kit as a pytest plugin: installing passerelle-xr registers it (entry point ``pytest11``).

A plugin's own tests then get, without a conftest:

- ``passerelle_plugins``: the platform's plugins as it loads them, entry points included,
  so a test sees its plugin exactly as ``passerelle up`` would;
- ``passerelle_adapter``: builds an adapter by port and name from settings blocks, as the
  container does, and closes it after the test.

The contract suites are classes to subclass (``plugins.testing.sms``, ``mail``, ``push``,
``video``, ``blobs``); async tests need pytest-asyncio (auto mode).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest

from adapters.system.clock import SystemClock
from plugins.manager import PluginSet, build_plugins
from plugins.registry import AdapterContext


class BuildAdapter(Protocol):
    def __call__(self, port: str, name: str, blocks: Mapping[str, Any] | None = None) -> Any:
        """The adapter registered as ``name`` for ``port``, built from ``blocks``."""


@pytest.fixture
def passerelle_plugins() -> PluginSet:
    """Built-in plugins, then every installed ``passerelle.plugins`` entry point."""
    return build_plugins()


@pytest.fixture
async def passerelle_adapter(
    passerelle_plugins: PluginSet, tmp_path: Path
) -> AsyncIterator[BuildAdapter]:
    """``passerelle_adapter("sms", "gateway", {"gateway": {...}})``: closed after the test."""
    contexts: list[AdapterContext] = []

    def build(port: str, name: str, blocks: Mapping[str, Any] | None = None) -> Any:
        context = AdapterContext(blocks=blocks or {}, clock=SystemClock(), data_dir=tmp_path)
        contexts.append(context)
        return passerelle_plugins.adapters().get(port, name).factory(context)

    yield build
    for context in contexts:
        for opened in context.opened:
            await opened.close()
