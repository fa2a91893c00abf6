"""Plugin hooks beyond adapters: session lifecycle, settings, jobs, commands, isolation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from uuid import uuid4

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.identity.model import Role
from core.sessions.calls import end_session
from core.sessions.services import create_session, join_session
from core.tenants.model import PlanLimits
from plugins import hookspecs
from plugins import manager as plugin_manager
from plugins.hookspecs import hookimpl
from plugins.lifecycle import LifecycleHookPublisher
from plugins.manager import BUILTIN_PLUGINS, PluginSet, build_plugins, startup_problems
from plugins.registry import AdapterContext, AdapterSettingsError
from plugins.runtime import SettingsBlocks, WorkerJob
from ports.events import Audience, Event, EventsUnavailable, EventType
from tests.unit.session_support import person, recorded_deps


class Listener:
    """Records the lifecycle hooks it hears, in order, into a shared journal."""

    def __init__(self, label: str, journal: list[str]) -> None:
        self.label = label
        self.journal = journal

    @hookimpl
    def session_created(self, event: Event) -> None:
        self.journal.append(f"{self.label}:created")

    @hookimpl
    async def session_started(self, event: Event) -> None:
        self.journal.append(f"{self.label}:started")

    @hookimpl
    def participant_joined(self, event: Event) -> None:
        self.journal.append(f"{self.label}:joined")

    @hookimpl
    def participant_left(self, event: Event) -> None:
        self.journal.append(f"{self.label}:left")

    @hookimpl
    async def session_ended(self, event: Event) -> None:
        self.journal.append(f"{self.label}:ended:{event.data['state']}")

    @hookimpl
    def file_shared(self, event: Event) -> None:
        self.journal.append(f"{self.label}:file:{event.data['file_id']}")

    @hookimpl
    async def recording_ready(self, event: Event) -> None:
        self.journal.append(f"{self.label}:recording:{event.data['recording_id']}")


class Crashing:
    @hookimpl
    def session_ended(self, event: Event) -> None:
        raise RuntimeError("disk full")


class RequiredCrashing(Crashing):
    PASSERELLE_REQUIRED = True


class DownTransport:
    name = "down"

    async def publish(self, events: Sequence[Event]) -> None:
        raise EventsUnavailable("no transport")


def _plugins(*extra: object) -> PluginSet:
    return build_plugins(extra=extra, load_entry_points=False)


def _ended() -> Event:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    data = {"session_id": str(uuid4()), "state": "ended"}
    return Event(EventType.SESSION_ENDED, uuid4(), now, Audience(), data)


async def test_lifecycle_hooks_follow_the_session_through_the_core_in_load_order(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, video: DevelopmentVideoProvider
) -> None:
    journal: list[str] = []
    transport = InProcessEventPublisher()
    plugins = _plugins(Listener("first", journal), Listener("second", journal))
    deps = replace(
        recorded_deps(uow, clock, video, transport),
        events=LifecycleHookPublisher(transport, plugins),
    )
    host = person(uow, clock, Role.EXPERT, "Ada Expert")

    session = await create_session(host, "Pump P-12", PlanLimits(), deps)
    await join_session(host, session.id, PlanLimits(), deps)
    await end_session(host, session.id, deps)

    assert journal == [
        "first:created", "second:created",
        "first:started", "second:started",
        "first:joined", "second:joined",
        "first:ended:ended", "second:ended:ended",
        "first:left", "second:left",
    ]  # fmt: skip
    sent = {e.type for e in transport.published}
    assert EventType.PARTICIPANT_JOINED in sent
    assert not sent & {EventType.SESSION_CREATED, EventType.SESSION_STARTED}


async def test_file_and_recording_events_reach_their_hooks_and_the_transport() -> None:
    journal: list[str] = []
    transport = InProcessEventPublisher()
    publisher = LifecycleHookPublisher(transport, _plugins(Listener("only", journal)))
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    audience = Audience(session_id=uuid4())

    await publisher.publish(
        [
            Event(EventType.FILE_SHARED, uuid4(), now, audience, {"file_id": "f1"}),
            Event(EventType.RECORDING_READY, uuid4(), now, audience, {"recording_id": "r1"}),
        ]
    )

    assert journal == ["only:file:f1", "only:recording:r1"]
    assert [e.type for e in transport.published] == [
        EventType.FILE_SHARED,
        EventType.RECORDING_READY,
    ]


async def test_a_crashing_hook_is_logged_with_its_plugin_name_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal: list[str] = []
    crashing = Crashing()
    plugins = _plugins(crashing, Listener("after", journal))
    transport = InProcessEventPublisher()

    with caplog.at_level(logging.ERROR):
        await LifecycleHookPublisher(transport, plugins).publish([_ended()])

    assert journal == ["after:ended:ended"]
    assert len(transport.published) == 1
    name = str(plugins.manager.get_name(crashing))
    assert f"plugin {name} failed in session_ended" in caplog.text
    assert plugins.hook_errors[name] == ["session_ended: RuntimeError: disk full"]


async def test_a_required_plugin_that_crashes_stops_the_flow() -> None:
    plugins = _plugins(RequiredCrashing())
    with pytest.raises(RuntimeError, match="disk full"):
        await LifecycleHookPublisher(InProcessEventPublisher(), plugins).publish([_ended()])


async def test_plugins_hear_of_the_session_even_when_the_realtime_transport_is_down() -> None:
    journal: list[str] = []
    publisher = LifecycleHookPublisher(DownTransport(), _plugins(Listener("p", journal)))
    with pytest.raises(EventsUnavailable):
        await publisher.publish([_ended()])
    assert journal == ["p:ended:ended"]


def test_disabled_plugins_are_not_loaded() -> None:
    plugins = build_plugins(load_entry_points=False, disabled=("plugins.builtin.sms",))
    names = [info.name for info in plugins.describe()]
    assert names == [name for name in BUILTIN_PLUGINS if name != "plugins.builtin.sms"]
    assert plugins.adapters().names("sms") == []


class BrokenAdapters:
    @hookimpl
    def register_adapters(self, registry: object) -> None:
        raise ImportError("vendor SDK missing")


def test_a_plugin_failing_to_register_adapters_is_skipped_and_reported() -> None:
    broken = BrokenAdapters()
    plugins = _plugins(broken)
    registry = plugins.adapters()
    assert registry.names("mail") == ["console", "file", "smtp"]
    assert plugins.hook_errors[str(plugins.manager.get_name(broken))] == [
        "register_adapters: ImportError: vendor SDK missing"
    ]


class BeaconSettings(BaseModel):
    url: str
    every_seconds: float = 60.0


class Beacon:
    """A feature plugin: its own settings block, a worker job, a CLI command, a route."""

    def __init__(self) -> None:
        self.runs = 0

    @hookimpl
    def register_settings(self, blocks: SettingsBlocks) -> None:
        blocks.add("beacon", BeaconSettings)

    @hookimpl
    def register_worker_jobs(self, context: AdapterContext) -> list[WorkerJob]:
        settings = context.settings("beacon", BeaconSettings)

        async def ping() -> int:
            self.runs += 1
            return self.runs

        return [WorkerJob("beacon ping", settings.every_seconds, ping)]

    @hookimpl
    def register_cli_commands(self, cli: typer.Typer) -> None:
        @cli.command("beacon")
        def beacon() -> None:
            """Say the beacon is there."""
            typer.echo("beacon here")

    @hookimpl
    def register_api_controllers(self) -> list[object]:
        return ["controller"]


def test_a_plugin_settings_block_is_validated_at_start_up_naming_the_setting() -> None:
    plugins = _plugins(Beacon())
    blocks = plugins.settings_blocks()
    assert blocks.validate({"beacon": {"url": "https://b.example"}}) == {
        "beacon": BeaconSettings(url="https://b.example")
    }
    with pytest.raises(
        AdapterSettingsError,
        match=r"^invalid setting plugins\.beacon\.url \(PASSERELLE_PLUGINS__BEACON__URL\): ",
    ):
        blocks.validate({})


async def test_a_plugin_adds_worker_jobs_cli_commands_and_api_controllers(
    clock: FixedClock,
) -> None:
    beacon = Beacon()
    plugins = _plugins(beacon)
    context = AdapterContext(
        blocks={"beacon": {"url": "u", "every_seconds": 5}}, clock=clock, data_dir=Path(".")
    )

    [job] = plugins.worker_jobs(context)
    assert (job.name, job.interval_seconds, await job.run()) == ("beacon ping", 5.0, 1)

    cli = typer.Typer()

    @cli.command("version")
    def version() -> None:
        typer.echo("1")

    plugins.add_cli_commands(cli)
    assert CliRunner().invoke(cli, ["beacon"]).output == "beacon here\n"
    assert plugins.api_controllers() == ["controller"]


def test_every_hook_is_documented_in_the_plugin_guide() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()
    hooks = [
        name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "passerelle_spec")
    ]
    assert len(hooks) >= 10
    assert [hook for hook in hooks if f"`{hook}(" not in guide] == []


def test_a_plugin_that_fails_to_load_is_reported_at_start_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    group = plugin_manager.ENTRY_POINT_GROUP
    broken = [EntryPoint("pigeon-sms", "pigeon_sdk.plugin", group)]
    monkeypatch.setattr(plugin_manager, "entry_points", lambda group: broken)

    with caplog.at_level(logging.ERROR):
        problems = startup_problems(build_plugins())

    expected = "plugin pigeon-sms failed to load: ModuleNotFoundError: No module named 'pigeon_sdk'"
    assert problems == [expected]
    assert f"{expected} (the platform starts without it)" in caplog.text
