"""`passerelle plugins`: what is loaded and what each plugin provides."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rich.text import Text

from apps.cli.output import console, data_row, data_table, emit_json
from plugins.features import FeatureServices
from plugins.manager import BUILTIN_PLUGINS, build_plugins


@dataclass(frozen=True, slots=True)
class PluginRow:
    name: str
    version: str | None
    builtin: bool
    hooks: list[str] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False


def plugins_command(disabled: tuple[str, ...], as_json: bool) -> None:
    rows = plugin_rows(disabled)
    if as_json:
        emit_json([asdict(row) for row in rows])
        return
    table = data_table("plugin", "version", "hooks", "provides", "status", title="Plugins")
    for row in rows:
        status = Text(row.error, style="red") if row.error else "disabled" if row.disabled else ""
        data_row(
            table,
            row.name,
            row.version or "-",
            ", ".join(row.hooks),
            ", ".join(row.provides),
            status,
        )
    console.print(table)


def plugin_rows(disabled: tuple[str, ...] = ()) -> list[PluginRow]:
    plugins = build_plugins(services=FeatureServices.for_listing(), disabled=disabled)
    provides: dict[str, list[str]] = {}
    for spec in plugins.adapters().specs():
        label = f"{spec.kind}={spec.name}" + (" (development)" if spec.development else "")
        provides.setdefault(spec.plugin, []).append(label)
    blocks = plugins.settings_blocks()
    for key, owner in blocks.owners.items():
        provides.setdefault(owner, []).append(f"settings=[plugins.{key}]")
    for name, channel in plugins.notification_channels().added.items():
        provides.setdefault(channel.plugin, []).append(f"channel={name}")
    rows = [
        PluginRow(
            info.name,
            info.version,
            info.builtin,
            info.hooks,
            provides.get(info.name, []),
            "; ".join(plugins.hook_errors.get(info.name, [])) or None,
        )
        for info in plugins.describe()
    ]
    rows += [
        PluginRow(name, None, builtin=False, error=error)
        for name, error in plugins.load_errors.items()
    ]
    rows += [
        PluginRow(name, None, builtin=name in BUILTIN_PLUGINS, disabled=True) for name in disabled
    ]
    return rows
