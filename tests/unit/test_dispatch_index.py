"""The dispatch index: committed outbox work is marked, served, then settled, never lost."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.dispatch_index import MemoryDispatchIndex
from adapters.memory.mail_sender import RecordingMailSender
from adapters.memory.tenant_catalog import MemoryTenantCatalog
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.notifications.channels import ChannelSenders
from core.notifications.dispatch import (
    DispatchDependencies,
    dispatch_tenant,
    due_tenants,
    rebuild_dispatch_index,
)
from core.notifications.model import Channel, NotificationStatus, OutboxMessage
from core.notifications.services import DeliveryDependencies
from core.tenants.model import Tenant, TenantStatus
from ports.mail import MailDeliveryError


@pytest.fixture
def index() -> MemoryDispatchIndex:
    return MemoryDispatchIndex()


@pytest.fixture
def store(index: MemoryDispatchIndex) -> MemoryTenantUnitOfWorkFactory:
    return MemoryTenantUnitOfWorkFactory(dispatch=index)


@pytest.fixture
def catalog(clock: FixedClock) -> MemoryTenantCatalog:
    return MemoryTenantCatalog()


@pytest.fixture
def deps(
    index: MemoryDispatchIndex,
    catalog: MemoryTenantCatalog,
    store: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    senders: ChannelSenders,
) -> DispatchDependencies:
    delivery = DeliveryDependencies(
        tenant_uow=store, senders=senders, clock=clock, public_url="https://portal.passerelle.test"
    )
    return DispatchDependencies(index=index, catalog=catalog, delivery=delivery)


async def _tenant(catalog: MemoryTenantCatalog, clock: FixedClock) -> Tenant:
    now = clock.now()
    tenant = Tenant(uuid.uuid4(), "acme", "ACME", TenantStatus.ACTIVE, now, now)
    await catalog.add(tenant)
    return tenant


async def _queue(store: MemoryTenantUnitOfWorkFactory, tenant: Tenant, clock: FixedClock) -> None:
    now = clock.now()
    message = OutboxMessage(
        id=uuid.uuid4(),
        kind="session_invitation",
        channel=Channel.EMAIL,
        recipient="gus@supplier.example",
        payload={
            "guest_name": "G",
            "inviter_name": "A",
            "session_id": "s",
            "session_reference": "r",
        },
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    async with store(tenant.id) as uow:
        await uow.outbox.add(message)
        await uow.commit()


async def test_committed_message_marks_its_tenant_due_and_delivery_settles_it(
    deps: DispatchDependencies,
    catalog: MemoryTenantCatalog,
    store: MemoryTenantUnitOfWorkFactory,
    index: MemoryDispatchIndex,
    clock: FixedClock,
    mail: RecordingMailSender,
) -> None:
    tenant = await _tenant(catalog, clock)
    await _queue(store, tenant, clock)

    (entry,) = await due_tenants(deps, limit=10)
    report = await dispatch_tenant(entry, deps)

    assert entry.tenant_id == tenant.id
    assert report.sent == 1
    assert len(mail.sent) == 1
    assert index.entries == {}


async def test_a_failed_attempt_leaves_the_tenant_due_at_its_retry_time(
    deps: DispatchDependencies,
    catalog: MemoryTenantCatalog,
    store: MemoryTenantUnitOfWorkFactory,
    index: MemoryDispatchIndex,
    clock: FixedClock,
    mail: RecordingMailSender,
) -> None:
    tenant = await _tenant(catalog, clock)
    await _queue(store, tenant, clock)
    mail.failures.append(MailDeliveryError("421 busy", retryable=True))

    (entry,) = await due_tenants(deps, limit=10)
    await dispatch_tenant(entry, deps)

    (message,) = store.data(tenant.id).outbox.values()
    assert index.entries[tenant.id][0] == message.next_attempt_at > clock.now()
    assert await due_tenants(deps, limit=10) == []
    clock.current = message.next_attempt_at
    assert [e.tenant_id for e in await due_tenants(deps, limit=10)] == [tenant.id]


async def test_a_tenant_being_deleted_is_dropped_from_the_index_unsent(
    deps: DispatchDependencies,
    catalog: MemoryTenantCatalog,
    store: MemoryTenantUnitOfWorkFactory,
    index: MemoryDispatchIndex,
    clock: FixedClock,
    mail: RecordingMailSender,
) -> None:
    tenant = await _tenant(catalog, clock)
    await _queue(store, tenant, clock)
    await catalog.save(replace(tenant, status=TenantStatus.DELETING))

    (entry,) = await due_tenants(deps, limit=10)
    assert (await dispatch_tenant(entry, deps)).attempted == 0
    assert mail.sent == []
    assert index.entries == {}


async def test_full_scan_marks_exactly_the_tenants_with_waiting_messages(
    deps: DispatchDependencies,
    catalog: MemoryTenantCatalog,
    store: MemoryTenantUnitOfWorkFactory,
    index: MemoryDispatchIndex,
    clock: FixedClock,
) -> None:
    busy = await _tenant(catalog, clock)
    now = clock.now()
    quiet = Tenant(uuid.uuid4(), "quiet", "Quiet", TenantStatus.ACTIVE, now, now)
    await catalog.add(quiet)
    await _queue(store, busy, clock)
    index.entries.clear()

    assert await rebuild_dispatch_index(deps) == 1
    assert set(index.entries) == {busy.id}
    clock.advance(timedelta(seconds=1))
    assert [e.tenant_id for e in await due_tenants(deps, limit=10)] == [busy.id]
