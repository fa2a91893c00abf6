"""The hooks a Passerelle plugin may implement: the platform's public extension API.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match
the specifications below. Built-in adapters are registered through the same hooks as
third-party ones. Third-party plugins are found through the ``passerelle.plugins``
entry-point group. A plugin that sets ``PASSERELLE_REQUIRED = True`` makes its failures
fatal; any other plugin's failing hook is logged with its name and skipped.

Version policy (``HOOKS_VERSION``): within a major version of passerelle-xr a hook is
only ever added; an existing hook keeps its name, its arguments and their meaning.
Arguments may gain fields (a plugin ignores what it does not read); removing or
renaming one bumps ``HOOKS_VERSION`` and the major version. docs/plugins.md has more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

import pluggy
import typer

from plugins.notification_channels import NotificationChannels
from plugins.notification_kinds import NotificationKinds
from plugins.registry import AdapterContext, AdapterRegistry
from plugins.runtime import SettingsBlocks, WorkerJob
from ports.events import Event

PROJECT = "passerelle"
HOOKS_VERSION = 1
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

LifecycleResult = Awaitable[None] | None
"""A lifecycle hook may be a plain function or a coroutine function."""


@hookspec
def register_adapters(registry: AdapterRegistry) -> None:
    """Called once at start-up: add the adapters this plugin provides with ``registry.add``."""


@hookspec
def register_settings(blocks: SettingsBlocks) -> None:
    """Called once at start-up: declare this plugin's settings blocks with ``blocks.add``;
    each is validated then, and a bad value stops start-up naming the setting."""


@hookspec
def session_created(event: Event) -> LifecycleResult:
    """After a session (or a call, which starts ringing) was created and committed."""


@hookspec
def session_started(event: Event) -> LifecycleResult:
    """After a session became active: its first join, or its call accepted."""


@hookspec
def participant_joined(event: Event) -> LifecycleResult:
    """After someone (a user or a guest) joined a session."""


@hookspec
def participant_left(event: Event) -> LifecycleResult:
    """After someone left a session, or was removed when it ended."""


@hookspec
def session_ended(event: Event) -> LifecycleResult:
    """After a session reached an end state; ``event.data["state"]`` says which
    (ended, missed, cancelled, declined)."""


@hookspec
def register_notification_channels(channels: NotificationChannels) -> None:
    """Called once at start-up, before the kinds: add outbox channels with ``channels.add``
    (a name, its sender or a factory building it from settings, a description)."""


@hookspec
def file_shared(event: Event) -> LifecycleResult:
    """After a file attached to a session was stored (an upload confirmed, or attached
    later); ``event.data`` has ``session_id``, ``file_id``, ``name``, ``kind``, ``size``."""


@hookspec
def recording_ready(event: Event) -> LifecycleResult:
    """After a session's recording was copied into the tenant's storage; ``event.data``
    has ``session_id``, ``recording_id``, ``file_id`` and ``size``."""


@hookspec
def register_notification_kinds(kinds: NotificationKinds) -> None:
    """Called once at start-up: add notification kinds with ``kinds.add`` (their example
    values, templates per language and channel, and channel chain)."""


@hookspec
def register_api_controllers() -> Sequence[object] | None:
    """Called once when the API starts: Litestar controllers or route handlers, mounted
    under ``/api/v1/plugins``."""


@hookspec
def register_worker_jobs(context: AdapterContext) -> Sequence[WorkerJob] | None:
    """Called once when the worker starts: the jobs it runs, each at its interval."""


@hookspec
def register_cli_commands(cli: typer.Typer) -> None:
    """Called once before the ``passerelle`` command runs: add commands to ``cli``."""
