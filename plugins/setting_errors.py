"""How a bad setting is named to an operator: its dotted path and its environment variable.

One wording for the platform's own settings (apps/config/loading.py) and for plugins'
blocks (``[plugins.<key>]``), so an error reads the same wherever it is found and always
says what to change.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails

ENVIRONMENT_PREFIX = "PASSERELLE_"
LEVELS = "__"
PLUGIN_TABLE = "plugins"
"""Where plugins' own blocks live: ``[plugins.<key>]``, ``PASSERELLE_PLUGINS__<KEY>__...``."""

Location = Sequence[str | int]


def setting_label(location: Location) -> str:
    """``smtp.port (PASSERELLE_SMTP__PORT)``: the setting and the variable that sets it."""
    name = ".".join(str(part) for part in location)
    variable = ENVIRONMENT_PREFIX + LEVELS.join(str(part).upper() for part in location)
    return f"{name} ({variable})"


def invalid_setting(location: Location, message: str) -> str:
    if not location:
        return f"invalid configuration: {message}"
    return f"invalid setting {setting_label(location)}: {message}"


def validation_problems(exc: ValidationError, within: Location = ()) -> list[str]:
    """One line per error; ``within`` is where the validated block sits in the settings."""
    return [invalid_setting((*within, *error["loc"]), _message(error)) for error in exc.errors()]


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, without its "Value error, " prefix; a secret's length in
    characters (pydantic counts "items")."""
    if error["type"] == "too_short" and isinstance(error["input"], SecretStr | str):
        count = error["ctx"]["min_length"]
        return f"give at least {count} character{'' if count == 1 else 's'}"
    return error["msg"].removeprefix("Value error, ")
