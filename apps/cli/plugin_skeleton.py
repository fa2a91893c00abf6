"""`passerelle plugin new NAME`: a plugin package that installs, loads and passes its tests.

The skeleton has a pyproject with the entry point, a plugin module implementing a
settings block and a session-ended hook, and tests that load it through its entry
point, as the platform will.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from apps.cli.output import ExitCode, console, fail

app = typer.Typer(help="Plugin development: scaffold a new plugin package.", no_args_is_help=True)
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.1.0"
description = "A Passerelle XR plugin."
requires-python = ">=3.11"
dependencies = ["passerelle-xr>=0.1,<1"]

[project.entry-points."passerelle.plugins"]
{name} = "{package}.plugin"

[tool.setuptools.packages.find]
include = ["{package}*"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""

PLUGIN = '''\
"""{name}: the hooks this plugin implements (see docs/plugins.md of passerelle-xr)."""

from __future__ import annotations

import logging

from pydantic import BaseModel

from plugins.hookspecs import hookimpl
from plugins.runtime import SettingsBlocks
from ports.events import Event

SETTINGS_KEY = "{key}"
log = logging.getLogger("{package}")
ended: list[Event] = []


class Settings(BaseModel):
    """The ``[plugins.{key}]`` block, validated when the platform starts."""

    greeting: str = "session over"


@hookimpl
def register_settings(blocks: SettingsBlocks) -> None:
    blocks.add(SETTINGS_KEY, Settings)


@hookimpl
async def session_ended(event: Event) -> None:
    ended.append(event)
    log.info("%s: %s", event.data.get("session_id"), event.data.get("state"))
'''

TESTS = '''\
"""{name}, loaded through its entry point as the platform loads it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from plugins.lifecycle import LifecycleHookPublisher
from plugins.manager import build_plugins
from ports.events import Audience, Event, EventType
from {package} import plugin


def test_the_plugin_is_found_through_its_entry_point() -> None:
    plugins = build_plugins()
    [info] = [info for info in plugins.describe() if info.name == "{name}"]
    assert info.hooks == ["register_settings", "session_ended"]
    assert plugins.load_errors == {{}}


def test_its_settings_block_is_validated() -> None:
    blocks = build_plugins().settings_blocks()
    assert blocks.validate({{"{key}": {{}}}})["{key}"] == plugin.Settings()
    with pytest.raises(ValueError, match=r"invalid setting plugins\\.{key}\\.greeting"):
        blocks.validate({{"{key}": {{"greeting": 3}}}})


async def test_it_hears_when_a_session_ends() -> None:
    data = {{"session_id": str(uuid.uuid4()), "state": "ended"}}
    event = Event(EventType.SESSION_ENDED, uuid.uuid4(), datetime.now(UTC), Audience(), data)
    await LifecycleHookPublisher(None, build_plugins()).publish([event])
    assert plugin.ended[-1] == event
'''

README = """\
# {name}

A Passerelle XR plugin. Install it beside the platform and check it is loaded:

    pip install -e .
    passerelle plugins
    pytest tests
"""


def skeleton_files(name: str) -> dict[str, str]:
    """The files of a new plugin package named ``name``, by relative path."""
    package = name.replace("-", "_")
    values = {"name": name, "package": package, "key": package}
    return {
        "pyproject.toml": PYPROJECT.format(**values),
        "README.md": README.format(**values),
        f"{package}/__init__.py": f'"""{name}: a Passerelle XR plugin."""\n',
        f"{package}/plugin.py": PLUGIN.format(**values),
        "tests/test_plugin.py": TESTS.format(**values),
    }


@app.command("new")
def new_plugin(
    name: Annotated[str, typer.Argument(help="Package and entry-point name, e.g. acme-sms.")],
    directory: Annotated[
        Path | None,
        typer.Option("--directory", "-d", help="Where to create it (default: ./NAME)."),
    ] = None,
) -> None:
    """Create a plugin package with its entry point, a hook, a settings block and tests."""
    if not NAME.match(name):
        fail(f"invalid plugin name {name!r}: lowercase letters, digits and dashes", ExitCode.USAGE)
    target = directory or Path(name)
    if target.exists() and any(target.iterdir()):
        fail(f"{target} exists and is not empty", ExitCode.REFUSED)
    for relative, text in skeleton_files(name).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    console.print(f"plugin {name} created in {target}; `pip install -e {target}` to try it")
