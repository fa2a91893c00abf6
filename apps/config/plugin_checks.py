"""Settings checked against what the installed plugins provide.

Adapters come from plugins, pip-installed ones included, so whether ``mail.backend``
names one, and whether a plugin's ``[plugins.<key>]`` block is valid, is known only once
the plugins are loaded. Loading settings does it, so every command refuses such settings
with exit 78, not only those that build adapters.
"""

from __future__ import annotations

from collections.abc import Sequence

from apps.config.settings import Settings
from plugins.features import FeatureServices
from plugins.manager import PluginSet, build_plugins
from plugins.registry import AdapterRegistry
from plugins.setting_errors import invalid_setting


def installed_plugins(disabled: Sequence[str] = (), *, load_entry_points: bool = True) -> PluginSet:
    """The plugins a process loads, built only to read what they declare: no adapter is
    built, so no vendor SDK is imported, and no feature plugin reaches a service."""
    return build_plugins(
        disabled=tuple(disabled),
        load_entry_points=load_entry_points,
        services=FeatureServices.for_listing(),
    )


def plugin_problems(settings: Settings, plugins: PluginSet) -> list[str]:
    """Every adapter chosen by a name no plugin registers, then every bad plugin setting."""
    unknown = _unknown_adapters(settings, plugins.adapters(), plugins.load_errors)
    return unknown + plugins.settings_blocks().problems(settings.plugins)


def _unknown_adapters(
    settings: Settings, registry: AdapterRegistry, load_errors: dict[str, str]
) -> list[str]:
    """The registry words the refusal and lists the names; plugins that failed to load are
    named too, since the adapter may be theirs."""
    problems = []
    for kind, name in settings.chosen_adapters().items():
        try:
            registry.get(kind, name)
        except LookupError as exc:
            problems.append(invalid_setting((kind, "backend"), str(exc) + _failed(load_errors)))
    return problems


def _failed(load_errors: dict[str, str]) -> str:
    if not load_errors:
        return ""
    listed = "; ".join(f"{name}: {error}" for name, error in load_errors.items())
    return f"; plugins that failed to load: {listed}"
