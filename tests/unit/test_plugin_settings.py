"""Settings checked against the installed plugins when they load, for every command: the
adapters chosen by name, plugins' own blocks, and how those blocks are documented and shown."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint

import pytest
from pydantic import BaseModel, Field, SecretStr
from typer.testing import CliRunner

from apps.cli.main import app
from apps.cli.output import ExitCode
from apps.config.loading import SettingsError, load_settings
from apps.config.plugin_checks import installed_plugins
from apps.config.reference import MASKED, describe_settings
from plugins import manager as plugin_manager
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterRegistry
from plugins.runtime import SettingsBlocks

pytestmark = pytest.mark.usefixtures("clean_environment")
runner = CliRunner()
VAULT_SIGNATURE = "vault-signature-that-must-never-be-printed"


class VaultSettings(BaseModel):
    """Where the vault plugin keeps tenants' files."""

    region: str = Field(default="eu", description="Region of the vault.")
    signature: SecretStr = Field(
        default=SecretStr("unsigned"), description="Signs the vault's requests."
    )


class VaultPlugin:
    """A third-party plugin: a storage adapter and its own settings block."""

    @hookimpl
    def register_adapters(self, registry: AdapterRegistry) -> None:
        registry.add("storage", "vault", lambda _context: object(), description="a vault")

    @hookimpl
    def register_settings(self, blocks: SettingsBlocks) -> None:
        blocks.add("vault", VaultSettings)


vault = VaultPlugin()


def _pip_installed(monkeypatch: pytest.MonkeyPatch, *found: EntryPoint) -> None:
    """These entry points, and only these, are what pip installed."""
    monkeypatch.setattr(plugin_manager, "entry_points", lambda group: list(found))


VAULT = EntryPoint("vault-plugin", f"{__name__}:vault", plugin_manager.ENTRY_POINT_GROUP)
BROKEN = EntryPoint("broken-vault", "vault_sdk.plugin", plugin_manager.ENTRY_POINT_GROUP)


def _refused(monkeypatch: pytest.MonkeyPatch, command: list[str], **variables: str) -> str:
    """What the command says when the embedded profile with these variables set stops it
    as invalid configuration: exit 78, no traceback; line wrapping undone."""
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    result = runner.invoke(app, command)

    assert result.exit_code == ExitCode.CONFIG
    assert isinstance(result.exception, SystemExit)
    return " ".join(result.output.split())


def test_config_show_refuses_an_unknown_mail_adapter_naming_setting_variable_and_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = _refused(monkeypatch, ["config", "show"], PASSERELLE_MAIL__BACKEND="carrierpigeon")

    assert (
        "invalid setting mail.backend (PASSERELLE_MAIL__BACKEND): no mail adapter named "
        "'carrierpigeon' (available: console, file, smtp)"
    ) in said


@pytest.mark.parametrize("kind", ["storage", "video", "sms", "push", "events", "multiplayer"])
def test_every_adapter_chosen_by_name_is_checked_when_settings_load(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv(f"PASSERELLE_{kind.upper()}__BACKEND", "carrierpigeon")

    with pytest.raises(SettingsError) as refused:
        load_settings(profile="embedded")

    assert str(refused.value).startswith(
        f"invalid setting {kind}.backend (PASSERELLE_{kind.upper()}__BACKEND): "
        f"no {kind} adapter named 'carrierpigeon' (available: "
    )


def test_the_embedded_defaults_name_adapters_the_builtin_plugins_register() -> None:
    settings = load_settings(profile="embedded")

    assert settings.chosen_adapters() == {
        "mail": "console",
        "video": "development",
        "multiplayer": "development",
        "sms": "console",
        "push": "console",
        "events": "channels",
        "storage": "local",
    }


def test_an_adapter_a_pip_installed_plugin_registers_may_be_chosen_and_is_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pip_installed(monkeypatch, VAULT)

    assert load_settings(profile="embedded", storage={"backend": "vault"}).storage_backend == (
        "vault"
    )
    with pytest.raises(SettingsError, match=r"\(available: gcs, local, s3, vault\)$"):
        load_settings(profile="embedded", storage={"backend": "ftp"})


def test_the_adapters_of_a_disabled_plugin_are_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_DISABLED_PLUGINS", '["plugins.builtin.mail"]')

    with pytest.raises(SettingsError, match=r"no mail adapter named 'console' \(available: none\)"):
        load_settings(profile="embedded")


def test_an_unknown_adapter_names_the_plugins_that_failed_to_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pip_installed(monkeypatch, BROKEN)

    with pytest.raises(SettingsError) as refused:
        load_settings(profile="embedded", storage={"backend": "vault"})

    assert str(refused.value).endswith(
        "plugins that failed to load: broken-vault: ModuleNotFoundError: "
        "No module named 'vault_sdk'"
    )


def test_the_plugin_listing_still_shows_the_plugin_behind_an_unknown_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`passerelle plugins` is where an operator goes to learn why an adapter is missing."""
    _pip_installed(monkeypatch, BROKEN)
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_STORAGE__BACKEND", "vault")

    result = runner.invoke(app, ["plugins", "--json"])

    assert result.exit_code == ExitCode.OK, result.output
    [broken] = [row for row in json.loads(result.stdout) if row["name"] == "broken-vault"]
    assert "No module named 'vault_sdk'" in broken["error"]


def test_a_bad_plugin_setting_is_named_by_its_path_under_plugins_and_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_PLUGINS__RETENTION__INTERVAL_SECONDS", "5")
    monkeypatch.setenv("PASSERELLE_PLUGINS__RETENTION__BATCH_SIZE", "0")

    with pytest.raises(SettingsError) as refused:
        load_settings(profile="embedded")

    assert str(refused.value).splitlines() == [
        "invalid setting plugins.retention.interval_seconds "
        "(PASSERELLE_PLUGINS__RETENTION__INTERVAL_SECONDS): "
        "Input should be greater than or equal to 60",
        "invalid setting plugins.retention.batch_size (PASSERELLE_PLUGINS__RETENTION__BATCH_SIZE): "
        "Input should be greater than or equal to 1",
    ]


def test_retention_run_with_a_bad_plugin_setting_exits_78_naming_it_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = _refused(
        monkeypatch, ["retention", "run"], PASSERELLE_PLUGINS__RETENTION__BATCH_SIZE="many"
    )

    assert (
        "invalid setting plugins.retention.batch_size (PASSERELLE_PLUGINS__RETENTION__BATCH_SIZE)"
    ) in said


def test_the_variable_the_reference_names_for_a_plugin_setting_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builtin = installed_plugins(load_entry_points=False).settings_blocks()
    reference = {entry.name: entry for entry in describe_settings(plugins=builtin)}
    batch = reference["plugins.retention.batch_size"]
    monkeypatch.setenv(batch.environment_variable, "7")

    settings = load_settings(profile="embedded")

    assert builtin.validate(settings.plugins)["retention"].model_dump()["batch_size"] == 7
    assert (batch.toml_table, batch.toml_key, batch.type, batch.default) == (
        "plugins.retention",
        "batch_size",
        "integer",
        "200",
    )


def test_config_reference_documents_each_installed_plugins_block_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pip_installed(monkeypatch, VAULT)

    result = runner.invoke(app, ["config", "reference"])

    assert result.exit_code == 0, result.output
    document = result.stdout
    assert document.count("## `plugins.vault`") == 1
    assert document.count("## `plugins.retention`") == 1
    assert (
        "Where the vault plugin keeps tenants' files. Declared by the plugin `vault-plugin`."
    ) in document
    assert (
        "| `plugins.vault.region` | `PASSERELLE_PLUGINS__VAULT__REGION` | "
        "`[plugins.vault] region` | string | `eu` |  | Region of the vault. |"
    ) in document
    assert f"| secret string | {MASKED} |" in document
    assert "unsigned" not in document


def test_config_show_fills_plugin_defaults_and_masks_a_setting_typed_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pip_installed(monkeypatch, VAULT)
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_PLUGINS__VAULT__SIGNATURE", VAULT_SIGNATURE)

    result = runner.invoke(app, ["config", "show", "--json"])

    assert result.exit_code == 0, result.output
    assert VAULT_SIGNATURE not in result.output
    shown = json.loads(result.stdout)["plugins"]
    assert shown["vault"] == {"region": "eu", "signature": "**********"}
    assert shown["retention"] == {"interval_seconds": 21600.0, "batch_size": 200}
