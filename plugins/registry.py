"""The adapter registry: every adapter, built-in or third-party, registered by kind and name.

Configuration chooses an adapter by name (``mail.backend = "smtp"``); the registry says
what each name means and how to build it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plugins.egress import Egress
from plugins.setting_errors import PLUGIN_TABLE, validation_problems
from ports.clock import Clock

M = TypeVar("M", bound=BaseModel)
EgressDeclaration = Sequence[Egress] | Callable[["AdapterContext"], Sequence[Egress]]
"""Egress as a fixed list, or derived from the adapter's settings (a configured host)."""


class AdapterSettingsError(ValueError):
    """An adapter's settings block is invalid; the message names the setting."""


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What a factory may use: its settings blocks, the clock, the data directory.

    ``opened`` collects the adapters with a ``close`` method, closed at shutdown.
    """

    blocks: Mapping[str, Any]
    clock: Clock
    data_dir: Path
    opened: list[Any] = field(default_factory=list)

    def settings(self, key: str, model: type[M]) -> M:
        return validated_block(self.blocks, key, model)


def validated_block(blocks: Mapping[str, Any], key: str, model: type[M]) -> M:
    """The settings block ``key`` as ``model``; AdapterSettingsError names each bad setting.

    A block still to validate is a plugin's ``[plugins.<key>]`` (the platform's own blocks
    arrive as their models), so that is where the error says to look, with its variable."""
    raw = blocks.get(key, {})
    if isinstance(raw, model):
        return raw
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, within=(PLUGIN_TABLE, key))
        raise AdapterSettingsError("\n".join(problems)) from exc


@dataclass(frozen=True, slots=True)
class AdapterSpec:
    kind: str
    name: str
    factory: Callable[[AdapterContext], object]
    description: str
    development: bool = False
    plugin: str = ""
    egress: EgressDeclaration | None = None

    def egress_for(self, context: AdapterContext) -> list[Egress] | None:
        """The hosts and ports this adapter reaches with these settings; None if undeclared."""
        if self.egress is None:
            return None
        return list(self.egress(context) if callable(self.egress) else self.egress)


@dataclass
class AdapterRegistry:
    """Later registrations of a name replace earlier ones, so a plugin may override a built-in."""

    _specs: dict[tuple[str, str], AdapterSpec] = field(default_factory=dict)
    overridden: list[AdapterSpec] = field(default_factory=list)
    current_plugin: str = ""

    def add(
        self,
        kind: str,
        name: str,
        factory: Callable[[AdapterContext], object],
        *,
        description: str,
        development: bool = False,
        egress: EgressDeclaration | None = None,
    ) -> None:
        """``egress``: what the adapter reaches on the network (``()`` for nothing); an
        adapter that declares nothing is listed as undeclared by the network requirements."""
        spec = AdapterSpec(
            kind, name, factory, description, development, self.current_plugin, egress
        )
        previous = self._specs.get((kind, name))
        if previous is not None:
            self.overridden.append(previous)
        self._specs[(kind, name)] = spec

    def get(self, kind: str, name: str) -> AdapterSpec:
        spec = self._specs.get((kind, name))
        if spec is None:
            known = ", ".join(self.names(kind)) or "none"
            raise LookupError(f"no {kind} adapter named '{name}' (available: {known})")
        return spec

    def names(self, kind: str) -> list[str]:
        return sorted(name for (k, name) in self._specs if k == kind)

    def specs(self) -> list[AdapterSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.kind, s.name))
