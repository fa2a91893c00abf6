"""`passerelle config show` and `reference`: the effective configuration, secrets masked,
and the documentation of every setting."""

from __future__ import annotations

import json
import re
from typing import Any

import typer
from rich.syntax import Syntax

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import console, emit_json
from apps.cli.runtime import settings_or_exit
from apps.config.plugin_checks import installed_plugins
from apps.config.reference import describe_settings, render_markdown
from apps.config.settings import Settings

app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)


@app.command("show")
def show(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Print the effective settings (defaults, TOML file, environment), secrets masked.

    Exits 78 and names the setting when one is invalid.
    """
    settings = settings_or_exit(config)
    data = settings.model_dump(mode="json")
    data["effective"] = {
        "control_database_url": _mask_url(settings.control_database_url),
        "mail_backend": settings.mail_backend,
        "video_backend": settings.video_backend,
        "public_url": settings.public_url,
        "local_links_url": settings.local_links_url,
    }
    if data["database"]["url"]:
        data["database"]["url"] = _mask_url(data["database"]["url"])
    data["plugins"] = _masked(_plugin_blocks(settings, data["plugins"]))
    if as_json or not console.is_terminal:
        emit_json(data)
        return
    text = json.dumps(data, indent=2, default=str)
    console.print(Syntax(text, "json", background_color="default", word_wrap=True))


def _plugin_blocks(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    """Each block an installed plugin declares as the plugin reads it: defaults filled in,
    and the fields it types as secrets masked whatever their names; others as given."""
    declared = installed_plugins(settings.disabled_plugins).settings_blocks()
    read = declared.validate(settings.plugins)
    return {**given, **{key: block.model_dump(mode="json") for key, block in read.items()}}


_SECRET_NAME = re.compile(r"(?i:pass|secret|token|credential|private|(^|_)keys?$)|[a-z]Keys?$")
_URL_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
MASK = "**********"


def _masked(value: Any) -> Any:
    """Plugins' own blocks are free-form: a value whose name says it is secret is hidden,
    as the platform's SecretStr settings are, and so is a URL's password."""
    if isinstance(value, dict):
        return {
            name: MASK if _SECRET_NAME.search(name) and item else _masked(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", value)
    return value


def _mask_url(url: str) -> str:
    """Hide a password embedded in a database URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("reference")
def reference(as_json: JsonOption = False) -> None:
    """Print every setting with its variable, TOML key, type, default and meaning.

    Markdown by default; docs/configuration.md is this output, regenerate it with
    `passerelle config reference > docs/configuration.md`. The blocks of installed plugins
    (`[plugins.<key>]`) are listed after the platform's.
    """
    blocks = installed_plugins().settings_blocks()
    if as_json:
        emit_json([entry.to_json() for entry in describe_settings(plugins=blocks)])
        return
    typer.echo(render_markdown(blocks), nl=False)
