"""Loading settings, and turning a validation failure into one message naming the setting."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError as SourceError

from apps.config.plugin_checks import installed_plugins, plugin_problems
from apps.config.settings import Settings, _config_file
from plugins.setting_errors import invalid_setting, validation_problems

CONFIG_FILE_VARIABLE = "PASSERELLE_CONFIG_FILE"


class SettingsError(Exception):
    """The configuration cannot be used; the message names each setting at fault."""


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from every source, then checked against the installed plugins: an adapter
    chosen by a name no plugin registers, or a plugin's block that does not validate, is
    refused here like any other setting, before a command does anything."""
    settings = read_settings(config_file, **overrides)
    problems = plugin_problems(settings, installed_plugins(settings.disabled_plugins))
    if problems:
        raise SettingsError("\n".join(problems))
    return settings


def read_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from every source, not checked against the installed plugins: for what
    runs before the plugins are known, or lists them to diagnose what that check refuses."""
    path = config_file or _env_path()
    if path is not None and not path.is_file():
        raise SettingsError(f"configuration file {path} does not exist")
    token = _config_file.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError("\n".join(validation_problems(exc))) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"configuration file {path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"configuration file {path} is not UTF-8 text: {exc}") from exc
    except SourceError as exc:
        raise SettingsError(_unparsable(exc)) from exc
    finally:
        _config_file.reset(token)


def _env_path() -> Path | None:
    value = os.environ.get(CONFIG_FILE_VARIABLE)
    return Path(value) if value else None


def _unparsable(exc: SourceError) -> str:
    """pydantic-settings' words for a variable holding a block or a list that is not JSON
    (``error parsing value for field "smtp" from source "EnvSettingsSource"``)."""
    found = re.search(r'field "([^"]+)"', str(exc))
    if found is None:
        return f"invalid settings: {exc}"
    return invalid_setting(
        (found.group(1),),
        "a block or a list in an environment variable is JSON, "
        'e.g. \'{"host": "smtp.example"}\' or \'["a", "b"]\'',
    )
