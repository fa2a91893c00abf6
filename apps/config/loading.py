"""Loading settings, and turning a validation failure into one message naming the setting."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError as SourceError

from apps.config.settings import Settings, _config_file

CONFIG_FILE_VARIABLE = "PASSERELLE_CONFIG_FILE"


class SettingsError(Exception):
    """The configuration cannot be used; the message names each setting at fault."""


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    path = config_file or _env_path()
    if path is not None and not path.is_file():
        raise SettingsError(f"configuration file {path} does not exist")
    token = _config_file.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from exc
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


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        variable = "PASSERELLE_" + "__".join(str(p).upper() for p in error["loc"])
        if location:
            lines.append(f"invalid setting {location} ({variable}): {_message(error)}")
        else:
            lines.append(f"invalid configuration: {_message(error)}")
    return "\n".join(lines)


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, without its "Value error, " prefix; a secret's length in
    characters (pydantic counts "items")."""
    if error["type"] == "too_short" and isinstance(error["input"], SecretStr | str):
        count = error["ctx"]["min_length"]
        return f"give at least {count} character{'' if count == 1 else 's'}"
    return error["msg"].removeprefix("Value error, ")


def _unparsable(exc: SourceError) -> str:
    """pydantic-settings' words for a variable holding a block or a list that is not JSON
    (``error parsing value for field "smtp" from source "EnvSettingsSource"``)."""
    found = re.search(r'field "([^"]+)"', str(exc))
    if found is None:
        return f"invalid settings: {exc}"
    name = found.group(1)
    return (
        f"invalid setting {name} (PASSERELLE_{name.upper()}): a block or a list in an "
        'environment variable is JSON, e.g. \'{"host": "smtp.example"}\' or \'["a", "b"]\''
    )
