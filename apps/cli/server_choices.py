"""The HTTP parser and event loop `passerelle serve` runs the API on.

httptools and uvloop are C: on a large upload or download they spend less CPU per byte
than h11 and asyncio's own loop (bench/files.py measures it). Both stay optional at run
time: ``auto`` takes each one that imports and falls back to the pure-Python one, so a
platform without their wheels still serves; a forced choice that does not import stops
start-up with the setting's name, before anything listens.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Callable

from apps.config.loading import SettingsError

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def http_parser(choice: str) -> str:
    """uvicorn's ``http`` for the setting ``api.http_parser``."""
    if choice == "auto":
        return "httptools" if _importable("httptools") else "h11"
    if choice == "httptools":
        _require("httptools", "api.http_parser")
    return choice


def loop_factory(choice: str) -> LoopFactory | None:
    """The event loop factory for ``api.event_loop``; None for asyncio's own."""
    if choice == "asyncio" or (choice == "auto" and not _importable("uvloop")):
        return None
    _require("uvloop", "api.event_loop")
    factory: LoopFactory = importlib.import_module("uvloop").new_event_loop
    return factory


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _require(module: str, setting: str) -> None:
    if not _importable(module):
        raise SettingsError(f"{setting}: {module} is not installed (choose auto to fall back)")
