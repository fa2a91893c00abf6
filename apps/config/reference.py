"""The configuration reference: every setting, read from the Settings model itself.

`docs/configuration.md` is this module's output (`passerelle config reference`), so a
setting added to the code without its description, or without regenerating the
document, fails the test suite instead of going undocumented.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen, MultipleOf
from pydantic import BaseModel, SecretBytes, SecretStr
from pydantic.fields import FieldInfo

from apps.config.settings import Profile, Settings
from plugins.runtime import SettingsBlocks
from plugins.setting_errors import PLUGIN_TABLE

MASKED = "(secret)"
UNSET = "(unset)"
REQUIRED = "(required)"

PRODUCTION_REQUIRED: dict[str, str] = {
    "database.url": "a SQLite file, <data_dir>/control.db",
    "auth.jwt_secret": "generated once, kept in <data_dir>/jwt-secret",
    "api.public_url": "http://<api.host>:<api.port>",
    "encryption.keys": "generated once, kept in <data_dir>/encryption-key",
}
"""Settings the production profile refuses to start without, and what embedded uses instead."""

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    SecretStr: "secret string",
    SecretBytes: "secret bytes",
    Any: "any",
}


@dataclass(frozen=True)
class SettingReference:
    """One setting as an operator meets it: its name, where to set it, what it accepts."""

    name: str
    environment_variable: str
    toml_table: str | None
    toml_key: str
    type: str
    default: str
    constraints: tuple[str, ...]
    description: str
    secret: bool

    @property
    def block(self) -> str | None:
        """The block the setting belongs to (``smtp``; a plugin's is ``plugins.<key>``);
        None for a top-level setting."""
        if self.toml_table is None:
            return None
        table = self.toml_table.split(".")
        return ".".join(table[:2]) if table[0] == PLUGIN_TABLE else table[0]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "constraints": list(self.constraints)}


def describe_settings(
    model: type[BaseModel] = Settings, plugins: SettingsBlocks | None = None
) -> list[SettingReference]:
    """Every leaf setting of `model`, nested blocks walked in declaration order, then those
    of each block `plugins` declare, under ``plugins.<key>`` where they are set."""
    config = model.model_config
    prefix = str(config.get("env_prefix", ""))
    delimiter = str(config.get("env_nested_delimiter") or "__")
    entries = _walk(model, None, (), prefix, delimiter)
    for key, block in (plugins.models if plugins is not None else {}).items():
        entries += _walk(block, None, (PLUGIN_TABLE, key), prefix, delimiter)
    return entries


def _walk(
    model: type[BaseModel],
    defaults: BaseModel | None,
    path: tuple[str, ...],
    prefix: str,
    delimiter: str,
) -> list[SettingReference]:
    entries: list[SettingReference] = []
    for name, field in model.model_fields.items():
        default = _default_of(field, name, defaults)
        block = _block_model(field.annotation)
        if block is not None:
            nested_defaults = default if isinstance(default, BaseModel) else None
            entries += _walk(block, nested_defaults, (*path, name), prefix, delimiter)
            continue
        entries.append(
            SettingReference(
                name=".".join((*path, name)),
                environment_variable=prefix + delimiter.join((*path, name)).upper(),
                toml_table=".".join(path) or None,
                toml_key=name,
                type=_type_name(field.annotation),
                default=_render_default(default, field),
                constraints=_constraints(field),
                description=" ".join((field.description or "").split()),
                secret=_is_secret(field.annotation),
            )
        )
    return entries


def _default_of(field: FieldInfo, name: str, defaults: BaseModel | None) -> Any:
    """The default as the enclosing block's default instance has it, else the field's own."""
    if defaults is not None:
        return getattr(defaults, name)
    if field.is_required():
        return ...
    return field.get_default(call_default_factory=True)


def _block_model(annotation: Any) -> type[BaseModel] | None:
    """The settings block a field holds, if it holds one (optional blocks included)."""
    candidates = _without_none(annotation) if _is_union(annotation) else [annotation]
    if len(candidates) == 1:
        candidate = candidates[0]
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, UnionType)


def _without_none(annotation: Any) -> list[Any]:
    return [arg for arg in get_args(annotation) if arg is not NoneType]


def _type_name(annotation: Any) -> str:
    if _is_union(annotation):
        members = _without_none(annotation)
        name = " or ".join(_type_name(member) for member in members)
        return f"{name}, optional" if len(members) < len(get_args(annotation)) else name
    origin = get_origin(annotation)
    if origin is Annotated:
        return _type_name(get_args(annotation)[0])
    if origin is Literal:
        return "one of " + ", ".join(str(value) for value in get_args(annotation))
    if origin is dict:
        values = get_args(annotation)[1:]
        return "table of tables" if values and get_origin(values[0]) is dict else "table"
    if origin in (list, tuple, set, frozenset):
        items = get_args(annotation)
        return f"list of {_type_name(items[0])}" if items else "list"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(member.value) for member in annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    return str(getattr(annotation, "__name__", annotation))


def _is_secret(annotation: Any) -> bool:
    members = get_args(annotation) if _is_union(annotation) else (annotation,)
    return any(member in (SecretStr, SecretBytes) for member in members)


def _render_default(value: Any, field: FieldInfo) -> str:
    if value is ...:
        return REQUIRED
    if value is None:
        return UNSET
    if isinstance(value, SecretStr | SecretBytes) or _is_secret(field.annotation):
        return MASKED
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def _constraints(field: FieldInfo) -> tuple[str, ...]:
    found: list[str] = []
    for item in field.metadata:
        match item:
            case Gt(gt=bound):
                found.append(f"> {bound}")
            case Ge(ge=bound):
                found.append(f">= {bound}")
            case Lt(lt=bound):
                found.append(f"< {bound}")
            case Le(le=bound):
                found.append(f"<= {bound}")
            case MultipleOf(multiple_of=step):
                found.append(f"multiple of {step}")
            case MinLen(min_length=length):
                found.append(f"length >= {length}")
            case MaxLen(max_length=length):
                found.append(f"length <= {length}")
            case _ if getattr(item, "pattern", None) is not None:
                found.append(f"pattern {item.pattern}")
    return tuple(found)


@dataclass(frozen=True)
class ProfileDefault:
    """A default the profile decides: what `embedded` uses, what `production` uses."""

    setting: str
    embedded: str
    production: str
    literal: bool
    """True when both are values (shown as code); False when they are prose."""


def profile_defaults(model: type[Settings] = Settings) -> list[ProfileDefault]:
    """Every default the profile decides, required-in-production settings first.

    Then every Settings property whose value differs between the two profiles when
    nothing is set (`mail_backend`...), named after the setting it stands in for
    (`mail.backend`) when there is one.
    """
    rows = [
        ProfileDefault(name, embedded, "required", literal=False)
        for name, embedded in PRODUCTION_REQUIRED.items()
    ]
    names = {entry.name for entry in describe_settings(model)}
    embedded_settings = model.model_construct(profile=Profile.EMBEDDED)
    production_settings = model.model_construct(profile=Profile.PRODUCTION)
    for attribute, value in vars(model).items():
        if not isinstance(value, property) or attribute.startswith("_"):
            continue
        embedded = getattr(embedded_settings, attribute)
        production = getattr(production_settings, attribute)
        if embedded != production:
            setting = attribute.replace("_", ".", 1)
            rows.append(
                ProfileDefault(
                    setting if setting in names else attribute,
                    str(embedded),
                    str(production),
                    literal=True,
                )
            )
    return rows


_TITLE = "# Configuration reference"
_COLUMNS = (
    "Setting",
    "Environment variable",
    "TOML key",
    "Type",
    "Default",
    "Constraints",
    "Description",
)

_SOURCES = """\
Every setting of Passerelle XR, generated from the settings model by
`passerelle config reference > docs/configuration.md`: to change a text below, change the
`description=` of the field in the code and regenerate this file.

## Sources and precedence

Settings are read once when a process starts and validated there: an invalid value stops
the process with exit code 78 and a message naming the setting and its environment
variable. Each setting is looked up in these sources, strongest first:

1. explicit command-line flags (`passerelle up --host --port --data-dir`);
2. environment variables: `{prefix}` then the setting's path in upper case, levels joined
   by `{delimiter}` (`smtp.host` is `{prefix}SMTP{delimiter}HOST`); a whole block may also
   be given as one JSON object (`{prefix}SMTP='{{"host": "..."}}'`);
3. the TOML file named by `--config` or `PASSERELLE_CONFIG_FILE` (naming a file that does
   not exist is an error), one table per block:

   ```toml
   profile = "production"

   [database]
   url = "postgresql+asyncpg://passerelle@db.internal/passerelle"

   [smtp]
   host = "smtp.example.com"
   ```

4. the defaults below.

An unknown key is refused, at the top level and inside a block (a misspelled
`PASSERELLE_SMTP__HOTS` stops start-up, naming it). An adapter chosen by name
(`mail.backend`, `storage.backend`...) must be one the installed plugins register, and a
plugin's block (`[plugins.<key>]`) must be valid, or every command that reads the
settings, `passerelle config show` included, stops with exit code 78 naming the setting
and the names available (`passerelle plugins` still lists them, to show which failed).
`passerelle config show` prints the effective settings, secrets masked. Below, secret
defaults are shown as `{secret}` and settings without a default value as `{unset}`."""


def render_markdown(plugins: SettingsBlocks | None = None) -> str:
    """The reference as a Markdown document: sources, profiles, one table per block, the
    blocks `plugins` declare last."""
    entries = describe_settings(plugins=plugins)
    config = Settings.model_config
    sources = _SOURCES.format(
        prefix=config.get("env_prefix", ""),
        delimiter=config.get("env_nested_delimiter") or "__",
        secret=MASKED,
        unset=UNSET,
    )
    sections = [_TITLE, sources, _profiles_section()]
    top_level = [entry for entry in entries if entry.block is None]
    if top_level:
        sections.append(_block_section("Top level", "Settings outside any block.", top_level))
    for block in dict.fromkeys(entry.block for entry in entries if entry.block is not None):
        rows = [entry for entry in entries if entry.block == block]
        sections.append(_block_section(f"`{block}`", _block_intro(block, plugins), rows))
    return "\n\n".join(sections) + "\n"


def _profiles_section() -> str:
    default = Settings.model_fields["profile"].default
    choices = {
        Profile.EMBEDDED: (
            "for a laptop or a demo, nothing to install: SQLite files (one per tenant) and "
            "local files under `data_dir`, development adapters for mail and video; "
            "`passerelle up` always uses it."
        ),
        Profile.PRODUCTION: (
            "the real providers; the process refuses to start without any of "
            + ", ".join(f"`{name}`" for name in PRODUCTION_REQUIRED)
            + "."
        ),
    }
    lines = ["## Profiles", "", "`profile` sets the defaults of a whole deployment:", ""]
    for profile in Profile:
        marker = " (the default)" if profile == default else ""
        lines.append(f"- `{profile.value}`{marker}: {choices[profile]}")
    lines += [
        "",
        "Defaults that depend on the profile (a value set explicitly always wins):",
        "",
        "| Setting | `embedded` | `production` |",
        "|---|---|---|",
    ]
    for row in profile_defaults():
        values = (row.embedded, row.production)
        cells = [f"`{value}`" if row.literal else _cell(value) for value in values]
        lines.append(f"| `{row.setting}` | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def _block_intro(block: str, plugins: SettingsBlocks | None) -> str:
    table, _, key = block.partition(".")
    if plugins is not None and table == PLUGIN_TABLE:
        declared = f"Declared by the plugin `{plugins.owners[key]}`."
        return " ".join(filter(None, (_summary(plugins.models[key]), declared)))
    field = Settings.model_fields[block]
    return field.description or _summary(_block_model(field.annotation))


def _summary(model: type[BaseModel] | None) -> str:
    """The first paragraph of the model's own docstring (not one it inherits)."""
    doc = model.__dict__.get("__doc__") if model is not None else None
    return " ".join(str(doc).split("\n\n", 1)[0].split()) if doc else ""


def _block_section(heading: str, intro: str, entries: list[SettingReference]) -> str:
    lines = [f"## {heading}", ""]
    if intro:
        lines += [_cell(intro), ""]
    lines += ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    for entry in entries:
        toml = f"[{entry.toml_table}] {entry.toml_key}" if entry.toml_table else entry.toml_key
        default = entry.default
        shown = default if default in (MASKED, UNSET, REQUIRED) else f"`{_code(default)}`"
        constraints = ", ".join(f"`{_code(item)}`" for item in entry.constraints)
        cells = (
            f"`{entry.name}`",
            f"`{entry.environment_variable}`",
            f"`{toml}`",
            _cell(entry.type),
            shown,
            constraints,
            _cell(entry.description),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Prose safe inside a table cell: no pipe ends the cell, no <word> becomes a tag."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "\\<")


def _code(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
