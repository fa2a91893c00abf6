"""What plugins hand the platform besides adapters: settings blocks and worker jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from plugins.registry import AdapterSettingsError, validated_block


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """A job the worker runs every ``interval_seconds``; a failing run is logged and the
    job runs again at the next interval."""

    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]


@dataclass
class SettingsBlocks:
    """The settings blocks plugins declare, by key, with the plugin that declared each.

    Values come from ``[plugins.<key>]`` in the TOML file or ``PASSERELLE_PLUGINS``."""

    models: dict[str, type[BaseModel]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    current_plugin: str = ""

    def add(self, key: str, model: type[BaseModel]) -> None:
        self.models[key] = model
        self.owners[key] = self.current_plugin

    def validate(self, blocks: Mapping[str, Any]) -> dict[str, BaseModel]:
        """Every declared block, validated; raises AdapterSettingsError naming the setting."""
        return {key: validated_block(blocks, key, model) for key, model in self.models.items()}

    def problems(self, blocks: Mapping[str, Any]) -> list[str]:
        """What is wrong with the declared blocks, every block checked, so start-up names
        all the bad settings at once."""
        found: list[str] = []
        for key, model in self.models.items():
            try:
                validated_block(blocks, key, model)
            except AdapterSettingsError as exc:
                found.append(str(exc))
        return found
