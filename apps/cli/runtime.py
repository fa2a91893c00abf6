"""Running a command: settings loaded once, a container built, errors turned into exit codes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from adapters.sql.migrator import History, current_revision, head_revision
from apps.cli.output import ExitCode, fail
from apps.config.loading import SettingsError, load_settings, read_settings
from apps.config.settings import Settings
from apps.container import Container, build_container, close_container
from core.errors import DomainError, Unavailable

T = TypeVar("T")


def settings_or_exit(config_file: Path | None, **overrides: Any) -> Settings:
    return _or_exit(load_settings, config_file, **overrides)


def unchecked_settings_or_exit(config_file: Path | None) -> Settings:
    """The settings not checked against the plugins (``read_settings``): for `passerelle
    plugins`, which shows the plugin that failed to load behind an unknown adapter name."""
    return _or_exit(read_settings, config_file)


def _or_exit(read: Callable[..., Settings], config_file: Path | None, **overrides: Any) -> Settings:
    try:
        return read(config_file, **overrides)
    except SettingsError as exc:
        fail(str(exc), ExitCode.CONFIG)


def configured_disabled_plugins(argv: Sequence[str]) -> tuple[str, ...]:
    """``disabled_plugins`` read before any command runs, so that a disabled plugin's
    commands are never added. A configuration that does not load disables nothing here:
    the command itself then reports what is wrong with it."""
    try:
        return tuple(read_settings(_config_argument(argv)).disabled_plugins)
    except SettingsError:
        return ()


def _config_argument(argv: Sequence[str]) -> Path | None:
    for index, argument in enumerate(argv):
        if argument in ("--config", "-c") and index + 1 < len(argv):
            return Path(argv[index + 1])
        if argument.startswith("--config="):
            return Path(argument.removeprefix("--config="))
    return None


class SchemaNotReady(Exception):
    """The control database is not at the newest schema."""


async def _ensure_control_schema(container: Container) -> None:
    if await current_revision(container.control_engine()) != head_revision(History.CONTROL):
        raise SchemaNotReady("the control database is not migrated: run `passerelle migrate` first")


def run_with_container(
    settings: Settings, work: Callable[[Container], Awaitable[T]], *, needs_schema: bool = True
) -> T:
    async def main() -> T:
        container = build_container(settings)
        try:
            if needs_schema:
                await _ensure_control_schema(container)
            return await work(container)
        finally:
            await close_container(container)

    try:
        return asyncio.run(main())
    except SchemaNotReady as exc:
        fail(str(exc), ExitCode.CONFIG)
    except Unavailable as exc:
        fail(f"{exc.detail} [{exc.code}]", ExitCode.UNAVAILABLE)
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        fail(f"{exc.detail}{where} [{exc.code}]", ExitCode.REFUSED)
    except (OperationalError, DBAPIError, OSError) as exc:
        fail(f"database unreachable: {exc}", ExitCode.UNAVAILABLE)
    except (LookupError, ValueError) as exc:
        fail(str(exc), ExitCode.CONFIG)
