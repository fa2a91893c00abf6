"""The plugin platform: built-ins first, third parties may override by name, failures reported."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from adapters.sinks.console_mail_sender import ConsoleMailSender
from apps.cli.plugin_commands import plugin_rows
from apps.cli.runtime import configured_disabled_plugins
from plugins import manager as plugin_manager
from plugins.hookspecs import hookimpl
from plugins.manager import BUILTIN_PLUGINS, build_plugins
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError


class CarrierPigeonSettings(BaseModel):
    loft: str
    birds: int = 3


class OverridingPlugin:
    """A third-party plugin: replaces the console mail sink and adds an adapter with settings."""

    @hookimpl
    def register_adapters(self, registry: AdapterRegistry) -> None:
        registry.add("mail", "console", lambda _c: RecordingMailSender(), description="recorder")
        registry.add(
            "mail",
            "pigeon",
            lambda c: c.settings("pigeon", CarrierPigeonSettings),
            description="by air",
        )


def _context(**blocks: Any) -> AdapterContext:
    return AdapterContext(blocks=blocks, clock=FixedClock(datetime.now(UTC)), data_dir=Path("."))


def test_builtin_plugins_register_the_builtin_adapters_by_name() -> None:
    registry = build_plugins(load_entry_points=False).adapters()
    assert registry.names("mail") == ["console", "file", "smtp"]
    assert registry.names("video") == ["development", "opentok", "vonage"]
    assert registry.names("multiplayer") == ["development", "photon"]
    assert registry.get("mail", "console").plugin == "plugins.builtin.mail"
    assert registry.get("video", "development").development


def test_a_later_plugin_overrides_a_builtin_adapter_of_the_same_name() -> None:
    registry = build_plugins(extra=(OverridingPlugin(),), load_entry_points=False).adapters()

    spec = registry.get("mail", "console")
    assert isinstance(spec.factory(_context()), RecordingMailSender)
    assert [s.plugin for s in registry.overridden] == ["plugins.builtin.mail"]
    assert isinstance(registry.overridden[0].factory(_context()), ConsoleMailSender)


def test_unknown_adapter_name_lists_the_available_ones() -> None:
    registry = build_plugins(load_entry_points=False).adapters()
    with pytest.raises(
        LookupError, match=r"no mail adapter named 'fax' \(available: console, file, smtp\)"
    ):
        registry.get("mail", "fax")


def test_plugin_settings_block_is_validated_and_a_bad_one_names_the_setting() -> None:
    registry = build_plugins(extra=(OverridingPlugin(),), load_entry_points=False).adapters()
    factory = registry.get("mail", "pigeon").factory

    assert factory(_context(pigeon={"loft": "roof"})) == CarrierPigeonSettings(loft="roof")
    with pytest.raises(
        AdapterSettingsError,
        match=r"^invalid setting plugins\.pigeon\.birds \(PASSERELLE_PLUGINS__PIGEON__BIRDS\): ",
    ):
        factory(_context(pigeon={"loft": "roof", "birds": "many"}))


def test_entry_point_plugins_load_after_builtins_and_failures_are_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = plugin_manager.ENTRY_POINT_GROUP
    entry_points = [
        EntryPoint("good-plugin", "tests.unit.sample_plugin", group),
        EntryPoint("broken-plugin", "pigeon_sdk.plugin", group),
    ]
    monkeypatch.setattr(plugin_manager, "entry_points", lambda group: entry_points)

    plugins = build_plugins()
    names = [info.name for info in plugins.describe()]

    assert names == [*BUILTIN_PLUGINS, "good-plugin"]
    assert plugins.adapters().get("mail", "recorder").plugin == "good-plugin"
    assert plugins.load_errors == {
        "broken-plugin": "ModuleNotFoundError: No module named 'pigeon_sdk'"
    }


def test_plugins_command_reports_versions_hooks_and_what_each_provides() -> None:
    rows = {row.name: row for row in plugin_rows()}
    mail = rows["plugins.builtin.mail"]
    assert mail.builtin
    assert mail.version
    assert mail.hooks == ["register_adapters"]
    assert "mail=smtp" in mail.provides
    assert "mail=console (development)" in mail.provides


def test_plugins_command_shows_the_hooks_of_feature_plugins() -> None:
    rows = {row.name: row for row in plugin_rows()}
    assert "session_ended" in rows["plugins.builtin.audit_log"].hooks
    assert "session_ended" in rows["plugins.builtin.webhooks"].hooks


def test_plugins_command_lists_disabled_plugins_as_disabled_and_loads_nothing_of_them() -> None:
    rows = {row.name: row for row in plugin_rows(("plugins.builtin.sms",))}
    sms = rows["plugins.builtin.sms"]
    assert sms.disabled
    assert sms.builtin
    assert sms.hooks == []
    assert not any("sms=" in label for row in rows.values() for label in row.provides)


def test_cli_reads_disabled_plugins_from_the_config_named_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASSERELLE_CONFIG_FILE", raising=False)
    config = tmp_path / "passerelle.toml"
    config.write_text(
        f'profile = "embedded"\ndata_dir = "{tmp_path}"\n'
        'disabled_plugins = ["plugins.builtin.retention"]\n'
    )
    assert configured_disabled_plugins(["retention", "run", "--config", str(config)]) == (
        "plugins.builtin.retention",
    )
    assert configured_disabled_plugins([f"--config={config}"]) == ("plugins.builtin.retention",)
    assert configured_disabled_plugins(["-c", str(config)]) == ("plugins.builtin.retention",)
    config.write_text("profile = \n")
    assert configured_disabled_plugins(["-c", str(config)]) == ()
    assert configured_disabled_plugins(["--config", str(tmp_path / "missing.toml")]) == ()
