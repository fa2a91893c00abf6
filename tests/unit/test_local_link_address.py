"""Where the local store's signed links point: at the API as clients reach it.

Unless ``storage_local.links_url`` names it, that is ``api.public_url`` when set, else
the host and port the API listens on, after `passerelle up`'s flags are applied.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import apps.cli.main
from adapters.system.clock import SystemClock
from apps.cli.main import app
from apps.config.loading import load_settings
from apps.config.settings import Settings
from apps.container import build_container
from plugins.manager import build_plugins
from plugins.registry import AdapterContext, AdapterSettingsError

TENANT = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("clean_environment")


def _embedded(tmp_path: Path, **overrides: Any) -> Settings:
    return load_settings(profile="embedded", data_dir=tmp_path, **overrides)


async def _download_link(settings: Settings) -> str:
    """A download link of the local store as the container builds it from these settings."""
    store = build_container(settings).blob_store()
    link = await store.download_url(TENANT, "files/report.pdf", expires_in=timedelta(minutes=5))
    return link.url


async def test_with_port_8123_and_no_links_url_a_download_link_points_at_127_0_0_1_8123(
    tmp_path: Path,
) -> None:
    url = await _download_link(_embedded(tmp_path, api={"port": 8123}))

    assert url.startswith("http://127.0.0.1:8123/api/v1/blobs/")


async def test_a_download_link_follows_the_host_the_api_listens_on(tmp_path: Path) -> None:
    url = await _download_link(_embedded(tmp_path, api={"host": "10.1.2.3", "port": 9001}))

    assert url.startswith("http://10.1.2.3:9001/api/v1/blobs/")


async def test_with_a_public_url_a_download_link_points_there(tmp_path: Path) -> None:
    settings = _embedded(tmp_path, api={"port": 8123, "public_url": "https://assist.acme.example/"})

    url = await _download_link(settings)

    assert url.startswith("https://assist.acme.example/api/v1/blobs/")


async def test_an_explicit_links_url_wins_over_the_public_url_and_the_port(
    tmp_path: Path,
) -> None:
    settings = _embedded(
        tmp_path,
        api={"port": 8123, "public_url": "https://assist.acme.example"},
        storage_local={"links_url": "https://files.acme.example/blobs"},
    )

    url = await _download_link(settings)

    assert url.startswith("https://files.acme.example/blobs/")


async def test_a_links_url_from_the_environment_wins_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSERELLE_STORAGE_LOCAL__LINKS_URL", "http://files.lan:7000/b")
    monkeypatch.setenv("PASSERELLE_API__PORT", "8123")

    url = await _download_link(_embedded(tmp_path))

    assert url.startswith("http://files.lan:7000/b/")


async def test_a_port_from_the_environment_moves_the_links_as_serve_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSERELLE_API__PORT", "8124")

    url = await _download_link(_embedded(tmp_path))

    assert url.startswith("http://127.0.0.1:8124/api/v1/blobs/")


def _settings_up_runs_with(monkeypatch: pytest.MonkeyPatch, *args: str) -> Settings:
    ran: list[Settings] = []
    monkeypatch.setattr(apps.cli.main, "up", ran.append)
    result = runner.invoke(app, ["up", *args])
    assert result.exit_code == 0, result.output
    (settings,) = ran
    return settings


async def test_up_with_port_8123_signs_local_links_for_port_8123(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings_up_runs_with(monkeypatch, "--port", "8123", "--data-dir", str(tmp_path))

    url = await _download_link(settings)

    assert url.startswith("http://127.0.0.1:8123/api/v1/blobs/")
    assert settings.public_url == "http://127.0.0.1:8123"


async def test_up_keeps_the_public_url_of_its_configuration_file_for_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "passerelle.toml"
    config.write_text('[api]\npublic_url = "https://assist.acme.example"\n')

    settings = _settings_up_runs_with(
        monkeypatch, "--config", str(config), "--port", "8123", "--data-dir", str(tmp_path)
    )

    url = await _download_link(settings)

    assert url.startswith("https://assist.acme.example/api/v1/blobs/")


def test_config_show_prints_where_local_links_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_PROFILE", "embedded")
    monkeypatch.setenv("PASSERELLE_API__PORT", "8123")

    result = runner.invoke(app, ["config", "show", "--json"])

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["effective"]["local_links_url"] == "http://127.0.0.1:8123/api/v1/blobs"
    assert shown["storage_local"]["links_url"] is None


def test_the_local_adapter_built_without_the_platform_settings_asks_for_links_url(
    tmp_path: Path,
) -> None:
    local = build_plugins().adapters().get("storage", "local")
    context = AdapterContext(blocks={}, clock=SystemClock(), data_dir=tmp_path)

    with pytest.raises(AdapterSettingsError, match=r"storage_local\.links_url"):
        local.factory(context)


def test_up_listens_where_the_environment_says_unless_a_flag_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSERELLE_API__PORT", "8124")
    monkeypatch.setenv("PASSERELLE_DATA_DIR", str(tmp_path))

    from_environment = _settings_up_runs_with(monkeypatch)
    from_flag = _settings_up_runs_with(monkeypatch, "--port", "8125")

    assert (from_environment.api.port, from_environment.data_dir) == (8124, tmp_path)
    assert (from_flag.api.port, from_flag.data_dir) == (8125, tmp_path)
