"""The hooks a Passerelle plugin may implement: the platform's public extension API.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match
the specifications below. Built-in adapters are registered through the same hooks as
third-party ones. Third-party plugins are found through the ``passerelle.plugins``
entry-point group.

Version policy: a hook is only ever added; an existing hook keeps its name and
arguments within a major version of passerelle-xr.
"""

from __future__ import annotations

import pluggy

from plugins.registry import AdapterRegistry

PROJECT = "passerelle"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_adapters(registry: AdapterRegistry) -> None:
    """Called once at start-up: add the adapters this plugin provides with ``registry.add``."""
