"""Building the plugin manager: built-in plugins first, then third-party entry points.

Built in a factory, never at import time, so tests and processes each get their own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, entry_points, version
from types import ModuleType

import pluggy

from plugins import hookspecs
from plugins.registry import AdapterRegistry

ENTRY_POINT_GROUP = "passerelle.plugins"
BUILTIN_PLUGINS = (
    "plugins.builtin.events",
    "plugins.builtin.mail",
    "plugins.builtin.multiplayer",
    "plugins.builtin.push",
    "plugins.builtin.sms",
    "plugins.builtin.storage",
    "plugins.builtin.video",
)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    version: str | None
    builtin: bool
    hooks: list[str]


@dataclass
class PluginSet:
    manager: pluggy.PluginManager
    load_errors: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def adapters(self) -> AdapterRegistry:
        """Ask every plugin, in load order, for its adapters."""
        registry = AdapterRegistry()
        for name, plugin in self.manager.list_name_plugin():
            registry.current_plugin = name
            hook = getattr(plugin, "register_adapters", None)
            if hook is not None:
                hook(registry=registry)
        registry.current_plugin = ""
        return registry

    def describe(self) -> list[PluginInfo]:
        return [
            PluginInfo(
                name=name,
                version=self.versions.get(name),
                builtin=name in BUILTIN_PLUGINS,
                hooks=sorted(hook.name for hook in self.manager.get_hookcallers(plugin) or []),
            )
            for name, plugin in self.manager.list_name_plugin()
        ]


def build_plugins(
    *, extra: tuple[ModuleType | object, ...] = (), load_entry_points: bool = True
) -> PluginSet:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    plugins = PluginSet(manager, versions=dict.fromkeys(BUILTIN_PLUGINS, _own_version()))
    if load_entry_points:
        _load_entry_points(plugins)
    for plugin in extra:
        manager.register(plugin)
    return plugins


def _load_entry_points(plugins: PluginSet) -> None:
    """A plugin that fails to load is reported, not fatal: the platform starts without it."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = entry_point.load()
            plugins.manager.register(plugin, name=entry_point.name)
            if entry_point.dist is not None:
                plugins.versions[entry_point.name] = entry_point.dist.version
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported
            plugins.load_errors[entry_point.name] = f"{type(exc).__name__}: {exc}"


def _own_version() -> str:
    try:
        return version("passerelle-xr")
    except PackageNotFoundError:
        return "unknown"
