"""Building the plugin manager: built-in plugins first, then third-party entry points.

Built in a factory, never at import time, so tests and processes each get their own.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, entry_points, version
from types import ModuleType
from typing import Any, TypeVar

import pluggy
import typer

from plugins import hookspecs
from plugins.features import FeatureServices
from plugins.notification_channels import NotificationChannels
from plugins.notification_kinds import NotificationKinds
from plugins.registry import AdapterContext, AdapterRegistry
from plugins.runtime import SettingsBlocks, WorkerJob

log = logging.getLogger(__name__)
T = TypeVar("T", AdapterRegistry, SettingsBlocks, NotificationKinds, NotificationChannels)

ENTRY_POINT_GROUP = "passerelle.plugins"
BUILTIN_PLUGINS = (
    "plugins.builtin.audit_log",
    "plugins.builtin.events",
    "plugins.builtin.mail",
    "plugins.builtin.multiplayer",
    "plugins.builtin.push",
    "plugins.builtin.retention",
    "plugins.builtin.sms",
    "plugins.builtin.storage",
    "plugins.builtin.video",
    "plugins.builtin.webhooks",
)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    version: str | None
    builtin: bool
    hooks: list[str]


@dataclass
class PluginSet:
    """The loaded plugins, and the one place their hooks are called, failures isolated.

    A hook that raises is logged with its plugin's name and skipped, unless the plugin
    declares ``PASSERELLE_REQUIRED = True``: then the error propagates. Failures are kept
    in ``hook_errors`` for ``passerelle plugins``.
    """

    manager: pluggy.PluginManager
    load_errors: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    hook_errors: dict[str, list[str]] = field(default_factory=dict)

    def loaded(self) -> list[tuple[str, object]]:
        """The plugins in load order, by name; disabled ones are left out."""
        return [(n, p) for n, p in self.manager.list_name_plugin() if p is not None]

    def enabled(self, name: str) -> bool:
        """Whether the plugin of this name is loaded (a built-in one may be disabled)."""
        return self.manager.get_plugin(name) is not None

    def adapters(self) -> AdapterRegistry:
        """Ask every plugin, in load order, for its adapters."""
        return self._fill(AdapterRegistry(), "register_adapters", "registry")

    def settings_blocks(self) -> SettingsBlocks:
        """Ask every plugin, in load order, for its settings blocks."""
        return self._fill(SettingsBlocks(), "register_settings", "blocks")

    def _fill(self, target: T, hook_name: str, argument: str) -> T:
        """Let each plugin add to ``target``, which notes who added what."""
        for name, plugin in self.loaded():
            target.current_plugin = name
            self._call_one(name, plugin, hook_name, {argument: target})
        target.current_plugin = ""
        return target

    def notification_channels(self) -> NotificationChannels:
        """Ask every plugin, in load order, for the outbox channels it adds."""
        return self._fill(NotificationChannels(), "register_notification_channels", "channels")

    def notification_kinds(self, channels: NotificationChannels | None = None) -> NotificationKinds:
        """Ask every plugin, in load order, for the notification kinds it adds; their chains
        may name ``channels`` (by default, asked for here)."""
        known = self.notification_channels() if channels is None else channels
        return self._fill(NotificationKinds(channels=known), "register_notification_kinds", "kinds")

    def api_controllers(self) -> list[object]:
        return self._collect("register_api_controllers", {})

    def worker_jobs(self, context: AdapterContext) -> list[WorkerJob]:
        jobs = self._collect("register_worker_jobs", {"context": context})
        return [job for job in jobs if isinstance(job, WorkerJob)]

    def add_cli_commands(self, cli: typer.Typer) -> None:
        self._collect("register_cli_commands", {"cli": cli})

    async def notify(self, hook_name: str, **kwargs: Any) -> None:
        """Call a lifecycle hook of every plugin in load order, awaiting coroutine ones."""
        for name, plugin in self.loaded():
            function = _implementation(plugin, hook_name)
            if function is None:
                continue
            try:
                result = function(**kwargs)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # noqa: BLE001 - a plugin's failure is isolated
                self._failed(name, plugin, hook_name, exc)

    def describe(self) -> list[PluginInfo]:
        return [
            PluginInfo(
                name=name,
                version=self.versions.get(name),
                builtin=name in BUILTIN_PLUGINS,
                hooks=sorted(hook.name for hook in self.manager.get_hookcallers(plugin) or []),
            )
            for name, plugin in self.loaded()
        ]

    def _collect(self, hook_name: str, kwargs: dict[str, Any]) -> list[Any]:
        found: list[Any] = []
        for name, plugin in self.loaded():
            result = self._call_one(name, plugin, hook_name, kwargs)
            if isinstance(result, Sequence) and not isinstance(result, str):
                found.extend(result)
        return found

    def _call_one(self, name: str, plugin: object, hook_name: str, kwargs: dict[str, Any]) -> Any:
        function = _implementation(plugin, hook_name)
        if function is None:
            return None
        try:
            return function(**kwargs)
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is isolated
            self._failed(name, plugin, hook_name, exc)
            return None

    def _failed(self, name: str, plugin: object, hook_name: str, exc: Exception) -> None:
        message = f"{hook_name}: {type(exc).__name__}: {exc}"
        self.hook_errors.setdefault(name, []).append(message)
        if is_required(plugin):
            log.error("required plugin %s failed in %s", name, hook_name)
            raise exc
        log.exception("plugin %s failed in %s; the platform goes on without it", name, hook_name)


def is_required(plugin: object) -> bool:
    return bool(getattr(plugin, "PASSERELLE_REQUIRED", False))


def _implementation(plugin: object, hook_name: str) -> Any:
    """The plugin's implementation of a hook: only functions marked ``@hookimpl`` count."""
    function = getattr(plugin, hook_name, None)
    if function is None or not hasattr(function, f"{hookspecs.PROJECT}_impl"):
        return None
    return function


def build_plugins(
    *,
    extra: tuple[ModuleType | object, ...] = (),
    load_entry_points: bool = True,
    disabled: tuple[str, ...] = (),
    services: FeatureServices | None = None,
) -> PluginSet:
    """Built-ins, then entry points, then ``extra``; a later adapter of a name wins.

    ``disabled`` names plugins (built-in module names or entry-point names) never loaded.
    A built-in module with a ``feature_plugin(services)`` factory is registered as what
    the factory builds when ``services`` is given (the container gives them)."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in disabled:
        manager.set_blocked(name)
    for module_name in BUILTIN_PLUGINS:
        if not manager.is_blocked(module_name):
            manager.register(_builtin(module_name, services), name=module_name)
    plugins = PluginSet(manager, versions=dict.fromkeys(BUILTIN_PLUGINS, _own_version()))
    if load_entry_points:
        _load_entry_points(plugins)
    for plugin in extra:
        manager.register(plugin)
    return plugins


def _builtin(module_name: str, services: FeatureServices | None) -> object:
    module = importlib.import_module(module_name)
    factory = getattr(module, "feature_plugin", None)
    if factory is None or services is None:
        return module
    plugin: object = factory(services)
    return plugin


def startup_problems(plugins: PluginSet) -> list[str]:
    """Plugins that failed to load, said clearly; a required one stops start-up."""
    problems = [
        f"plugin {name} failed to load: {error}" for name, error in plugins.load_errors.items()
    ]
    for problem in problems:
        log.error("%s (the platform starts without it)", problem)
    return problems


def _load_entry_points(plugins: PluginSet) -> None:
    """A plugin that fails to load is reported, not fatal: the platform starts without it."""
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if plugins.manager.is_blocked(entry_point.name):
            continue
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
