"""The configuration reference, and how settings are validated when a process starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.config.loading import CONFIG_FILE_VARIABLE, SettingsError, load_settings
from apps.config.plugin_checks import installed_plugins
from apps.config.reference import (
    MASKED,
    PRODUCTION_REQUIRED,
    UNSET,
    SettingReference,
    describe_settings,
    render_markdown,
)
from apps.config.settings import Profile
from plugins.runtime import SettingsBlocks

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
REGENERATE = "run `passerelle config reference > docs/configuration.md` and commit the result"
JWT_SECRET = "jwt-secret-that-must-never-be-printed-0123456789"
SMTP_PASSWORD = "smtp-password-that-must-never-be-printed"
DATABASE_PASSWORD = "database-password-that-must-never-be-printed"
ENCRYPTION_KEY = "c2V0dGluZ3MtdGVzdC1rZXktbmV2ZXItcHJpbnRlZCE"
PRODUCTION_VALUES = {
    "database.url": f"postgresql+asyncpg://passerelle:{DATABASE_PASSWORD}@db.internal/pxr",
    "auth.jwt_secret": JWT_SECRET,
    "encryption.keys": ENCRYPTION_KEY,
    "api.public_url": "https://assist.acme.example",
}

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("clean_environment")


def _reference() -> dict[str, SettingReference]:
    return {entry.name: entry for entry in describe_settings()}


def _builtin_blocks() -> SettingsBlocks:
    """The blocks the built-in plugins declare: what the shipped document lists."""
    return installed_plugins(load_entry_points=False).settings_blocks()


def _set_production(monkeypatch: pytest.MonkeyPatch, *, leave_out: str | None = None) -> None:
    reference = _reference()
    monkeypatch.setenv("PASSERELLE_PROFILE", "production")
    for name, value in PRODUCTION_VALUES.items():
        if name != leave_out:
            monkeypatch.setenv(reference[name].environment_variable, value)


def _flat(text: str) -> str:
    """Console output with its line wrapping undone."""
    return " ".join(text.split())


def test_configuration_doc_matches_the_settings_model() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(_builtin_blocks()), (
        f"docs/configuration.md is out of date with the settings: {REGENERATE}"
    )


def test_every_setting_has_a_description() -> None:
    entries = describe_settings(plugins=_builtin_blocks())
    undocumented = [entry.name for entry in entries if not entry.description]
    assert undocumented == [], (
        f"add description= to the Field of {', '.join(undocumented)}, then {REGENERATE}"
    )


def test_reference_walks_nested_blocks_to_variable_toml_key_type_and_constraints() -> None:
    reference = _reference()

    port = reference["smtp.port"]
    assert port.environment_variable == "PASSERELLE_SMTP__PORT"
    assert (port.toml_table, port.toml_key) == ("smtp", "port")
    assert (port.type, port.default, port.constraints) == ("integer", "587", (">= 1", "<= 65535"))
    assert reference["worker.poll_interval_seconds"].constraints == ("> 0", "<= 60")
    assert reference["database.tenant_database_prefix"].constraints == (
        "pattern ^[a-z_][a-z0-9_]{0,19}$",
    )
    profile = reference["profile"]
    assert (profile.environment_variable, profile.toml_table) == ("PASSERELLE_PROFILE", None)
    assert profile.type == "one of embedded, production"
    assert reference["api.public_url"].type == "string, optional"


def test_reference_masks_secret_defaults_and_marks_unset_ones() -> None:
    reference = _reference()

    assert reference["dev_video.secret"].default == MASKED
    assert reference["auth.jwt_secret"].secret
    assert reference["auth.jwt_secret"].default == UNSET
    assert reference["smtp.password"].default == UNSET
    assert "development-video-secret" not in render_markdown()


def test_profile_section_lists_the_defaults_each_profile_decides() -> None:
    document = render_markdown()

    assert "| `mail.backend` | `console` | `smtp` |" in document
    assert "| `video.backend` | `development` | `opentok` |" in document
    for name in PRODUCTION_REQUIRED:
        assert f"| `{name}` |" in document


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("smtp.host", "relay.example.com", "relay.example.com"),
        ("worker.batch_size", "7", 7),
        ("mail_file.directory", "/srv/mail", Path("/srv/mail")),
        ("storage.backend", "local", "local"),
    ],
)
def test_environment_variable_named_by_the_reference_sets_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: object
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv(_reference()[name].environment_variable, value)

    settings = load_settings()

    block, field = name.split(".")
    assert getattr(getattr(settings, block), field) == expected


def test_config_reference_command_prints_the_markdown_reference() -> None:
    result = runner.invoke(app, ["config", "reference"])

    assert result.exit_code == 0, result.output
    assert result.stdout == render_markdown(installed_plugins().settings_blocks())


def test_config_reference_json_lists_every_setting_with_its_variable() -> None:
    result = runner.invoke(app, ["config", "reference", "--json"])

    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    described = describe_settings(plugins=installed_plugins().settings_blocks())
    assert [item["name"] for item in listed] == [entry.name for entry in described]
    smtp_host = next(item for item in listed if item["name"] == "smtp.host")
    assert smtp_host["environment_variable"] == "PASSERELLE_SMTP__HOST"
    assert smtp_host["description"]


@pytest.mark.parametrize(
    "url",
    [
        "::::",
        "postgresql+asyncpg://ops:hunter2@db.internal:notaport/pxr",
        "mysql://ops:hunter2@db.internal/pxr",
        "postgresql://ops:hunter2@db.internal/pxr",
        "sqlite:///control.db",
    ],
)
def test_a_control_database_url_no_shipped_driver_takes_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_DATABASE__URL", url)

    with pytest.raises(SettingsError, match=r"^invalid setting database\.url ") as refused:
        load_settings()

    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("variable", ["PASSERELLE_SMTP", "PASSERELLE_DISABLED_PLUGINS"])
def test_a_block_or_list_variable_that_is_not_json_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv(variable, '{"host": ')

    with pytest.raises(SettingsError, match=rf"\({variable}\): a block or a list .* is JSON"):
        load_settings()


def test_a_configuration_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "passerelle.toml"
    broken.write_bytes(b"\xff")

    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        load_settings(broken)


def test_production_names_every_missing_setting_and_its_variable_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings()

    for name in PRODUCTION_REQUIRED:
        variable = "PASSERELLE_" + name.upper().replace(".", "__")
        assert f"{name} ({variable})" in " ".join(str(refused.value).split())
    assert "passerelle up" in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PASSERELLE_PHOTON__WEBHOOK_SECRET", "", "give at least 16 characters"),
        ("PASSERELLE_PHOTON__WEBHOOK_SECRET", "short-secret", "give at least 16 characters"),
        ("PASSERELLE_OPENTOK__CALLBACK_SECRET", "", "give at least 16 characters"),
        ("PASSERELLE_VONAGE__SIGNATURE_SECRET", "", "give at least 1 character"),
        ("PASSERELLE_VONAGE_VIDEO__SIGNATURE_SECRET", "", "give at least 1 character"),
    ],
)
def test_a_secret_that_authenticates_vendor_calls_may_not_be_empty_or_weak(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    """An empty secret would match an empty header: anyone would pass as the vendor."""
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=f"{variable}\\): {message}$"):
        load_settings()


@pytest.mark.parametrize("port", ["abc", "70000"])
def test_invalid_value_names_the_setting_and_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_API__PORT", port)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert "api.port" in str(refused.value)
    assert "PASSERELLE_API__PORT" in str(refused.value)


def test_toml_file_is_read_and_environment_variables_win_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "passerelle.toml"
    config.write_text(
        'profile = "embedded"\n\n[api]\nhost = "192.0.2.10"\nport = 9001\n\n'
        '[smtp]\nhost = "relay.from-toml.example"\n'
    )
    monkeypatch.setenv("PASSERELLE_API__PORT", "9002")

    settings = load_settings(config)

    assert settings.profile is Profile.EMBEDDED
    assert settings.smtp.host == "relay.from-toml.example"
    assert settings.api.host == "192.0.2.10"
    assert settings.api.port == 9002


def test_explicit_overrides_win_over_environment_and_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "passerelle.toml"
    config.write_text('profile = "embedded"\n\n[api]\nhost = "192.0.2.10"\nport = 9001\n')
    monkeypatch.setenv("PASSERELLE_API__PORT", "9002")

    settings = load_settings(config, api={"port": 9003})

    assert settings.api.port == 9003
    assert settings.api.host == "192.0.2.10"


def test_toml_file_named_by_the_environment_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "passerelle.toml"
    config.write_text('profile = "embedded"\n\n[worker]\nbatch_size = 12\n')
    monkeypatch.setenv(CONFIG_FILE_VARIABLE, str(config))

    assert load_settings().worker.batch_size == 12


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"

    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(missing)


def test_a_config_file_that_is_not_toml_is_an_error_naming_the_file_and_line(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('profile = "embedded"\ndata_dir = \n')

    with pytest.raises(SettingsError, match=r"broken.toml is not valid TOML: .*line 2"):
        load_settings(broken)


def test_missing_config_file_named_by_the_environment_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_FILE_VARIABLE, str(tmp_path / "absent.toml"))
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")

    with pytest.raises(SettingsError, match="does not exist"):
        load_settings()


@pytest.mark.parametrize("missing", list(PRODUCTION_REQUIRED))
def test_production_profile_refuses_to_start_without_a_required_setting(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    _set_production(monkeypatch, leave_out=missing)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert missing in str(refused.value)


def test_production_profile_starts_with_its_required_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _set_production(monkeypatch)

    settings = load_settings()

    assert settings.profile is Profile.PRODUCTION
    assert settings.mail_backend == "smtp"


def test_production_is_the_default_profile_and_needs_a_database_url() -> None:
    with pytest.raises(SettingsError, match=r"database\.url"):
        load_settings()


def test_config_show_json_masks_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_production(monkeypatch)
    monkeypatch.setenv("PASSERELLE_SMTP__USERNAME", "mailer")
    monkeypatch.setenv("PASSERELLE_SMTP__PASSWORD", SMTP_PASSWORD)

    result = runner.invoke(app, ["config", "show", "--json"])

    assert result.exit_code == 0, result.output
    for secret in (
        JWT_SECRET,
        SMTP_PASSWORD,
        DATABASE_PASSWORD,
        ENCRYPTION_KEY,
        "development-video-secret",
    ):
        assert secret not in result.output
    shown = json.loads(result.stdout)
    assert shown["smtp"]["username"] == "mailer"
    assert shown["auth"]["jwt_secret"] != JWT_SECRET
    assert shown["smtp"]["password"] != SMTP_PASSWORD


def test_config_show_masks_the_secrets_of_plugins_own_blocks_by_their_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _set_production(monkeypatch)
    block = {
        "api_token": "tok-123",
        "password": "pw-456",
        "nested": {"client_secret": "s-7"},
        "apiKey": "k-8",
        "servers": [{"password": "pw-9"}],
        "dsn": "postgresql://ops:pw-10@db.internal/acme",
    }
    monkeypatch.setenv("PASSERELLE_PLUGINS", json.dumps({"acme": block | {"region": "eu"}}))

    result = runner.invoke(app, ["config", "show", "--json"])

    assert result.exit_code == 0, result.output
    for secret in ("tok-123", "pw-456", "s-7", "k-8", "pw-9", "pw-10"):
        assert secret not in result.output
    assert json.loads(result.stdout)["plugins"]["acme"]["region"] == "eu"


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("PASSERELLE_OBSERVABILITY__OTLP_ENDPOINT", "http://otel:hunter2@collector:4318/v1/traces"),
        ("PASSERELLE_FIREBASE__DATABASE_URL", "https://user:hunter2@pxr.firebaseio.com"),
    ],
)
def test_urls_carrying_credentials_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, url: str
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv(variable, url)

    with pytest.raises(SettingsError, match=rf"\({variable}\)") as refused:
        load_settings()

    assert "hunter2" not in str(refused.value)


def test_invalid_setting_exits_78_naming_the_setting_and_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_API__PORT", "abc")

    result = runner.invoke(app, ["config", "show"])

    assert result.exit_code == 78
    assert "api.port" in _flat(result.output)
    assert "PASSERELLE_API__PORT" in _flat(result.output)


def test_missing_config_file_given_by_flag_exits_78(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"

    result = runner.invoke(app, ["config", "show", "--config", str(missing)])

    assert result.exit_code == 78
    assert "does not exist" in _flat(result.output)


def test_misspelled_key_inside_a_block_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_SMTP__HOTS", "relay.example")
    with pytest.raises(SettingsError) as raised:
        load_settings(profile="embedded")
    assert "smtp.hots" in str(raised.value)
    assert "PASSERELLE_SMTP__HOTS" in str(raised.value)
