"""URLs and hosts in the settings are checked at start-up, the setting at fault named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from apps.cli.main import app
from apps.config.loading import SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("clean_environment")

runner = CliRunner()

URL_SETTINGS = [
    ("api", "public_url"),
    ("storage_local", "links_url"),
    ("opentok", "api_url"),
    ("s3", "endpoint_url"),
    ("gcs", "endpoint"),
    ("firebase", "fcm_base_url"),
    ("firebase", "token_uri"),
]

UNUSABLE_URLS = [
    "assist.acme.example",
    "ftp://assist.acme.example",
    "https://assist..acme.example",
    "https://assist.acme.example:70000",
    "https://assist.acme.example:0",
    "https://[not-an-address]/",
    "https://admin:hunter2@assist.acme.example",
    "https://assist.acme.example/#top",
    " https://assist.acme.example",
    "https://assist.acme.exa\nmple",
    "https://assist.acme.example\t/x",
    "https://admin:hunter\uff032@assist.acme.example",
]


@pytest.mark.parametrize(("block", "name"), URL_SETTINGS)
@pytest.mark.parametrize("url", UNUSABLE_URLS)
def test_an_unusable_url_is_refused_naming_the_setting(
    block: str, name: str, url: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=rf"^invalid setting {block}\.{name} \(") as refused:
        load_settings(profile="embedded", data_dir=tmp_path, **{block: {name: url}})

    assert "hunter" not in str(refused.value)


@pytest.mark.parametrize(("block", "name"), [s for s in URL_SETTINGS if s[1] != "token_uri"])
def test_a_base_url_loses_its_final_slash_and_may_carry_no_query(
    block: str, name: str, tmp_path: Path
) -> None:
    settings = load_settings(
        profile="embedded", data_dir=tmp_path, **{block: {name: "http://[::1]:9023/root/"}}
    )

    assert getattr(getattr(settings, block), name) == "http://[::1]:9023/root"
    with pytest.raises(SettingsError, match="query"):
        load_settings(
            profile="embedded", data_dir=tmp_path, **{block: {name: "https://a.example?x=1"}}
        )


@pytest.mark.parametrize(
    ("host", "public_url"),
    [("::1", "http://[::1]:8123"), ("api", "http://api:8123")],
)
def test_the_default_public_url_is_the_listening_address_ipv6_in_brackets(
    host: str, public_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        profile="embedded", data_dir=tmp_path, api={"host": host, "port": 8123}
    )

    assert settings.public_url == public_url


@pytest.mark.parametrize(
    ("block", "name", "value"),
    [
        ("api", "host", "[::1]"),
        ("api", "host", "my host"),
        ("smtp", "host", "smtp..example"),
        ("vonage", "rest_host", "https://rest.nexmo.com"),
        ("vonage", "rest_host", "rest.nexmo.com/sms"),
        ("vonage", "rest_host", "rest.nexmo.com:https"),
        ("vonage_video", "video_host", "video.api.vonage.com:99999"),
        ("vonage_video", "video_host", "key@video.api.vonage.com"),
    ],
)
def test_an_unusable_host_is_refused_naming_the_setting(
    block: str, name: str, value: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=rf"^invalid setting {block}\.{name} \("):
        load_settings(profile="embedded", data_dir=tmp_path, **{block: {name: value}})


@pytest.mark.parametrize(
    ("block", "name", "value"),
    [
        ("api", "host", "::"),
        ("smtp", "host", "smtp-auth.mailprotect.be"),
        ("vonage", "rest_host", "127.0.0.1:8443"),
        ("vonage_video", "video_host", "[::1]:8443"),
    ],
)
def test_hosts_and_ports_a_client_can_use_are_kept_as_given(
    block: str, name: str, value: str, tmp_path: Path
) -> None:
    settings = load_settings(profile="embedded", data_dir=tmp_path, **{block: {name: value}})

    assert getattr(getattr(settings, block), name) == value


def test_the_cli_stops_with_exit_78_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_API__PUBLIC_URL", "https://admin:hunter2@assist.acme.example")

    result = runner.invoke(app, ["config", "show"])

    assert result.exit_code == 78
    assert "PASSERELLE_API__PUBLIC_URL" in result.output
    assert "hunter2" not in result.output
