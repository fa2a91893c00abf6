"""Core use cases wired to in-memory adapters."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from pathlib import PurePath

import pytest

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.jinja.renderer import JinjaTemplateRenderer
from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from adapters.memory.push_sender import RecordingPushSender
from adapters.memory.rate_limiter import MemoryRateLimiter
from adapters.memory.sms_sender import RecordingSmsSender
from adapters.memory.tenant_catalog import MemoryTenantCatalog, MemoryTenantResources
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.notifications.channels import ChannelSenders, SmsBudget
from core.notifications.services import DeliveryDependencies
from core.sessions.services import SessionDependencies
from core.tenants.services import TenantDependencies


class PlainHasher:
    """Reversible on purpose: unit tests check the core's rules, not the hash."""

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain:" + password


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the variables a test sets count, whatever the developer's shell exports."""
    for name in list(os.environ):
        if name.startswith("PASSERELLE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))


@pytest.fixture
def uow() -> MemoryTenantUnitOfWorkFactory:
    return MemoryTenantUnitOfWorkFactory()


@pytest.fixture
def tenant_deps(clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory) -> TenantDependencies:
    return TenantDependencies(
        catalog=MemoryTenantCatalog(),
        databases=MemoryTenantResources(),
        storage=MemoryTenantResources(),
        tenant_uow=uow,
        hasher=PlainHasher(),
        clock=clock,
        sqlite_folder=PurePath("/srv/passerelle"),
    )


@pytest.fixture
def video(clock: FixedClock) -> DevelopmentVideoProvider:
    return DevelopmentVideoProvider(b"unit-test-secret", clock)


@pytest.fixture
def session_deps(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, video: DevelopmentVideoProvider
) -> SessionDependencies:
    return SessionDependencies(tenant_uow=uow, video=video, clock=clock)


@pytest.fixture
def mail() -> RecordingMailSender:
    return RecordingMailSender()


@pytest.fixture
def sms() -> RecordingSmsSender:
    return RecordingSmsSender()


@pytest.fixture
def push() -> RecordingPushSender:
    return RecordingPushSender()


@pytest.fixture
def senders(
    clock: FixedClock,
    mail: RecordingMailSender,
    sms: RecordingSmsSender,
    push: RecordingPushSender,
) -> ChannelSenders:
    return ChannelSenders(
        mail=mail,
        sms=sms,
        push=push,
        renderer=JinjaTemplateRenderer(),
        rate_limiter=MemoryRateLimiter(clock),
        sms_budget=SmsBudget(key="sms:test", per_second=30),
        mail_sender_address="Passerelle <no-reply@passerelle.test>",
        clock=clock,
        jitter=random.Random(7).uniform,
    )


@pytest.fixture
def delivery_deps(
    clock: FixedClock, uow: MemoryTenantUnitOfWorkFactory, senders: ChannelSenders
) -> DeliveryDependencies:
    return DeliveryDependencies(
        tenant_uow=uow, senders=senders, clock=clock, public_url="https://demo.passerelle.test"
    )
