"""Tenant backups in blob storage: made daily once and pruned, made by hand, restored in
place with every checksum checked first; a backup of another tenant or a corrupt one is
refused before anything changes."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers

from adapters.memory.clock import FixedClock
from core.errors import NotFound
from core.notifications.model import Channel
from core.notifications.routing import Route, queued_message
from core.tenants import backups
from core.tenants.archive_format import ArchiveRejected
from core.tenants.model import TenantStatus
from core.tenants.portability import BACKUP_PREFIX, verify_archive_of
from tests.integration.conftest import Api

PHOTO = bytes(range(256)) * 64
NOTES: dict[tuple[uuid.UUID, str], uuid.UUID] = {}


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def _read(api: Api, tenant_id: uuid.UUID, key: str) -> bytes:
    return b"".join([chunk async for chunk in api.container.storage().read(tenant_id, key)])


async def _keys(api: Api, tenant_id: uuid.UUID) -> list[str]:
    return [key async for key in api.container.storage().keys(tenant_id)]


async def _note(api: Api, tenant_id: uuid.UUID, text: str) -> None:
    """A row in the tenant's database: a queued e-mail whose recipient names it."""
    message = queued_message(
        "missed_call",
        Route(Channel.EMAIL, f"{text}@acme.example", ()),
        {},
        api.container.clock().now(),
    )
    async with api.container.tenant_uow()(tenant_id) as uow:
        await uow.outbox.add(message)
        await uow.commit()
    NOTES[(tenant_id, text)] = message.id


async def _notes(api: Api, tenant_id: uuid.UUID) -> list[str]:
    found = []
    async with api.container.tenant_uow()(tenant_id) as uow:
        for (owner, text), message_id in NOTES.items():
            if owner == tenant_id and await uow.outbox.get(message_id) is not None:
                found.append(text)
    return sorted(found)


@pytest.fixture
def clock(api: Api) -> FixedClock:
    clock = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    api.container.clock.override(providers.Object(clock))
    for provider in ("tenant_dependencies", "portability_dependencies", "backup_dependencies"):
        getattr(api.container, provider).reset()
    return clock


async def _tenant(api: Api, slug: str = "acme") -> uuid.UUID:
    created = await api.create_tenant(slug)
    tenant_id = uuid.UUID(created["tenant"]["id"])
    await _note(api, tenant_id, "before")
    await api.container.storage().write(tenant_id, "sessions/4711/photo.jpg", _once(PHOTO))
    return tenant_id


async def test_a_restore_brings_rows_and_files_back_in_place(api: Api, clock: FixedClock) -> None:
    tenant_id = await _tenant(api)
    deps = api.container.backup_dependencies()
    made = await backups.back_up("acme", deps, actor="test")
    await _note(api, tenant_id, "after")
    await api.container.storage().write(tenant_id, "sessions/4711/photo.jpg", _once(b"changed"))
    await api.container.storage().write(tenant_id, "later.txt", _once(b"after the backup"))
    clock.advance(timedelta(minutes=5))

    restored, used = await backups.restore("acme", made.name, deps, actor="test")

    assert used == made
    assert restored.id == tenant_id
    assert restored.status is TenantStatus.ACTIVE
    assert await _notes(api, tenant_id) == ["before"]
    assert await _read(api, tenant_id, "sessions/4711/photo.jpg") == PHOTO
    names = [b.name for b in await backups.list_backups("acme", deps)]
    assert sorted(await _keys(api, tenant_id)) == sorted(
        ["sessions/4711/photo.jpg", *(BACKUP_PREFIX + name for name in names)]
    )
    assert [name.split("-")[0] for name in names] == ["manual", "pre"]


async def test_the_pre_restore_backup_undoes_a_restore(api: Api, clock: FixedClock) -> None:
    tenant_id = await _tenant(api)
    deps = api.container.backup_dependencies()
    await backups.back_up("acme", deps, actor="test")
    await _note(api, tenant_id, "after")
    clock.advance(timedelta(minutes=1))
    await backups.restore("acme", None, deps, actor="test")
    safety = (await backups.list_backups("acme", deps))[-1]
    clock.advance(timedelta(minutes=1))

    await backups.restore("acme", safety.name, deps, actor="test")

    assert await _notes(api, tenant_id) == ["after", "before"]


async def test_a_restore_run_again_takes_the_same_backup_not_its_pre_restore_copy(
    api: Api, clock: FixedClock
) -> None:
    """As after a restore that failed half-way: running it again must finish that restore,
    not bring back the state it was replacing."""
    tenant_id = await _tenant(api)
    deps = api.container.backup_dependencies()
    made = await backups.back_up("acme", deps, actor="test")
    await _note(api, tenant_id, "after")
    clock.advance(timedelta(minutes=1))
    _, first = await backups.restore("acme", None, deps, actor="test")
    clock.advance(timedelta(minutes=1))

    _, again = await backups.restore("acme", None, deps, actor="test")

    assert first == again == made
    assert await _notes(api, tenant_id) == ["before"]
    assert [b.pre_restore for b in await backups.list_backups("acme", deps)] == [
        False,
        True,
        True,
    ]


async def test_a_suspended_tenant_stays_suspended_after_its_restore(
    api: Api, clock: FixedClock
) -> None:
    await _tenant(api)
    deps = api.container.backup_dependencies()
    await backups.back_up("acme", deps, actor="test")
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    suspended = await api.client.post(f"/api/v1/tenants/{tenant.id}/suspend", headers=operator)
    assert suspended.status_code == 200, suspended.text

    restored, _ = await backups.restore("acme", None, deps, actor="test")

    assert restored.status is TenantStatus.SUSPENDED


async def test_a_backup_never_holds_the_other_backups(api: Api, clock: FixedClock) -> None:
    tenant_id = await _tenant(api)
    deps = api.container.backup_dependencies()
    await backups.back_up("acme", deps, actor="test")
    clock.advance(timedelta(seconds=1))
    second = await backups.back_up("acme", deps, actor="test")
    tenant = await api.container.catalog().get(tenant_id)
    assert tenant is not None

    async with deps.archives.source(tenant_id, BACKUP_PREFIX + second.name) as source:
        verified = await verify_archive_of(tenant, source, deps.portability)

    assert [file.key for file in verified.manifest.files] == ["sessions/4711/photo.jpg"]


async def test_the_daily_round_backs_each_tenant_up_once_a_day_and_keeps_the_newest(
    api: Api, clock: FixedClock
) -> None:
    acme_id = await _tenant(api, "acme")
    await _tenant(api, "bravo")
    deps = api.container.backup_dependencies()
    await backups.back_up("acme", deps, actor="test")

    first = await backups.back_up_every_tenant(deps, keep=2)
    again = await backups.back_up_every_tenant(deps, keep=2)
    for _ in range(3):
        clock.advance(timedelta(days=1))
        await backups.back_up_every_tenant(deps, keep=2)

    assert sorted(first.backed_up) == ["acme", "bravo"]
    assert again.backed_up == []
    assert sorted(again.already_done) == ["acme", "bravo"]
    names = [b.name for b in await backups.list_backups(acme_id, deps)]
    assert names[0].startswith("manual-")
    assert names[1:] == ["daily-2026-11-30.tar.gz", "daily-2026-12-01.tar.gz"]


async def test_one_tenant_failing_its_backup_does_not_stop_the_others(
    api: Api, clock: FixedClock
) -> None:
    acme_id = await _tenant(api, "acme")
    await _tenant(api, "bravo")
    await api.container.tenant_databases().drop(acme_id)

    report = await backups.back_up_every_tenant(api.container.backup_dependencies(), keep=2)

    assert report.backed_up == ["bravo"]
    assert list(report.failed) == ["acme"]


async def test_a_backup_of_another_tenant_is_refused_and_nothing_changes(
    api: Api, clock: FixedClock
) -> None:
    await _tenant(api, "acme")
    bravo_id = await _tenant(api, "bravo")
    deps = api.container.backup_dependencies()
    foreign = await backups.back_up("acme", deps, actor="test")
    acme = await api.container.catalog().find_by_slug("acme")
    assert acme is not None
    content = b"".join(
        [chunk async for chunk in deps.blobs.get(acme.id, BACKUP_PREFIX + foreign.name)]
    )
    await deps.blobs.put(
        bravo_id, BACKUP_PREFIX + foreign.name, _once(content), content_type="application/gzip"
    )

    with pytest.raises(ArchiveRejected) as refused:
        await backups.restore("bravo", foreign.name, deps, actor="test")

    assert refused.value.code == "other_tenant"
    assert await _notes(api, bravo_id) == ["before"]
    still = await api.container.catalog().get(bravo_id)
    assert still is not None
    assert still.status is TenantStatus.ACTIVE


async def test_a_corrupt_backup_is_refused_before_anything_changes(
    api: Api, clock: FixedClock
) -> None:
    tenant_id = await _tenant(api)
    deps = api.container.backup_dependencies()
    await deps.blobs.put(
        tenant_id,
        BACKUP_PREFIX + "manual-20261128T090000Z.tar.gz",
        _once(b"\x1f\x8b not really gzip"),
        content_type="application/gzip",
    )

    with pytest.raises(ArchiveRejected):
        await backups.restore("acme", None, deps, actor="test")

    assert await _notes(api, tenant_id) == ["before"]
    assert [b.name.split("-")[0] for b in await backups.list_backups("acme", deps)] == ["manual"]


async def test_restoring_a_backup_that_does_not_exist_names_the_backup(
    api: Api, clock: FixedClock
) -> None:
    await _tenant(api)

    with pytest.raises(NotFound) as missing:
        await backups.restore(
            "acme", "daily-1999-01-01.tar.gz", api.container.backup_dependencies(), actor="t"
        )

    assert missing.value.field == "backup"
    assert missing.value.code == "backup_not_found"


async def test_operators_back_up_list_page_by_page_and_restore_through_the_api(
    api: Api, clock: FixedClock
) -> None:
    tenant_id = await _tenant(api)
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    base = f"/api/v1/tenants/{tenant_id}"
    made = []
    for _ in range(3):
        response = await api.client.post(f"{base}/backups", headers=operator)
        assert response.status_code == 201, response.text
        made.append(response.json()["name"])
        clock.advance(timedelta(seconds=1))
    await _note(api, tenant_id, "after")

    first = (await api.client.get(f"{base}/backups?limit=2", headers=operator)).json()
    cursor = first["next_cursor"]
    second = await api.client.get(f"{base}/backups?limit=2&cursor={cursor}", headers=operator)
    restored = await api.client.post(
        f"{base}/restore", json={"backup": made[0], "safety_backup": False}, headers=operator
    )

    assert [b["name"] for b in first["items"] + second.json()["items"]] == made
    assert second.json()["next_cursor"] is None
    assert restored.status_code == 200, restored.text
    assert restored.json()["tenant"]["status"] == "active"
    assert restored.json()["backup"]["name"] == made[0]
    assert await _notes(api, tenant_id) == ["before"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/backups?cursor=%%%", None, 400, "validation_failed"),
        ("/restore", {"backup": "nope.tar.gz"}, 404, "backup_not_found"),
        ("/restore", {"backup": 7}, 400, "validation_failed"),
    ],
)
async def test_bad_backup_requests_are_clear_errors(
    api: Api, clock: FixedClock, path: str, body: dict[str, object] | None, status: int, code: str
) -> None:
    tenant_id = await _tenant(api)
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    method = "GET" if body is None else "POST"

    response = await api.client.request(
        method, f"/api/v1/tenants/{tenant_id}{path}", json=body, headers=operator
    )

    assert response.status_code == status, response.text
    assert response.json()["code"] == code


async def test_backups_of_an_unknown_tenant_are_not_found(api: Api) -> None:
    operator = {"Authorization": f"Bearer {api.operator_key}"}

    response = await api.client.get(f"/api/v1/tenants/{uuid.uuid4()}/backups", headers=operator)

    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


async def _stuck_in_provisioning(api: Api) -> uuid.UUID:
    """A tenant whose provisioning never got as far as its storage directory."""
    tenant = await api.add_provisioning_tenant(
        "stuck", provisioning_error="database server unreachable"
    )
    assert not await api.container.storage().exists(tenant.id)
    return tenant.id


async def test_a_tenant_still_provisioning_lists_no_backups_and_cannot_be_backed_up(
    api: Api,
) -> None:
    tenant_id = await _stuck_in_provisioning(api)
    operator = {"Authorization": f"Bearer {api.operator_key}"}

    listed = await api.client.get(f"/api/v1/tenants/{tenant_id}/backups", headers=operator)
    made = await api.client.post(f"/api/v1/tenants/{tenant_id}/backups", headers=operator)

    assert listed.status_code == 200, listed.text
    assert listed.json() == {"items": [], "next_cursor": None}
    assert made.status_code == 409, made.text
    assert await backups.list_backups(tenant_id, api.container.backup_dependencies()) == []


async def test_two_manual_backups_made_at_the_same_instant_are_both_kept(
    api: Api, clock: FixedClock
) -> None:
    tenant_id = await _tenant(api)
    operator = {"Authorization": f"Bearer {api.operator_key}"}
    base = f"/api/v1/tenants/{tenant_id}"

    first, second = await asyncio.gather(
        api.client.post(f"{base}/backups", headers=operator),
        api.client.post(f"{base}/backups", headers=operator),
    )
    third = await api.client.post(f"{base}/backups", headers=operator)

    assert [r.status_code for r in (first, second, third)] == [201, 201, 201], [
        r.text for r in (first, second, third)
    ]
    names = [r.json()["name"] for r in (first, second, third)]
    assert len(set(names)) == 3
    assert all(re.fullmatch(r"manual-20261128T090000\d{6}Z-[0-9a-f]{8}\.tar\.gz", n) for n in names)
    listed = (await api.client.get(f"{base}/backups", headers=operator)).json()["items"]
    assert sorted(b["name"] for b in listed) == sorted(names)


async def test_backup_names_sort_by_the_time_they_were_made(api: Api, clock: FixedClock) -> None:
    await _tenant(api)
    deps = api.container.backup_dependencies()
    made = []
    for step in (timedelta(0), timedelta(microseconds=1), timedelta(seconds=1)):
        clock.advance(step)
        made.append((await backups.back_up("acme", deps, actor="test")).name)

    assert sorted(made) == made
    assert not any(backups.Backup(name, 0, clock.now(), None).daily for name in made)
